"""R12 ``check --deploy --fail-level WARNING`` with production settings; R13 bandit at medium level.

R12 runs manage.py in a subprocess with the environment production has (no DEBUG, a real secret key, an
allowed host, the database of this run and Redis), as .ci/run does. R13 runs bandit over the project's
code (not the tests or migrations) at medium severity and above: every finding must be one reviewed and
justified in bandit-baseline.json.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CODE = ["accounts", "apitokens", "commitments", "compliance", "engagement", "forums", "ogp_portal", "manage.py"]


def _database_url(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgres") else f"sqlite:///{tmp_path / 'deploy.sqlite3'}"


def test_r12_deploy_check_is_clean_with_production_settings(tmp_path, record_property):
    drop = {"DEBUG", "DEMO", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD", "EMAIL_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in drop} | {
        "DJANGO_SETTINGS_MODULE": "ogp_portal.settings",
        "SECRET_KEY": "r12-" + "k3y-f0r-the-deploy-check-only-" * 2,
        "ALLOWED_HOSTS": "ogp.example.org",
        "DATABASE_URL": _database_url(tmp_path),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    issues = [line for line in (result.stdout + result.stderr).splitlines() if ": (" in line]
    record_property("R12", f"check --deploy --fail-level WARNING: exit {result.returncode}, {len(issues)} issues")
    assert result.returncode == 0, result.stdout + result.stderr
    assert issues == []


def test_r13_bandit_medium_findings_are_all_justified(record_property):
    baseline = json.loads((ROOT / "bandit-baseline.json").read_text())["justified"]
    justified = {(j["file"], j["test_id"], j["code"].strip()) for j in baseline}
    assert all(j["why"].strip() for j in baseline)
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-r", *CODE, "-ll", "-f", "json", "-q", "-x", "*/migrations/*"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    report = json.loads(result.stdout)
    assert not report["errors"], report["errors"]
    found, unjustified = [], []
    for issue in report["results"]:
        line = (ROOT / issue["filename"]).read_text().splitlines()[issue["line_number"] - 1].strip()
        key = (issue["filename"], issue["test_id"], line)
        found.append(key)
        if key not in justified:
            unjustified.append(f"{issue['filename']}:{issue['line_number']} {issue['test_id']} {issue['issue_text']}: {line}")
    stale = sorted(justified - set(found))
    figure = f"bandit -ll: {len(found)} medium+ findings, {len(found) - len(unjustified)} justified in bandit-baseline.json, {len(unjustified)} not"
    record_property("R13", figure)
    print("\nR13", figure, "; baseline entries no longer found:", stale)
    assert unjustified == []

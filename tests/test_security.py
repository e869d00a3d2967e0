"""Security by default: CSP, login throttling, deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("admin:login"))
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp


@pytest.mark.django_db
def test_repeated_failed_sign_ins_lock_the_account_for_that_address(client, django_user_model):
    django_user_model.objects.create_superuser("poc", "poc@example.org", "right-password-123")
    url = reverse("admin:login")
    for _ in range(5):
        response = client.post(url, {"username": "poc", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
        assert response.status_code in (200, 429)
    locked = client.post(url, {"username": "poc", "password": "right-password-123"}, REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429
    assert not locked.wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_csrf_is_enforced_on_forms():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("set_language"), {"language": "ru"})
    assert response.status_code == 403


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECURE_SSL_REDIRECT", "EMAIL_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    } | {
        "DJANGO_SETTINGS_MODULE": "ogp_portal.settings",
        "SECRET_KEY": "x" * 20 + "-production-like-key-for-the-check-only-0123456789",
        "ALLOWED_HOSTS": "ogp.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_refuse_to_start_without_a_secret_key_in_production():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}} | {
        "DJANGO_SETTINGS_MODULE": "ogp_portal.settings"
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr

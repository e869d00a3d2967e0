"""Production keeps database connections open and caches in Redis; the demo and tests cache locally."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
PRINT = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "d = s.DATABASES['default']; c = s.CACHES['default']; "
    "print(json.dumps([d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'], c['BACKEND'], c.get('LOCATION'), c['KEY_PREFIX']]))"
)


def settings_with(**environment):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "CACHE_URL", "CONN_MAX_AGE", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "ogp_portal.settings",
        "SECRET_KEY": "k" * 50,
        "DATABASE_URL": "sqlite:///unused.sqlite3",
        "REDIS_URL": "redis://127.0.0.1:6379/5",
        **environment,
    }
    result = subprocess.run(
        [sys.executable, "-c", PRINT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_keeps_connections_open_with_health_checks_and_caches_in_redis():
    assert settings_with() == [
        60,
        True,
        "ogp_portal.redis_cache.RedisCache",
        "redis://127.0.0.1:6379/5",
        "ogp",
    ]


def test_connection_age_and_cache_server_come_from_the_environment():
    age, checks, backend, location, _ = settings_with(CONN_MAX_AGE="0", CACHE_URL="redis://10.0.0.5:6380/2")
    assert (age, checks, backend, location) == (0, True, "ogp_portal.redis_cache.RedisCache", "redis://10.0.0.5:6380/2")


def test_the_demo_caches_in_local_memory():
    assert settings_with(DEBUG="true")[2] == "django.core.cache.backends.locmem.LocMemCache"


def test_tests_cache_in_local_memory():
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"

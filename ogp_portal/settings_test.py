"""Test settings: the real settings with a throwaway key and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-not-a-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from ogp_portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
AXES_ENABLED = True

# SQLite tests use a file, not memory, so that a real Celery worker or a second
# process started by a test sees the same test database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}  # noqa: F405

# The API's throttles have their own test (tests/api/test_tokens.py); elsewhere their counters,
# kept in the process's cache, would carry over from one test to the next.
API_THROTTLE_RATES = {"anon": "100000/minute", "user": "100000/minute"}

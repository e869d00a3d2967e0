"""Test settings: the real settings with a throwaway key and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-not-a-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# Tests never share a cache with another process: local memory, whatever the environment says.
os.environ["CACHE_URL"] = "locmemcache://"
# With DEBUG off the settings require both; tests default to SQLite and a local Redis (CI sets its own).
os.environ.setdefault("DATABASE_URL", f"sqlite:///{os.path.join(os.path.dirname(os.path.dirname(__file__)), 'db.sqlite3')}")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")

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

# The public page cache is off in tests: many tests change rows directly (factories, not services)
# between two requests. tests/test_page_cache.py turns it on.
PUBLIC_PAGE_CACHE = False

# One process: its local-memory cache is the only one, so sessions go through it as in production.
SESSION_ENGINE = "accounts.sessions"

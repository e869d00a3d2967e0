"""Settings for the OGP action-plan portal, read from the environment.

Defaults run a local demo (SQLite, no broker). Production must set SECRET_KEY,
DATABASE_URL, REDIS_URL and ALLOWED_HOSTS; see README "Running in production".
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env file (never committed) may hold these variables; the process environment wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name, default=False):
    """Return a boolean variable; anything but true/false, yes/no, on/off, 1/0 is an error (``DEBUG=ture``)."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def env_int(name, default):
    """Return an integer variable; anything else is an error."""
    raw = env.str(name, default=None)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


DEBUG = env_bool("DEBUG", default=False)
# The local demo (`make run`): production settings on one machine, without a broker or mail server.
DEMO = env_bool("DEMO", default=False)

if not DEBUG:
    # Production must say where its data and its broker are; defaults are for developers only.
    _missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not env.str(name, default="")]
    if _missing:
        raise ImproperlyConfigured(f"Set {' and '.join(_missing)} (required when DEBUG is off).")

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-local-demo-key-never-used-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured("Set SECRET_KEY (it is required when DEBUG is off).")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # modeltranslation must precede the admin so translated fields show there.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_htmx",
    # The one email outbox (below every app: any app may post an email).
    "outbox",
    "commitments",
    "forums",
    "compliance",
    "accounts",
    "apitokens",
    "engagement",
    "cocreation",
    # The project package itself: its management commands (load_seed_data) write into every app above.
    "ogp_portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "ogp_portal.middleware.ApiLanguageMiddleware",
    # A NUL character in the path, query or form data: 400 with a message (PostgreSQL cannot store it).
    "ogp_portal.middleware.RefuseUnstorableInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, carrying over sessions signed in through ModelBackend (accounts/middleware.py).
    "accounts.middleware.AuthenticationMiddleware",
    # After LocaleMiddleware and the user: an unprefixed page asked for in Russian or Kyrgyz (the chosen
    # language, else the browser's) goes to its /ru/ or /ky/ twin.
    "ogp_portal.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes last: it must see the authenticated user and the response.
    "axes.middleware.AxesMiddleware",
    # Public pages for anonymous visitors, per language (ogp_portal/cache.py): last, so that it
    # sees the resolved view, the language and the visitor, and the middleware above still
    # add their headers (CSP, CSRF cookie, Content-Language) to a page served from the cache.
    "ogp_portal.cache.PublicPageCacheMiddleware",
]

ROOT_URLCONF = "ogp_portal.urls"
WSGI_APPLICATION = "ogp_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite by default (demo), PostgreSQL in production via DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions and a busy timeout avoid "database is locked"
    # under concurrent writes; WAL lets readers run beside a writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env.bool("POSTGRES_JIT", default=False):
    # No JIT compilation: the portal's queries are short. PostgreSQL compiles a plan whose estimated cost is
    # high: 190-410 ms a query on the scale-10 lists, and 2-7 s for the home page's plan with correlated
    # subqueries (never run, but costed) that runs in 30 ms (issue #20, BENCHMARKS.md).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: without them every request opens a new PostgreSQL connection,
# which caps the portal at ~200 requests a second (measured, BENCHMARKS.md). 0 closes
# after each request; keep it below the server's idle timeout. Health checks drop a dead
# connection before the request uses it.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # The portal's rules decide their own permissions alone (no model-permission queries): accounts/backends.py.
    "accounts.backends.RulesBackend",
    # Django's ModelBackend, reading the user's roles in the user's own query (one query a request, not two).
    "accounts.backends.PortalModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: English (original), Russian, Kyrgyz.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("ky", _("Kyrgyz"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Bishkek")
USE_I18N = True
USE_TZ = True

# Content in three languages; an empty translation falls back to the original (English).
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "ru", "ky")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en",)}

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploaded evidence: stored under random names in a private root, outside the static root and
# never served directly; a view checks permission before sending a file.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "private-media")
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "work:my_work"

# Security. A strict CSP: nothing inline, nothing from other origins.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", default=False) else None

# Login throttling (django-axes): lock a user+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"

# Email: console in the demo, SMTP in production via EMAIL_URL (smtp+tls://user:pass@host:587).
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
_email_options = {
    key: _email[setting]
    for key, setting in {
        "host": "EMAIL_HOST",
        "port": "EMAIL_PORT",
        "username": "EMAIL_HOST_USER",
        "password": "EMAIL_HOST_PASSWORD",
        "use_tls": "EMAIL_USE_TLS",
        "use_ssl": "EMAIL_USE_SSL",
    }.items()
    if _email.get(setting) and _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
}
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"], "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="OGP portal <noreply@localhost>")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# REST API (/api/v1/): session (with CSRF) or a personal token; see ogp_portal/api.py.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apitokens.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["ogp_portal.api.ReadOnlyOrScopedWrite"],
    "DEFAULT_FILTER_BACKENDS": [
        "ogp_portal.api_filters.FilterBackend",  # django-filter's, with the explicit API FilterSets of ogp_portal/api_filters.py
        "ogp_portal.api_search.SearchFilter",  # DRF's, with a plan that fits the search's rows (api_search.py)
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "ogp_portal.api.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "ogp_portal.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "ogp_portal.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["ogp_portal.api.AnonThrottle", "ogp_portal.api.UserThrottle"],
    "NUM_PROXIES": 1 if env.bool("BEHIND_PROXY", default=False) else 0,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OGP action-plan portal API",
    "DESCRIPTION": "Members, action plans, commitments, milestones, progress, forums and compliance. "
    "Read without an account; write with a personal token (`Authorization: Bearer ...`) or the browser session.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DatePrecisionEnum": "commitments.models.DatePrecision",
        "MemberStatusEnum": "compliance.models.MemberStatus",
        "MeetingStatusEnum": "forums.models.Meeting.Status",
        "EvidenceKindEnum": "commitments.models.Evidence.Kind",
        "AttendanceStatusEnum": "forums.models.Attendance.Status",
        "ActionItemStatusEnum": "forums.models.ActionItem.Status",
        # The writes of members, agencies, deadlines and OGP decisions (h11) name several "kind" choice sets.
        "MemberKindEnum": "commitments.models.Member.Kind",
        "AgencyKindEnum": "commitments.models.Agency.Kind",
        "DeadlineKindEnum": "compliance.choices.DeadlineKind",
        "DecisionKindEnum": "compliance.choices.DecisionKind",
        "FindingKindEnum": "compliance.choices.FindingKind",
        "ProposalSectorEnum": "cocreation.models.Sector",
        "SectorEnum": "forums.models.ForumMembership.Sector",
        "ProposalOutcomeEnum": "cocreation.models.Proposal.Outcome",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Requests per client (IP address when anonymous, account otherwise); the 429 carries Retry-After.
# The counters live in the default cache: give production a shared cache so every worker counts together.
API_THROTTLE_RATES = {
    "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
    "user": env.str("API_THROTTLE_USER", default="600/minute"),
}
# API tokens: the longest lifetime a user may choose, in days.
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)

# Celery (Redis broker). Results live in the database, so none are stored here.
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL

# Cache: local memory in the demo (DEBUG or DEMO, whose broker is in-process: REDIS_URL=memory://) and
# tests, Redis in production. CACHE_URL picks another server (e.g. a Redis with allkeys-lru beside the
# broker's noeviction Redis); "locmemcache://" or "dummycache://" turn it local or off.
_REDIS_BROKER = REDIS_URL.startswith(("redis://", "rediss://", "unix://"))
# The demo serves two gunicorn workers: a memory cache each would let a change clear only the worker
# that made it (stale pages for CACHE_TIMEOUT). Its default is a file cache all its processes share.
DEMO_CACHE_DIR = Path(env.str("DEMO_CACHE_DIR", default=str(BASE_DIR / ".demo-cache")))
if _REDIS_BROKER and not (DEBUG or DEMO):
    _DEFAULT_CACHE = REDIS_URL
elif DEMO:
    _DEFAULT_CACHE = f"filecache://{DEMO_CACHE_DIR}"
else:
    _DEFAULT_CACHE = "locmemcache://"
CACHES = {"default": env.cache_url_config(env.str("CACHE_URL", default=_DEFAULT_CACHE))}
CACHES["default"].setdefault("KEY_PREFIX", "ogp")
CACHES["default"].setdefault("TIMEOUT", env.int("CACHE_TIMEOUT", default=300))
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "ogp_portal.redis_cache.RedisCache"  # Django's, one client per pool (issue #20)
# Sessions: in the database, read through the cache (a signed-in request reads its session without a
# query); a cache outage falls back to the database (accounts/sessions.py). Not through a cache each
# process keeps for itself (local memory, outside DEBUG): signing out in one worker would leave the
# others a copy to serve for SESSION_CACHE_SECONDS.
_PROCESS_CACHE = CACHES["default"].get("BACKEND", "").endswith("LocMemCache") and not DEBUG
SESSION_ENGINE = env.str(
    "SESSION_ENGINE", default="django.contrib.sessions.backends.db" if _PROCESS_CACHE else "accounts.sessions"
)
SESSION_CACHE_SECONDS = env.int("SESSION_CACHE_SECONDS", default=300)
# Cache public pages for anonymous visitors (ogp_portal/cache.py); invalidated by the services.
PUBLIC_PAGE_CACHE = env_bool("PUBLIC_PAGE_CACHE", default=True)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A pool process still above this resident size (KB) after a task is replaced by a fresh fork: Python
# keeps what a large task freed (a safety net; issue 20: the sweep's worker <= 300 MB, pool peaks ~150 MB).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=200_000)
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
# Visibility timeout above the longest task, so an unacked task is redelivered
# only after its worker is surely gone.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# The demo has no worker: tasks run in the request that queues them.
CELERY_TASK_ALWAYS_EAGER = DEMO
# A change to what the compliance sweep reads (a plan, a published status report, a forum, a meeting)
# sweeps that member on commit (compliance/signals.py): in-process by default; with this on (the demo,
# where tasks run in-process at once) by queuing sweep_member_task, which also sends the notices inline.
COMPLIANCE_SWEEP_ON_CHANGE = env_bool("COMPLIANCE_SWEEP_ON_CHANGE", default=DEMO)
# The daily sweep's unit of work: members read, evaluated and written together, one Celery task each.
COMPLIANCE_SWEEP_CHUNK = env.int("COMPLIANCE_SWEEP_CHUNK", default=1000)
# One beat process in production. Every job is idempotent (claim before acting),
# so a late, repeated or doubled run writes nothing twice; `expires` drops a run
# still queued when the next one is due. Each job has a management-command twin.
CELERY_BEAT_SCHEDULE = {
    # Daily, just after midnight in Bishkek: periods and deadlines end at midnight local time.
    # Twin: `manage.py compliance_sweep`.
    "compliance-daily-sweep": {
        "task": "compliance.tasks.sweep_all_task",
        "schedule": crontab(hour=0, minute=15),
        "options": {"expires": 6 * 60 * 60},
    },
    # Daily, in working hours: the 30/7/1-day deadline reminders and any notice still pending.
    # Twin: `manage.py send_reminders`.
    "compliance-reminders": {
        "task": "compliance.tasks.send_reminders_task",
        "schedule": crontab(hour=9, minute=0),
        "options": {"expires": 6 * 60 * 60},
    },
    # Every 5 minutes: the outbox's retry run (failed sends whose next attempt has come, lost tasks).
    "outbox-retry": {
        "task": "outbox.tasks.deliver_due_task",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    # Daily, at 8:00 in Bishkek: one email with the day's notices to those who chose the daily digest.
    "outbox-daily-digest": {
        "task": "outbox.tasks.send_digests_task",
        "schedule": crontab(hour=8, minute=0),
        "options": {"expires": 6 * 60 * 60},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Plan import: an uploaded plan waits here (mode 0700, random names) between its preview and the
# confirmation; empty means a folder in the system's temporary directory.
IMPORT_UPLOAD_DIR = env.str("IMPORT_UPLOAD_DIR", default="")

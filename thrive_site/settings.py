"""THRIVE Tracker settings.

One settings module: environments differ only by environment variables (see .env.example).
https://docs.djangoproject.com/en/5.2/ref/settings/
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0, not {raw!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
# With debug on, django-htmx's helper replaces the whole page with Django's technical error page
# when an htmx request fails, which is what a developer wants. Off, a failed htmx request shows
# the service's own message in place (static/js/htmx_errors.js), as it does in production.
HTMX_DEBUG_ERROR_PAGES = env_bool("DJANGO_HTMX_DEBUG_ERROR_PAGES", DEBUG)

# The development key is public: with debug off it must be replaced, or the app refuses to start.
DEV_SECRET_KEY = "django-insecure-thrive-tracker-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "") or DEV_SECRET_KEY
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a long random value when DJANGO_DEBUG is 0."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_htmx",
    "template_partials",
    "projects",
    "phases",
    "measures",
    "toolkit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "thrive_site.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "projects.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "projects.middleware.ApiTokenMiddleware",
    "projects.middleware.DenyByDefaultMiddleware",
]

ROOT_URLCONF = "thrive_site.urls"
FORM_RENDERER = "projects.forms.NhsukFormRenderer"
WSGI_APPLICATION = "thrive_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "projects.context_processors.navigation",
            ],
        },
    }
]

# https://github.com/jazzband/dj-database-url
if not os.environ.get("DATABASE_URL"):
    # The development database lives in var/, which a fresh clone does not have yet.
    (BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # An unreachable database fails a request in seconds instead of holding the worker.
    # https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNECT-CONNECT-TIMEOUT
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DJANGO_DB_CONNECT_TIMEOUT", "5"))
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis when configured (shared by every web and worker machine), local memory otherwise.
# CACHE_KEY_PREFIX keeps the keys of deployments (or test runs) sharing one Redis apart.
# https://docs.djangoproject.com/en/5.2/topics/cache/#cache-key-prefixing
_cache_url = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": {
        **(
            {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
            if _cache_url
            else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        ),
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", ""),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if DEBUG and env_bool("DJANGO_FAST_PASSWORD_HASHER", False):
    # Test runs only (make test sets it): thousands of factory users with PBKDF2 take minutes.
    PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login rate limiting (projects.login_limits explains the three counters).
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "900"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
LOGIN_ACCOUNT_FAILURE_LIMIT = int(os.environ.get("LOGIN_ACCOUNT_FAILURE_LIMIT", "10"))
LOGIN_ACCOUNT_MAX_DELAY_SECONDS = int(os.environ.get("LOGIN_ACCOUNT_MAX_DELAY_SECONDS", "900"))
# Behind a proxy every request comes from the proxy's address: name the header it puts the
# client's address in (e.g. X-Forwarded-For) and how many proxies append to it. Only set this
# when such a proxy is always in front, or clients could claim any address.
# https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-Forwarded-For#selecting_an_ip_address
_proxy_header = os.environ.get("DJANGO_TRUSTED_PROXY_HEADER", "").strip()
TRUSTED_PROXY_HEADER = "HTTP_" + _proxy_header.upper().replace("-", "_") if _proxy_header else ""
TRUSTED_PROXY_COUNT = max(1, int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "1")))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded extracts: the largest file accepted, the most rows read, and the most a compressed
# workbook may expand to. Files over FILE_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB default) are
# streamed to a temporary file, not held in memory.
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(50 * 1024 * 1024)))
UPLOAD_MAX_ROWS = int(os.environ.get("UPLOAD_MAX_ROWS", "2000000"))
UPLOAD_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("UPLOAD_MAX_UNCOMPRESSED_BYTES", str(500 * 1024 * 1024))
)
# Bounds on the work one file may cause, checked while it is streamed, so a hostile but legal
# file is refused in words within a minute and 1 GB of worker memory. Cells: workbook cells
# over all sheets (a CSV is bounded by its bytes, columns and field size instead; a 2-million
# row tidy CSV stays accepted). Columns: Excel's own limit. Field: one CSV cell (Excel holds at
# most 32,767 characters in a cell).
UPLOAD_MAX_CELLS = int(os.environ.get("UPLOAD_MAX_CELLS", "3000000"))
UPLOAD_MAX_COLUMNS = int(os.environ.get("UPLOAD_MAX_COLUMNS", "16384"))
UPLOAD_MAX_FIELD_BYTES = int(os.environ.get("UPLOAD_MAX_FIELD_BYTES", str(128 * 1024)))
# Reading one upload past this many seconds stops it (Celery's soft time limit, prefork pool
# only) and marks it failed; the hard limit 30 s later ends the worker process itself.
# https://docs.celeryq.dev/en/stable/userguide/workers.html#time-limits
UPLOAD_TIME_LIMIT_SECONDS = int(os.environ.get("UPLOAD_TIME_LIMIT_SECONDS", "60"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "var" / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security. https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_COOKIE_AGE", str(8 * 3600)))
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
_https = env_bool("DJANGO_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _https
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000" if _https else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = _https
# TLS ends at the proxy in front of gunicorn, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Scripts only from this site's own files: no inline script, no eval, no other origin, so a
# missed escape cannot run script. The same shape as Django 6.0's SECURE_CSP.
# https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CSP
SECURE_CSP: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    # plotly.js's own rules come from static/css/plotly-global.css; the one stylesheet its map
    # library adds from script is allowed by its hash (tests/measures/test_plotly_css.py).
    "style-src": ["'self'", "'sha256-V2sIX92Uh6ZaGSFTKMHghsB85b9toJtmazgG09AI2uk='"],
    # Plotly draws its PNG download through data: and blob: images; NHS.UK icons are data: SVG.
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Powerful browser features no page here uses, switched off for this site and anything it embeds.
# https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Permissions-Policy
SECURE_PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# E-mail: console by default; SMTP when EMAIL_HOST is set, or any backend by EMAIL_BACKEND.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "THRIVE Tracker <noreply@localhost>")

# Celery. No broker -> tasks run eagerly in-process (make run, SQLite tests).
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "thrive")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message a worker took and did not acknowledge (acks_late) goes back to the queue after
# this long, so a worker killed outright holds its task no longer; it must outlast the longest
# task and the longest retry countdown (300 s), or a task still running would be given to a
# second worker. Uploads do not wait for it: the sweep below finds a dead worker's upload
# within a minute. Connect timeouts keep a request from hanging on an unreachable broker.
# https://docs.celeryq.dev/en/stable/getting-started/backends-and-brokers/redis.html#visibility-timeout
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "900")),
    "socket_connect_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 5
CELERY_TIMEZONE = TIME_ZONE
# https://docs.celeryq.dev/en/stable/userguide/periodic-tasks.html
# DIGEST_EVERY_SECONDS replaces the Monday 07:00 schedule (used by the end-to-end tests).
_digest_every = os.environ.get("DIGEST_EVERY_SECONDS")
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # measures.recovery: hand over uploads and charts a broker outage or a dead worker left.
    "sweep-work": {
        "task": "measures.tasks.sweep_work",
        "schedule": float(os.environ.get("UPLOAD_SWEEP_EVERY_SECONDS", "60")),
    },
    "weekly-digest": {
        "task": "projects.tasks.send_weekly_digests",
        "schedule": (
            float(_digest_every) if _digest_every else crontab(minute=0, hour=7, day_of_week="mon")
        ),
    },
    "audit-prune": {
        "task": "projects.tasks.prune_audit_trail",
        "schedule": crontab(minute=15, hour=3),
    },
    "daily-alerts": {
        "task": "projects.tasks.send_daily_alerts",
        "schedule": float(_digest_every) if _digest_every else crontab(minute=30, hour=7),
    },
}

# An API token stops working this many days after it was made; the owner makes a new one.
API_TOKEN_MAX_AGE_DAYS = int(os.environ.get("API_TOKEN_MAX_AGE_DAYS", "365"))

# The audit trail (projects.audit) is kept this many days, then deleted by a nightly task.
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "730"))

# Uploads (measures.services, measures.recovery).
# A queued upload not started this long after it was handed to the queue is handed over again
# (a lost message); one the queue could not take is handed over at the next sweep.
UPLOAD_REQUEUE_AFTER_SECONDS = int(os.environ.get("UPLOAD_REQUEUE_AFTER_SECONDS", "120"))
# On PostgreSQL a dead worker's upload is known at once by its released lock; on other
# databases an upload processing this long is taken for abandoned.
UPLOAD_ABANDONED_AFTER_SECONDS = int(os.environ.get("UPLOAD_ABANDONED_AFTER_SECONDS", "600"))
# Starts of one upload before a file that keeps stopping its worker is given up as too large.
UPLOAD_MAX_ATTEMPTS = int(os.environ.get("UPLOAD_MAX_ATTEMPTS", "3"))
# Sites take turns at the workers (measures.recovery.site_turn): an upload whose site is being
# read, or whose site has had a turn more lately than another waiting site, goes back to the
# queue and is tried again this many seconds later.
UPLOAD_SITE_WAIT_SECONDS = int(os.environ.get("UPLOAD_SITE_WAIT_SECONDS", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

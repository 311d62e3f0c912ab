"""Duet settings: one module, driven by environment variables with local defaults.

With no environment at all Duet runs on SQLite, the in-memory channel layer, a
filesystem Celery broker and a file email backend, all under ``var/``.
``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis. A value that
is set but malformed stops start-up with a message naming the variable.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DUET_VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

TESTING = "pytest" in sys.modules or env_bool("DUET_TESTING", False)


def _local_secret(filename: str) -> str:
    """A per-checkout secret kept under var/, so a local restart keeps sessions valid."""
    path = VAR_DIR / filename
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env_str("SECRET_KEY") or _local_secret("secret_key")
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Where the quick exit sends a client (a neutral site, never Duet).
QUICK_EXIT_URL = (
    env_url("QUICK_EXIT_URL", schemes=("https", "http"))
    or "https://www.google.com/search?q=weather"
)
SITE_URL = env_url("SITE_URL", schemes=("http", "https")) or "http://127.0.0.1:8000"

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "django_otp",  # 2FA primitives (our TotpDevice encrypts its secret)
    "csp",  # Content-Security-Policy with nonces
    "ninja",  # serve /api/docs assets locally (the CDN page breaks the CSP)
    # Project apps, lowest layer first (import-linter keeps the order; README).
    "core",
    "accounts",
    "therapists",
    "scheduling",
    "intake",  # consent, emergency contacts, locations, quick exit
    "signaling",
    "notes",
    "messaging",
    "measures",  # outcome and alliance measures
    "sessions_app",
    "dashboard",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost after security: /api/ answers of the whole-site 404/405/500 become JSON.
    "core.api_errors.ApiErrorMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The account's language, else the cookie, else Accept-Language (after auth)
    "accounts.middleware.UserLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # NUL bytes and lone surrogates are refused here, never a 500 deeper in
    "core.input_guard.InputGuardMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # CSP header, session idle/lifetime + forced 2FA enrolment, 403 auditing
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.AuditMiddleware",
    "accounts.middleware.SessionPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
                "csp.context_processors.nonce",
                "sessions_app.context_processors.notifications",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", schemes=("postgres", "postgresql"))
if DATABASE_URL:
    try:
        # CONN_MAX_AGE=0: connections come from the pool below and go back to it at
        # the end of each request. Persistent per-thread connections multiplied with
        # Daphne's threads until PostgreSQL ran out.
        _db = dj_database_url.parse(DATABASE_URL, conn_max_age=0)
    except Exception as exc:  # dj-database-url raises several types for bad URLs
        raise ImproperlyConfigured(f"DATABASE_URL could not be parsed: {exc}") from None
    if not _db.get("NAME"):
        raise ImproperlyConfigured(
            "DATABASE_URL names no database (postgres://user@host:port/NAME)"
        )
    # Django 5.2's native psycopg pool: a process never holds more than
    # DATABASE_POOL_MAX_SIZE connections (default 10); a request that finds the pool
    # busy waits up to DATABASE_POOL_TIMEOUT seconds (default 60) for a free one: under a
    # burst, a slow answer beats an error (300 concurrent requests on a loaded 2-core
    # machine queued for over 30 s). Past that, the answer is 503 with Retry-After
    # (core.overload), never a 500.
    DATABASE_POOL_MAX_SIZE = env_int("DATABASE_POOL_MAX_SIZE", 10, minimum=1)
    DATABASE_POOL_MIN_SIZE = env_int("DATABASE_POOL_MIN_SIZE", 1, minimum=0)
    if DATABASE_POOL_MIN_SIZE > DATABASE_POOL_MAX_SIZE:
        raise ImproperlyConfigured(
            "DATABASE_POOL_MIN_SIZE must not exceed DATABASE_POOL_MAX_SIZE "
            f"({DATABASE_POOL_MIN_SIZE} > {DATABASE_POOL_MAX_SIZE})"
        )
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"]["pool"] = {
        "min_size": DATABASE_POOL_MIN_SIZE,
        "max_size": DATABASE_POOL_MAX_SIZE,
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 60, minimum=1),
    }
    # Names the app's connections in pg_stat_activity (the pool load test counts them).
    _db["OPTIONS"]["application_name"] = env_str("DATABASE_APPLICATION_NAME", "duet")
    DATABASES = {"default": _db}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "duet.sqlite3",
            # Keep each thread's connection: opening the file and running the PRAGMAs
            # below cost more than most queries (a quarter of a busy Daphne's CPU in the
            # signaling bench), and SQLite has no server whose connections could run out.
            "CONN_MAX_AGE": None,
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so SQLite serialises
                # writers and a "lock, re-check, write" transaction is sound.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            "TEST": {"NAME": VAR_DIR / "test.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = bool(DATABASE_URL)

# --- Redis: channel layer, Celery broker, cache -----------------------------------
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))
CHANNEL_CAPACITY = env_int("CHANNEL_CAPACITY", 1000, minimum=10)
CHANNEL_LAYER = env_str("CHANNEL_LAYER", "pubsub")
if CHANNEL_LAYER not in ("pubsub", "core"):
    raise ImproperlyConfigured(f"CHANNEL_LAYER must be 'pubsub' or 'core', got {CHANNEL_LAYER!r}")
if REDIS_URL:
    if CHANNEL_LAYER == "pubsub":
        # Chosen by measurement (docs/benchmarks.md, signaling): Redis pub/sub relays
        # signaling far faster than the core list-based layer and never drops a burst
        # for capacity. It keeps no group membership in Redis, so there are no stale
        # members; room presence lives in the database with heartbeats instead.
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [REDIS_URL], "prefix": env_str("CHANNEL_PREFIX", "duet")},
            }
        }
    else:
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {
                    "hosts": [REDIS_URL],
                    # Signaling bursts (ICE candidates) overflow the default 100 and
                    # channels-redis drops group sends silently when a channel is full.
                    "capacity": CHANNEL_CAPACITY,
                    "expiry": 60,
                    "group_expiry": 3600,
                    "prefix": env_str("CHANNEL_PREFIX", "duet"),
                },
            }
        }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "duet",
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": CHANNEL_CAPACITY, "expiry": 60},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("out", "processed"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    # kombu's filesystem transport: a broker that is just a folder, no server.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = None

CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Apps add their periodic tasks here (see each app's ``tasks.py``).
CELERY_BEAT_SCHEDULE: dict = {}
CELERY_BEAT_SCHEDULE["scheduling-expire-holds"] = {
    "task": "scheduling.tasks.expire_holds",
    "schedule": 60.0,
}
# How long a picked slot is reserved while the booker confirms.
SCHEDULING_HOLD_MINUTES = env_int("SCHEDULING_HOLD_MINUTES", 5, minimum=1)

# Reminders are database rows; beat drains the due ones every N seconds (tests use 1).
REMINDER_DISPATCH_SECONDS = env_int("REMINDER_DISPATCH_SECONDS", 60, minimum=1)
REMINDER_DISPATCH_BUDGET_SECONDS = env_int("REMINDER_DISPATCH_BUDGET_SECONDS", 50, minimum=1)
CELERY_BEAT_SCHEDULE["sessions-dispatch-reminders"] = {
    "task": "sessions_app.tasks.dispatch_due_reminders",
    "schedule": float(REMINDER_DISPATCH_SECONDS),
    # A tick nobody picked up is superseded by the next one; never let them pile up.
    "options": {"expires": float(REMINDER_DISPATCH_SECONDS * 2)},
}
CELERY_BEAT_SCHEDULE["sessions-close-finished"] = {
    "task": "sessions_app.tasks.close_finished_sessions",
    "schedule": float(REMINDER_DISPATCH_SECONDS),
    "options": {"expires": float(REMINDER_DISPATCH_SECONDS * 2)},
}

# --- Auth -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3
INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 7, minimum=1)

# --- Email ------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# Overrides, e.g. the outbox backend (one file per Message-ID) into a temp dir, so
# tests and benchmarks can watch what separate worker processes sent.
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or EMAIL_BACKEND
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Duet <no-reply@duet.local>")
# Every email leaves from a Celery task (core.tasks.deliver_email) after the change commits;
# a refusing relay is retried with exponential backoff (base doubling to the cap), boundedly.
EMAIL_MAX_RETRIES = env_int("EMAIL_MAX_RETRIES", 10, minimum=0)
EMAIL_RETRY_BACKOFF_SECONDS = env_int("EMAIL_RETRY_BACKOFF_SECONDS", 30, minimum=1)
EMAIL_RETRY_BACKOFF_MAX_SECONDS = env_int("EMAIL_RETRY_BACKOFF_MAX_SECONDS", 900, minimum=1)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
CELERY_BEAT_SCHEDULE["core-requeue-stale-email"] = {
    "task": "core.tasks.requeue_stale_email",
    "schedule": 300.0,
    "options": {"expires": 600.0},
}

# --- Security ---------------------------------------------------------------------
SECURE_HTTPS = env_bool("SECURE_HTTPS", False)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_SSL_REDIRECT = SECURE_HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE_HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_HTTPS else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12, minimum=60)

# --- Video (WebRTC ICE servers; TURN credentials are minted per join) -------------
STUN_URLS = env_list("STUN_URLS", [])
TURN_URLS = env_list("TURN_URLS", [])
TURN_SECRET = env_str("TURN_SECRET")
TURN_CREDENTIAL_TTL = env_int("TURN_CREDENTIAL_TTL", 3600, minimum=60)
if TURN_URLS and not TURN_SECRET:
    raise ImproperlyConfigured("TURN_SECRET must be set when TURN_URLS is set")

# --- i18n / time --------------------------------------------------------------------
# The language lives on the account (accounts.User.language); anonymous visitors get
# the `duet_language` cookie, then Accept-Language, then English. No URL prefixes.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("ja", "日本語"),
    ("pl", "Polski"),
    ("hi", "हिन्दी"),
    ("pt-br", "Português (Brasil)"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "duet_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from static/ so a fresh checkout needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every rendering step at INFO.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}


# --- Privacy and security -----------------------------------------------------------------
# Sessions: a server-side idle timeout (clinics may shorten it, Clinic.session_idle_minutes)
# and an absolute lifetime counted from sign-in; both end the session on the server.
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30, minimum=1)
SESSION_ABSOLUTE_LIFETIME_SECONDS = env_int(
    "SESSION_ABSOLUTE_LIFETIME_SECONDS", SESSION_COOKIE_AGE, minimum=60
)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Brute force: failures per account (keyed hash of the email typed) and per client address
# within a sliding window; past the limit the key cools off, never a permanent lock.
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 5, minimum=1)
LOGIN_FAILURES_PER_IP = env_int("LOGIN_FAILURES_PER_IP", 30, minimum=1)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60, minimum=10)

OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Duet")

# Content-Security-Policy (django-csp 4): scripts only from our origin and with the
# per-request nonce; no inline event handlers. Inline style *attributes* are allowed
# (style-src-attr) because a few templates use them for spacing; <style> blocks are not.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:"],
        "media-src": [SELF, "blob:"],
        # In production the room's websocket goes to this site only (SITE_URL's host),
        # never "wss:" to any host; development servers run on changing local ports.
        "connect-src": [SELF, f"wss://{urlsplit(SITE_URL).netloc}"]
        if SECURE_HTTPS
        else [SELF, "ws:", "wss:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

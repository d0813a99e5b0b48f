"""Settings for every runtime shape; each value comes from the environment (docs/configuration.md)."""

import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from clinicore.env import (
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_database_url,
    parse_email_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEV_SECRET_KEY = "embedded-only-secret-key-change-me-in-production-0000000000000000"
ENVIRONMENT = env_str("CLINICORE_ENV", "embedded")  # embedded | production | test
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
if ENVIRONMENT == "production" and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set to a secret value in production.")
if ENVIRONMENT == "production" and len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "channels",
    "django_tasks_db",
    "ninja",
    # Domain apps, lowest first: an app imports only from apps above it.
    "clinicore.core",
    "clinicore.accounts",
    "clinicore.clinics",
    "clinicore.notifications",
    "clinicore.patients",
    "clinicore.scheduling",
    "clinicore.records",
    "clinicore.billing",
    "clinicore.messaging",
    "clinicore.telehealth",
    "clinicore.reports",
    "clinicore.desk",
    "clinicore.portal",
    "clinicore.web",
    "clinicore.api",
]

MIDDLEWARE = [
    "clinicore.core.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "clinicore.core.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "clinicore.core.request_guard.RejectNulCharactersMiddleware",  # api robustness: NUL → 400 page
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "clinicore.core.middleware.RequestUserContextMiddleware",
    "clinicore.core.middleware.RateLimitMiddleware",
    "clinicore.web.middleware.DomainErrorPageMiddleware",
]

ROOT_URLCONF = "clinicore.urls"
ASGI_APPLICATION = "clinicore.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinicore.web.context.shell",
            ],
        },
    }
]

# Database: SQLite (WAL) embedded by default, PostgreSQL in production.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'clinicore.sqlite3'}")
DATABASES = {"default": parse_database_url(DATABASE_URL, base_dir=BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# Cache, rate limits and channel layer: local memory embedded, Redis in production.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Background work: Django's Tasks API on the database-backed worker.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": [],
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["clinicore.accounts.backends.EmailBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ENVIRONMENT == "test":
    # Tests create thousands of accounts; argon2's deliberate cost would dominate the run.
    # Production and the embedded run hash with argon2 (checked by a test).
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
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
LOGIN_REDIRECT_URL = "web:after-login"
LOGOUT_REDIRECT_URL = "web:home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3

# Tokens for the REST API.
JWT_ACCESS_TTL_SECONDS = env_int("JWT_ACCESS_TTL_SECONDS", 15 * 60)
JWT_REFRESH_TTL_SECONDS = env_int("JWT_REFRESH_TTL_SECONDS", 7 * 24 * 3600)
JWT_SIGNING_KEY = env_str("JWT_SIGNING_KEY", SECRET_KEY)

# Encryption at rest of clinical free text: comma-separated Fernet keys, newest first.
# The embedded default derives a key from SECRET_KEY so a fresh machine needs no keys.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [])
if ENVIRONMENT == "production" and not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set in production.")

# Login throttling and API rate limits (requests per minute).
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)
RATE_LIMIT_API_PER_MINUTE = env_int("RATE_LIMIT_API_PER_MINUTE", 100)
RATE_LIMIT_AUTH_PER_MINUTE = env_int("RATE_LIMIT_AUTH_PER_MINUTE", 10)
RATE_LIMIT_ENABLED = env_bool("RATE_LIMIT_ENABLED", True)

# Email.
EMAIL_URL = env_str("EMAIL_URL", "outbox://")
globals().update(parse_email_url(EMAIL_URL))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Clinicore <no-reply@clinicore.test>")

# Internationalization.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("hi", "हिन्दी"),
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),
    ("ja", "日本語"),
    ("es", "Español"),
]
LOCALE_PATHS = [BASE_DIR / "clinicore" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# Static and uploaded files. Front-end libraries come from node_modules (npm lock file).
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist")]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Security headers.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
BEHIND_HTTPS = env_bool("BEHIND_HTTPS", False)
if BEHIND_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "media-src": [CSP.SELF, "blob:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Logging: JSON lines with request id, clinic and user ids; never health data.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "clinicore.core.logging.RequestContextFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": sys.stderr,
            "formatter": "json",
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "uvicorn.access": {"level": "WARNING"},
    },
}

# Platform defaults.
DEMO_DATA = env_bool("DEMO_DATA", True)
SCHEDULER_ENABLED = env_bool("SCHEDULER_ENABLED", True)

# Email uniqueness is a case-insensitive unique constraint (Lower(email)), which this check misses.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

# Billing: gateway API bases (local fake servers in tests), webhook signature tolerance, sandbox.
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "https://api.stripe.com").rstrip("/")
RAZORPAY_API_BASE = env_str("RAZORPAY_API_BASE", "https://api.razorpay.com").rstrip("/")
# Razorpay Standard Checkout's script; its origin is let into the CSP of the checkout page only.
RAZORPAY_CHECKOUT_JS_URL = env_str(
    "RAZORPAY_CHECKOUT_JS_URL", "https://checkout.razorpay.com/v1/checkout.js"
)
from urllib.parse import urlsplit as _urlsplit  # noqa: E402

_checkout_js = _urlsplit(RAZORPAY_CHECKOUT_JS_URL)
if not _checkout_js.netloc or _checkout_js.scheme not in (
    {"https"} if ENVIRONMENT == "production" else {"http", "https"}
):
    raise ImproperlyConfigured(
        "RAZORPAY_CHECKOUT_JS_URL must be an https:// address (http:// only outside production), "
        f"got {RAZORPAY_CHECKOUT_JS_URL!r}"
    )
BILLING_WEBHOOK_TOLERANCE_SECONDS = env_int("BILLING_WEBHOOK_TOLERANCE_SECONDS", 300)
import hashlib as _hashlib  # noqa: E402

BILLING_SANDBOX_WEBHOOK_SECRET = env_str(
    "BILLING_SANDBOX_WEBHOOK_SECRET",
    _hashlib.sha256(("clinicore-sandbox-webhooks:" + SECRET_KEY).encode()).hexdigest(),
)

# Messaging (chat) and telehealth (video visits): see docs/realtime.md.
CHAT_ATTACHMENT_MAX_BYTES = env_int("CHAT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
CHAT_EDIT_WINDOW_SECONDS = env_int("CHAT_EDIT_WINDOW_SECONDS", 15 * 60)
CHAT_PRESENCE_TTL_SECONDS = env_int("CHAT_PRESENCE_TTL_SECONDS", 75)
TELEHEALTH_JOIN_BEFORE_MINUTES = env_int("TELEHEALTH_JOIN_BEFORE_MINUTES", 10)
TELEHEALTH_JOIN_AFTER_MINUTES = env_int("TELEHEALTH_JOIN_AFTER_MINUTES", 30)
TELEHEALTH_STUN_URLS = env_list("TELEHEALTH_STUN_URLS", [])
TELEHEALTH_TURN_URLS = env_list("TELEHEALTH_TURN_URLS", [])
TELEHEALTH_TURN_SECRET = env_str("TELEHEALTH_TURN_SECRET", "")
TELEHEALTH_TURN_TTL_SECONDS = env_int("TELEHEALTH_TURN_TTL_SECONDS", 3600)
TELEHEALTH_FORCE_RELAY = env_bool("TELEHEALTH_FORCE_RELAY", False)
TELEHEALTH_ALLOWED_CANDIDATE_NETS = env_list("TELEHEALTH_ALLOWED_CANDIDATE_NETS", [])
if TELEHEALTH_FORCE_RELAY and not (TELEHEALTH_TURN_URLS and TELEHEALTH_TURN_SECRET):
    raise ImproperlyConfigured(
        "TELEHEALTH_FORCE_RELAY needs TELEHEALTH_TURN_URLS and TELEHEALTH_TURN_SECRET."
    )
# Each open websocket may hold a Redis connection while it joins groups and receives; redis-py's
# default pool of 100 refuses the 101st ("Too many connections") under a few hundred clients.
CHANNEL_LAYER_MAX_CONNECTIONS = env_int("CHANNEL_LAYER_MAX_CONNECTIONS", 1000)
if REDIS_URL:
    CHANNEL_LAYERS["default"]["CONFIG"]["hosts"] = [
        {"address": REDIS_URL, "max_connections": CHANNEL_LAYER_MAX_CONNECTIONS}
    ]

# Accounts: sign-in lockout per address, and limits high enough for test runs, which send many
# requests from 127.0.0.1 in one test (tests of the limits lower them with the settings fixture).
LOGIN_MAX_FAILURES_PER_IP = env_int("LOGIN_MAX_FAILURES_PER_IP", 30)
# Owners and admins must use two-factor (workspace pages, owner/admin-only API operations).
# Off by default only in test runs, whose personas sign in without an authenticator; the
# accounts tests turn it on (docs/authentication.md).
TWO_FACTOR_ENFORCED = env_bool("TWO_FACTOR_ENFORCED", ENVIRONMENT != "test")
if ENVIRONMENT == "production" and not TWO_FACTOR_ENFORCED:
    raise ImproperlyConfigured("TWO_FACTOR_ENFORCED cannot be turned off in production.")
if ENVIRONMENT == "test":
    RATE_LIMIT_API_PER_MINUTE = env_int("RATE_LIMIT_API_PER_MINUTE", 100_000)
    RATE_LIMIT_AUTH_PER_MINUTE = env_int("RATE_LIMIT_AUTH_PER_MINUTE", 10_000)
    LOGIN_MAX_FAILURES_PER_IP = env_int("LOGIN_MAX_FAILURES_PER_IP", 10_000)

# Notifications: delivery, retries, circuit breaker, provider endpoints (docs/notifications.md).
from datetime import timedelta as _timedelta  # noqa: E402

NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 8)
NOTIFY_BACKOFF_BASE_SECONDS = float(env_str("NOTIFY_BACKOFF_BASE_SECONDS", "30"))
NOTIFY_BACKOFF_MAX_SECONDS = float(env_str("NOTIFY_BACKOFF_MAX_SECONDS", "3600"))
NOTIFY_PROVIDER_TIMEOUT_SECONDS = float(env_str("NOTIFY_PROVIDER_TIMEOUT_SECONDS", "10"))
NOTIFY_LEASE_SECONDS = env_int("NOTIFY_LEASE_SECONDS", 120)
NOTIFY_CIRCUIT_THRESHOLD = env_int("NOTIFY_CIRCUIT_THRESHOLD", 5)
NOTIFY_CIRCUIT_OPEN_SECONDS = float(env_str("NOTIFY_CIRCUIT_OPEN_SECONDS", "60"))
NOTIFY_REMINDER_OFFSETS = [
    _timedelta(hours=float(part[:-1]))
    if part.endswith("h")
    else _timedelta(minutes=float(part.rstrip("m")))
    for part in env_list("NOTIFY_REMINDER_OFFSETS", ["24h", "2h"])
]
TWILIO_API_BASE_URL = env_str("TWILIO_API_BASE_URL", "https://api.twilio.com")
WHATSAPP_API_BASE_URL = env_str("WHATSAPP_API_BASE_URL", "https://graph.facebook.com/v21.0").rstrip(
    "/"
)
WHATSAPP_VERIFY_TOKEN = env_str("WHATSAPP_VERIFY_TOKEN", "")
TELEGRAM_API_BASE_URL = env_str("TELEGRAM_API_BASE_URL", "https://api.telegram.org").rstrip("/")
VAPID_PRIVATE_KEY = env_str("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = env_str("VAPID_SUBJECT", "mailto:ops@clinicore.test")
NOTIFY_PUSH_PROVIDER = env_str("NOTIFY_PUSH_PROVIDER", "webpush")  # or "sandbox"
NOTIFY_SWEEP_SECONDS = env_int("NOTIFY_SWEEP_SECONDS", 15)
SCHEDULER_TICK_SECONDS = float(env_str("SCHEDULER_TICK_SECONDS", "1"))

# Records: treatment records, prescriptions and patient documents (docs/records.md).
RECORDS_DOCUMENT_MAX_BYTES = env_int("RECORDS_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)

# Notifications: files an email may carry (receipt PDFs), stored under PRIVATE_MEDIA_ROOT.
NOTIFY_ATTACHMENT_MAX_BYTES = env_int("NOTIFY_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)

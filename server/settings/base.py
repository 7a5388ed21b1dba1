"""Hearth settings, read from the environment (see ../shared/CONFIG.md).

Embedded defaults (SQLite, in-process cache, eager tasks, console email, logged
push) apply only when DEBUG is true; in production a missing required value
stops start-up with a clear message.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)


def required(name: str, dev_default: str | None = None) -> str:
    """A value production must set; `dev_default` is used only when DEBUG."""
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG and dev_default is not None:
        return dev_default
    raise ImproperlyConfigured(f"Set the {name} environment variable (required when DEBUG is false).")


SECRET_KEY = required("SECRET_KEY", dev_default="dev-insecure-hearth-secret-key-change-me-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "django_filters",
    "django_celery_beat",
    "corsheaders",
    "phonenumber_field",
    "server.core",
    "server.accounts",
    "server.plans",
    "server.bookings",
    "server.payments",
    "server.notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Answers warm public-catalogue GETs before sessions/auth/routing (see server/plans/cache.py).
    "server.plans.cache.CatalogueCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "server.urls"
WSGI_APPLICATION = "server.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "server" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database -------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}" if DEBUG else "")}
if not DATABASES["default"].get("ENGINE"):
    raise ImproperlyConfigured("Set the DATABASE_URL environment variable (required when DEBUG is false).")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="hearth"),
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "hearth"}}
else:
    raise ImproperlyConfigured("Set the REDIS_URL environment variable (required when DEBUG is false).")
# The public catalogue is cached; CATALOGUE_CACHE=false serves it straight from the database.
CATALOGUE_CACHE = env.bool("CATALOGUE_CACHE", default=True)
CATALOGUE_CACHE_SECONDS = env.int("CATALOGUE_CACHE_SECONDS", default=3600)
CATALOGUE_MAX_AGE = env.int("CATALOGUE_MAX_AGE", default=60)

# --- celery -----------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_ACKS_LATE = True  # tasks are idempotent: a lost worker's task runs again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict = {}  # each app adds its periodic jobs in server/settings/schedule.py
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE["core.flush_expired_tokens"] = {
    "task": "core.flush_expired_tokens",
    "schedule": crontab(hour=3, minute=17),  # nightly, off the hour
}
CELERY_BEAT_SCHEDULE["plans.subscriptions_expire"] = {
    "task": "plans.subscriptions_expire",  # reads compute expiry themselves; this only catches the rows up
    "schedule": crontab(hour=0, minute=7),
}

# --- auth ---------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 24 * 3600)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "server.core.parsers.JSONParser",
        "server.core.parsers.MultiPartParser",
        "server.core.parsers.FormParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "server.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "server.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "server.core.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("THROTTLE_LOGIN", default="10/min"),
        "register": env.str("THROTTLE_REGISTER", default="10/hour"),
        "password_reset": env.str("THROTTLE_PASSWORD_RESET", default="5/hour"),
        "email_verify": env.str("THROTTLE_EMAIL_VERIFY", default="5/hour"),
    },
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=30)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Hearth API",
    "DESCRIPTION": "The v1 contract between the Hearth backend and the mobile app. See mobile_api_docs/README.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {},
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}

# --- i18n / time ----------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")  # business time zone; storage and the API are UTC
USE_I18N = True
USE_TZ = True

# --- files ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / "media"))
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
AVATAR_MAX_BYTES = env.int("AVATAR_MAX_BYTES", default=2 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- email ----------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Hearth <no-reply@hearth.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- business -------------------------------------------------------------------
SUPPORT_PHONE = env.str("SUPPORT_PHONE", default="+911800000000")
MIN_APP_VERSION = env.str("MIN_APP_VERSION", default="1.0.0")
DEFAULT_CURRENCY = env.str("DEFAULT_CURRENCY", default="INR")
FRONTEND_URL = env.str("FRONTEND_URL", default="https://app.hearth.local")

# --- Stripe (one place; STRIPE_API_BASE selects a local stand-in) ----------------
STRIPE_SECRET_KEY = required("STRIPE_SECRET_KEY", dev_default="sk_test_hearth_dev")
STRIPE_PUBLISHABLE_KEY = required("STRIPE_PUBLISHABLE_KEY", dev_default="pk_test_hearth_dev")
STRIPE_WEBHOOK_SECRET = required("STRIPE_WEBHOOK_SECRET", dev_default="whsec_hearth_dev")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")
# PaymentSheet's ephemeral keys are tied to the Stripe API version the app's SDK speaks.
STRIPE_EPHEMERAL_KEY_VERSION = env.str("STRIPE_EPHEMERAL_KEY_VERSION", default="2024-06-20")
# Prices are tax-inclusive; tax shown on orders = round(total * rate / (10000 + rate)).
TAX_RATE_BP = env.int("TAX_RATE_BP", default=1800)
ORDER_RECONCILE_AFTER_MINUTES = env.int("ORDER_RECONCILE_AFTER_MINUTES", default=5)  # then settle from Stripe
ORDER_CANCEL_AFTER_HOURS = env.int("ORDER_CANCEL_AFTER_HOURS", default=24)  # then cancel order + PaymentIntent
CELERY_BEAT_SCHEDULE["payments.orders_reconcile_due"] = {
    "task": "payments.orders_reconcile_due",
    "schedule": timedelta(minutes=2),
}

# --- Idempotency-Key (server/core/idempotency.py) ---------------------------------
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
IDEMPOTENCY_LOCK_SECONDS = env.int("IDEMPOTENCY_LOCK_SECONDS", default=120)  # abandoned claims are taken over
CELERY_BEAT_SCHEDULE["core.idempotency_keys_purge"] = {
    "task": "core.idempotency_keys_purge",
    "schedule": timedelta(hours=1),
}

# --- push (one place; PUSH_BACKEND selects fcm or log) ----------------------------
PUSH_BACKEND = env.str("PUSH_BACKEND", default="log")
FCM_PROJECT_ID = env.str("FCM_PROJECT_ID", default="")
FCM_CREDENTIALS_FILE = env.str("FCM_CREDENTIALS_FILE", default="")
FCM_ENDPOINT = env.str("FCM_ENDPOINT", default="https://fcm.googleapis.com")

# --- security -------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG and SECURE_SSL_REDIRECT
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.server": {"level": "WARNING"}},
}

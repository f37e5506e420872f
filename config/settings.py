"""The one settings module of ntm, driven by environment variables.

SQLite is the embedded default; set DATABASE_URL (postgres://...) for PostgreSQL.
"""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


# A variable set to nothing (VAR= in an env file) counts as unset: it takes the default.
def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (os.environ.get(name) or default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
# A development key is acceptable only while DEBUG is on; production must set SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    "dev-only-insecure-key-change-me" if DEBUG or env_bool("NTM_ALLOW_DEV_KEY") else ""
)
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set SECRET_KEY in the environment (or DEBUG=1 for development).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_htmx",
    "simple_history",
    "django_tasks_db",
    "ntm.core",
    "ntm.accounts",
    "ntm.geo",
    "ntm.catalog",
    "ntm.observations",
    "ntm.evaluation",
    "ntm.planning",
    "ntm.organisation",
    "ntm.finance",
    "ntm.portal",
    "ntm.recognition",
    "ntm.decisions",
    "ntm.reports",
    "ntm.audit",
    "ntm.api",
    "ntm.demo",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns a refused login (locked account or address) into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "ntm.accounts.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'ntm.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets page reads proceed while an import writes.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    # Writers take the lock when their transaction begins, so two saves queue (up to the
    # timeout) instead of one failing with "database is locked" when it upgrades a read lock.
    options["transaction_mode"] = "IMMEDIATE"
    options["timeout"] = 30

# Short jobs (re-evaluation after an edit) run at once. Long ones (a province's reports zipped)
# use the "background" backend: the database queue that `manage.py db_worker --backend background`
# works through (`make run` starts one), or at once when NTM_BACKGROUND_TASKS=immediate (tests).
_BACKGROUND = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
TASKS = {
    "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
    "background": {"BACKEND": _BACKGROUND[os.environ.get("NTM_BACKGROUND_TASKS") or "immediate"]},
}

# Reverse proxies in front of the application (nginx: 1). Client addresses are read from
# X-Forwarded-For only as far as these proxies wrote it (ntm.core.net.client_ip).
NTM_PROXY_COUNT = env_int("NTM_PROXY_COUNT", 0)

# API requests per token (else per user, else per address) and window: "600/m", "20/s".
NTM_API_RATE = os.environ.get("NTM_API_RATE") or "600/m"

# One cache shared by every web process (the API's rate limit counts there): Redis when REDIS_URL
# is set (redis://127.0.0.1:6379/0), else each process's own memory.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login protection (ntm/accounts/throttle.py, docs/security.md).
AUTHENTICATION_BACKENDS = [
    "ntm.accounts.throttle.AddressThrottleBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("NTM_LOGIN_FAILURE_LIMIT", "5"))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_COOLOFF_TIME = "ntm.accounts.throttle.cool_off"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "ntm.accounts.throttle.locked_out"
AXES_CLIENT_IP_CALLABLE = "ntm.core.net.client_ip"  # behind NTM_PROXY_COUNT trusted proxies
AXES_VERBOSE = False
NTM_LOGIN_ADDRESS_LIMIT = int(os.environ.get("NTM_LOGIN_ADDRESS_LIMIT", "30"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
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
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "var" / "media")
MEDIA_URL = "media/"

# Production behind HTTPS (HTTPS=1, DEBUG off): redirect to HTTPS, secure cookies, HSTS for a
# year. Each can be set on its own; docs in deploy/ntm.env.example.
HTTPS = env_bool("HTTPS")
_PRODUCTION_HTTPS = HTTPS and not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _PRODUCTION_HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _PRODUCTION_HTTPS else 0)
# Both off unless asked, so `check --deploy` is told not to warn about them: a province's domain
# has other sites under it that this one cannot vouch for (W005), and the browsers' preload list
# is a commitment for the whole domain that only its owner can make (W021).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
# Axes warns when addresses are not among its lockout parameters (W006): they are counted by
# AddressThrottleBackend, with a higher limit than accounts (offices share an address).
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021", "axes.W006"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", _PRODUCTION_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind the trusted proxies the scheme is the one nginx saw (it must set X-Forwarded-Proto,
# overwriting whatever the client sent); without a proxy the header is never believed.
if NTM_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Mail: SMTP when EMAIL_HOST is set, else the console (development). EMAIL_BACKEND overrides.
# Production without a mail server fails `check --deploy` (Django's mail.E001).
_EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
_EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
MAILERS: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": os.environ.get("EMAIL_BACKEND")
        or (
            "django.core.mail.backends.smtp.EmailBackend"
            if _EMAIL_HOST
            else "django.core.mail.backends.console.EmailBackend"
        ),
    }
}
if MAILERS["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    MAILERS["default"]["OPTIONS"] = {
        "host": _EMAIL_HOST or "localhost",
        "port": env_int("EMAIL_PORT", 465 if _EMAIL_USE_SSL else 587),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", not _EMAIL_USE_SSL),
        "use_ssl": _EMAIL_USE_SSL,
        "timeout": env_int("EMAIL_TIMEOUT", 30),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "ntm@localhost"
SERVER_EMAIL = os.environ.get("SERVER_EMAIL") or DEFAULT_FROM_EMAIL

# Uploaded import files are read in memory up to this size; larger ones are refused by the form.
NTM_MAX_IMPORT_BYTES = env_int("NTM_MAX_IMPORT_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = NTM_MAX_IMPORT_BYTES
# What is read of an uploaded table (ntm.core.tabular.limits), by kind of import; a file beyond
# them is refused naming the limit. "trusted": files given to management commands.
NTM_TABLE_LIMITS: dict[str, dict[str, int]] = {
    "default": {
        "bytes": NTM_MAX_IMPORT_BYTES,
        "rows": int(os.environ.get("NTM_MAX_IMPORT_ROWS", "100000")),
        "columns": 200,
    },
    "criteria": {"bytes": 2 * 1024 * 1024, "rows": 5000},
    "groups": {"bytes": 2 * 1024 * 1024, "rows": 20000},
    "trusted": {"bytes": 2 * 1024**3, "rows": 10_000_000, "columns": 1000},
}
# A background report job whose worker gave no sign of life for this long is marked failed.
NTM_JOB_LEASE_SECONDS = int(os.environ.get("NTM_JOB_LEASE_SECONDS", "600"))
# Images (photos of works, evidence): a small file may unpack to a huge bitmap.
NTM_MAX_IMAGE_PIXELS = int(os.environ.get("NTM_MAX_IMAGE_PIXELS", str(40_000_000)))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL") or "WARNING"},
}

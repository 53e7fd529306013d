"""Settings, read from the environment so one package serves a laptop and a production host alike."""

import os
import sys
import tempfile
from pathlib import Path

import dj_database_url

from retaguarda.config.datadir import data_dir, secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")

SECRET_KEY = secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "ninja",
    "retaguarda.core",
    "retaguarda.access",
    "retaguarda.companies",
    "retaguarda.br_tables",
    "retaguarda.parties",
    "retaguarda.catalog",
    "retaguarda.watch",
    "retaguarda.inventory",
    "retaguarda.finance",
    "retaguarda.fiscal",
    "retaguarda.purchasing",
    "retaguarda.sales",
    "retaguarda.web",
]

MIDDLEWARE = [
    # An API request with a bearer token (a program's) leaves this list here for API_MIDDLEWARE below.
    "retaguarda.core.api_chain.ProgramRequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "retaguarda.core.request_guard.RequestGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "retaguarda.access.middleware.CurrentCompanyMiddleware",
    "retaguarda.web.middleware.RefusalPageMiddleware",  # the request guard's refusals, in the layout
]
# A program's API request (`core.api_chain`): the same security headers, the request guard and the identity;
# no session, CSRF, messages, sign-in from the session, htmx, static files or refusal page, which serve browsers.
API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "retaguarda.core.request_guard.RequestGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "retaguarda.access.middleware.CurrentCompanyMiddleware",
]

ROOT_URLCONF = "retaguarda.config.urls"
WSGI_APPLICATION = "retaguarda.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "retaguarda.web.context_processors.shell",
            ],
            "builtins": ["django.templatetags.i18n", "retaguarda.web.templatetags.br"],
        },
    }
]

# --- Database: SQLite in the data folder unless DATABASE_URL says otherwise.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'retaguarda.sqlite3'}"
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["CONN_MAX_AGE"] = 0 if TESTING else _db["CONN_MAX_AGE"]
    # Django's backend plus a write queue: transactions take turns in arrival order (core/sqlite/writers.py).
    _db["ENGINE"] = "retaguarda.core.sqlite"
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so concurrent
    # writers queue on the busy timeout instead of failing with "database is locked" mid-transaction.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file, not :memory:, so threads in concurrency tests share one database.
    _db["TEST"] = {
        "NAME": os.environ.get("TEST_SQLITE_NAME")
        or str(Path(tempfile.gettempdir()) / f"retaguarda-test-{os.getpid()}.sqlite3")
    }
else:
    _db["CONN_HEALTH_CHECKS"] = True
    # Statements run through `core.raw_rows.prepared_cursor` (server-side binding) are prepared from their
    # second run on a connection; Django's own cursors bind on the client and never are.
    _db.setdefault("OPTIONS", {})["prepare_threshold"] = 1
    # Those statements are written so that one plan serves any number of rows (id lists and rows as
    # arrays). PostgreSQL's own choice kept re-planning some of them on every run (a generic plan assumes
    # an array of 10 against a custom plan's 1, so it looked dearer): the balance lock and the reservation's
    # INSERT cost the server twice as much. Only statements bound on the server are affected.
    extra = _db["OPTIONS"].get("options", "")
    _db["OPTIONS"]["options"] = f"{extra} -c plan_cache_mode=force_generic_plan".strip()
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Apps holding official reference data loaded by migrations; `flush` keeps them.
REFERENCE_APPS = ["br_tables"]

AUTH_USER_MODEL = "access.User"
AUTHENTICATION_BACKENDS = ["retaguarda.access.backends.DepartmentBackend"]
PASSWORD_HASHERS = [
    "retaguarda.access.hashers.CompactArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests create many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "access:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "access:login"
# Failed logins allowed per username within the window before it is locked for the window.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "900"))
# Failed logins allowed per client address in the window, whatever the usernames tried (one address guessing
# many accounts). Behind a proxy every client shares its address: raise it, or let the proxy throttle.
LOGIN_FAILURE_IP_LIMIT = int(os.environ.get("LOGIN_FAILURE_IP_LIMIT", "20"))
# core.request_guard: larger bodies answer 413 before any view reads them.
MAX_BODY_BYTES = int(os.environ.get("MAX_BODY_BYTES") or 2_621_440)
MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES") or 20 * 1024 * 1024)

LANGUAGE_CODE = "pt-br"
LANGUAGES = [("pt-br", "Português (Brasil)")]  # the UI is Brazilian Portuguese whatever the browser asks
TIME_ZONE = "America/Sao_Paulo"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True  # typed input "1.500,00" is read; printing is governed by the formats below
FORMAT_MODULE_PATH = ["retaguarda.config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": DATA_DIR / "media"}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the installed package: no collectstatic step, no CDN.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Django's database sessions; their read, a page's first statement, written by hand (access.sessions).
SESSION_ENGINE = "retaguarda.access.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES")
# Served over HTTPS (README, "Production"): plain HTTP redirected, browsers told to come back over HTTPS only.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health$"]  # a local probe over plain HTTP
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS") or 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD")
if env_bool("BEHIND_HTTPS_PROXY"):  # the proxy ends TLS and says so in X-Forwarded-Proto
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
}

NINJA_PAGINATION_PER_PAGE = 50

# Mail (payment reminders, purchase orders): SMTP when SMTP_HOST is set; otherwise each message is written
# to <data dir>/mail/, so an install without a mail server never fails a delivery and the mail can be read.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "retaguarda@localhost")
if os.environ.get("SMTP_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["SMTP_HOST"],
                "port": int(os.environ.get("SMTP_PORT", "587")),
                "username": os.environ.get("SMTP_USER", ""),
                "password": os.environ.get("SMTP_PASSWORD", ""),
                "use_tls": env_bool("SMTP_TLS", True),
                "timeout": 30,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(DATA_DIR / "mail")},
        }
    }

# Fiscal: whether the official SEFAZ web services may be called (never from tests), the CA bundle that
# signs their servers (the ICP-Brasil chain), the answer timeout, and where the local fake keeps its CA.
SEFAZ_OFFICIAL = env_bool("SEFAZ_OFFICIAL", not TESTING)
SEFAZ_CA_BUNDLE = os.environ.get("SEFAZ_CA_BUNDLE") or None
SEFAZ_TIMEOUT = float(os.environ.get("SEFAZ_TIMEOUT", "30"))
FAKE_SEFAZ_DIR = DATA_DIR / "fake-sefaz"

# CEP and CNPJ lookups on the party form (docs/lookups.md): off unless turned on, since an install may have
# no internet; the addresses default to the public services and may point at another (or the local fake).
LOOKUPS_ENABLED = env_bool("LOOKUPS_ENABLED") and not TESTING
LOOKUP_CEP_URL = os.environ.get("LOOKUP_CEP_URL") or "https://viacep.com.br/ws"
LOOKUP_CNPJ_URL = os.environ.get("LOOKUP_CNPJ_URL") or "https://brasilapi.com.br/api/cnpj/v1"
LOOKUP_TIMEOUT = float(os.environ.get("LOOKUP_TIMEOUT") or 3)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

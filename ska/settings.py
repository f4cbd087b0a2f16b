"""SKA settings: one module, read from the environment.

Every value has an embedded default so that `make run` needs no other service:
SQLite in ``var/``, e-mail printed to the console, Celery tasks run in-process (or, with
``SKA_BROKER=filesystem`` as `make run` sets it, by a real worker on a queue kept in files).
``DATABASE_URL`` switches to PostgreSQL, ``REDIS_URL`` to Redis as broker and cache
with a real worker, ``SKA_PRODUCTION=1`` to production mode (see docs/configuration.md).
Every variable can also be given as ``NAME_FILE`` pointing at a file (Docker secrets).
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.FileAwareEnv()

PRODUCTION = env.bool("SKA_PRODUCTION", default=False)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    # Only ever used on a developer's machine: production refuses to start without one.
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "ska.apps.SkaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "ska.apps.AxesConfig",
    "ska",
    "annualwheel",
    "dialogs",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ska.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "ska.middleware.LoginRequiredMiddleware",
    "ska.middleware.NoStoreForSignedInMiddleware",
    # Last, so that it sees the outcome of every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ska.urls"
WSGI_APPLICATION = "ska.wsgi.application"

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
                "ska.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ska.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that a live server thread and a worker process see the test data;
    # one per test run, so that two runs on one machine do not lock each other out.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache ------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # The cache only ever holds what can be lost (the accessibility form's rate limit): while
    # Redis cannot be reached it acts as an empty cache instead of failing the request (ska/cache.py).
    CACHES = {"default": {"BACKEND": "ska.cache.ForgivingRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -----------------------------------------------------------------
# Without a broker every task runs in-process, at once, so the app needs no other service.
# SKA_BROKER=filesystem (what `make run` uses) keeps the queue in files under var/broker/, for
# a real worker beside the development server with no broker server at all.
SKA_BROKER = env.str("SKA_BROKER", default="")
BROKER_DIR = env.path("SKA_BROKER_DIR", default=VAR_DIR / "broker")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
elif SKA_BROKER == "filesystem":
    CELERY_BROKER_URL = "filesystem://"
    for folder in ("queue", "control"):
        (Path(BROKER_DIR) / folder).mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == "memory://"
# Two deployments (or two test runs) sharing one Redis keep apart by their queue's name.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
# Report PDFs have a queue of their own, so a long build never holds up e-mail and reminders,
# and its workers can be given their own concurrency and memory.
CELERY_PDF_QUEUE = env.str("CELERY_PDF_QUEUE", default="ska-pdf")
CELERY_TASK_ROUTES = {"reports.build_document": {"queue": CELERY_PDF_QUEUE}}
# While Redis is down, sending a task gives up within a couple of seconds instead of holding
# the request: the edit is saved, and the report sweeper sends a build's task once Redis is back.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# WeasyPrint slows down and grows within a long-lived process: a pool's child process is replaced
# after this many tasks, or once it holds more than this much memory (KiB) after a task.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=50)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=768 * 1024)
# The longest task (a large PDF report) must finish well inside the visibility timeout,
# or Redis hands it to a second worker while the first still runs it.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60),
    "socket_connect_timeout": 2,
}
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(Path(BROKER_DIR) / "queue"),
        "data_folder_out": str(Path(BROKER_DIR) / "queue"),
        "control_folder": str(Path(BROKER_DIR) / "control"),
        "polling_interval": 0.5,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/Stockholm"
# Scheduled jobs, run by the one beat process (times in CELERY_TIMEZONE). All are safe to run
# twice: reminders go out once per occurrence and person, the digest once per person and week,
# an evaluation invitation once per person, kind and school year.
CELERY_BEAT_SCHEDULE = {
    "annualwheel-reminders": {"task": "annualwheel.send_due_reminders", "schedule": crontab(minute=5)},
    "annualwheel-weekly-digest": {
        "task": "annualwheel.send_weekly_digests",
        "schedule": crontab(minute=30, hour=6, day_of_week="mon"),
    },
    # The year-end evaluation of the quality dialogues, by everyone who took part.
    "dialogs-year-end-evaluations": {
        "task": "dialogs.send_year_end_evaluations",
        "schedule": crontab(minute=0, hour=7, day_of_month=10, month_of_year=6),
    },
    # Kolada revises published figures: fetch new and revised values every week.
    "kolada-weekly-refresh": {
        "task": "ska.kolada_refresh_all",
        "schedule": crontab(minute=15, hour=4, day_of_week="sun"),
    },
    # Report builds whose worker died, or that nobody took, are queued again.
    "reports-sweep-documents": {"task": "reports.sweep_documents", "schedule": 60.0},
}

# --- Authentication and access ----------------------------------------------
AUTH_USER_MODEL = "ska.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "ska.auth_backends.UsernameOrEmailBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Failed logins: five tries per user name and address, then a quarter of an hour's pause.
# Keyed on the pair so that one attacker cannot lock every colleague behind the same proxy out.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_CALLABLE = "ska.auth_backends.axes_username"
AXES_CLIENT_IP_CALLABLE = "ska.auth_backends.client_ip"
# How many reverse proxies in front of the app append to X-Forwarded-For. Only their entries
# are believed; whatever a client writes into the header itself is never used.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_VERBOSE = False

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie; kept default.

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Uploads and the archive of report PDFs: local files by default, an S3-compatible bucket in
# production. The bucket stays private; every download goes through the app's permission check.
if env.str("SKA_STORAGE", default="") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("AWS_LOCATION", default=""),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            # An archived report is never replaced: a name in use gets a new one.
            "file_overwrite": False,
        },
    }
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)

# --- E-mail -----------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
globals().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SKA <ska@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ACCESSIBILITY_CONTACT_EMAIL = env.str("ACCESSIBILITY_CONTACT_EMAIL", default="tillganglighet@example.org")

# --- Security -----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The preload directive only permits the domain's owner to submit it to the browsers'
    # preload list (which takes registrable domains, not a service's subdomain); it enrols nothing.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Content Security Policy: only the app's own scripts and styles; no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Single sign-on (OpenID Connect), optional --------------------------------
# On when OIDC_RP_CLIENT_ID is set: a "log in with the municipality's account" button beside the
# password login. People are matched by e-mail address to existing, active accounts; accounts
# and roles are kept in SKA (see ska/oidc.py and docs/single-sign-on.md). The endpoints are given
# one by one or, left empty, read from OIDC_OP_DISCOVERY_URL when first needed.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET") if OIDC_RP_CLIENT_ID else ""
OIDC_OP_DISCOVERY_URL = env.str("OIDC_OP_DISCOVERY_URL", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_LOGOUT_ENDPOINT = env.str("OIDC_OP_LOGOUT_ENDPOINT", default="")
OIDC_EMAIL_CLAIM = env.str("OIDC_EMAIL_CLAIM", default="email")
# The ID token's issuer when the endpoints are given one by one (else the discovery document's).
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
# E-mail domains matched to accounts, e.g. "ekvalla.se,skola.ekvalla.se"; empty: any domain.
OIDC_ALLOWED_EMAIL_DOMAINS = [d.strip().lstrip("@").lower() for d in env.list("OIDC_ALLOWED_EMAIL_DOMAINS", default=[]) if d.strip()]
OIDC_LOGIN_LABEL = env.str("OIDC_LOGIN_LABEL", default="")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_STORE_ID_TOKEN = True  # for the provider's logout (id_token_hint)
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
AXES_WHITELIST_CALLABLE = "ska.oidc.is_single_sign_on_callback"
if OIDC_RP_CLIENT_ID:
    if not (OIDC_OP_DISCOVERY_URL or (OIDC_OP_AUTHORIZATION_ENDPOINT and OIDC_OP_TOKEN_ENDPOINT and OIDC_OP_JWKS_ENDPOINT)):
        raise environ.ImproperlyConfigured(
            "OIDC_RP_CLIENT_ID is set: set OIDC_OP_DISCOVERY_URL, or OIDC_OP_AUTHORIZATION_ENDPOINT, "
            "OIDC_OP_TOKEN_ENDPOINT and OIDC_OP_JWKS_ENDPOINT."
        )
    AUTHENTICATION_BACKENDS.append("ska.oidc.OIDCBackend")
    if OIDC_OP_LOGOUT_ENDPOINT:
        # Logging out (a form) ends at the provider's logout page: the form's redirect must be allowed.
        _logout_origin = "/".join(OIDC_OP_LOGOUT_ENDPOINT.split("/")[:3])
        CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(_logout_origin)

# --- Kolada (key figures of municipalities) ------------------------------------
# Kolada is a free public service: requests are spaced out, retried with backoff, and its
# metadata (key figures, municipalities, groups, units) is kept in the cache for a day.
KOLADA_URL = env.str("KOLADA_URL", default="https://api.kolada.se/v3")
KOLADA_TIMEOUT = env.float("KOLADA_TIMEOUT", default=10.0)
KOLADA_RETRIES = env.int("KOLADA_RETRIES", default=3)
KOLADA_BACKOFF = env.float("KOLADA_BACKOFF", default=0.5)
KOLADA_MIN_INTERVAL = env.float("KOLADA_MIN_INTERVAL", default=0.25)
KOLADA_PER_PAGE = env.int("KOLADA_PER_PAGE", default=5000)
KOLADA_CACHE_SECONDS = env.int("KOLADA_CACHE_SECONDS", default=24 * 60 * 60)

# --- Logging ----------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint reports every page it lays out at INFO; only its warnings are of interest.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# --- The product --------------------------------------------------------------
# The address people reach SKA at, for links in e-mails sent by background jobs (no request to ask).
SKA_BASE_URL = env.str("SKA_BASE_URL", default="http://127.0.0.1:8000")
SKA_PAGE_SIZE = 25
SKA_MATRIX_PAGE_SIZE = 50
SKA_MAX_UPLOAD_BYTES = env.int("SKA_MAX_UPLOAD_BYTES", default=5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = SKA_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = SKA_MAX_UPLOAD_BYTES + 1024 * 1024
# A file above SKA_MAX_UPLOAD_BYTES is not kept while it arrives; the form says it is too large.
FILE_UPLOAD_HANDLERS = [
    "ska.upload_limit.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# A report build whose worker has given no sign of life for this long is taken to have died
# and is queued again (the running worker refreshes its heartbeat every few seconds).
SKA_REPORT_STALE_SECONDS = env.int("SKA_REPORT_STALE_SECONDS", default=120)
# A queued build whose message was sent this long ago and still not taken is sent again.
SKA_REPORT_REQUEUE_SECONDS = env.int("SKA_REPORT_REQUEUE_SECONDS", default=600)
# A build whose worker died this many times is marked failed instead of queued again.
SKA_REPORT_MAX_ATTEMPTS = env.int("SKA_REPORT_MAX_ATTEMPTS", default=3)

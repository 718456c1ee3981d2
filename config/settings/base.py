"""Settings shared by every environment; every value comes from the environment.

The embedded default (no servers: SQLite, a filesystem Celery broker, e-mail to files) is what
you get with no environment at all; production overrides it through variables only.
"""

import datetime
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("DOCKET_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
env.read_env(str(BASE_DIR / ".env"), overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "django_guid",
    "drf_spectacular_sidecar",
    "csp",
    "viewflow",
    "viewflow.workflow",
    "accounts",
    "audit",
    "documents",
    "programmes",
    "applications",
    "statuses",
    "councils",
    "library",
    "communities",
    "yearwork",
    "surveys",
    "annualreports",
    "notifications",
    "demo",
]

MIDDLEWARE = [
    # First: every response and every log line of the request carries its id (X-Request-ID).
    "django_guid.middleware.guid_middleware",
    # Then: no error leaves /api/ as HTML, whatever inner layer produced it.
    "core.middleware.ApiProblemMiddleware",
    # And no error page is blank (require_POST's 405).
    "core.middleware.BlankErrorPageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # Serves collected static files in production without a separate proxy rule.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.DocketLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: it tells the person why they were signed out.
    "core.middleware.SessionTimeoutMiddleware",
    # Pages and API answers for a signed-in person are never kept in a cache (ASVS 8.2.1).
    "core.middleware.NoStoreWhenSignedInMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Each programme's definition may bring its own templates (its print forms, found
        # under documents/printforms/<programme code>/ before the engine's).
        "DIRS": [
            BASE_DIR / "templates",
            *sorted(BASE_DIR.glob("programmes/definitions/*/templates")),
        ],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.unread",
            ],
            # core is no app of its own: its template filters are named here.
            "libraries": {"docket_text": "core.templatetags.docket_text"},
        },
    },
]


def _database():
    """SQLite runs in IMMEDIATE mode: without it concurrent writers fail with 'locked'.
    Server databases keep connections between requests, health-checked before reuse."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    db = env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'docket.sqlite3'}")
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db.setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
    else:
        db.setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
        # A kept connection may have been dropped by the server since the last request (a
        # restart, a failover, an idle timeout): check it before the first query of each
        # request and reconnect, instead of answering that request with a 500.
        db.setdefault("CONN_HEALTH_CHECKS", True)
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # ASVS 2.1.1, 2.1.2, 2.1.7: 12 characters at least (PASSWORD_MIN_LENGTH), 128 at most,
    # none of the 20,000 most common passwords; no rules on which characters (2.1.9).
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
]

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Tomsk")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request otherwise
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

# E-mail: files in var/mail by default; EMAIL_URL=smtp://... in production.
EMAIL_URL = env.str("EMAIL_URL", default=f"filemail://{VAR_DIR / 'mail'}")
vars().update(environ.Env.email_url_config(EMAIL_URL))
if EMAIL_URL.startswith("filemail:"):
    # django-environ drops the leading "/" of an absolute path; take the path from the URL itself.
    EMAIL_FILE_PATH = urlsplit(EMAIL_URL).path or str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Docket <docket@localhost>")

# Celery. The embedded default uses kombu's filesystem transport: a real worker and beat,
# no broker server. REDIS_URL is accepted as the broker when CELERY_BROKER_URL is not set.
CELERY_BROKER_URL = env.str(
    "CELERY_BROKER_URL", default=env.str("REDIS_URL", default="filesystem://")
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "broker"
    for sub in ("queue", "processed", "control"):
        (_queue_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A message taken by a worker that died comes back after this many seconds (acks_late).
        # Keep it above the longest task run plus the longest retry countdown (600 s).
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        # A Redis that stops answering (a hung server, a network partition: no RST) must not
        # hang a worker or a request for ever: time out, and let the retry reconnect.
        "socket_connect_timeout": 5,
        "socket_timeout": 30,
        "socket_keepalive": True,
        "retry_on_timeout": True,
        # Ping idle connections before use, so a dead one is replaced instead of failing.
        "health_check_interval": 25,
    }
    if CELERY_BROKER_URL.startswith("redis://"):
        # kombu's Redis transport with a close that survives a lost broker (its docstring).
        CELERY_BROKER_TRANSPORT = "config.redis_transport:Transport"
# A worker that loses the broker keeps its running tasks (their acknowledgement is lost, so
# the broker hands them out again later and the idempotent task finds its work done) and
# reconnects for ever, at most every 30 s, instead of exiting after 100 attempts (Celery's
# default, about 45 minutes) and leaving the queues unserved.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = TIME_ZONE
# Three queues so a burst of e-mail never delays a council's decision (docs/operations.md).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "notifications.tasks.*": {"queue": "notifications"},
    "documents.tasks.*": {"queue": "documents"},
    "workflows.tasks.run_flow_job": {"queue": "flows"},
}
DOCKET_QUEUES = ["celery", "flows", "documents", "notifications"]
# Periodic work, in code. Every task here accepts `now` (ISO-8601) so that
# `python manage.py tick --now ...` can run it as of any moment.
CELERY_BEAT_SCHEDULE = {
    # viewflow keeps timer due times in the database; this fires the ones that are due.
    "fire-flow-timers": {"task": "workflows.tasks.fire_flow_timers", "schedule": 60.0},
    # Re-enqueue flow jobs whose message the broker lost, or whose worker died.
    "sweep-flow-jobs": {"task": "workflows.tasks.sweep_flow_jobs", "schedule": 60.0},
    # Re-enqueue notifications left READY (broker down at commit) or stuck SENDING.
    "sweep-outbox": {"task": "notifications.tasks.sweep_outbox", "schedule": 60.0},
    # Re-enqueue print forms still "preparing" long after they were requested.
    "sweep-print-forms": {"task": "documents.tasks.sweep_print_forms", "schedule": 60.0},
    # Statuses: expiry the day after valid_until, renewal invitations, deadline reminders,
    # missed-deadline notices and escalations. Idempotent, so hourly is only about latency.
    "status-lifecycle": {
        "task": "workflows.statuses.tasks.sweep_status_lifecycle",
        "schedule": 3600.0,
    },
    # A signed checkpoint of the audit chain (count, last event, its MAC), also written to
    # AUDIT_CHECKPOINT_FILE; `verify_audit` detects removed events up to the last checkpoint.
    "audit-checkpoint": {"task": "audit.tasks.audit_checkpoint", "schedule": 3600.0},
    # A council whose regulation's minimum of meetings a year is at risk: its secretary, chair
    # and the programme's methodists are told (once a month at most while it stays so).
    "council-meetings-minimum": {"task": "councils.tasks.meetings_minimum", "schedule": 86400.0},
    # Assignments given to a programme: a reminder before the due date, a letter once overdue.
    "assignments-remind": {"task": "yearwork.tasks.assignments_remind", "schedule": 3600.0},
}
# Flow jobs (applications/jobs.py): a job runs at most FLOW_JOB_MAX_RETRIES + 1 times in all,
# counted on its row, waiting the backoff doubled after each failure, then ERROR. The sweep
# sends again a job due and unclaimed, or claimed (STARTED) longer than
# FLOW_JOB_STUCK_AFTER_SECONDS (its worker died; keep it longer than CELERY_TASK_TIME_LIMIT,
# a system check refuses less).
FLOW_JOB_STUCK_AFTER_SECONDS = env.int("FLOW_JOB_STUCK_AFTER_SECONDS", default=300)
FLOW_JOB_MAX_RETRIES = env.int("FLOW_JOB_MAX_RETRIES", default=5)
FLOW_JOB_RETRY_BACKOFF_SECONDS = env.int("FLOW_JOB_RETRY_BACKOFF_SECONDS", default=10)
# The status sweeps (hourly) go on past a row they fail on, and give up on it after this many
# runs: it is listed on /monitoring/ and the administrators are told.
STATUS_SWEEP_MAX_ATTEMPTS = env.int("STATUS_SWEEP_MAX_ATTEMPTS", default=3)
# The notification outbox (notifications/): transient SMTP errors are retried this many times,
# waiting the backoff doubled each time; the sweep re-enqueues rows READY this long past their
# due time (the broker lost the message) and takes back rows SENDING this long (the worker
# died; keep it longer than CELERY_TASK_TIME_LIMIT, a system check refuses less).
NOTIFICATION_MAX_RETRIES = env.int("NOTIFICATION_MAX_RETRIES", default=6)
NOTIFICATION_RETRY_BACKOFF_SECONDS = env.int("NOTIFICATION_RETRY_BACKOFF_SECONDS", default=10)
NOTIFICATION_REQUEUE_AFTER_SECONDS = env.int("NOTIFICATION_REQUEUE_AFTER_SECONDS", default=120)
NOTIFICATION_STUCK_AFTER_SECONDS = env.int("NOTIFICATION_STUCK_AFTER_SECONDS", default=600)

REST_FRAMEWORK = {
    # Token first: DRF answers 401 with WWW-Authenticate from the first class (403 for Session).
    # Tokens are knox's: stored as digests, with an expiry (REST_KNOX below, accounts/api.py).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.DocketAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Docket API",
    "DESCRIPTION": "Applications, review tasks and statuses of municipal education programmes.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our static files (drf-spectacular-sidecar), not a CDN the CSP would block.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "VoteChoiceEnum": "councils.models.Vote.Choice",
        "PracticeStateEnum": "library.models.Practice.State",
        "StateEnum": "applications.models.Application.State",
        "KindEnum": "applications.models.Application.Kind",
        "PracticeKindEnum": "library.models.Practice.Kind",
    },
}

# The request id (django-guid): taken from a proxy's X-Request-ID when it is a UUID (32 hex
# digits or the dashed form), else made here; sent back in X-Request-ID, written in every log
# line of the request ([id]) and in the API's problem bodies (core/problems.py).
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": True,
}

LOGGING = {
    "version": 1,
    # Keep Celery's and viewflow's loggers alive: disabling them hides worker failures.
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.log.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # WeasyPrint's font subsetting logs every table of every font at INFO.
        "fontTools": {"level": "WARNING"},
        # django-guid says at INFO, for every request, whether the header came or was made.
        "django_guid": {"level": "WARNING"},
    },
}

# Upload rules for documents (sniffed by content).
DOCUMENT_MAX_UPLOAD_BYTES = env.int("DOCUMENT_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
DOCUMENT_ALLOWED_TYPES = env.list(
    "DOCUMENT_ALLOWED_TYPES",
    default=[
        "application/pdf",
        "image/png",
        "image/jpeg",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
    ],
)
# Inside an allowed file (documents/content_checks.py): an OOXML/ODT archive may unpack to at
# most this many bytes, in at most this many parts, no part (over 1 MiB) compressed more than
# this ratio (a zip bomb is refused before and while inflating); a PDF may carry embedded
# files only when allowed. Scripts, actions and macros are always refused.
DOCUMENT_ZIP_MAX_UNZIPPED_BYTES = env.int("DOCUMENT_ZIP_MAX_UNZIPPED_BYTES", default=100 * 1024**2)
DOCUMENT_ZIP_MAX_ENTRIES = env.int("DOCUMENT_ZIP_MAX_ENTRIES", default=2000)
DOCUMENT_ZIP_MAX_RATIO = env.int("DOCUMENT_ZIP_MAX_RATIO", default=100)
DOCUMENT_PDF_ATTACHMENTS = env.bool("DOCUMENT_PDF_ATTACHMENTS", default=False)
# Per document kind, a rule that replaces the general limits above, as JSON: {"report": {"max_bytes":
# 10485760, "types": ["application/pdf"], "max_unzipped_bytes": 52428800, "max_zip_ratio": 50,
# "max_zip_entries": 500, "pdf_attachments": false}}. What a kind leaves out, and kinds without
# a rule, take the general limits.
DOCUMENT_UPLOAD_RULES = env.json(
    "DOCUMENT_UPLOAD_RULES",
    default={
        "report": {
            "types": [
                "application/pdf",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.oasis.opendocument.text",
            ]
        },
        "plan": {
            "types": [
                "application/pdf",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "application/vnd.oasis.opendocument.text",
            ]
        },
    },
)

# The audit log is an HMAC-SHA256 chain under this key (audit/services.py). It must not be in
# the database (whoever can write the database must not be able to recompute the chain): set it
# in the environment. Production requires it; local and test settings use marked demo keys.
# Changing it makes every existing event fail verification (docs/operations.md).
AUDIT_HMAC_KEY = env.str("AUDIT_HMAC_KEY", default="")
# The latest signed checkpoint, kept outside the database; empty: MEDIA_ROOT/audit/checkpoint.json.
AUDIT_CHECKPOINT_FILE = env.str("AUDIT_CHECKPOINT_FILE", default="")

# Signed documents (documents/pki.py). Private keys of signers and of the embedded CA are stored
# encrypted with this secret; unset, the embedded default derives it from SECRET_KEY (production
# requires it). DOCUMENTS_TRUST_ROOTS_FILE: a PEM bundle of outside CAs whose PKCS#12
# certificates are imported (`import_signer_pkcs12`); our own CA is always trusted.
DOCUMENTS_KEY_ENCRYPTION_KEY = env.str("DOCUMENTS_KEY_ENCRYPTION_KEY", default="")
DOCUMENTS_CA_NAME = env.str("DOCUMENTS_CA_NAME", default="Docket CA")
DOCUMENTS_TRUST_ROOTS_FILE = env.str("DOCUMENTS_TRUST_ROOTS_FILE", default="")
# The font of the visible signature stamp (a .ttf/.otf with Cyrillic); empty: fontconfig's
# DejaVu Sans (fonts-dejavu-core, which the print forms use too).
DOCUMENTS_STAMP_FONT = env.str("DOCUMENTS_STAMP_FONT", default="")
# The public verification page (/verify/<code>/): a file to compare is read up to this size
# and no further (documents/views.py stops the upload while it streams); each client address
# may open the page and check files this many times a minute (core/ratelimit.py, Django's
# cache). Behind a reverse proxy, DOCKET_PROXY_COUNT (below) says how many proxies append
# X-Forwarded-For, so the client's address is taken from it (0: REMOTE_ADDR, not the header).
DOCUMENTS_VERIFY_MAX_BYTES = env.int("DOCUMENTS_VERIFY_MAX_BYTES", default=20 * 1024 * 1024)
DOCUMENTS_VERIFY_VIEWS_PER_MINUTE = env.int("DOCUMENTS_VERIFY_VIEWS_PER_MINUTE", default=60)
DOCUMENTS_VERIFY_CHECKS_PER_MINUTE = env.int("DOCUMENTS_VERIFY_CHECKS_PER_MINUTE", default=10)
# The public registry (/public/registry/ and its CSV/XLSX): requests per client address a minute.
PUBLIC_REGISTRY_REQUESTS_PER_MINUTE = env.int("PUBLIC_REGISTRY_REQUESTS_PER_MINUTE", default=60)
# A print form still pending this long after it was last sent is sent to the workers again
# (keep it above CELERY_TASK_TIME_LIMIT); one whose rendering was started this many times
# without finishing (its worker killed each time) is FAILED, for staff to prepare again.
DOCUMENTS_RENDER_REQUEUE_AFTER_SECONDS = env.int(
    "DOCUMENTS_RENDER_REQUEUE_AFTER_SECONDS", default=300
)
DOCUMENTS_RENDER_MAX_ATTEMPTS = env.int("DOCUMENTS_RENDER_MAX_ATTEMPTS", default=3)

# --- Demo data and public keys (issue 11: ASVS 4.0 level 2) -----------------------------------
# True only in config/settings/local.py and test.py: there alone `seed_demo` loads its accounts
# with public passwords and the public keys below may encrypt anything (core.demo,
# documents.pki). Every other settings module is treated as production.
DOCKET_DEMO_SETTINGS = False
# Keys committed to this repository (the SECRET_KEY defaults of local.py and test.py). Anyone
# can read them, so whatever they encrypt (the signers' private keys of a demo database) anyone
# can decrypt: production refuses them as SECRET_KEY and as DOCUMENTS_KEY_ENCRYPTION_KEY.
PUBLIC_DEVELOPMENT_KEYS = (
    "insecure-local-development-key-change-me",  # SECRET_KEY of local.py
    "test-only-secret-key",  # SECRET_KEY of test.py
    "demo-only-audit-key-do-not-use-in-production",  # AUDIT_HMAC_KEY of local.py
    "test-only-audit-key",  # AUDIT_HMAC_KEY of test.py
)

# --- Sessions and API tokens (issue 11: ASVS 4.0 level 2, V3) ---------------------------------
# A session ends SESSION_COOKIE_AGE seconds after signing in, however active (absolute
# lifetime, ASVS 3.3.1), and after SESSION_IDLE_TIMEOUT seconds without a request (3.3.2);
# core.middleware.SessionTimeoutMiddleware enforces both. Level 2 asks for at most 12 hours and
# 30 minutes.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 60 * 60)
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
# API tokens (django-rest-knox): only a SHA-512 digest is stored; a token expires
# API_TOKEN_TTL_HOURS after it was issued, however often it is used; a user holds at most
# API_TOKENS_PER_USER (a new one revokes the oldest); a password change revokes them all.
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=12)),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}
API_TOKENS_PER_USER = env.int("API_TOKENS_PER_USER", default=10)

# --- Content-Security-Policy (issue 11: ASVS 14.4.3), django-csp ------------------------------
# Everything from our own origin, no inline script or style, no plugins, no framing. Pages keep
# their behaviour in static files (applications/static/docket/docket.js). Images may be data: URIs
# (Swagger UI's icons). CSP_REPORT_ONLY=true sends the same policy as report-only instead, for
# trying out a change of templates on a live site.
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# --- Security: swagger offline, login lockout, API throttling (issue 11, wt-h) ----------------
# Swagger UI and Redoc come from drf-spectacular-sidecar's static files (SPECTACULAR_SETTINGS
# above): the docs page works offline and loads exactly the version we tested.
INSTALLED_APPS += ["axes"]

# How many proxies stand in front of gunicorn (docs/operations.md: one HTTPS proxy). With one or
# more, the client's address is read from X-Forwarded-For (as the proxy sets it) by the login
# lockout and the API throttles; with 0, REMOTE_ADDR. Wrong here means every client looks like
# the proxy's address (everyone locked together) or a forged header picks its own address.
DOCKET_PROXY_COUNT = env.int("DOCKET_PROXY_COUNT", default=0)

# Login lockout (django-axes, accounts/lockout.py). Failures are counted per person at an
# address (LOGIN_FAILURE_LIMIT) and per address whoever is tried (LOGIN_IP_FAILURE_LIMIT),
# within LOGIN_LOCKOUT_MINUTES; a locked login is refused for that long after the last counted
# failure. Administrators unlock in the admin (Axes → Access attempts) or `manage.py axes_reset*`.
AUTHENTICATION_BACKENDS = [
    # First: it refuses a locked-out login before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Last: it turns a lockout into the login page.
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AXES_HANDLER = "accounts.lockout.DocketAxesHandler"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
DOCKET_LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
# Attempts refused during a lockout do not prolong it (and are not counted again).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = False
# The address as the API throttles see it (DOCKET_PROXY_COUNT, like DRF's NUM_PROXIES).
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"

# API throttles (accounts/api_auth.py). The authentication classes count failures per address
# (a wrong token is anonymous: it counts against the anonymous rate too, and past
# API_THROTTLE_AUTH_FAILURE the address gets 429 for anything it sends until the window passes).
# Each configured class is replaced by its guarded twin from accounts/api_auth.py, so this block
# does not restate the list above; a class without a twin is refused by a system check.
_guarded_twin = {
    "rest_framework.authentication.SessionAuthentication": "accounts.api_auth.GuardedSessionAuthentication",
    "rest_framework.authentication.BasicAuthentication": "accounts.api_auth.GuardedBasicAuthentication",
    "knox.auth.TokenAuthentication": "accounts.api_auth.GuardedKnoxTokenAuthentication",
}
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    _guarded_twin.get(name, name) for name in REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
]
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    "accounts.api_auth.AnonThrottle",
    "accounts.api_auth.UserThrottle",
]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
    "user": env.str("API_THROTTLE_USER", default="1200/minute"),
    "auth_failure": env.str("API_THROTTLE_AUTH_FAILURE", default="10/minute"),
}
REST_FRAMEWORK["NUM_PROXIES"] = DOCKET_PROXY_COUNT or None

# The cache holds the throttles' counters. Each gunicorn worker has its own process memory, so
# in production the counters must live in Redis (shared by every worker and machine): CACHE_URL,
# else REDIS_URL, else (the embedded default, one process) local memory.
if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache_url("CACHE_URL")}
elif env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
            "KEY_PREFIX": "docket",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

"""Settings shared by every environment.

Everything comes from the environment (or a `.env` file) through one `environ.Env`, so the
same code runs the zero-config demo (SQLite, in-process Celery) and production (PostgreSQL,
Redis, SMTP) without edits.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE

from supportops.content_policy import plotly_style_attributes

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(str(env_file))

DEBUG = env.bool("DEBUG", default=False)
# The demo key is only for the embedded SQLite demo; production.py refuses to start without
# a real SECRET_KEY.
SECRET_KEY = env(
    "SECRET_KEY", default="insecure-demo-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "supportops.admin_site.SupportOpsAdminConfig",  # django.contrib.admin, our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",  # API tokens, stored as digests (supportops/api_tokens.py)
    "axes",  # sign-in lockout (supportops/lockout.py)
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",  # Content-Security-Policy header (CONTENT_SECURITY_POLICY below)
    "supportops",
    "connectors",
    "metrics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A NUL in a query parameter or form field: a 400 naming it, not PostgreSQL's DataError.
    "supportops.middleware.UnstorableInputMiddleware",
    "supportops.middleware.LoginRequiredMiddleware",
    "supportops.middleware.ReadOnlyPagesMiddleware",
    # Last, as axes asks: turns a locked-out sign-in into supportops.lockout's refusal.
    "axes.middleware.AxesMiddleware",
]

# Sign-in lockout (django-axes, supportops/lockout.py): AXES_FAILURE_LIMIT wrong passwords for
# one username from one address lock that pair out for AXES_COOLOFF_MINUTES, on the sign-in
# page, admin's and the API token endpoint alike. A right password resets the count.
AUTHENTICATION_BACKENDS = [
    "supportops.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "supportops.lockout.lockout_response"
# The lockout's log line names the username and address (to act on it); the password is
# always masked, in the log and in the attempts admin lists.
AXES_SENSITIVE_PARAMETERS = []

# Content-Security-Policy on every response (django-csp): scripts and styles only from our own
# static files or an element carrying the response's nonce; no plugins, no framing, forms post
# only here. Plotly uses the nonce'd style elements of templates/frame/plotly_styles.html, and
# its rich-text style attributes are allowed by hash (supportops/content_policy.py). The report
# archive page and admin's report preview alone allow any style attribute, which the stored
# email HTML is made of (metrics/views/reports.py, metrics/admin.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "style-src-attr": plotly_style_attributes(),
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    },
}

ROOT_URLCONF = "supportops.urls"
WSGI_APPLICATION = "supportops.wsgi.application"

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
                "supportops.context_processors.frame",
                "csp.context_processors.nonce",  # {{ CSP_NONCE }} for an inline script/style
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'supportops.sqlite3'}"),
}

DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The metric queries are wide conditional aggregates that PostgreSQL's JIT spends seconds
    # compiling at 1M tickets and then runs no faster (bench/metrics.py, EXPLAIN ANALYZE).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo runs the web server, the sync and the sandbox at once; wait for locks
    # instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30
# An optional read replica: the pages' and the API's GETs read it, everything else (writes,
# syncs, tasks, admin, sign-in state) the primary (supportops/db_router.py). Tests point it at
# the test database (MIRROR), so the suite runs the same with or without it.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    DATABASE_ROUTERS = ["supportops.db_router.ReplicaRouter"]
    MIDDLEWARE.insert(0, "supportops.db_router.ReplicaReadsMiddleware")

# Computed metric results (the overview), keyed by the data version (supportops/data_version.py),
# so a stale entry is never read. Per process by default; CACHE_URL=redis://... shares them
# between web workers.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# Storage is always UTC; months are cut in MetricSettings.reporting_timezone.
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard-overview"
LOGOUT_REDIRECT_URL = "login"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "supportops.api_tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: every answer of the API, errors included, is JSON whatever a browser accepts
    # (people read the API at /api/v1/docs/); the metric endpoints add CSV.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # An unknown ?format= is a 400 naming the parameter, not DRF's bare 404.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "supportops.api.negotiation.ContentNegotiation",
    # Error responses in every operation's schema (supportops/api/schema.py).
    "DEFAULT_SCHEMA_CLASS": "supportops.api.schema.AutoSchema",
    # Nesting, NUL and surrogates refused with a 400 before anything recurses or stores them.
    "DEFAULT_PARSER_CLASSES": [
        "supportops.api.parsers.SafeJSONParser",
        "supportops.api.parsers.SafeFormParser",
        "supportops.api.parsers.SafeMultiPartParser",
    ],
    # A body over DATA_UPLOAD_MAX_MEMORY_SIZE is a JSON 413 too (supportops/api/errors.py).
    "EXCEPTION_HANDLER": "supportops.api.errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "COERCE_DECIMAL_TO_STRING": True,
}
# API tokens (django-rest-knox): a digest is stored, never the token; each expires after
# API_TOKEN_TTL_HOURS (none renew themselves) and all of a user's go when their password changes.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=720)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SupportOps API",
    "DESCRIPTION": "Support analytics joined with billing, CRM and usage data.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs page (/api/v1/docs/) loads Swagger UI from drf-spectacular-sidecar's static
    # files, never from a CDN; no validator badge calling validator.swagger.io either.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # A rule's kind is in two components (a rule, and a rule write with its re-map).
    "ENUM_NAME_OVERRIDES": {"ProductRuleKindEnum": "supportops.models.ProductRule.Kind"},
}

# Celery: with no broker configured, tasks run in-process so the demo needs no Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=55 * 60)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
# One queue per kind of work, so a long sync never holds up a report: `celery worker -Q reports`
# serves only reports; a worker without -Q serves every queue listed here, "celery" included
# (where a task without a route goes, and what a sender without these routes publishes to).
# Each queue has its own direct exchange, as Celery creates a queue it was not told about.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = {
    name: {"exchange": name, "exchange_type": "direct", "routing_key": name}
    for name in ("celery", "syncs", "reports", "recompute")
}
CELERY_TASK_ROUTES = {
    "connectors.*": {"queue": "syncs"},
    "reports.*": {"queue": "reports"},
    "metrics.refresh_derived": {"queue": "recompute"},
    "supportops.product_remap": {"queue": "recompute"},
}
# With a result backend, a task's result names its worker and queue (the two-worker test reads
# them; an operator can too). Without one (the default) nothing is stored.
CELERY_RESULT_EXTENDED = True
# After a sync finishes, refresh customers' stored support cost and warm the overview cache
# (metrics/refresh.py, task "metrics.refresh_derived").
DERIVED_REFRESH_AFTER_SYNC = env.bool("DERIVED_REFRESH_AFTER_SYNC", default=True)

# Sources. A source is enabled when its credentials are configured.
ZENDESK_URL = env("ZENDESK_URL", default="")
ZENDESK_EMAIL = env("ZENDESK_EMAIL", default="")
ZENDESK_API_TOKEN = env("ZENDESK_API_TOKEN", default="")
ZENDESK_START_DATE = env("ZENDESK_START_DATE", default="")
ZENDESK_SYNC_MINUTES = env.float("ZENDESK_SYNC_MINUTES", default=15)
ZENDESK_PAGE_SIZE = env.int("ZENDESK_PAGE_SIZE", default=1000)

STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com")
STRIPE_API_KEY = env("STRIPE_API_KEY", default="")
STRIPE_START_DATE = env("STRIPE_START_DATE", default="")
STRIPE_SYNC_MINUTES = env.float("STRIPE_SYNC_MINUTES", default=15)
STRIPE_WINDOW_DAYS = env.int("STRIPE_WINDOW_DAYS", default=30)

INTERCOM_URL = env("INTERCOM_URL", default="https://api.intercom.io")
INTERCOM_TOKEN = env("INTERCOM_TOKEN", default="")
INTERCOM_START_DATE = env("INTERCOM_START_DATE", default="")
INTERCOM_SYNC_MINUTES = env.float("INTERCOM_SYNC_MINUTES", default=15)
INTERCOM_PAGE_SIZE = env.int("INTERCOM_PAGE_SIZE", default=150)
INTERCOM_RECONCILE_HOURS = env.float("INTERCOM_RECONCILE_HOURS", default=24)
# The workspace id of links to the Inbox (empty: the app_id stored with the synced companies).
INTERCOM_APP_ID = env("INTERCOM_APP_ID", default="")

SALESFORCE_LOGIN_URL = env("SALESFORCE_LOGIN_URL", default="https://login.salesforce.com")
SALESFORCE_CLIENT_ID = env("SALESFORCE_CLIENT_ID", default="")
SALESFORCE_CLIENT_SECRET = env("SALESFORCE_CLIENT_SECRET", default="")
SALESFORCE_REFRESH_TOKEN = env("SALESFORCE_REFRESH_TOKEN", default="")
SALESFORCE_API_VERSION = env("SALESFORCE_API_VERSION", default="60.0")
SALESFORCE_START_DATE = env("SALESFORCE_START_DATE", default="")
SALESFORCE_SYNC_MINUTES = env.float("SALESFORCE_SYNC_MINUTES", default=30)
SALESFORCE_BATCH_SIZE = env.int("SALESFORCE_BATCH_SIZE", default=2000)
# The org's host for links to records (the token's instance_url is not stored); empty: the
# login URL when it is a My Domain, else no links.
SALESFORCE_INSTANCE_URL = env("SALESFORCE_INSTANCE_URL", default="")

# Product usage, pulled from a Segment-style PostgreSQL warehouse when the URL is set.
USAGE_WAREHOUSE_URL = env("USAGE_WAREHOUSE_URL", default="")
# Empty: DEFAULT_QUERY in connectors/usage/warehouse.py.
USAGE_WAREHOUSE_QUERY = env("USAGE_WAREHOUSE_QUERY", default="")
# The pull's query is cancelled after this long (a hung query would hold its worker for ever).
USAGE_WAREHOUSE_TIMEOUT_SECONDS = env.float("USAGE_WAREHOUSE_TIMEOUT_SECONDS", default=600)
USAGE_SYNC_MINUTES = env.float("USAGE_SYNC_MINUTES", default=60)

# HTTP client behaviour shared by every connector.
CONNECTOR_TIMEOUT_SECONDS = env.float("CONNECTOR_TIMEOUT_SECONDS", default=30.0)
CONNECTOR_MAX_RETRIES = env.int("CONNECTOR_MAX_RETRIES", default=5)
CONNECTOR_BACKOFF_SECONDS = env.float("CONNECTOR_BACKOFF_SECONDS", default=1.0)
CONNECTOR_MAX_RETRY_AFTER_SECONDS = env.int("CONNECTOR_MAX_RETRY_AFTER_SECONDS", default=120)
# A lock whose holder has not reported progress for this long is taken to be dead.
SYNC_LOCK_STALE_SECONDS = env.int("SYNC_LOCK_STALE_SECONDS", default=15 * 60)

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
# The filebased backend's folder (the demo writes its emails there).
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
# EMAIL_URL, e.g. smtp+tls://user:pass@smtp.example.com:587 (percent-encode / @ : in the
# password), sets backend, host, port, user, password and TLS/SSL at once, over the above.
if env("EMAIL_URL", default=""):
    _email = env.email_url("EMAIL_URL")
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email["EMAIL_HOST"] or EMAIL_HOST
    EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
    EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
    EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS", False))
    EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL", False))
    EMAIL_PORT = _email["EMAIL_PORT"] or (587 if EMAIL_USE_TLS else 465 if EMAIL_USE_SSL else 25)
    if _email["EMAIL_FILE_PATH"] and "filebased" in EMAIL_BACKEND:
        EMAIL_FILE_PATH = "/" + _email["EMAIL_FILE_PATH"]  # filemail:///abs/path
# A dead or silent mail server fails the send (and it is retried) instead of hanging a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="supportops@localhost")
# The report's links to the dashboards are absolute: the address people open SupportOps at.
SITE_URL = env("SITE_URL", default="http://localhost:8000")
# A report failing with a transient SMTP error is retried this many times (backoff 1, 2, 4, 8
# minutes, jittered), then shown in admin as failed.
REPORT_SEND_RETRIES = env.int("REPORT_SEND_RETRIES", default=4)

# Report rendering (metrics/report/render.py): charts (Kaleido) and the PDF run in the system
# Chromium; empty CHROMIUM_BIN means `chromium` or `chromium-browser` on PATH. Nothing is
# ever downloaded. A render taking longer than the timeout (seconds) is killed.
CHROMIUM_BIN = env("CHROMIUM_BIN", default="")
REPORT_RENDER_TIMEOUT = env.int("REPORT_RENDER_TIMEOUT", default=60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Credentials and URL passwords become *** (supportops/redact.py), also in tracebacks.
    "filters": {"redact": {"()": "supportops.redact.RedactingFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# The covering index on interactions (supportops/models/tickets.py) includes columns only
# PostgreSQL can use; SQLite builds it without them, which is fine for the demo.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

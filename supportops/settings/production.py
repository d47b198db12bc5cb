"""Production settings: PostgreSQL, Redis broker, SMTP, HTTPS-only cookies.

`manage.py check --deploy --settings=supportops.settings.production` is clean with these.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY or SECRET_KEY.startswith("insecure-") or len(SECRET_KEY) < 50:
    _problem = (
        "not set"
        if not SECRET_KEY
        else "the published demo key"
        if SECRET_KEY.startswith("insecure-")
        else "shorter than 50 characters"
    )
    raise ImproperlyConfigured(
        f"SECRET_KEY is {_problem}: production settings (the default of supportops.wsgi and "
        "supportops.celery) need a random SECRET_KEY of 50+ characters in the environment or "
        '.env, the same for every web and worker process, e.g. export SECRET_KEY="$(python -c '
        "'from django.core.management.utils import get_random_secret_key as k; print(k())')\". "
        "To run the demo with its published key instead, set SUPPORTOPS_DEMO=1."
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    raise ImproperlyConfigured("production needs DATABASE_URL pointing at PostgreSQL")

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# A load balancer checks health over plain HTTP and takes a redirect for a failure.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
if "replica" in DATABASES:
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]

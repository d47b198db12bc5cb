"""The production settings as `make demo-prod` serves them: gunicorn on a loopback port over
plain HTTP, with no TLS proxy in front.

Everything is production's (DEBUG off, PostgreSQL required, a random SECRET_KEY required,
persistent connections, whitenoise serving the collected, hashed and compressed static files,
the security headers) except what only works behind HTTPS: a browser neither keeps a Secure
cookie nor sends it over http://127.0.0.1, so sign-in (session and CSRF cookies) would fail,
and the redirect to https:// would lead nowhere. Never for a server reachable from elsewhere.
"""

from .production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0  # browsers ignore HSTS over HTTP anyway; no promise made for 127.0.0.1
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False

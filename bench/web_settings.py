"""Production settings for bench/web_latency.py, with one change: the collected static files go
to a directory of the run's own (BENCH_STATIC_ROOT), so a benchmark never writes into
var/staticfiles. Everything else (DEBUG off, persistent connections, HTTPS-only cookies,
whitenoise with its manifest) is what `gunicorn supportops.wsgi` runs in production.
"""

import os

from supportops.settings.production import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]

"""Production settings for bench/web_latency.py and bench/load_test.py, with one change: the
collected static files go to a directory of the run's own (BENCH_STATIC_ROOT), so a benchmark
never writes into var/staticfiles (and, only when asked, not compressed: below). Everything
else (DEBUG off, persistent connections, HTTPS-only cookies, whitenoise with its manifest) is
what `gunicorn supportops.wsgi` runs in production.
"""

import os

from supportops.settings.production import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]

# BENCH_STATIC_COMPRESS=0 (`--uncompressed-static`, the CI smoke run): the same hashed names and
# manifest, which every page's {% static %} reads, without writing gzip and brotli copies of
# every file (minutes on 2 cores; the benchmarks request pages, not static files).
if os.environ.get("BENCH_STATIC_COMPRESS") == "0":
    STORAGES = {
        **STORAGES,  # noqa: F405
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }

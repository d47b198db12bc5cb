"""The WSGI application for bench/web_latency.py: the app as production serves it, with the
clock frozen at the end of the benchmark's data set (bench/metrics_data.DATA_NOW).

A gunicorn worker is a process of its own, so the runner cannot patch its clock; gunicorn
imports this module in each worker instead. Views and metrics read `timezone.now()` through
the module, as bench/metrics.py relies on too, so replacing `django.utils.timezone.now` before
the application loads freezes what every page sees (defaults, "last 90 days", stale days,
session expiry) without a setting the production code would have to know about.
"""

from django.utils import timezone

from bench.metrics_data import DATA_NOW

timezone.now = lambda: DATA_NOW

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

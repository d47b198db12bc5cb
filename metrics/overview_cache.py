"""The overview from the cache while the data has not changed.

The overview reads every metric twice (the month and the one before): at a million tickets that
is many seconds, too long for the landing page everyone opens. Its numbers change only when the
data does, and on the next day (the month in progress is cut at the start of today), so a
result is kept under (month, today in the reporting time zone, data version) and recomputed
once after any of them moves (supportops/data_version.py says when the data moved). The page
and the API share the entry, so they cannot disagree.

After every finished sync the task "metrics.refresh_derived" (metrics/tasks.py) computes the
default month's entry, so the first visitor is served from the cache. That reaches the web
workers only through a cache they share with the Celery worker: in production set
CACHE_URL=redis://... (supportops/settings/base.py); the default per-process memory cache
warms only the worker's own copy.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.cache import cache

from supportops.data_version import data_version
from supportops.models import MetricSettings

from .cost import MonthUnavailable
from .overview import overview
from .overview_results import OverviewResult
from .periods import Month

# A bound on how long an entry lives, should a writer ever forget to move the version.
TIMEOUT_SECONDS = 6 * 60 * 60


def overview_key(*, month: Month, now: datetime) -> str:
    """Two queries: settings (the reporting time zone) and the data version."""
    today = now.astimezone(ZoneInfo(MetricSettings.load().reporting_timezone)).date()
    return f"supportops:overview:{month}:{today.isoformat()}:{data_version()}"


def overview_cached(*, month: Month, now: datetime) -> OverviewResult:
    """`overview(month=..., now=...)`, from the cache when nothing has changed since."""
    key = overview_key(month=month, now=now)
    result = cache.get(key)
    if result is None:
        result = overview(month=month, now=now)
        cache.set(key, result, TIMEOUT_SECONDS)
    return result


def default_month(now: datetime) -> Month:
    """The last complete month in the reporting time zone: the page's and the API's default."""
    return Month.containing(now, ZoneInfo(MetricSettings.load().reporting_timezone)).shift(-1)


def overview_warm(*, now: datetime) -> Month | None:
    """Put the default month's overview in the cache unless it is there (None: that month has
    no data to show)."""
    month = default_month(now)
    try:
        overview_cached(month=month, now=now)
    except MonthUnavailable:
        return None
    return month

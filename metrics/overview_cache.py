"""The overview from the cache while the data has not changed.

The overview reads every metric twice (the month and the one before): at a million tickets that
is many seconds, too long for the landing page everyone opens. Its numbers change only when the
data does, and on the next day (the month in progress is cut at the start of today), so a
result is kept under (month, today in the reporting time zone, data version) and recomputed
once after any of them moves (supportops/data_version.py says when the data moved). The page
and the API share the entry, so they cannot disagree.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.cache import cache

from supportops.data_version import data_version
from supportops.models import MetricSettings

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

"""The LTV basis from the cache while the data has not changed.

Every LTV of a moment multiplies MRR by one lifetime, and that lifetime comes from a churn count
over every paying subscription (supportops/ltv.py): hundreds of milliseconds at 100,000
customers, on each view of a customer's page, for a number that moves only when the data does
or a month ends. So the basis is kept under (the month of `now` in the reporting time zone, the
LTV cap, data version), as the overview keeps its result (metrics/overview_cache.py), and
recomputed once after any of them moves. The churn reads the month starts only, so the month
is all of `now` that matters.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.cache import cache

from supportops.data_version import data_version
from supportops.models import MetricSettings

from .ltv import LtvBasis, ltv_basis_for
from .periods import Month

# A bound on how long an entry lives, should a writer ever forget to move the version.
TIMEOUT_SECONDS = 6 * 60 * 60


def ltv_basis_key(*, now: datetime, settings: MetricSettings) -> str:
    """One query: the data version."""
    month = Month.containing(now, ZoneInfo(settings.reporting_timezone))
    return (
        f"supportops:ltv-basis:{month}:{settings.reporting_timezone}:"
        f"{settings.ltv_cap_months}:{data_version()}"
    )


def ltv_basis_cached(*, now: datetime, settings: MetricSettings) -> LtvBasis:
    """`ltv_basis_for(now=..., settings=...)`, from the cache when nothing has changed since."""
    key = ltv_basis_key(now=now, settings=settings)
    basis = cache.get(key)
    if basis is None:
        basis = ltv_basis_for(now=now, settings=settings)
        cache.set(key, basis, TIMEOUT_SECONDS)
    return basis

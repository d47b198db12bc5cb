"""Background jobs of the metrics: keep what is derived from the data in step with it.

"metrics.refresh_derived" runs after every finished sync (metrics/apps.py), when a customer page
finds the stored costs stale (supportops/customer_cost.py), and from beat every 15 minutes as a
backstop (supportops/schedules.py: a run abandoned by a killed worker sends no signal, and the
month in progress moves on at midnight without any data changing).
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .cached import dashboards_warm
from .customer_costs import customer_costs_refresh
from .overview_cache import overview_warm

REFRESH_DERIVED = "metrics.refresh_derived"


@shared_task(name=REFRESH_DERIVED)
def refresh_derived() -> dict:
    """Customers' support cost to date, then the overview of the default month and each
    dashboard's default view into the cache (so the first request after a sync is served from
    it; metrics/cached.py says which views). Each step does nothing when it is current
    already, so running it often costs a few queries."""
    now = timezone.now()
    outcome = customer_costs_refresh(now=now)
    warmed = overview_warm(now=now)
    dashboards = dashboards_warm(now=now)
    return {
        "customer_costs_refreshed": outcome.refreshed,
        "data_version": outcome.data_version,
        "months": outcome.months,
        "rows_written": outcome.written,
        "rows_removed": outcome.removed,
        "overview_month": None if warmed is None else str(warmed),
        "dashboards_warmed": dashboards,
    }

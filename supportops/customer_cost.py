"""A customer's support cost to date, read from the rows the refresh keeps (CustomerMonthCost).

Why here and not in metrics: the customers API (supportops/api/customers.py) shows it too, and
supportops imports no metrics code. The refresh that writes the rows is metrics' (metrics/
customer_costs.py, run by the task "metrics.refresh_derived"); this side only reads them and,
when they are stale, asks for that task by name.

Stale means the rows were computed at another data version (supportops/data_version.py), on
another day in the reporting time zone (the month in progress is cut at the start of today, so
its share grows every day without any data changing), or in another currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from celery import current_app
from django.db import transaction
from django.db.models import Subquery, Sum
from django.utils import timezone

from .models import CustomerCostState, CustomerMonthCost, DataVersion, MetricSettings

REFRESH_TASK = "metrics.refresh_derived"
STATE_PK = 1
CENTS = 100


@dataclass(frozen=True)
class CostToDate:
    amount: Decimal | None  # None: never computed
    currency: str  # the reporting currency the rows were computed in
    as_of: datetime | None  # when the rows were computed
    stale: bool  # the data, the day or the currency moved since: a refresh is due


def state_is_current(
    *, data_version, refreshed_at, currency, current_version, settings_currency, tz, now
) -> bool:
    """Whether rows computed at (data_version, refreshed_at, currency) still hold at `now`."""
    if data_version is None or refreshed_at is None:
        return False
    return (
        data_version == current_version
        and currency == settings_currency
        and refreshed_at.astimezone(tz).date() == now.astimezone(tz).date()
    )


def customer_cost_to_date(customer_id: int, *, now: datetime | None = None) -> CostToDate:
    """Σ of the customer's stored monthly cents, with when they were computed and whether they
    still hold: one query (the state row, with the sum, the data version and the settings
    beside it as subqueries)."""
    now = now or timezone.now()
    total = (
        CustomerMonthCost.objects.filter(customer_id=customer_id)
        .order_by()
        .values("customer_id")
        .annotate(cents=Sum("cost_cents"))
        .values("cents")
    )
    settings = MetricSettings.objects.filter(pk=1)
    row = (
        CustomerCostState.objects.filter(pk=STATE_PK)
        .annotate(
            cents=Subquery(total),
            current_version=Subquery(DataVersion.objects.filter(pk=1).values("number")),
            tz_name=Subquery(settings.values("reporting_timezone")),
            settings_currency=Subquery(settings.values("currency")),
        )
        .values(
            "data_version",
            "refreshed_at",
            "currency",
            "cents",
            "current_version",
            "tz_name",
            "settings_currency",
        )
        .first()
    )
    if row is None or row["refreshed_at"] is None:
        return CostToDate(amount=None, currency="", as_of=None, stale=True)
    current = state_is_current(
        data_version=row["data_version"],
        refreshed_at=row["refreshed_at"],
        currency=row["currency"],
        current_version=row["current_version"] or 0,
        settings_currency=row["settings_currency"] or row["currency"],
        tz=ZoneInfo(row["tz_name"] or "UTC"),
        now=now,
    )
    return CostToDate(
        amount=Decimal(row["cents"] or 0) / CENTS,
        currency=row["currency"].upper(),
        as_of=row["refreshed_at"],
        stale=not current,
    )


def derived_refresh_request() -> bool:
    """Ask for "metrics.refresh_derived" once the current transaction commits (at once outside
    one). By name: supportops imports no metrics code; Celery resolves the name to the task, so
    without a broker (eager) it runs here and now.

    Returns whether it has already run here (eager, outside a transaction), so a page can read
    the fresh rows instead of showing the stale ones as being recomputed.
    """
    ran = []

    def send():
        current_app.signature(REFRESH_TASK).delay()
        ran.append(current_app.conf.task_always_eager)

    transaction.on_commit(send, robust=True)
    return bool(ran) and ran[0]

"""Every customer's share of every month's team cost, stored: the support cost to date.

A customer's share of a month depends on every customer's replies that month (the largest
remainder ranks them all: DESIGN.md §4 "Cost allocation"), so one customer's total to date would
otherwise rank every customer in every month on each page view. The refresh computes all of them
at once, in the database, and replaces the rows in one transaction; pages read a sum over one
customer's rows (supportops/customer_cost.py).

The months run from the first month with a cost input (the earliest team member or expense start)
through the month in progress, which is cut as the allocation cuts it: its team cost covers the
days through yesterday, its replies those before the start of today (metrics.cost's window). So
each stored month equals what `metrics/allocation/?by=customer&month=` gives that customer.

One statement computes them: replies per (month in the reporting time zone, ticket customer),
compiled from the ORM with the allocation's own filter (metrics.allocation.replies_in), joined
with each month's team cost in cents, shared out by metrics/allocation_sql.py (the same CTEs as
support cost vs revenue), into a temporary table. Then, in the same transaction, the stored rows
that differ are deleted and the missing ones inserted. Why not delete everything and insert it
all again: a sync changes the month in progress and little else, and writing every row (three
indexes and a foreign key check each) took longer than computing them (bench/metrics.py
"customer costs refresh": at 443,000 rows, the write alone was slower than the whole compute;
writing the difference takes a fraction of it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, Min
from django.db.models.functions import Cast, ExtractMonth, ExtractYear

from supportops.customer_cost import (
    STATE_PK,
    CostToDate,
    customer_cost_to_date,
    state_is_current,
)
from supportops.data_version import data_version
from supportops.models import (
    CustomerCostState,
    CustomerMonthCost,
    Expense,
    Interaction,
    MetricSettings,
    TeamMember,
)

from .allocation import CENTS, MonthSpan, replies_in, window_spans
from .allocation_sql import largest_remainder_ctes
from .periods import Month, Window

__all__ = ["CostToDate", "RefreshOutcome", "customer_cost_to_date", "customer_costs_refresh"]


@dataclass(frozen=True)
class RefreshOutcome:
    refreshed: bool  # False: the rows already held for this version, day and currency
    data_version: int
    months: int = 0  # months shared out (0: no cost input yet)
    written: int = 0  # rows inserted (new, or with other cents than before)
    removed: int = 0  # rows deleted (gone, or with other cents than before)


def _ym(month: Month) -> int:
    return month.year * 12 + month.month - 1


def first_cost_month() -> Month | None:
    """The month of the earliest start of a team member or an expense: two queries."""
    starts = [
        model.objects.aggregate(first=Min("start_date"))["first"] for model in (TeamMember, Expense)
    ]
    starts = [start for start in starts if start is not None]
    if not starts:
        return None
    first = min(starts)
    return Month(first.year, first.month)


def spans_to_date(*, now: datetime, tz: ZoneInfo) -> list[MonthSpan]:
    """Every month from the first with a cost input through the one in progress, with its team
    cost as the allocation takes it: five queries (first cost month: 2, team_cost_trend: 3)."""
    first = first_cost_month()
    current = Month.containing(now, tz)
    if first is None or first > current:
        return []
    return window_spans(window=Window(first, current), tz=tz, now=now)


def _replies_sql(spans: list[MonthSpan], tz: ZoneInfo) -> tuple[str, tuple]:
    """Agent public replies per (year × 12 + month − 1 in `tz`, ticket customer)."""
    # an integer: PostgreSQL's EXTRACT gives numeric, slow to sort and hash by
    ym = Cast(
        ExtractYear("created_at", tzinfo=tz) * 12 + ExtractMonth("created_at", tzinfo=tz) - 1,
        IntegerField(),
    )
    queryset = (
        Interaction.objects.filter(replies_in(spans[0].start_at, spans[-1].end_at))
        .annotate(ym=ym)
        .values("ym", ticket_customer=F("ticket__customer_id"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, tuple(params)


def _month_param() -> str:
    # SQLite stores a DateField as ISO text; CAST(... AS date) there would make it a number
    return "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"


def shares_statement(spans: list[MonthSpan], tz: ZoneInfo) -> tuple[str, list]:
    """SELECT every (customer_id, month, cost_cents) the allocation gives, for `spans`."""
    replies_sql, replies_params = _replies_sql(spans, tz)
    values = ", ".join(
        f"(CAST(%s AS integer), CAST(%s AS bigint), {_month_param()})" for _ in spans
    )
    costs_params = []
    for span in spans:
        costs_params += [_ym(span.month), int(span.team_cost * CENTS), span.month.first_date]
    sql = f"""
WITH counts AS (
    SELECT ym, ticket_customer AS customer_id, n FROM ({replies_sql}) AS replies
),
costs (ym, cents, month) AS (VALUES {values}),
weights AS (
    SELECT c.ym AS i, c.cents, r.customer_id, r.n
    FROM counts r JOIN costs c ON c.ym = r.ym
    WHERE r.n > 0
),
{largest_remainder_ctes("weights")}
SELECT s.customer_id, c.month, s.cost_cents
FROM shared s JOIN costs c ON c.ym = s.i
WHERE s.customer_id IS NOT NULL
"""
    return sql, [*replies_params, *costs_params]


FRESH = "customer_costs_fresh"


def _replace_rows(spans: list[MonthSpan], tz: ZoneInfo) -> tuple[int, int]:
    """Make the stored rows those the shares give: (inserted, deleted). Six queries."""
    table = CustomerMonthCost._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FRESH}")
        if spans:
            sql, params = shares_statement(spans, tz)
            cursor.execute(f"CREATE TEMPORARY TABLE {FRESH} AS {sql}", params)
        else:
            cursor.execute(f"CREATE TEMPORARY TABLE {FRESH} AS SELECT * FROM {table} WHERE 1 = 0")
        # nothing analyzes a temporary table by itself; the two anti-joins plan better with
        # its row count known (PostgreSQL: 3.2 s → 2.4 s at 443,000 rows)
        cursor.execute(f"ANALYZE {FRESH}")
        cursor.execute(
            f"""DELETE FROM {table} WHERE NOT EXISTS (
                SELECT 1 FROM {FRESH} f WHERE f.customer_id = {table}.customer_id
                AND f.month = {table}.month AND f.cost_cents = {table}.cost_cents)"""
        )
        deleted = cursor.rowcount
        # What is left after the DELETE equals its fresh row, so a (customer, month) already
        # stored is skipped through the unique index. Not an anti-join against the table being
        # written: planned while that is empty (the first refresh of a loaded database), the
        # anti-join went row by row against its growing heap (the 1M-ticket bench data set:
        # ~70 rows/s, some 300,000 of 443,569 rows after 20 minutes; now seconds).
        # `WHERE true`: SQLite's parser needs a WHERE before ON CONFLICT in INSERT ... SELECT.
        cursor.execute(
            f"""INSERT INTO {table} (customer_id, month, cost_cents)
            SELECT customer_id, month, cost_cents FROM {FRESH} WHERE true
            ON CONFLICT (customer_id, month) DO NOTHING"""
        )
        inserted = cursor.rowcount
        cursor.execute(f"DROP TABLE {FRESH}")
    return inserted, deleted


def customer_costs_refresh(*, now: datetime) -> RefreshOutcome:
    """Recompute every customer's monthly cents and replace the stored rows, in one transaction
    (readers see the old rows until it commits). Nothing happens when the stored rows hold for
    the current data version, day and currency.

    The state row is locked first, so two refreshes at once (beat and a sync) run one after the
    other and the second finds nothing to do. The data version is read before computing: a
    change made meanwhile leaves the rows marked with the older version, hence stale.
    Queries: lock the state, data version, settings; when due, 5 for the months and their team
    costs, 6 to replace the rows (_replace_rows), the state's save.
    """
    with transaction.atomic():
        state, _ = CustomerCostState.objects.select_for_update().get_or_create(pk=STATE_PK)
        version = data_version()
        settings = MetricSettings.load()
        tz = ZoneInfo(settings.reporting_timezone)
        if state_is_current(
            data_version=state.data_version,
            refreshed_at=state.refreshed_at,
            currency=state.currency,
            current_version=version,
            settings_currency=settings.currency,
            tz=tz,
            now=now,
        ):
            return RefreshOutcome(refreshed=False, data_version=version)
        spans = spans_to_date(now=now, tz=tz)
        written, removed = _replace_rows(spans, tz)
        state.data_version = version
        state.refreshed_at = now
        state.currency = settings.currency
        state.save(update_fields=["data_version", "refreshed_at", "currency"])
    return RefreshOutcome(
        refreshed=True, data_version=version, months=len(spans), written=written, removed=removed
    )


def month_costs(customer_id: int) -> dict[date, int]:
    """The stored cents per month of one customer (for tests and the benchmark)."""
    return dict(
        CustomerMonthCost.objects.filter(customer_id=customer_id)
        .order_by("month")
        .values_list("month", "cost_cents")
    )

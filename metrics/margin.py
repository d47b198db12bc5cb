"""Support cost vs revenue (DESIGN.md §4): which customers cost more to support than they pay.

A customer's support cost over a window is the sum, over its months, of the cost allocated to
it by customer on the reply basis (largest remainder per month, exactly as
metrics.allocation.largest_remainder shares it, so it equals the allocation endpoint's
by=customer rows); revenue is what its invoices paid in the window paid, in the reporting
currency.

The database does the allocating, the adding up, the ordering, the page and the counts
(metrics/margin_sql.py, one statement), so only the rows asked for reach Python: at 100,000
customers the per-customer work in Python cost more than the queries. Queries: the months' team
costs (metrics.allocation.window_spans), the margin statement, the plans of the rows returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from supportops.models import Customer, MetricSettings
from supportops.money import minor_to_major

from .allocation import CENTS, NO_PLAN, MonthSpan, plan_at, plans_at, window_spans
from .allocation_results import MarginResult, MarginRow
from .margin_sql import MarginLine, margin_lines
from .periods import Window

CENT = Decimal("0.01")


def _cents(cents: int) -> Decimal:
    return (Decimal(cents) / CENTS).quantize(CENT)


def _plans(lines: Sequence[MarginLine], at: datetime, *, every: bool) -> dict[int, str]:
    """The plans at `at` of the customers of `lines` (one query; none without lines): for a
    page, looked up for its customers only; for the whole list, one pass over every paying
    subscription (metrics.allocation.plans_at) beats tens of thousands of lookups."""
    if not lines:
        return {}
    if every:
        return plans_at(at)
    ids = [line.customer_id for line in lines]
    return dict(
        Customer.objects.filter(pk__in=ids)
        .annotate(plan_name=plan_at(at))
        .values_list("pk", "plan_name")
    )


def _row(line: MarginLine, plans: dict[int, str], currency: str) -> MarginRow:
    support_cost = _cents(line.cost_cents)
    revenue = minor_to_major(line.revenue_minor, currency)
    return MarginRow(
        customer_id=line.customer_id,
        customer=line.name,
        plan=plans.get(line.customer_id) or NO_PLAN,
        support_cost=support_cost,
        revenue=revenue,
        margin=revenue - support_cost,
        cost_to_revenue=support_cost / revenue if revenue else None,
        unprofitable=support_cost > revenue,
        other_currency_invoices=line.other_currency,
    )


def margins(
    *,
    spans: Sequence[MonthSpan],
    window: Window,
    currency: str,
    unprofitable_only: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> MarginResult:
    """Support cost vs revenue over `spans`, the months of `window`: `limit` rows from
    `offset` of the list, worst margin first (None: every row), with the whole list's counts.
    `unprofitable_only` keeps only the unprofitable in the rows and in `count`.

    Two queries (one without a row to return): the margin statement, the rows' plans.
    """
    totals, lines = margin_lines(
        spans, currency, unprofitable_only=unprofitable_only, offset=offset, limit=limit
    )
    last = spans[-1]
    plans = _plans(lines, last.end_at, every=limit is None)  # the plan at the window's end
    return MarginResult(
        window=window,
        currency=currency,
        skipped_other_currency=totals.skipped_other_currency,
        rows=tuple(_row(line, plans, currency) for line in lines),
        customers=totals.customers,
        count=totals.listed,
        unprofitable_count=totals.unprofitable,
        unprofitable_margin=_cents(totals.unprofitable_margin_cents),
        in_progress=last.in_progress,
        through_date=last.through_date,
    )


def support_margin(
    *,
    window: Window,
    now: datetime,
    unprofitable_only: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> MarginResult:
    """Support cost vs revenue of the customers with either in `window`, worst margin first:
    `limit` rows from `offset` (None: every one), and the counts of the whole list.

    Six queries whatever the window's length: settings, the months' team costs (three), the
    margin statement, the plans of the rows returned (none when no row is). The month in
    progress counts its days through yesterday; a month not started raises MonthUnavailable.
    """
    settings = MetricSettings.load()
    tz = ZoneInfo(settings.reporting_timezone)
    spans = window_spans(window=window, tz=tz, now=now)
    return margins(
        spans=spans,
        window=window,
        currency=settings.currency,
        unprofitable_only=unprofitable_only,
        offset=offset,
        limit=limit,
    )

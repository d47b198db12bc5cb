"""Support cost vs revenue (DESIGN.md §4): which customers cost more to support than they pay.

A customer's support cost over a window is the sum, over its months, of the cost allocated to
it by customer on the reply basis (metrics/allocation.py, largest remainder per month, so it
equals the allocation endpoint's by=customer rows); revenue is what its invoices paid in the
window paid, in the reporting currency.

A bounded number of queries whatever the window's length: the months' team costs (five, via
metrics.cost.cost_trend), one of replies per customer and month, one of customers with their
revenue, invoices in another currency and plan. The combining runs in Python over those
aggregates (customers × months), never over ticket or invoice rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, Sum
from django.db.models.functions import Coalesce

from supportops.models import Customer, Interaction, MetricSettings
from supportops.money import minor_to_major

from .allocation import (
    NO_PLAN,
    UNLINKED,
    MonthSpan,
    largest_remainder,
    plan_at,
    replies_in,
    reply_counts,
    window_spans,
)
from .allocation_results import MarginResult, MarginRow
from .periods import Window

PAID = "paid"


def _support_costs(spans: Sequence[MonthSpan]) -> dict[int, Decimal]:
    """Each customer's allocated cost summed over `spans` (one query)."""
    per_customer = reply_counts(spans, group={"customer": F("ticket__customer_id")})
    costs: dict[int, Decimal] = defaultdict(Decimal)
    for i, span in enumerate(spans):
        # The keys of allocation by customer (UNLINKED for the tickets of no customer),
        # so the largest-remainder ties fall the same way.
        weights = {
            UNLINKED if customer is None else str(customer): counts[i]
            for (customer,), counts in per_customer.items()
            if counts[i]
        }
        for key, cost in largest_remainder(span.team_cost, weights).items():
            if key != UNLINKED:
                costs[int(key)] += cost
    return costs


def _customers(spans: Sequence[MonthSpan], currency: str):
    """Customers with replies or paid invoices in the window: revenue (minor units, reporting
    currency), invoices paid in another currency, and the plan at the window's end."""
    start_at, end_at = spans[0].start_at, spans[-1].end_at
    # The invoices paid in the window, as the join's condition: the join (and the GROUP BY)
    # then reads only those rows, not every invoice of every customer.
    paid = Q(invoices__status=PAID, invoices__paid_at__gte=start_at, invoices__paid_at__lt=end_at)
    same_currency = Q(paid_invoices__currency__iexact=currency)
    replied = Exists(
        Interaction.objects.filter(replies_in(start_at, end_at), ticket__customer=OuterRef("pk"))
    )
    return (
        Customer.objects.annotate(paid_invoices=FilteredRelation("invoices", condition=paid))
        .annotate(
            revenue_minor=Coalesce(
                Sum("paid_invoices__amount_paid_minor", filter=same_currency), 0
            ),
            other_currency=Count("paid_invoices", filter=~same_currency),
            has_replies=replied,
            plan_name=plan_at(end_at),
        )
        .filter(Q(revenue_minor__gt=0) | Q(other_currency__gt=0) | Q(has_replies=True))
        .values("pk", "name", "revenue_minor", "other_currency", "plan_name")
        .order_by()
    )


def margins(*, spans: Sequence[MonthSpan], window: Window, currency: str) -> MarginResult:
    """Support cost vs revenue over `spans`, the months of `window` (two queries)."""
    costs = _support_costs(spans)
    rows, skipped = [], 0
    for customer in _customers(spans, currency):
        skipped += customer["other_currency"]
        support_cost = costs.get(customer["pk"], Decimal("0.00"))
        revenue = minor_to_major(customer["revenue_minor"], currency)
        if not support_cost and not revenue:
            continue  # neither cost nor revenue in the window
        rows.append(
            MarginRow(
                customer_id=customer["pk"],
                customer=customer["name"],
                plan=customer["plan_name"] or NO_PLAN,
                support_cost=support_cost,
                revenue=revenue,
                margin=revenue - support_cost,
                cost_to_revenue=support_cost / revenue if revenue else None,
                unprofitable=support_cost > revenue,
                other_currency_invoices=customer["other_currency"],
            )
        )
    rows.sort(key=lambda row: (row.margin, row.customer, row.customer_id))
    last = spans[-1]
    return MarginResult(
        window=window,
        currency=currency,
        skipped_other_currency=skipped,
        rows=tuple(rows),
        in_progress=last.in_progress,
        through_date=last.through_date,
    )


def support_margin(*, window: Window, now: datetime) -> MarginResult:
    """Support cost vs revenue of every customer with either in `window`, worst margin first.

    Eight queries whatever the window's length: settings, the months' team costs (five),
    replies per customer and month, customers with revenue and plan. The month in progress
    counts its days through yesterday; a month not started raises MonthUnavailable.
    """
    settings = MetricSettings.load()
    tz = ZoneInfo(settings.reporting_timezone)
    spans = window_spans(window=window, tz=tz, now=now)
    return margins(spans=spans, window=window, currency=settings.currency)

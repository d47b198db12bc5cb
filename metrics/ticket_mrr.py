"""MRR of the customers who filed tickets in a month (the exec report's "how much revenue
talks to support"), DESIGN.md §4 vocabulary.

The MRR counted is each customer's at the end of the month (its start of the next day, in the
reporting time zone; the month in progress: now), from the subscriptions paying then
(supportops.paying.paying_at) — not today's MRR, so a month's figure does not move when a
customer churns later, and month-over-month and year-over-year changes compare like with like.
Subscriptions billed in another currency than the reporting one are counted apart, never added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce

from supportops.models import MetricSettings, Subscription, Ticket
from supportops.money import minor_to_major
from supportops.paying import paying_at

from .cost import MonthUnavailable
from .periods import Month


@dataclass(frozen=True)
class TicketMrr:
    month: Month
    currency: str
    at: datetime  # the instant the MRR is read at
    customers: int  # distinct customers with a ticket created in the month
    paying_customers: int  # of those, paying at `at` in the reporting currency
    mrr: Decimal  # Σ their MRR at `at`, reporting currency
    other_currency_customers: int  # with a subscription paying at `at` in another currency
    in_progress: bool


def ticket_customer_mrr(*, month: Month, now: datetime) -> TicketMrr:
    """Three queries whatever the data: settings, the subscriptions' aggregate, the customers'."""
    settings = MetricSettings.load()
    tz = ZoneInfo(settings.reporting_timezone)
    current = Month.containing(now, tz)
    if month > current:
        raise MonthUnavailable(f"{month.label} has not started yet", nearest=current)
    start_at, end_at = month.bounds(tz)
    at = min(end_at, now)
    filed = Ticket.objects.filter(
        customer_id=OuterRef("customer_id"),
        is_deleted=False,
        created_at__gte=start_at,
        created_at__lt=end_at,
    )
    same = Q(currency__iexact=settings.currency)
    found = (
        Subscription.objects.filter(paying_at(at), Exists(filed), customer_id__isnull=False)
        .order_by()
        .aggregate(
            mrr_minor=Coalesce(Sum("list_mrr_minor", filter=same), 0),
            paying=Count("customer_id", filter=same, distinct=True),
            other=Count("customer_id", filter=~same, distinct=True),
        )
    )
    customers = (
        Ticket.objects.filter(
            is_deleted=False,
            created_at__gte=start_at,
            created_at__lt=end_at,
            customer_id__isnull=False,
        )
        .order_by()
        .aggregate(n=Count("customer_id", distinct=True))["n"]
    )
    return TicketMrr(
        month=month,
        currency=settings.currency,
        at=at,
        customers=customers,
        paying_customers=found["paying"],
        mrr=minor_to_major(found["mrr_minor"], settings.currency),
        other_currency_customers=found["other"],
        in_progress=month == current,
    )

"""Paying at an instant (DESIGN.md §4), in one place for every metric that asks.

A customer is paying at `at` when one of its subscriptions is. Cohorts (paying at the start of
a window), allocation buckets (paying at the end of a month), LTV churn and retention (paying
at the start of a month, not at its end) all use these expressions, inside their own querysets
and conditional aggregates: no rows are loaded to decide.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Case, Exists, IntegerField, Max, OuterRef, Q, QuerySet, Value, When

from .models import Subscription

PAYING_STATUSES = ("active", "past_due")
# An ended subscription with this status never became paying: its first payment never went
# through (Stripe expires an `incomplete` subscription after 23 hours).
NEVER_PAID_STATUSES = ("incomplete_expired",)


def paying_at(at: datetime) -> Q:
    """Subscriptions paying at `at`, for Subscription querysets.

    - `list_mrr_minor > 0`: the MRR the subscription carries while live. Its current MRR
      (`mrr_minor`) is 0 once it is canceled, so it cannot say what it paid before; a free
      price never pays.
    - started by `at`, and not ended by it (`ended_at` is the first instant it no longer runs).
    - past its trial at `at`: a trial is not paying, even one that later converts.
    - its status: a live subscription (no `ended_at`) is `active` or `past_due` now (Stripe's
      convention; trialing, incomplete, unpaid and paused ones are not paying). An ended one
      was paying until its end, unless its status shows it never paid (`incomplete_expired`).
      One canceled during its trial never pays: no instant is both past its trial and before
      its end. We keep no status history, so a live subscription's current status stands for
      every instant since it started.
    """
    live = Q(ended_at__isnull=True, status__in=PAYING_STATUSES)
    ended_after = Q(ended_at__gt=at) & ~Q(status__in=NEVER_PAID_STATUSES)
    past_trial = Q(trial_end_at__isnull=True) | Q(trial_end_at__lte=at)
    return Q(list_mrr_minor__gt=0, started_at__lte=at) & past_trial & (live | ended_after)


def customers_paying_at(at: datetime, *, customer: str = "pk") -> Exists:
    """True for a row whose customer is paying at `at`.

    `customer` names the outer query's customer id: "pk" in Customer querysets
    (`Customer.objects.filter(customers_paying_at(at))`), e.g. "customer_id" in Ticket ones.
    Usable in filter(), annotate() and as an aggregate's `filter=`; combine with `~`, `&`, `|`.
    """
    return Exists(Subscription.objects.filter(paying_at(at), customer_id=OuterRef(customer)))


def customers_stopped_paying(start: datetime, end: datetime, *, customer: str = "pk") -> Q:
    """Stopped paying between `start` and `end` (a month M: its start and end): paying at
    `start`, not at `end`."""
    return customers_paying_at(start, customer=customer) & ~customers_paying_at(
        end, customer=customer
    )


def paying_flags(instants: Sequence[datetime]) -> QuerySet:
    """One row per customer with a subscription that could pay at one of `instants`:
    `customer_id` and, for each instant i, `paying_i` = 1 when the customer is paying then,
    else 0.

    Why: asking "paying at t?" of every customer for many instants (LTV churn: 13 month
    starts) as an EXISTS per customer and instant is millions of index probes at 100,000
    customers; this is one pass over the subscriptions that can matter, grouped by customer.
    A customer with no row is paying at none of the instants. Aggregate over it, e.g.
    `paying_flags(ts).aggregate(n=Sum("paying_0"))`.
    """
    earliest, latest = min(instants), max(instants)
    return (
        Subscription.objects.filter(
            Q(ended_at__isnull=True) | Q(ended_at__gt=earliest),
            customer_id__isnull=False,
            list_mrr_minor__gt=0,
            started_at__lte=latest,
        )
        .order_by()
        .values("customer_id")
        .annotate(
            **{
                f"paying_{i}": Max(
                    Case(When(paying_at(at), then=Value(1)), default=Value(0)),
                    output_field=IntegerField(),
                )
                for i, at in enumerate(instants)
            }
        )
    )

"""Customer attributes derived from billing (DESIGN.md §3): plan, paying, enterprise, MRR.

Set-based: each function is a fixed number of UPDATE statements, whatever the customer count.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .models import Charge, Customer, CustomerIdentity, Invoice, MetricSettings, Subscription

COUNTING_STATUSES = ("active", "past_due")


def enterprise_plan_q(*, pattern: str) -> Q:
    """Subscriptions whose plan's product name or price nickname matches `pattern`
    (MetricSettings.enterprise_plan_pattern), case-insensitive, anywhere in the name."""
    return Q(plan__product_name__iregex=pattern) | Q(plan__name__iregex=pattern)


def _enterprise_plan_pattern() -> str:
    stored = MetricSettings.objects.filter(pk=1).values_list("enterprise_plan_pattern", flat=True)
    return stored.first() or MetricSettings._meta.get_field("enterprise_plan_pattern").default


def billing_links_refresh(*, source: str) -> int:
    """Point subscriptions, invoices and charges at their billing customer's current Customer.

    Only rows whose link is stale are written: it runs after every Stripe sync, and rewriting
    every invoice each time (wide rows with their JSON) cost more than the sync's own writes.
    Returns how many rows it relinked.
    """
    identities = CustomerIdentity.objects.filter(
        source=source, external_id=OuterRef("customer_external_id")
    )
    owner = identities.values("customer_id")[:1]
    has_owner = Exists(identities.filter(customer__isnull=False))
    same_owner = Exists(identities.filter(customer_id=OuterRef("customer_id")))
    return sum(
        model.objects.filter(source=source)
        .exclude(customer_external_id="")
        .filter(~same_owner & (has_owner | Q(customer__isnull=False)))
        .update(customer_id=Subquery(owner))
        for model in (Subscription, Invoice, Charge)
    )


def customer_billing_refresh(*, enterprise_pattern: str | None = None) -> int:
    """Recompute plan, is_paying, is_enterprise, mrr_minor and currency of billed customers.

    A customer counts what its `active` and `past_due` subscriptions count; its plan is the one
    of its largest such subscription (None once nothing is live). Customers with no subscription
    rows at all are left alone. A customer is Enterprise when a counting subscription's plan
    matches `enterprise_pattern` (default: the stored MetricSettings.enterprise_plan_pattern).
    Returns the number of customers updated.
    """
    if enterprise_pattern is None:
        enterprise_pattern = _enterprise_plan_pattern()
    counting = Subscription.objects.filter(customer_id=OuterRef("pk"), status__in=COUNTING_STATUSES)
    top = counting.order_by("-mrr_minor", "-started_at", "-id")
    total = (
        counting.order_by().values("customer_id").annotate(total=Sum("mrr_minor")).values("total")
    )
    billed = Exists(Subscription.objects.filter(customer_id=OuterRef("pk")))
    return Customer.objects.filter(billed).update(
        mrr_minor=Coalesce(Subquery(total), Value(0)),
        plan_id=Subquery(top.values("plan_id")[:1]),
        currency=Coalesce(Subquery(top.values("currency")[:1]), F("currency")),
        is_paying=Exists(counting.filter(mrr_minor__gt=0)),
        is_enterprise=Exists(counting.filter(enterprise_plan_q(pattern=enterprise_pattern))),
    )

"""Customer attributes derived from billing (DESIGN.md §3): plan, paying, enterprise, MRR.

Set-based: each function is a fixed number of UPDATE statements, whatever the customer count.
"""

from __future__ import annotations

from django.db import connection
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
    A join, not a subquery per row: at 100,000 invoices the per-row lookups took seconds on
    every run, even when nothing was stale. Rows whose billing customer has no identity lose
    their link. Returns how many rows it relinked.
    """
    identity = CustomerIdentity._meta.db_table
    relinked = 0
    with connection.cursor() as cursor:
        for model in (Subscription, Invoice, Charge):
            table = model._meta.db_table
            cursor.execute(
                f"UPDATE {table} SET customer_id = i.customer_id FROM {identity} i "
                f"WHERE {table}.source = %s AND {table}.customer_external_id <> '' "
                f"AND i.source = %s AND i.external_id = {table}.customer_external_id "
                f"AND {table}.customer_id IS DISTINCT FROM i.customer_id",
                [source, source],
            )
            relinked += cursor.rowcount
            cursor.execute(
                f"UPDATE {table} SET customer_id = NULL WHERE source = %s "
                f"AND customer_external_id <> '' AND customer_id IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {identity} i WHERE i.source = %s "
                f"AND i.external_id = {table}.customer_external_id)",
                [source, source],
            )
            relinked += cursor.rowcount
    return relinked


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

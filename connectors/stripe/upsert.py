"""Idempotent bulk writes of billing records, keyed on (source, external_id).

Same rules as ../upsert.py: one INSERT ... ON CONFLICT per model per page, foreign keys resolved
with one lookup query per page, customer links left to identity resolution.
"""

from __future__ import annotations

from django.utils import timezone

from supportops.identity import identities_resolve
from supportops.models import Charge, CustomerIdentity, Invoice, Plan, Subscription

from ..records import AccountRecord
from ..upsert import UNIQUE, _dedupe, accounts_upsert, owned_rows_upsert
from .records import ChargeRecord, Deletion, InvoiceRecord, PlanRecord, SubscriptionRecord

PLAN_FIELDS = ["name", "unit_amount_minor", "currency", "interval", "interval_count", "is_active"]
SUBSCRIPTION_FIELDS = [
    "customer", "customer_external_id", "plan", "status", "quantity", "mrr_minor", "list_mrr_minor",
    "currency", "started_at", "trial_end_at", "canceled_at", "ended_at", "extra", "synced_at",
]  # fmt: skip
INVOICE_FIELDS = [
    "customer", "customer_external_id", "subscription_external_id", "status", "amount_due_minor",
    "amount_paid_minor", "currency", "created_at", "paid_at", "period_start_at", "period_end_at",
    "extra", "synced_at",
]  # fmt: skip
CHARGE_FIELDS = [
    "customer", "customer_external_id", "invoice_external_id", "payment_intent_external_id",
    "amount_minor", "amount_captured_minor", "amount_refunded_minor", "currency", "status", "paid",
    "refunded", "disputed", "failure_code", "failure_message", "created_at", "extra", "synced_at",
]  # fmt: skip


def plans_upsert(records: list[PlanRecord]) -> int:
    """Prices; a record without a product name (product not expanded) keeps the stored one."""
    records = _dedupe(records)
    now = timezone.now()
    for named in (True, False):
        rows = [
            Plan(
                source=r.source,
                external_id=r.external_id,
                name=r.name[:255],
                product_name=r.product_name[:255],
                unit_amount_minor=r.unit_amount_minor,
                currency=r.currency,
                interval=r.interval[:10],
                interval_count=r.interval_count,
                is_active=r.is_active,
                extra=r.extra,
                synced_at=now,
            )
            for r in records
            if bool(r.product_name) == named
        ]
        extra = ["product_name", "extra"] if named else []
        Plan.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=UNIQUE,
            update_fields=[*PLAN_FIELDS, *extra, "synced_at"],
        )
    return len(records)


def _plan_ids(records: list[SubscriptionRecord]):
    plans = dict(
        Plan.objects.filter(
            source=records[0].source, external_id__in={r.plan_external_id for r in records}
        ).values_list("external_id", "id")
    )
    return lambda r: {"plan_id": plans.get(r.plan_external_id)}


def subscriptions_upsert(records: list[SubscriptionRecord]) -> int:
    return owned_rows_upsert(
        Subscription,
        records,
        owner_field="customer_external_id",
        update_fields=SUBSCRIPTION_FIELDS,
        resolve=_plan_ids,
    )


def invoices_upsert(records: list[InvoiceRecord]) -> int:
    return owned_rows_upsert(
        Invoice, records, owner_field="customer_external_id", update_fields=INVOICE_FIELDS
    )


def charges_upsert(records: list[ChargeRecord]) -> int:
    return owned_rows_upsert(
        Charge, records, owner_field="customer_external_id", update_fields=CHARGE_FIELDS
    )


def deletions_apply(records: list[Deletion]) -> int:
    """Deleted customers are marked (history stays); deleted drafts go; deleted prices retire."""
    written = 0
    for kind, model, change in (
        ("customer", CustomerIdentity, {"is_deleted": True}),
        ("price", Plan, {"is_active": False}),
    ):
        ids = {(r.source, r.external_id) for r in records if r.kind == kind}
        for source in {s for s, _ in ids}:
            written += model.objects.filter(
                source=source, external_id__in=[e for s, e in ids if s == source]
            ).update(**change)
    for r in records:
        if r.kind == "invoice":
            written += Invoice.objects.filter(source=r.source, external_id=r.external_id).delete()[
                0
            ]
    return written


def records_write(records: list) -> int:
    """Write one page of mixed billing records, parents before children.

    A page's customers are linked (identity resolution) before its subscriptions and invoices
    are written, so they find their owner. Resolution still loads every customer's domains
    and keys (supportops/identity.py), so a first sync pays it once per write of
    streams.PAGES_PER_WRITE list pages rather than once per page.
    """
    by_type: dict[type, list] = {}
    for record in records:
        by_type.setdefault(type(record), []).append(record)
    written = 0
    accounts = by_type.get(AccountRecord, [])
    if accounts:
        written += accounts_upsert(accounts)
        identities_resolve(source=accounts[0].source)
    written += plans_upsert(by_type.get(PlanRecord, []))
    written += subscriptions_upsert(by_type.get(SubscriptionRecord, []))
    written += invoices_upsert(by_type.get(InvoiceRecord, []))
    written += charges_upsert(by_type.get(ChargeRecord, []))
    written += deletions_apply(by_type.get(Deletion, []))
    return written

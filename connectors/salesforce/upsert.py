"""Writes of Salesforce records: opportunities and activities keyed on (source, external_id),
linked to the customer of their account, plus the Stripe-id evidence for account matching.
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from supportops.models import CustomerIdentity, Opportunity
from supportops.models.crm import CrmActivity

from .normalize import STRIPE_ID_FIELD
from .records import ActivityRecord, OpportunityRecord

UNIQUE = ["source", "external_id"]
OPPORTUNITY_FIELDS = [
    "customer", "account_external_id", "name", "stage", "amount", "currency", "is_closed",
    "is_won", "created_at", "close_date", "is_deleted", "extra", "synced_at",
]  # fmt: skip
ACTIVITY_FIELDS = [
    "customer", "account_external_id", "kind", "subject", "status", "occurred_at",
    "created_at", "is_deleted", "extra", "synced_at",
]  # fmt: skip


def _dedupe(records):
    return list({r.external_id: r for r in records}.values())


def _account_customers(source: str, account_ids) -> dict[str, int | None]:
    return dict(
        CustomerIdentity.objects.filter(
            source=source, external_id__in=set(account_ids) - {""}
        ).values_list("external_id", "customer_id")
    )


def opportunities_upsert(records: list[OpportunityRecord]) -> int:
    records = _dedupe(records)
    if not records:
        return 0
    customers = _account_customers(records[0].source, (r.account_external_id for r in records))
    now = timezone.now()
    rows = [
        Opportunity(
            source=r.source,
            external_id=r.external_id,
            customer_id=customers.get(r.account_external_id),
            account_external_id=r.account_external_id,
            name=r.name,
            stage=r.stage,
            amount=r.amount,
            currency=r.currency,
            is_closed=r.is_closed,
            is_won=r.is_won,
            created_at=r.created_at,
            close_date=r.close_date,
            is_deleted=r.is_deleted,
            extra=r.extra,
            synced_at=now,
        )
        for r in records
    ]
    Opportunity.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=UNIQUE, update_fields=OPPORTUNITY_FIELDS
    )
    return len(rows)


def activities_upsert(records: list[ActivityRecord]) -> int:
    records = _dedupe(records)
    if not records:
        return 0
    customers = _account_customers(records[0].source, (r.account_external_id for r in records))
    now = timezone.now()
    rows = [
        CrmActivity(
            source=r.source,
            external_id=r.external_id,
            customer_id=customers.get(r.account_external_id),
            account_external_id=r.account_external_id,
            kind=r.kind,
            subject=r.subject,
            status=r.status,
            occurred_at=r.occurred_at,
            created_at=r.created_at,
            is_deleted=r.is_deleted,
            extra=r.extra,
            synced_at=now,
        )
        for r in records
    ]
    CrmActivity.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=UNIQUE, update_fields=ACTIVITY_FIELDS
    )
    return len(rows)


def stripe_references(*, source: str) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """The Stripe customer each unmatched account names (``Stripe_Customer_Id__c``), in the
    shape ``identities_resolve(references=...)`` takes: explicit evidence like a shared key."""
    pending = CustomerIdentity.objects.filter(
        source=source, customer__isnull=True, is_deleted=False
    ).values_list("external_id", "extra")
    return {
        (source, external_id): [("stripe", str(extra[STRIPE_ID_FIELD]))]
        for external_id, extra in pending
        if isinstance(extra, dict) and extra.get(STRIPE_ID_FIELD)
    }


def crm_links_refresh(*, source: str) -> None:
    """Point opportunities and activities at their account's current customer (set-based), so
    an admin's manual link, or an account that arrived after its children, reaches every row."""
    account_customer = CustomerIdentity.objects.filter(
        source=source, external_id=OuterRef("account_external_id")
    ).values("customer_id")[:1]
    for model in (Opportunity, CrmActivity):
        model.objects.filter(source=source).exclude(account_external_id="").update(
            customer_id=Subquery(account_customer)
        )

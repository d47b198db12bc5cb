"""Writes of Salesforce records: opportunities and activities keyed on (source, external_id),
linked to the customer of their account, plus the Stripe-id evidence for account matching.
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from supportops.models import CustomerIdentity, Opportunity
from supportops.models.crm import CrmActivity

from ..upsert import owned_rows_upsert
from .records import ActivityRecord, OpportunityRecord

OPPORTUNITY_FIELDS = [
    "customer", "account_external_id", "name", "stage", "amount", "currency", "is_closed",
    "is_won", "created_at", "close_date", "is_deleted", "extra", "synced_at",
]  # fmt: skip
ACTIVITY_FIELDS = [
    "customer", "account_external_id", "kind", "subject", "status", "occurred_at",
    "created_at", "is_deleted", "extra", "synced_at",
]  # fmt: skip


def opportunities_upsert(records: list[OpportunityRecord]) -> int:
    return owned_rows_upsert(
        Opportunity, records, owner_field="account_external_id", update_fields=OPPORTUNITY_FIELDS
    )


def activities_upsert(records: list[ActivityRecord]) -> int:
    return owned_rows_upsert(
        CrmActivity, records, owner_field="account_external_id", update_fields=ACTIVITY_FIELDS
    )


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

"""Signup date of a customer (DESIGN.md §4): the earliest creation time any linked source reports.

Each source writes its record's own creation time on the record, `source_created_at`: a
Zendesk organization, Intercom company, Stripe customer, Salesforce account (CreatedDate) and
usage account (its first month, 00:00 UTC) on their CustomerIdentity; Zendesk requesters and
Intercom users on their Contact. `Customer.created_at` is when our row was made, so it is never
used: a customer whose sources report nothing has no signup date.

Set-based: one UPDATE statement, whatever the customer count.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.db.models import DateTimeField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Least, NullIf

from .models import Contact, Customer, CustomerIdentity

# Contacts whose creation says nothing about when the customer signed up: agents and admins
# are our own people, and an Intercom lead is a visitor who has not signed up (often a
# prospect asking before buying).
NOT_REQUESTER_ROLES = ("agent", "admin", "lead")
# Stands in for "no time" inside LEAST, which skips nulls on PostgreSQL but not on SQLite.
NEVER = datetime(9999, 12, 31, tzinfo=UTC)


def _first(records: QuerySet) -> Subquery:
    return Subquery(records.order_by("source_created_at").values("source_created_at")[:1])


def _earliest(*times) -> NullIf:
    """The earliest of `times` that is not null; null when all are."""
    never = Value(NEVER, output_field=DateTimeField())
    return NullIf(Least(*(Coalesce(t, never) for t in times)), never)


def customer_signup_refresh(*, customer_ids: Iterable[int] | None = None) -> int:
    """Recompute `signed_up_at` of the given customers (every customer with None).

    Counts the customer's live identities (deleted ones no longer report anything) and its
    live requesters. Returns the number of customers updated.
    """
    identities = CustomerIdentity.objects.filter(
        customer_id=OuterRef("pk"), is_deleted=False, source_created_at__isnull=False
    )
    requesters = Contact.objects.filter(
        customer_id=OuterRef("pk"), is_active=True, source_created_at__isnull=False
    ).exclude(role__in=NOT_REQUESTER_ROLES)
    customers = Customer.objects.all()
    if customer_ids is not None:
        customers = customers.filter(pk__in=[pk for pk in customer_ids if pk is not None])
    return customers.update(signed_up_at=_earliest(_first(identities), _first(requesters)))

"""Admin decisions about customers: link a source record by hand, merge duplicates.

Both are final for syncs: a manual link is never re-resolved, and rows that hang off the
record (contacts, tickets, subscriptions, invoices, charges, opportunities, usage) follow it at once,
as do the signup dates, last contacts and ticket counts of the customers involved.
"""

from __future__ import annotations

from django.db import transaction

from .contact import customer_derived_refresh
from .data_version import data_changed
from .models import (
    Charge,
    Contact,
    Customer,
    CustomerIdentity,
    Invoice,
    Opportunity,
    Subscription,
    Ticket,
    UsageMonth,
)
from .models.customers import MatchMethod

# Rows that name their account by that account's external id in the same source.
DEPENDENTS = [
    (Contact, "organization_external_id"),
    (Ticket, "organization_external_id"),
    (Subscription, "customer_external_id"),
    (Invoice, "customer_external_id"),
    (Charge, "customer_external_id"),
    (Opportunity, "account_external_id"),
]
CUSTOMER_ROWS = [Contact, Ticket, Subscription, Invoice, Charge, Opportunity, UsageMonth]


def _relink_dependents(identity: CustomerIdentity) -> None:
    for model, field in DEPENDENTS:
        model.objects.filter(source=identity.source, **{field: identity.external_id}).update(
            customer_id=identity.customer_id
        )
    if identity.source == "usage":
        UsageMonth.objects.filter(account_id=identity.external_id).update(
            customer_id=identity.customer_id
        )


@transaction.atomic
def identity_link(*, identity: CustomerIdentity, customer: Customer | None) -> None:
    """Link (or, with None, unlink) a source record by hand."""
    before = CustomerIdentity.objects.filter(pk=identity.pk).values_list("customer_id", flat=True)
    affected = {*before, customer.pk if customer else None}
    identity.customer = customer
    identity.match_method = MatchMethod.MANUAL if customer else ""
    identity.save(update_fields=["customer", "match_method"])
    _relink_dependents(identity)
    customer_derived_refresh(customer_ids=affected)
    data_changed()  # once the rows written with update() are in


@transaction.atomic
def customers_merge(*, target: Customer, others: list[Customer]) -> Customer:
    """Fold `others` into `target`: every identity and row moves, domains are united."""
    others = [c for c in others if c.pk != target.pk]
    if not others:
        return target
    other_ids = [c.pk for c in others]
    CustomerIdentity.objects.filter(customer_id__in=other_ids).update(
        customer=target, match_method=MatchMethod.MANUAL
    )
    for model in CUSTOMER_ROWS:
        model.objects.filter(customer_id__in=other_ids).update(customer=target)
    domains = set(target.domains or [])
    for other in others:
        domains.update(other.domains or [])
    target.domains = sorted(domains)
    target.save(update_fields=["domains", "updated_at"])
    Customer.objects.filter(pk__in=other_ids).delete()
    customer_derived_refresh(customer_ids=[target.pk])
    data_changed()  # once the rows written with update() are in
    target.refresh_from_db(fields=["signed_up_at", "last_contact_at", "ticket_count"])
    return target

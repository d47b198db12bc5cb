"""Identity resolution: link every account-level source record to exactly one Customer.

Order of evidence (DESIGN.md §3): an explicit shared account id first, then email domain; a
record matching neither becomes a new Customer. Links an admin made (`manual`) are never
touched by a sync.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import OuterRef, Subquery

from .models import Contact, Customer, CustomerIdentity, Ticket
from .models.customers import MatchMethod

# Addresses at these domains say nothing about which company a person works for.
FREEMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "mail.com",
    }
)


def email_domain(email: str) -> str:
    domain = email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""
    return "" if domain in FREEMAIL_DOMAINS else domain


def domain_index() -> dict[str, int]:
    """domain → customer id, over every customer (customers are few; one query)."""
    index: dict[str, int] = {}
    for customer_id, domains in Customer.objects.values_list("id", "domains"):
        for domain in domains or []:
            index.setdefault(domain.lower(), customer_id)
    return index


@transaction.atomic
def identities_resolve(*, source: str | None = None) -> int:
    """Link unmatched, live identities; returns how many were linked."""
    pending = CustomerIdentity.objects.filter(customer__isnull=True, is_deleted=False)
    if source:
        pending = pending.filter(source=source)
    pending = list(pending.order_by("id"))
    if not pending:
        return 0
    by_key = dict(
        CustomerIdentity.objects.filter(customer__isnull=False)
        .exclude(account_key="")
        .values_list("account_key", "customer_id")
    )
    by_domain = domain_index()
    for identity in pending:
        customer_id, method = None, ""
        if identity.account_key and identity.account_key in by_key:
            customer_id, method = by_key[identity.account_key], MatchMethod.EXPLICIT
        if customer_id is None:
            for domain in identity.domains or []:
                if domain.lower() in by_domain:
                    customer_id, method = by_domain[domain.lower()], MatchMethod.DOMAIN
                    break
        if customer_id is None:
            customer = Customer.objects.create(
                name=identity.name or identity.external_id,
                domains=sorted({d.lower() for d in identity.domains or []}),
            )
            customer_id, method = customer.id, MatchMethod.CREATED
            for domain in customer.domains:
                by_domain.setdefault(domain, customer_id)
        identity.customer_id = customer_id
        identity.match_method = method
        if identity.account_key:
            by_key.setdefault(identity.account_key, customer_id)
    CustomerIdentity.objects.bulk_update(pending, ["customer", "match_method"])
    return len(pending)


def customer_links_refresh(*, source: str) -> None:
    """Point contacts and tickets of a source at their organization's current customer.

    Set-based, so an admin's manual link or merge reaches every row of that organization in
    two UPDATE statements.
    """
    org_customer = CustomerIdentity.objects.filter(
        source=source, external_id=OuterRef("organization_external_id")
    ).values("customer_id")[:1]
    Contact.objects.filter(source=source).exclude(organization_external_id="").update(
        customer_id=Subquery(org_customer)
    )
    Ticket.objects.filter(source=source).exclude(organization_external_id="").update(
        customer_id=Subquery(org_customer)
    )
    requester_customer = Contact.objects.filter(pk=OuterRef("requester_id")).values("customer_id")[
        :1
    ]
    Ticket.objects.filter(
        source=source, organization_external_id="", requester__isnull=False
    ).update(customer_id=Subquery(requester_customer))

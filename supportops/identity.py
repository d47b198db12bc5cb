"""Identity resolution: link every account-level source record to exactly one Customer.

Order of evidence (DESIGN.md §3): explicit ids first (a shared account key, or another system's
id the record carries), then email domain. A record with no evidence becomes a new Customer when
its source is a system of record for accounts; otherwise, or when explicit evidence points at
two customers, it stays unmatched and is listed for an admin. Links an admin made (`manual`)
are never touched by a sync.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction

from .data_version import data_changed
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
# Sources whose account records are real customer accounts: an unmatched one founds a Customer.
# Usage account ids are only keys into other systems, so they wait for an admin instead.
CUSTOMER_FOUNDING_SOURCES = frozenset({"zendesk", "intercom", "stripe", "salesforce"})


def email_domain(email: str) -> str:
    domain = email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""
    return "" if domain in FREEMAIL_DOMAINS else domain


def domain_index(*, domains: set[str] | None = None) -> dict[str, int]:
    """domain → customer id (the lowest id when several claim it).

    `domains` limits it to the domains a page names: on PostgreSQL one indexed `?|` lookup
    (customer_domains_gin), so a page of contacts costs the same at 100 or 100,000 customers.
    Without `domains` (identity resolution) it covers every customer.
    """
    customers = Customer.objects.order_by("id")
    if domains is not None:
        wanted = sorted({d.lower() for d in domains} - {""})
        if not wanted:
            return {}
        if connection.vendor == "postgresql":
            customers = customers.filter(domains__has_any_keys=wanted)
    index: dict[str, int] = {}
    for customer_id, found in customers.values_list("id", "domains"):
        for domain in found or []:
            index.setdefault(domain.lower(), customer_id)
    if domains is not None:
        index = {d: index[d] for d in wanted if d in index}
    return index


def _key_index(keys: set[str]) -> dict[str, set[int]]:
    """account key → the customers linked identities with that key belong to, for `keys`."""
    index: dict[str, set[int]] = defaultdict(set)
    keys = keys - {""}
    if not keys:
        return index
    rows = CustomerIdentity.objects.filter(
        customer__isnull=False, account_key__in=sorted(keys)
    ).values_list("account_key", "customer_id")
    for key, customer_id in rows:
        index[key].add(customer_id)
    return index


def _explicit_index(refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """(source, external id) → customer id, for ids that other records name explicitly."""
    by_source: dict[str, set[str]] = defaultdict(set)
    for source, external_id in refs:
        by_source[source].add(external_id)
    index = {}
    for source, ids in by_source.items():
        rows = CustomerIdentity.objects.filter(
            source=source, external_id__in=ids, customer__isnull=False
        ).values_list("external_id", "customer_id")
        index.update({(source, ext): cid for ext, cid in rows})
    return index


def _indexes_for(pending) -> tuple[dict[str, set[int]], dict[str, int]]:
    keys = {identity.account_key for identity in pending}
    domains = {d.lower() for identity in pending for d in identity.domains or [] if d}
    return _key_index(keys), domain_index(domains=domains)


@dataclass(frozen=True)
class Candidates:
    explicit: frozenset[int]
    domain: int | None
    reason: str


def _candidates(identity, by_key, by_domain, by_ref, refs) -> Candidates:
    explicit = set(by_key.get(identity.account_key, ())) if identity.account_key else set()
    named = [by_ref[ref] for ref in refs if ref in by_ref]
    explicit.update(named)
    domain_match = next(
        (by_domain[d.lower()] for d in identity.domains or [] if d.lower() in by_domain), None
    )
    reason = ""
    if len(explicit) > 1:
        reason = f"conflicting explicit ids point at customers {sorted(explicit)}"
    elif not explicit and domain_match is None:
        reason = "no shared id and no known email domain"
    return Candidates(frozenset(explicit), domain_match, reason)


def _refs(identity) -> list[tuple[str, str]]:
    return [(str(source), str(external_id)) for source, external_id in identity.references or []]


@transaction.atomic
def identities_resolve(*, source: str | None = None) -> int:
    """Link unmatched, live identities; returns how many were linked.

    Evidence, strongest first: the shared account key and the other systems' records an
    identity names (`references`, e.g. a Salesforce account naming its Stripe customer), then
    email domain.
    """
    pending = CustomerIdentity.objects.filter(customer__isnull=True, is_deleted=False)
    if source:
        pending = pending.filter(source=source)
    pending = list(pending.order_by("id"))
    if not pending:
        return 0
    # Only the keys and domains the pending records name: a page of new records costs the same
    # at 100 or 100,000 customers.
    by_key, by_domain = _indexes_for(pending)
    by_ref = _explicit_index(ref for identity in pending for ref in _refs(identity))
    linked = []
    # New customers are made in one bulk insert after the loop. Until then each is known by a
    # negative stand-in id, so identities later in this run can still match it by domain or key.
    founded: list[Customer] = []
    for identity in pending:
        found = _candidates(identity, by_key, by_domain, by_ref, _refs(identity))
        if len(found.explicit) == 1:
            identity.customer_id, identity.match_method = (
                next(iter(found.explicit)),
                MatchMethod.EXPLICIT,
            )
        elif len(found.explicit) > 1:
            continue  # conflict: an admin decides
        elif found.domain is not None:
            identity.customer_id, identity.match_method = found.domain, MatchMethod.DOMAIN
        elif identity.source in CUSTOMER_FOUNDING_SOURCES:
            domains = sorted({d.strip().lower() for d in identity.domains or []})
            founded.append(Customer(name=identity.name or identity.external_id, domains=domains))
            standin = -len(founded)
            identity.customer_id, identity.match_method = standin, MatchMethod.CREATED
            for domain in domains:
                by_domain.setdefault(domain, standin)
        else:
            continue
        if identity.account_key:
            by_key[identity.account_key].add(identity.customer_id)
        linked.append(identity)
    if founded:
        # One INSERT instead of a create (and a data-version UPDATE) per customer: a Stripe
        # account's first sync founds thousands. bulk_create sends no signal, hence the call.
        Customer.objects.bulk_create(founded, batch_size=1000)
        for identity in linked:
            if identity.customer_id < 0:
                identity.customer_id = founded[-identity.customer_id - 1].id
        data_changed()
    _links_write(linked)
    return len(linked)


LINKS_PER_STATEMENT = 500


def _links_write(linked: list[CustomerIdentity]) -> None:
    """Each identity's new customer and match method, a few hundred rows per UPDATE … FROM a
    VALUES list (PostgreSQL; SQLite since 3.33). bulk_update's CASE per row spent seconds in
    Python building expressions for the thousands of links a first Stripe sync makes."""
    table = CustomerIdentity._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(linked), LINKS_PER_STATEMENT):
            chunk = linked[start : start + LINKS_PER_STATEMENT]
            values = ", ".join(["(%s, %s, %s)"] * len(chunk))
            params = [v for i in chunk for v in (i.id, i.customer_id, str(i.match_method))]
            cursor.execute(
                f"WITH v(id, customer_id, match_method) AS (VALUES {values}) "
                f"UPDATE {table} SET customer_id = v.customer_id, match_method = v.match_method "
                f"FROM v WHERE {table}.id = v.id",
                params,
            )


@dataclass(frozen=True)
class UnmatchedRecord:
    id: int
    source: str
    external_id: str
    name: str
    domains: list[str]
    account_key: str
    reason: str


def unmatched_identities() -> list[UnmatchedRecord]:
    """Live account records linked to no customer, each with why it was not linked."""
    pending = list(
        CustomerIdentity.objects.filter(customer__isnull=True, is_deleted=False).order_by(
            "source", "external_id"
        )
    )
    by_key, by_domain = _indexes_for(pending)
    by_ref = _explicit_index(ref for identity in pending for ref in _refs(identity))
    return [
        UnmatchedRecord(
            id=i.id,
            source=i.source,
            external_id=i.external_id,
            name=i.name,
            domains=list(i.domains or []),
            account_key=i.account_key,
            reason=_candidates(i, by_key, by_domain, by_ref, _refs(i)).reason
            or "not linked yet (runs with the next sync)",
        )
        for i in pending
    ]


def customer_links_refresh(*, source: str) -> None:
    """Point contacts and tickets of a source at their organization's current customer.

    Set-based, so an admin's manual link or merge reaches every row of that organization in
    a few UPDATE statements. Only rows whose customer changes are written: this runs after
    every sync, and rewriting each of a million tickets every time made an incremental sync
    cost as much as the first one (and left a million dead rows behind).
    """
    identity = CustomerIdentity._meta.db_table
    contact = Contact._meta.db_table
    ticket = Ticket._meta.db_table
    org_customer = (
        f"(SELECT i.customer_id FROM {identity} i WHERE i.source = %s "
        f"AND i.external_id = {{table}}.organization_external_id LIMIT 1)"
    )
    requester_customer = (
        f"(SELECT c.customer_id FROM {contact} c WHERE c.id = {ticket}.requester_id)"
    )
    with connection.cursor() as cursor:
        for table in (contact, ticket):
            new = org_customer.format(table=table)
            cursor.execute(
                f"UPDATE {table} SET customer_id = {new} WHERE source = %s "
                f"AND organization_external_id <> '' AND customer_id IS DISTINCT FROM {new}",
                [source, source, source],
            )
        cursor.execute(
            f"UPDATE {ticket} SET customer_id = {requester_customer} WHERE source = %s "
            f"AND organization_external_id = '' AND requester_id IS NOT NULL "
            f"AND customer_id IS DISTINCT FROM {requester_customer}",
            [source],
        )

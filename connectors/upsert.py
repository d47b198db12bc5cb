"""Idempotent bulk writes of canonical records, keyed on (source, external_id).

`bulk_create(update_conflicts=True)` is a single INSERT ... ON CONFLICT DO UPDATE on both
SQLite and PostgreSQL: re-reading a page rewrites the same rows instead of adding new ones.
Foreign keys are resolved with one lookup query per page, never per record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields

from django.db import models
from django.utils import timezone

from supportops.identity import domain_index, email_domain
from supportops.models import Contact, CustomerIdentity, Interaction, Ticket
from supportops.products import Rule, product_for

from .page_upsert import page_upsert
from .records import AccountRecord, ContactRecord, InteractionRecord, TicketRecord

UNIQUE = ["source", "external_id"]
AGENT_ROLES = {"agent", "admin"}


def _dedupe(records):
    """Keep the last version of each external id: a page can repeat a record."""
    return list({r.external_id: r for r in records}.values())


ACCOUNT_COLUMNS = (
    "external_id",
    "name",
    "domains",
    "account_key",
    "is_deleted",
    "extra",
    "references",
    "source_created_at",
)


def accounts_upsert(records: list[AccountRecord]) -> int:
    records = _dedupe(records)
    if not records:
        return 0
    rows = [
        (
            r.external_id,
            r.name[:255],
            [d.lower() for d in r.domains],
            r.account_key,
            r.is_deleted,
            r.extra,
            [list(ref) for ref in r.references],
            r.source_created_at,
        )
        for r in records
    ]
    # customer and match_method are left alone: they belong to identity resolution and admins.
    return page_upsert(
        CustomerIdentity,
        ACCOUNT_COLUMNS,
        rows,
        update_fields=(*ACCOUNT_COLUMNS[1:], "synced_at"),
        constants=_page_constants(records),
    )


def _page_constants(records) -> dict:
    """The columns every row of a page shares: its source, and when it was synced."""
    return {"source": records[0].source, "synced_at": timezone.now()}


def account_customers(source: str, account_ids) -> dict[str, int | None]:
    """Account external id → its customer id, for the accounts a page names (one query)."""
    return dict(
        CustomerIdentity.objects.filter(
            source=source, external_id__in=set(account_ids) - {""}
        ).values_list("external_id", "customer_id")
    )


CONTACT_COLUMNS = (
    "external_id",
    "customer_id",
    "organization_external_id",
    "name",
    "email",
    "role",
    "is_active",
    "source_created_at",
    "extra",
)


def contacts_upsert(records: list[ContactRecord]) -> int:
    records = _dedupe(records)
    if not records:
        return 0
    source = records[0].source
    orgs = account_customers(source, (r.organization_external_id for r in records))
    people = [r for r in records if r.role not in AGENT_ROLES]
    domains = domain_index(domains={email_domain(r.email) for r in people})
    rows = []
    for r in records:
        customer_id = orgs.get(r.organization_external_id)
        if customer_id is None and r.role not in AGENT_ROLES:
            customer_id = domains.get(email_domain(r.email))
        rows.append(
            (
                r.external_id,
                customer_id,
                r.organization_external_id,
                r.name[:255],
                r.email[:254],
                r.role,
                r.is_active,
                r.source_created_at,
                r.extra,
            )
        )
    return page_upsert(
        Contact,
        CONTACT_COLUMNS,
        rows,
        update_fields=(*CONTACT_COLUMNS[1:], "synced_at"),
        constants=_page_constants(records),
    )


TICKET_COLUMNS = (
    "external_id",
    "customer_id",
    "organization_external_id",
    "requester_id",
    "requester_external_id",
    "channel",
    "subject",
    "status",
    "type",
    "priority",
    "tags",
    "product_id",
    "problem_external_id",
    "created_at",
    "updated_at",
    "solved_at",
    "first_reply_minutes",
    "full_resolution_minutes",
    "reopens",
    "form_id",
    "custom_fields",
    "is_deleted",
    "extra",
)
TICKET_FIELDS = (*TICKET_COLUMNS[1:], "synced_at")


def tickets_upsert(records: list[TicketRecord], *, rules: list[Rule]) -> int:
    records = _dedupe(records)
    if not records:
        return 0
    source = records[0].source
    orgs = account_customers(source, (r.organization_external_id for r in records))
    requesters = {
        ext: (pk, customer_id)
        for ext, pk, customer_id in Contact.objects.filter(
            source=source, external_id__in={r.requester_external_id for r in records}
        ).values_list("external_id", "id", "customer_id")
    }
    no_requester = (None, None)
    rows = []
    for r in records:
        requester_id, requester_customer = requesters.get(r.requester_external_id, no_requester)
        rows.append(
            (
                r.external_id,
                orgs.get(r.organization_external_id) or requester_customer,
                r.organization_external_id,
                requester_id,
                r.requester_external_id,
                r.channel,
                r.subject,
                r.status,
                r.type,
                r.priority,
                r.tags,
                product_for(
                    rules=rules, custom_fields=r.custom_fields, tags=r.tags, form_id=r.form_id
                ),
                r.problem_external_id,
                r.created_at,
                r.updated_at,
                r.solved_at,
                r.first_reply_minutes,
                r.full_resolution_minutes,
                r.reopens,
                r.form_id,
                r.custom_fields,
                r.is_deleted,
                r.extra,
            )
        )
    return page_upsert(
        Ticket,
        TICKET_COLUMNS,
        rows,
        update_fields=TICKET_FIELDS,
        constants=_page_constants(records),
    )


INTERACTION_COLUMNS = (
    "external_id",
    "ticket_id",
    "ticket_external_id",
    "author_external_id",
    "author_role",
    "is_public",
    "created_at",
    "body",
)


def interactions_upsert(records: list[InteractionRecord]) -> int:
    records = _dedupe(records)
    if not records:
        return 0
    source = records[0].source
    tickets = dict(
        Ticket.objects.filter(
            source=source, external_id__in={r.ticket_external_id for r in records}
        ).values_list("external_id", "id")
    )
    roles = dict(
        Contact.objects.filter(
            source=source, external_id__in={r.author_external_id for r in records}
        ).values_list("external_id", "role")
    )
    rows = [
        (
            r.external_id,
            tickets.get(r.ticket_external_id),
            r.ticket_external_id,
            r.author_external_id,
            r.author_role or _role_of(roles.get(r.author_external_id)),
            r.is_public,
            r.created_at,
            r.body,
        )
        for r in records
    ]
    return page_upsert(
        Interaction,
        INTERACTION_COLUMNS,
        rows,
        update_fields=(*INTERACTION_COLUMNS[1:], "synced_at"),
        constants=_page_constants(records),
    )


def _role_of(contact_role: str | None) -> str:
    """An author's role from their contact record: unknown authors are the system."""
    if contact_role is None:
        return Interaction.AuthorRole.SYSTEM
    if contact_role in AGENT_ROLES:
        return Interaction.AuthorRole.AGENT
    return Interaction.AuthorRole.CUSTOMER


def interactions_link_tickets(*, source: str) -> None:
    """Attach messages that arrived before their ticket (set-based, one UPDATE)."""
    from django.db.models import OuterRef, Subquery

    ticket = Ticket.objects.filter(source=source, external_id=OuterRef("ticket_external_id"))
    Interaction.objects.filter(source=source, ticket__isnull=True).update(
        ticket_id=Subquery(ticket.values("id")[:1])
    )


def owned_rows_upsert(
    model: type[models.Model],
    records: list,
    *,
    owner_field: str,
    update_fields: list[str],
    resolve: Callable[[list], Callable[[object], dict]] | None = None,
) -> int:
    """Upsert records whose fields are the model's own, by name, each linked to the Customer of
    the account it names in `owner_field` (a Stripe customer, a Salesforce account).

    `resolve`, given the page, returns a function giving more model values per record (other
    foreign keys), so those too are looked up once per page.
    """
    records = _dedupe(records)
    if not records:
        return 0
    owners = account_customers(records[0].source, (getattr(r, owner_field) for r in records))
    more = resolve(records) if resolve else (lambda record: {})
    by_name = {f.name: f.attname for f in model._meta.concrete_fields}
    names = [f.name for f in fields(records[0]) if f.name in by_name]
    now = timezone.now()
    rows, columns = [], None
    for r in records:
        values = {by_name[name]: getattr(r, name) for name in names}
        for name, value in more(r).items():
            values[by_name.get(name, name)] = value
        values["customer_id"] = owners.get(getattr(r, owner_field))
        if columns is None:
            columns = tuple(values)
        rows.append(tuple(values[c] for c in columns))
    return page_upsert(
        model, columns, rows, update_fields=update_fields, constants={"synced_at": now}
    )

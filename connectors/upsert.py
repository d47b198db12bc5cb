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

from .records import AccountRecord, ContactRecord, InteractionRecord, TicketRecord

UNIQUE = ["source", "external_id"]
AGENT_ROLES = {"agent", "admin"}


def _dedupe(records):
    """Keep the last version of each external id: a page can repeat a record."""
    return list({r.external_id: r for r in records}.values())


def accounts_upsert(records: list[AccountRecord]) -> int:
    now = timezone.now()
    rows = [
        CustomerIdentity(
            source=r.source,
            external_id=r.external_id,
            name=r.name[:255],
            domains=[d.lower() for d in r.domains],
            account_key=r.account_key,
            is_deleted=r.is_deleted,
            extra=r.extra,
            references=[list(ref) for ref in r.references],
            source_created_at=r.source_created_at,
            synced_at=now,
        )
        for r in _dedupe(records)
    ]
    # customer and match_method are left alone: they belong to identity resolution and admins.
    CustomerIdentity.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=UNIQUE,
        update_fields=[
            "name",
            "domains",
            "account_key",
            "is_deleted",
            "extra",
            "references",
            "source_created_at",
            "synced_at",
        ],
    )
    return len(rows)


def account_customers(source: str, account_ids) -> dict[str, int | None]:
    """Account external id → its customer id, for the accounts a page names (one query)."""
    return dict(
        CustomerIdentity.objects.filter(
            source=source, external_id__in=set(account_ids) - {""}
        ).values_list("external_id", "customer_id")
    )


def contacts_upsert(records: list[ContactRecord]) -> int:
    records = _dedupe(records)
    if not records:
        return 0
    source = records[0].source
    orgs = account_customers(source, (r.organization_external_id for r in records))
    domains = domain_index()
    now = timezone.now()
    rows = []
    for r in records:
        customer_id = orgs.get(r.organization_external_id)
        if customer_id is None and r.role not in AGENT_ROLES:
            customer_id = domains.get(email_domain(r.email))
        rows.append(
            Contact(
                source=r.source,
                external_id=r.external_id,
                customer_id=customer_id,
                organization_external_id=r.organization_external_id,
                name=r.name[:255],
                email=r.email[:254],
                role=r.role,
                is_active=r.is_active,
                source_created_at=r.source_created_at,
                extra=r.extra,
                synced_at=now,
            )
        )
    Contact.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=UNIQUE,
        update_fields=[
            "customer",
            "organization_external_id",
            "name",
            "email",
            "role",
            "is_active",
            "source_created_at",
            "extra",
            "synced_at",
        ],
    )
    return len(rows)


TICKET_FIELDS = [
    "customer",
    "organization_external_id",
    "requester",
    "requester_external_id",
    "channel",
    "subject",
    "status",
    "type",
    "priority",
    "tags",
    "product",
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
    "synced_at",
]


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
    now = timezone.now()
    rows = []
    for r in records:
        requester_id, requester_customer = requesters.get(r.requester_external_id, (None, None))
        customer_id = orgs.get(r.organization_external_id) or requester_customer
        rows.append(
            Ticket(
                source=r.source,
                external_id=r.external_id,
                customer_id=customer_id,
                organization_external_id=r.organization_external_id,
                requester_id=requester_id,
                requester_external_id=r.requester_external_id,
                channel=r.channel,
                subject=r.subject,
                status=r.status,
                type=r.type,
                priority=r.priority,
                tags=r.tags,
                product_id=product_for(
                    rules=rules, custom_fields=r.custom_fields, tags=r.tags, form_id=r.form_id
                ),
                problem_external_id=r.problem_external_id,
                created_at=r.created_at,
                updated_at=r.updated_at,
                solved_at=r.solved_at,
                first_reply_minutes=r.first_reply_minutes,
                full_resolution_minutes=r.full_resolution_minutes,
                reopens=r.reopens,
                form_id=r.form_id,
                custom_fields=r.custom_fields,
                is_deleted=r.is_deleted,
                extra=r.extra,
                synced_at=now,
            )
        )
    Ticket.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=UNIQUE, update_fields=TICKET_FIELDS
    )
    return len(rows)


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
    now = timezone.now()
    rows = []
    for r in records:
        role = r.author_role
        if role is None:
            contact_role = roles.get(r.author_external_id)
            if contact_role is None:
                role = Interaction.AuthorRole.SYSTEM
            elif contact_role in AGENT_ROLES:
                role = Interaction.AuthorRole.AGENT
            else:
                role = Interaction.AuthorRole.CUSTOMER
        rows.append(
            Interaction(
                source=r.source,
                external_id=r.external_id,
                ticket_id=tickets.get(r.ticket_external_id),
                ticket_external_id=r.ticket_external_id,
                author_external_id=r.author_external_id,
                author_role=role,
                is_public=r.is_public,
                created_at=r.created_at,
                body=r.body,
                synced_at=now,
            )
        )
    Interaction.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=UNIQUE,
        update_fields=[
            "ticket",
            "ticket_external_id",
            "author_external_id",
            "author_role",
            "is_public",
            "created_at",
            "body",
            "synced_at",
        ],
    )
    return len(rows)


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
    columns = {f.name for f in model._meta.concrete_fields}
    names = [f.name for f in fields(records[0]) if f.name in columns]
    now = timezone.now()
    rows = [
        model(
            **{name: getattr(r, name) for name in names},
            **more(r),
            customer_id=owners.get(getattr(r, owner_field)),
            synced_at=now,
        )
        for r in records
    ]
    model.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=UNIQUE, update_fields=update_fields
    )
    return len(rows)

"""Last contact and ticket count of a customer, kept as columns so the customers list sorts and
filters on them through an index instead of a correlated subquery per row.

Last contact (DESIGN.md §4) = the latest public message of either side (agent or customer) in
any channel; internal notes, system messages and the messages of deleted tickets never count.
Ticket count = the customer's tickets that are not deleted, all time.

Whatever changes tickets, messages or their customer links calls `customer_contact_refresh`
afterwards: the helpdesk syncs (after each run), manual links and merges, and loaders that
write tickets directly. Set-based: one UPDATE statement, whatever the customer count.

Two forms of that statement, for the two ways it is called. A few customers (a link, a merge)
get correlated subqueries: a few index probes each. Every customer (after a sync run) gets one
pass of two grouped aggregates joined back by id, which costs a scan of tickets and messages
instead of a probe per customer × ticket, and writes only the rows whose values changed, so a
sync that changed little rewrites little.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Count, IntegerField, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from .models import Customer, Interaction, Ticket
from .signup import customer_signup_refresh

CONTACT_ROLES = (Interaction.AuthorRole.AGENT, Interaction.AuthorRole.CUSTOMER)


def _latest_public_message() -> Subquery:
    messages = (
        Interaction.objects.filter(
            ticket__customer_id=OuterRef("pk"),
            ticket__is_deleted=False,
            is_public=True,
            author_role__in=CONTACT_ROLES,
        )
        .order_by()
        .values("ticket__customer_id")
        .annotate(latest=Max("created_at"))
        .values("latest")
    )
    return Subquery(messages)


def _live_tickets() -> Coalesce:
    tickets = (
        Ticket.objects.filter(customer_id=OuterRef("pk"), is_deleted=False)
        .order_by()
        .values("customer_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(tickets, output_field=IntegerField()), Value(0))


def _refresh_all() -> int:
    """Every customer, as grouped aggregates (UPDATE ... FROM: PostgreSQL, SQLite 3.33+)."""
    names = {
        "customer": Customer._meta.db_table,
        "ticket": Ticket._meta.db_table,
        "interaction": Interaction._meta.db_table,
    }
    q = {key: connection.ops.quote_name(name) for key, name in names.items()}
    roles = ", ".join(["%s"] * len(CONTACT_ROLES))
    sql = f"""
        UPDATE {q["customer"]} SET last_contact_at = fresh.latest, ticket_count = fresh.n
        FROM (
            SELECT c.id AS id, contact.latest AS latest, COALESCE(live.n, 0) AS n
            FROM {q["customer"]} c
            LEFT JOIN (
                SELECT t.customer_id AS customer_id, MAX(i.created_at) AS latest
                FROM {q["interaction"]} i JOIN {q["ticket"]} t ON t.id = i.ticket_id
                WHERE i.is_public AND i.author_role IN ({roles}) AND NOT t.is_deleted
                    AND t.customer_id IS NOT NULL
                GROUP BY t.customer_id
            ) contact ON contact.customer_id = c.id
            LEFT JOIN (
                SELECT customer_id, COUNT(*) AS n FROM {q["ticket"]}
                WHERE NOT is_deleted AND customer_id IS NOT NULL
                GROUP BY customer_id
            ) live ON live.customer_id = c.id
        ) fresh
        WHERE {q["customer"]}.id = fresh.id AND (
            {q["customer"]}.ticket_count <> fresh.n
            OR {q["customer"]}.last_contact_at <> fresh.latest
            OR ({q["customer"]}.last_contact_at IS NULL) <> (fresh.latest IS NULL)
        )
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [str(role) for role in CONTACT_ROLES])
        return cursor.rowcount


def customer_contact_refresh(*, customer_ids: Iterable[int | None] | None = None) -> int:
    """Recompute `last_contact_at` and `ticket_count` of the given customers (all with None).

    Returns the number of customers written (for all customers: those whose values changed).
    Ids that are None (a ticket with no customer) are ignored.
    """
    if customer_ids is None:
        return _refresh_all()
    customers = Customer.objects.filter(pk__in=[pk for pk in customer_ids if pk is not None])
    return customers.update(last_contact_at=_latest_public_message(), ticket_count=_live_tickets())


def customer_derived_refresh(*, customer_ids: Iterable[int | None] | None = None) -> None:
    """Everything about a customer derived from its linked rows: signup date, last contact,
    ticket count. What a sync runs once its records and links are in."""
    ids = None if customer_ids is None else list(customer_ids)
    customer_signup_refresh(customer_ids=ids)
    customer_contact_refresh(customer_ids=ids)

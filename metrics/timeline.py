"""Customer timeline and last contact (DESIGN.md §4).

Each table is read once, newest first and limited in the database, then the events are merged
in Python. A row can yield two events (a ticket opened and solved), so every query orders by
the row's *latest* event: the `limit` newest events of a table then always come from its
`limit` rows with the newest latest event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo

from django.db.models import Case, DateField, F, Max, OuterRef, QuerySet, Subquery, When
from django.db.models.functions import Cast, Coalesce, Greatest

from supportops.models import (
    CrmActivity,
    Interaction,
    Invoice,
    Opportunity,
    Subscription,
    Ticket,
    UsageMonth,
)
from supportops.money import minor_to_major

from .periods import Month

DEFAULT_LIMIT = 200

# Event kinds, in the order they happen when two share a timestamp (later ones show first).
KINDS = (
    "usage",
    "opportunity_opened",
    "opportunity_won",
    "opportunity_lost",
    "subscription_started",
    "invoice_paid",
    "invoice_failed",
    "subscription_canceled",
    "crm_task",
    "crm_event",
    "ticket_opened",
    "ticket_replied",
    "ticket_solved",
)
_RANK = {kind: rank for rank, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    kind: str  # one of KINDS
    source: str  # the system it came from: zendesk, intercom, stripe, salesforce, usage, ...
    title: str
    detail: str


# --- last contact ----------------------------------------------------------------------------


def public_messages() -> QuerySet[Interaction]:
    """Public messages from either side, in any channel; those of deleted tickets do not count."""
    return Interaction.objects.filter(
        is_public=True,
        author_role__in=[Interaction.AuthorRole.AGENT, Interaction.AuthorRole.CUSTOMER],
        ticket__is_deleted=False,
    )


def last_contact_subquery(customer_ref: str | OuterRef = "pk") -> Subquery:
    """Latest public message of the customer in `customer_ref`, for `.annotate()`."""
    ref = OuterRef(customer_ref) if isinstance(customer_ref, str) else customer_ref
    latest = (
        public_messages()
        .filter(ticket__customer_id=ref)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return Subquery(latest)


def last_contact(*, customer_id: int) -> datetime | None:
    """When the customer and support last exchanged a public message, or None."""
    return (
        public_messages()
        .filter(ticket__customer_id=customer_id)
        .aggregate(latest=Max("created_at"))["latest"]
    )


# --- events, one table at a time -------------------------------------------------------------


def _money(amount_minor: int, currency: str) -> str:
    return f"{minor_to_major(amount_minor, currency):,} {currency.upper()}"


def _day_start(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(), tz).astimezone(UTC)


def _thread(source: str) -> str:
    return "Conversation" if source == "intercom" else "Ticket"


def _ticket_events(customer_id: int, limit: int) -> list[TimelineEvent]:
    rows = (
        Ticket.objects.filter(customer_id=customer_id, is_deleted=False)
        .annotate(latest_at=Coalesce("solved_at", "created_at"))
        .order_by("-latest_at", "-id")
        .values("source", "external_id", "channel", "subject", "created_at", "solved_at")[:limit]
    )
    events = []
    for row in rows:
        thread, subject = _thread(row["source"]), row["subject"] or "(no subject)"
        channel = row["channel"] or "unknown channel"
        ref = f"#{row['external_id']}"
        events.append(
            TimelineEvent(
                row["created_at"],
                "ticket_opened",
                row["source"],
                f"{thread} opened: {subject}",
                f"{ref} via {channel}",
            )
        )
        if row["solved_at"]:
            events.append(
                TimelineEvent(
                    row["solved_at"],
                    "ticket_solved",
                    row["source"],
                    f"{thread} solved: {subject}",
                    ref,
                )
            )
    return events


def _reply_events(customer_id: int, limit: int) -> list[TimelineEvent]:
    rows = (
        Interaction.objects.filter(
            ticket__customer_id=customer_id,
            ticket__is_deleted=False,
            is_public=True,
            author_role=Interaction.AuthorRole.AGENT,
        )
        .order_by("-created_at", "-id")
        .values(
            "source", "created_at", "ticket__external_id", "ticket__subject", "ticket__channel"
        )[:limit]
    )
    return [
        TimelineEvent(
            row["created_at"],
            "ticket_replied",
            row["source"],
            f"Agent replied: {row['ticket__subject'] or '(no subject)'}",
            f"#{row['ticket__external_id']} via {row['ticket__channel'] or 'unknown channel'}",
        )
        for row in rows
    ]


def _subscription_events(customer_id: int, limit: int) -> list[TimelineEvent]:
    rows = (
        Subscription.objects.filter(customer_id=customer_id)
        .annotate(latest_at=Greatest("started_at", Coalesce("canceled_at", "started_at")))
        .order_by("-latest_at", "-id")
        .values(
            "source", "status", "mrr_minor", "currency", "started_at", "canceled_at", "plan__name"
        )[:limit]
    )
    events = []
    for row in rows:
        plan = row["plan__name"] or "no plan"
        detail = f"MRR {_money(row['mrr_minor'], row['currency'])} · {row['status']}"
        events.append(
            TimelineEvent(
                row["started_at"],
                "subscription_started",
                row["source"],
                f"Subscription started: {plan}",
                detail,
            )
        )
        if row["canceled_at"]:
            events.append(
                TimelineEvent(
                    row["canceled_at"],
                    "subscription_canceled",
                    row["source"],
                    f"Subscription canceled: {plan}",
                    detail,
                )
            )
    return events


def _invoice_events(customer_id: int, limit: int) -> list[TimelineEvent]:
    rows = (
        Invoice.objects.filter(customer_id=customer_id, status__in=["paid", "failed"])
        .annotate(
            event_at=Case(
                When(status="paid", then=Coalesce("paid_at", "created_at")), default=F("created_at")
            )
        )
        .order_by("-event_at", "-id")
        .values(
            "source",
            "external_id",
            "status",
            "amount_due_minor",
            "amount_paid_minor",
            "currency",
            "event_at",
        )[:limit]
    )
    events = []
    for row in rows:
        paid = row["status"] == "paid"
        amount = row["amount_paid_minor"] if paid else row["amount_due_minor"]
        events.append(
            TimelineEvent(
                row["event_at"],
                "invoice_paid" if paid else "invoice_failed",
                row["source"],
                f"Invoice {'paid' if paid else 'payment failed'}: {_money(amount, row['currency'])}",
                row["external_id"],
            )
        )
    return events


def _opportunity_events(customer_id: int, limit: int, tz: tzinfo) -> list[TimelineEvent]:
    created_date = Cast("created_at", DateField())
    closed_date = Case(When(is_closed=True, then="close_date"), default=None)
    rows = (
        Opportunity.objects.filter(customer_id=customer_id, is_deleted=False)
        .annotate(latest_date=Greatest(created_date, Coalesce(closed_date, created_date)))
        .order_by("-latest_date", "-created_at", "-id")
        .values(
            "source",
            "name",
            "stage",
            "amount",
            "currency",
            "is_closed",
            "is_won",
            "created_at",
            "close_date",
        )[:limit]
    )
    events = []
    for row in rows:
        name = row["name"] or "(unnamed)"
        amount = (
            "no amount" if row["amount"] is None else f"{row['amount']:,} {row['currency'].upper()}"
        )
        events.append(
            TimelineEvent(
                row["created_at"],
                "opportunity_opened",
                row["source"],
                f"Opportunity opened: {name}",
                f"{amount} · {row['stage'] or 'no stage'}",
            )
        )
        if row["is_closed"] and row["close_date"]:
            won = row["is_won"]
            events.append(
                TimelineEvent(
                    _day_start(row["close_date"], tz),
                    "opportunity_won" if won else "opportunity_lost",
                    row["source"],
                    f"Opportunity {'won' if won else 'lost'}: {name}",
                    f"{amount} · {row['stage'] or 'closed'}",
                )
            )
    return events


def _crm_events(customer_id: int, limit: int) -> list[TimelineEvent]:
    rows = (
        CrmActivity.objects.filter(customer_id=customer_id, is_deleted=False)
        .order_by("-occurred_at", "-id")
        .values("source", "kind", "subject", "status", "occurred_at")[:limit]
    )
    return [
        TimelineEvent(
            row["occurred_at"],
            f"crm_{row['kind']}",
            row["source"],
            f"{CrmActivity.Kind(row['kind']).label}: {row['subject'] or '(no subject)'}",
            row["status"],
        )
        for row in rows
        if row["kind"] in CrmActivity.Kind.values
    ]


def _usage_events(customer_id: int, limit: int, tz: tzinfo) -> list[TimelineEvent]:
    rows = (
        UsageMonth.objects.filter(customer_id=customer_id)
        .order_by("-month", "account_id")
        .values("source", "account_id", "month", "api_calls")[:limit]
    )
    return [
        TimelineEvent(
            _day_start(row["month"], tz),
            "usage",
            row["source"],
            f"Usage {Month(row['month'].year, row['month'].month).label}: {row['api_calls']:,} API calls",
            f"account {row['account_id']}",
        )
        for row in rows
    ]


# --- merge -----------------------------------------------------------------------------------


def customer_timeline(
    *, customer_id: int, limit: int = DEFAULT_LIMIT, tz: tzinfo = UTC
) -> list[TimelineEvent]:
    """Every event of the customer, newest first, at most `limit` of them.

    Seven queries whatever the history: one per table. `tz` is the reporting time zone, for
    events that only have a date (an opportunity's close date, a usage month).
    """
    if limit < 1:
        return []
    events = [
        *_ticket_events(customer_id, limit),
        *_reply_events(customer_id, limit),
        *_subscription_events(customer_id, limit),
        *_invoice_events(customer_id, limit),
        *_opportunity_events(customer_id, limit, tz),
        *_crm_events(customer_id, limit),
        *_usage_events(customer_id, limit, tz),
    ]
    events.sort(key=lambda event: (event.at, _RANK[event.kind]), reverse=True)
    return events[:limit]

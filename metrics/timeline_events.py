"""The timeline's events as SQL: one select per kind of event, every one projecting the same
columns so that they UNION ALL into one list the database orders, cuts and counts.

Columns (`COLUMNS`): when (`ev_at`), the kind and its tie rank, the row's id (with the kind, a
stable key), its source, the vendor id the link needs (`ev_ref`: a reply's is its ticket's),
a text (subject, plan, name), a note (channel, status, stage), a number (minor units of money,
or API calls for usage), a decimal amount (opportunities keep major units) and a currency.

Dates without a time (an opportunity's close date, a usage month) happen at midnight of the
reporting time zone; `LocalMidnight` computes that instant in SQL so those events sort among
the others in the database, on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from functools import lru_cache

from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    DateTimeField,
    DecimalField,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from supportops.models import (
    CrmActivity,
    Interaction,
    Invoice,
    Opportunity,
    Subscription,
    Ticket,
    UsageMonth,
)

COLUMNS = (
    "ev_at",
    "ev_rank",
    "ev_kind",
    "ev_row",
    "ev_source",
    "ev_ref",
    "ev_text",
    "ev_note",
    "ev_number",
    "ev_amount",
    "ev_currency",
)
# Newest first; on the same instant the later kind first, then the newer row: a total order,
# so page 2 starts exactly where page 1 ended.
ORDER = ("-ev_at", "-ev_rank", "-ev_row")
# Years the SQLite version of LocalMidnight knows the zone's offsets for; outside, the nearest.
_OFFSET_YEARS = (1990, 2060)


@dataclass(frozen=True)
class EventRow:
    """One row of the union, as the database returns it."""

    at: datetime
    kind: str
    row: int
    source: str
    ref: str
    text: str | None
    note: str | None
    number: int | None
    amount: Decimal | None
    currency: str | None


def _text(value) -> Value:
    return Value(value, output_field=CharField())


def _null(output_field) -> Cast:
    # Typed, so PostgreSQL can match the union's column types whichever select comes first.
    return Cast(Value(None), output_field=output_field)


def _kind_case(pairs: dict[str, Q], ranks: dict[str, int], *, rank: bool):
    whens = [
        When(condition, then=Value(ranks[kind]) if rank else _text(kind))
        for kind, condition in pairs.items()
    ]
    return Case(*whens, output_field=IntegerField() if rank else CharField())


# --- local midnight ---------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _offset_changes(tz: tzinfo) -> tuple[tuple[date, int], ...]:
    """(first day, UTC offset in minutes at its local midnight) each time the offset changes."""

    def offset(day: date) -> int:
        return int(datetime.combine(day, time(), tz).utcoffset().total_seconds() // 60)

    first, last = date(_OFFSET_YEARS[0], 1, 1), date(_OFFSET_YEARS[1], 12, 31)
    changes = [(first, offset(first))]
    day = first
    while day < last:  # month by month, then day by day inside a month where it changed
        following = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        if offset(following) != changes[-1][1]:
            probe = day
            while probe < following:
                probe += timedelta(days=1)
                if offset(probe) != changes[-1][1]:
                    changes.append((probe, offset(probe)))
        day = following
    return tuple(changes)


class LocalMidnight(Func):
    """The instant a date starts in `tz`, as a timestamp comparable with the datetime columns."""

    output_field = DateTimeField()

    def __init__(self, expression, tz: tzinfo):
        super().__init__(expression)
        self.tz = tz

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql})::timestamp AT TIME ZONE %s)", [*params, str(self.tz)]

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite knows no time zones: the zone's offsets become a CASE over the date (the
        # literals are dates and integers computed here, never user input).
        sql, params = compiler.compile(self.source_expressions[0])
        changes = _offset_changes(self.tz)
        if len(changes) == 1:
            return f"datetime({sql}, '{-changes[0][1]:+d} minutes')", params
        whens = " ".join(
            f"WHEN {sql} >= '{day.isoformat()}' THEN '{-minutes:+d} minutes'"
            for day, minutes in reversed(changes[1:])
        )
        case = f"CASE {whens} ELSE '{-changes[0][1]:+d} minutes' END"
        return f"datetime({sql}, {case})", params * (len(changes))

    def as_sql(self, compiler, connection, **extra_context):  # other backends: UTC dates
        sql, params = compiler.compile(self.source_expressions[0])
        return sql, params


# --- the selects ------------------------------------------------------------------------------


def _defaults() -> dict:
    """What a select does not name: its own row id and source, typed NULLs for the rest."""
    return {
        "ev_row": F("id"),
        "ev_source": F("source"),
        "ev_text": _null(CharField()),
        "ev_note": _null(CharField()),
        "ev_number": _null(BigIntegerField()),
        "ev_amount": _null(DecimalField(max_digits=14, decimal_places=2)),
        "ev_currency": _null(CharField()),
    }


def _project(qs: QuerySet, **columns) -> QuerySet:
    """The select with the union's columns, in COLUMNS order, no ordering of its own."""
    columns = _defaults() | columns
    missing = set(COLUMNS) - set(columns)
    if missing:
        raise ValueError(f"select lacks {sorted(missing)}")
    return qs.order_by().annotate(**{name: columns[name] for name in COLUMNS}).values(*COLUMNS)


def _rows(model, customer_id: int, sources: tuple[str, ...], **filters) -> QuerySet:
    qs = model.objects.filter(customer_id=customer_id, **filters)
    return qs.filter(source__in=sources) if sources else qs


def _tickets(customer_id, sources, tz, ranks, *, solved: bool) -> QuerySet:
    kind = "ticket_solved" if solved else "ticket_opened"
    qs = _rows(Ticket, customer_id, sources, is_deleted=False)
    if solved:
        qs = qs.filter(solved_at__isnull=False)
    return _project(
        qs,
        ev_at=F("solved_at" if solved else "created_at"),
        ev_rank=Value(ranks[kind]),
        ev_kind=_text(kind),
        ev_ref=F("external_id"),
        ev_text=F("subject"),
        ev_note=F("channel"),
    )


def _replies(customer_id, sources, tz, ranks) -> QuerySet:
    qs = Interaction.objects.filter(
        ticket__customer_id=customer_id,
        ticket__is_deleted=False,
        is_public=True,
        author_role=Interaction.AuthorRole.AGENT,
    )
    if sources:
        qs = qs.filter(source__in=sources)
    return _project(
        qs,
        ev_at=F("created_at"),
        ev_rank=Value(ranks["ticket_replied"]),
        ev_kind=_text("ticket_replied"),
        ev_ref=F("ticket__external_id"),
        ev_text=F("ticket__subject"),
        ev_note=F("ticket__channel"),
    )


def _subscriptions(customer_id, sources, tz, ranks, *, canceled: bool) -> QuerySet:
    kind = "subscription_canceled" if canceled else "subscription_started"
    qs = _rows(Subscription, customer_id, sources)
    if canceled:
        qs = qs.filter(canceled_at__isnull=False)
    return _project(
        qs,
        ev_at=F("canceled_at" if canceled else "started_at"),
        ev_rank=Value(ranks[kind]),
        ev_kind=_text(kind),
        ev_ref=F("external_id"),
        ev_text=F("plan__name"),
        ev_note=F("status"),
        ev_number=F("mrr_minor"),
        ev_currency=F("currency"),
    )


INVOICE_KINDS = {"invoice_paid": Q(status="paid"), "invoice_failed": Q(status="failed")}


def _invoices(customer_id, sources, tz, ranks) -> QuerySet:
    paid = Q(status="paid")
    return _project(
        _rows(Invoice, customer_id, sources, status__in=["paid", "failed"]),
        ev_at=Case(When(paid, then=Coalesce("paid_at", "created_at")), default=F("created_at")),
        ev_rank=_kind_case(INVOICE_KINDS, ranks, rank=True),
        ev_kind=_kind_case(INVOICE_KINDS, ranks, rank=False),
        ev_ref=F("external_id"),
        ev_note=F("status"),
        ev_number=Case(When(paid, then=F("amount_paid_minor")), default=F("amount_due_minor")),
        ev_currency=F("currency"),
    )


def _opportunities_opened(customer_id, sources, tz, ranks) -> QuerySet:
    return _project(
        _rows(Opportunity, customer_id, sources, is_deleted=False),
        ev_at=F("created_at"),
        ev_rank=Value(ranks["opportunity_opened"]),
        ev_kind=_text("opportunity_opened"),
        ev_ref=F("external_id"),
        ev_text=F("name"),
        ev_note=F("stage"),
        ev_amount=F("amount"),
        ev_currency=F("currency"),
    )


CLOSED_KINDS = {"opportunity_won": Q(is_won=True), "opportunity_lost": Q(is_won=False)}


def _opportunities_closed(customer_id, sources, tz, ranks) -> QuerySet:
    qs = _rows(Opportunity, customer_id, sources, is_deleted=False, is_closed=True)
    return _project(
        qs.filter(close_date__isnull=False),
        ev_at=LocalMidnight("close_date", tz),
        ev_rank=_kind_case(CLOSED_KINDS, ranks, rank=True),
        ev_kind=_kind_case(CLOSED_KINDS, ranks, rank=False),
        ev_ref=F("external_id"),
        ev_text=F("name"),
        ev_note=F("stage"),
        ev_amount=F("amount"),
        ev_currency=F("currency"),
    )


CRM_KINDS = {"crm_task": Q(kind="task"), "crm_event": Q(kind="event")}


def _crm(customer_id, sources, tz, ranks) -> QuerySet:
    return _project(
        _rows(CrmActivity, customer_id, sources, is_deleted=False, kind__in=["task", "event"]),
        ev_at=F("occurred_at"),
        ev_rank=_kind_case(CRM_KINDS, ranks, rank=True),
        ev_kind=_kind_case(CRM_KINDS, ranks, rank=False),
        ev_ref=F("external_id"),
        ev_text=F("subject"),
        ev_note=F("status"),
    )


def _usage(customer_id, sources, tz, ranks) -> QuerySet:
    return _project(
        _rows(UsageMonth, customer_id, sources),
        ev_at=LocalMidnight("month", tz),
        ev_rank=Value(ranks["usage"]),
        ev_kind=_text("usage"),
        ev_ref=F("account_id"),
        ev_number=F("api_calls"),
    )


def _fixed(build, **kwargs):
    return lambda customer_id, sources, tz, ranks: build(customer_id, sources, tz, ranks, **kwargs)


# Every select, with the kinds it yields and, when it yields several, the condition of each.
SELECTS = (
    (("ticket_opened",), _fixed(_tickets, solved=False), None),
    (("ticket_solved",), _fixed(_tickets, solved=True), None),
    (("ticket_replied",), _replies, None),
    (("subscription_started",), _fixed(_subscriptions, canceled=False), None),
    (("subscription_canceled",), _fixed(_subscriptions, canceled=True), None),
    (tuple(INVOICE_KINDS), _invoices, INVOICE_KINDS),
    (("opportunity_opened",), _opportunities_opened, None),
    (tuple(CLOSED_KINDS), _opportunities_closed, CLOSED_KINDS),
    (tuple(CRM_KINDS), _crm, CRM_KINDS),
    (("usage",), _usage, None),
)


def event_selects(
    *,
    customer_id: int,
    sources: tuple[str, ...],
    kinds: tuple[str, ...],
    ranks: dict[str, int],
    tz: tzinfo = UTC,
) -> list[QuerySet]:
    """The selects a filter needs: a select none of whose kinds is asked for is left out, one
    that yields several kinds keeps only the rows of the kinds asked for."""
    selects = []
    for select_kinds, build, conditions in SELECTS:
        wanted = [kind for kind in select_kinds if not kinds or kind in kinds]
        if not wanted:
            continue
        qs = build(customer_id, sources, tz, ranks)
        if conditions and len(wanted) < len(select_kinds):
            condition = Q()
            for kind in wanted:
                condition |= conditions[kind]
            qs = qs.filter(condition)
        selects.append(qs)
    return selects


def union(selects: list[QuerySet]) -> QuerySet | None:
    """The selects as one UNION ALL, or None when a filter left none."""
    if not selects:
        return None
    first, *rest = selects
    return first.union(*rest, all=True) if rest else first


def event_row(values: dict) -> EventRow:
    return EventRow(
        at=values["ev_at"],
        kind=values["ev_kind"],
        row=values["ev_row"],
        source=values["ev_source"],
        ref=str(values["ev_ref"] or ""),
        text=values["ev_text"],
        note=values["ev_note"],
        number=values["ev_number"],
        amount=values["ev_amount"],
        currency=values["ev_currency"],
    )

"""Customer timeline and last contact (DESIGN.md §4).

The timeline is one UNION ALL of a select per kind of event (tickets opened, agent replies,
invoices ...), each projecting the same columns, ordered and cut to a page in the database and
counted there, in the same query: a page deep in the history costs what the first one does.
The page's union is compiled once per filter and time zone, not per request
(metrics/timeline_sql.py). Only the page's rows reach Python, where they get their titles and
links.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from functools import lru_cache

from django.db.models import Max, QuerySet

from supportops.models import CrmActivity, Interaction
from supportops.models.sources import Source
from supportops.money import minor_to_major

from .periods import Month
from .source_links import SourceLinks
from .timeline_events import ORDER, EventRow, event_row, event_selects, union
from .timeline_sql import CompiledUnion

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
RANK = {kind: rank for rank, kind in enumerate(KINDS)}
SOURCES = tuple(Source.values)
KIND_LABELS = {
    "usage": "Usage month",
    "opportunity_opened": "Opportunity opened",
    "opportunity_won": "Opportunity won",
    "opportunity_lost": "Opportunity lost",
    "subscription_started": "Subscription started",
    "invoice_paid": "Invoice paid",
    "invoice_failed": "Invoice failed",
    "subscription_canceled": "Subscription canceled",
    "crm_task": "CRM task",
    "crm_event": "CRM event",
    "ticket_opened": "Ticket / conversation opened",
    "ticket_replied": "Agent replied",
    "ticket_solved": "Ticket / conversation solved",
}


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    kind: str  # one of KINDS
    source: str  # the system it came from: zendesk, intercom, stripe, salesforce, usage, ...
    title: str
    detail: str
    amount: Decimal | None = None  # major units of `currency`: invoice, MRR, opportunity amount
    currency: str | None = None
    link: str | None = None  # the record in its own system

    @property
    def source_label(self) -> str:
        return Source(self.source).label if self.source in Source.values else self.source


class BadTimelineFilter(ValueError):
    """A filter value the timeline does not know; `param` names it, the message is fit to show."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param


def _values(query: Mapping, name: str) -> list[str]:
    raw = query.getlist(name) if hasattr(query, "getlist") else [query.get(name) or ""]
    return [part.strip() for value in raw for part in str(value).split(",") if part.strip()]


def _choices(query: Mapping, name: str, valid: tuple[str, ...], what: str) -> tuple[str, ...]:
    values = _values(query, name)
    unknown = [value for value in values if value not in valid]
    if unknown:
        raise BadTimelineFilter(
            name,
            f"Unknown {what} {', '.join(repr(value) for value in unknown)}; "
            f"use one or more (comma-separated) of {', '.join(valid)}",
        )
    return tuple(dict.fromkeys(values))


@dataclass(frozen=True)
class TimelineFilters:
    """What the timeline is narrowed to; empty means every source / every kind."""

    sources: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    @classmethod
    def parse(cls, query: Mapping) -> TimelineFilters:
        """`source` and `kind`, each one value or a comma-separated list (or repeated)."""
        return cls(
            sources=_choices(query, "source", SOURCES, "source"),
            kinds=_choices(query, "kind", KINDS, "kind"),
        )

    @property
    def query(self) -> dict[str, str]:
        """The filters as URL parameters (for page links)."""
        params = {}
        if self.sources:
            params["source"] = ",".join(self.sources)
        if self.kinds:
            params["kind"] = ",".join(self.kinds)
        return params


@dataclass(frozen=True)
class FilterOption:
    value: str
    label: str
    selected: bool


def filter_options(query: Mapping) -> dict[str, tuple[FilterOption, ...]]:
    """The page's source and kind selects for GET parameters `query`, as typed: a list or an
    unknown value typed in the URL stays selected as an extra option, so a 400 shows it."""

    def options(name: str, choices: list[tuple[str, str]], every: str):
        typed = ",".join(_values(query, name))
        known = {value for value, _ in choices}
        rows = [("", every), *choices]
        if typed and typed not in known:
            rows.append((typed, typed))
        return tuple(FilterOption(value, label, value == typed) for value, label in rows)

    return {
        "source": options("source", [(s, Source(s).label) for s in SOURCES], "Every system"),
        "kind": options("kind", list(KIND_LABELS.items()), "Every kind"),
    }


@dataclass(frozen=True)
class TimelinePage:
    """One page of a customer's events, newest first; iterates over the events."""

    events: tuple[TimelineEvent, ...]
    count: int  # events matching the filters, all pages
    number: int
    page_size: int
    filters: TimelineFilters = field(default_factory=TimelineFilters)

    def __getitem__(self, index):
        return self.events[index]

    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self) -> Iterator[TimelineEvent]:
        return iter(self.events)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number * self.page_size < self.count

    @property
    def first_index(self) -> int:
        """1-based position of the page's first event (0 when the page is empty)."""
        return (self.number - 1) * self.page_size + 1 if self.events else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.page_size + len(self.events)


# --- last contact ----------------------------------------------------------------------------


def public_messages() -> QuerySet[Interaction]:
    """Public messages from either side, in any channel; those of deleted tickets do not count."""
    return Interaction.objects.filter(
        is_public=True,
        author_role__in=[Interaction.AuthorRole.AGENT, Interaction.AuthorRole.CUSTOMER],
        ticket__is_deleted=False,
    )


def last_contact(*, customer_id: int) -> datetime | None:
    """When the customer and support last exchanged a public message, or None, computed from
    the messages: what Customer.last_contact_at holds once the sync has refreshed it (the
    tests check the column against this)."""
    return (
        public_messages()
        .filter(ticket__customer_id=customer_id)
        .aggregate(latest=Max("created_at"))["latest"]
    )


# --- the timeline ----------------------------------------------------------------------------


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,} {currency.upper()}"


def _thread(source: str) -> str:
    return "Conversation" if source == "intercom" else "Ticket"


def _amount(row: EventRow) -> Decimal | None:
    """Major units with two places: minor units converted, opportunity amounts as they are."""
    if row.kind.startswith(("invoice_", "subscription_")) and row.number is not None:
        return minor_to_major(row.number, row.currency or "usd").quantize(Decimal("0.01"))
    if row.kind.startswith("opportunity_") and row.amount is not None:
        return Decimal(row.amount).quantize(Decimal("0.01"))
    return None


def _words(row: EventRow, amount: Decimal | None, tz: tzinfo) -> tuple[str, str]:
    """(title, detail) of an event, as the page and the API show them."""
    kind, text, note = row.kind, row.text or "", row.note or ""
    if kind.startswith("ticket_"):
        subject, channel = text or "(no subject)", note or "unknown channel"
        if kind == "ticket_replied":
            return f"Agent replied: {subject}", f"#{row.ref} via {channel}"
        verb = "opened" if kind == "ticket_opened" else "solved"
        detail = f"#{row.ref} via {channel}" if kind == "ticket_opened" else f"#{row.ref}"
        return f"{_thread(row.source)} {verb}: {subject}", detail
    if kind.startswith("subscription_"):
        verb = "started" if kind == "subscription_started" else "canceled"
        money = _money(amount, row.currency) if amount is not None else "—"
        return f"Subscription {verb}: {text or 'no plan'}", f"MRR {money} · {note}"
    if kind.startswith("invoice_"):
        verb = "paid" if kind == "invoice_paid" else "payment failed"
        money = _money(amount, row.currency) if amount is not None else "—"
        return f"Invoice {verb}: {money}", row.ref
    if kind.startswith("opportunity_"):
        money = "no amount" if amount is None else _money(amount, row.currency or "usd")
        verb = kind.removeprefix("opportunity_")
        stage = note or ("no stage" if kind == "opportunity_opened" else "closed")
        return f"Opportunity {verb}: {text or '(unnamed)'}", f"{money} · {stage}"
    if kind.startswith("crm_"):
        label = CrmActivity.Kind(kind.removeprefix("crm_")).label
        return f"{label}: {text or '(no subject)'}", note
    local = row.at.astimezone(tz)
    month = Month(local.year, local.month)
    return f"Usage {month.label}: {row.number or 0:,} API calls", f"account {row.ref}"


def _event(row: EventRow, links: SourceLinks, tz: tzinfo) -> TimelineEvent:
    amount = _amount(row)
    title, detail = _words(row, amount, tz)
    return TimelineEvent(
        at=row.at,
        kind=row.kind,
        source=row.source,
        title=title,
        detail=detail,
        amount=amount,
        currency=row.currency if amount is not None else None,
        link=links.link(source=row.source, kind=row.kind, external_id=row.ref),
    )


def _events_union(customer_id: int, filters: TimelineFilters, tz: tzinfo):
    selects = event_selects(
        customer_id=customer_id,
        sources=filters.sources,
        kinds=filters.kinds,
        ranks=RANK,
        tz=tz,
    )
    return union(selects)


@lru_cache(maxsize=256)
def _compiled_union(sources: tuple[str, ...], kinds: tuple[str, ...], tz: tzinfo):
    """The union for these filters and zone, compiled once (metrics/timeline_sql.py)."""
    filters = TimelineFilters(sources=sources, kinds=kinds)
    return CompiledUnion.of(lambda customer_id: _events_union(customer_id, filters, tz))


def timeline_page(
    *,
    customer_id: int,
    filters: TimelineFilters | None = None,
    page: int = 1,
    page_size: int = DEFAULT_LIMIT,
    tz: tzinfo = UTC,
) -> TimelinePage:
    """One page of the customer's events, newest first (ties: the later kind of KINDS first,
    then the newer row), and how many events match.

    One query whatever the page: the page's rows, cut with LIMIT/OFFSET in the database, each
    carrying the count (a page past the end carries none: a COUNT follows then; one more query
    looks up the Intercom workspace when the page links a conversation).
    `tz` is the reporting time zone, for events that only have a date.
    """
    filters = filters or TimelineFilters()
    compiled = _compiled_union(filters.sources, filters.kinds, tz)
    if compiled is None:
        return TimelinePage(events=(), count=0, number=page, page_size=page_size, filters=filters)
    window, count = compiled.page(customer_id, offset=(page - 1) * page_size, limit=page_size)
    if count is None:  # no events at all, or a page past the end: then how many there are
        count = compiled.count(customer_id) if page > 1 else 0
    rows = [event_row(values) for values in window]
    links = SourceLinks()
    return TimelinePage(
        events=tuple(_event(row, links, tz) for row in rows),
        count=count,
        number=page,
        page_size=page_size,
        filters=filters,
    )


def all_events(
    *, customer_id: int, filters: TimelineFilters | None = None, tz: tzinfo = UTC
) -> list[TimelineEvent]:
    """Every matching event, newest first, for a CSV download: one query (plus the Intercom
    workspace when needed)."""
    events = _events_union(customer_id, filters or TimelineFilters(), tz)
    if events is None:
        return []
    links = SourceLinks()
    return [_event(event_row(values), links, tz) for values in events.order_by(*ORDER)]


def customer_timeline(
    *, customer_id: int, limit: int = DEFAULT_LIMIT, tz: tzinfo = UTC
) -> list[TimelineEvent]:
    """The `limit` newest events of the customer (the first page, without its count)."""
    if limit < 1:
        return []
    events = _events_union(customer_id, TimelineFilters(), tz)
    if events is None:
        return []
    links = SourceLinks()
    return [_event(event_row(v), links, tz) for v in events.order_by(*ORDER)[:limit]]

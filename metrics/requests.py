"""Feature requests (DESIGN.md §4 "Feature requests"): what customers ask for, weighed by what
those customers are worth.

A ticket created in the window (deleted ones excluded) is a request when its subject matches
one of MetricSettings.feature_request_patterns (Python regexes searched anywhere in the
subject, case-insensitive, each with a named group `name`); the first pattern that yields a
name wins. The name is trimmed of spaces and quotes (straight and curly) and case-folded, so
`"Salesforce"`, `salesforce` and `“SalesForce”` are one request.

Where the matching runs: Python's regex syntax is neither SQLite's nor PostgreSQL's (there is no
`(?P<name>…)` in PostgreSQL regexes), so no portable SQL can match and extract. The database
narrows the tickets first: each pattern's literal prefix (the plain text it starts with,
"Requesting integration for ") becomes a case-insensitive `LIKE`, so only candidate subjects
are read (id, subject, customer id, streamed); a pattern with no literal start reads every
subject of the window. Python then matches those subjects and groups names. The customers'
money is read in the database: one query over the customers behind the candidates, with each
customer's realized revenue summed there (supportops/ltv.py). Per name, the money sums add up
customers billed in the reporting currency; the others are counted, not summed.

Four queries, whatever the number of tickets: settings, the LTV basis, the candidates, the
customers.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from supportops.models import Customer, MetricSettings, Ticket
from supportops.money import minor_to_major

from .ltv import LtvBasis, ltv_basis_for, ltv_of, realized_revenue_minor
from .periods import BadPeriod, Month, Window, last_complete_months
from .request_patterns import literal_prefix, match_request, request_name, usable_patterns
from .request_results import (
    FeatureRequestRow,
    PatternProblem,
    RequestCustomer,
    RequestTicket,
)

CHUNK_SIZE = 2000


class UnknownRequest(LookupError):
    """No ticket of the window asks for that name; the message is fit to show a user."""


@dataclass(frozen=True)
class FeatureRequestResult:
    window: Window
    currency: str  # the reporting currency of the sums
    basis: LtvBasis
    rows: tuple[FeatureRequestRow, ...]  # LTV sum first, then tickets, then name
    patterns: tuple[str, ...]  # the patterns used
    skipped_patterns: tuple[PatternProblem, ...] = ()
    customers: int = 0  # distinct customers behind all the rows
    current_month: Month | None = None  # the latest month on offer
    timezone: str = "UTC"

    @property
    def tickets(self) -> int:
        return sum(row.tickets for row in self.rows)


@dataclass(frozen=True)
class FeatureRequestDetail:
    window: Window
    currency: str
    basis: LtvBasis
    row: FeatureRequestRow
    tickets: tuple[RequestTicket, ...]  # newest first
    customers: tuple[RequestCustomer, ...]  # reporting-currency ones first, then by LTV
    current_month: Month | None = None


# --- tickets ---------------------------------------------------------------------------------


def _candidates(patterns: list[re.Pattern], window: Window, tz: ZoneInfo) -> QuerySet[Ticket]:
    start_at, end_at = window.bounds(tz)
    tickets = Ticket.objects.filter(
        is_deleted=False, created_at__gte=start_at, created_at__lt=end_at
    )
    prefixes = [literal_prefix(pattern) for pattern in patterns]
    if all(prefixes):
        narrowed = Q()
        for prefix in prefixes:
            narrowed |= Q(subject__icontains=prefix)
        tickets = tickets.filter(narrowed)
    return tickets.order_by()


# --- grouping --------------------------------------------------------------------------------


@dataclass
class _Group:
    tickets: int = 0
    unlinked: int = 0
    spellings: Counter = field(default_factory=Counter)
    customers: Counter = field(default_factory=Counter)  # customer id → tickets


def _groups(rows: Iterable[tuple], patterns: list[re.Pattern]) -> dict[str, _Group]:
    """`rows` start with (subject, customer id)."""
    groups: dict[str, _Group] = defaultdict(_Group)
    for subject, customer_id, *_ in rows:
        matched = match_request(patterns, subject)
        if matched is None:
            continue
        group = groups[matched[0]]
        group.tickets += 1
        group.spellings[matched[1]] += 1
        if customer_id is None:
            group.unlinked += 1
        else:
            group.customers[customer_id] += 1
    return groups


def _label(spellings: Counter) -> str:
    """The most frequent spelling; on a tie, one in mixed case ("Linear" over "LINEAR" or
    "linear", which read as typing habits), then the alphabetically first."""

    def rank(item):
        spelling, count = item
        return (-count, spelling.isupper() or spelling.islower(), spelling)

    return min(spellings.items(), key=rank)[0]


@dataclass(frozen=True)
class _Money:
    name: str
    currency: str
    mrr: Decimal
    ltv: Decimal
    realized: Decimal


def _customer_money(customers: QuerySet[Customer], basis: LtvBasis) -> dict[int, _Money]:
    """MRR, LTV and realized revenue of `customers`, in their own currencies: one query."""
    rows = customers.order_by().annotate(realized=realized_revenue_minor())
    money = {}
    for pk, name, currency, mrr_minor, realized in rows.values_list(
        "pk", "name", "currency", "mrr_minor", "realized"
    ):
        mrr = minor_to_major(mrr_minor, currency)
        money[pk] = _Money(
            name, currency.upper(), mrr, ltv_of(mrr, basis), minor_to_major(realized, currency)
        )
    return money


def _row(key: str, group: _Group, money: dict[int, _Money], currency: str) -> FeatureRequestRow:
    counted = [money[pk] for pk in group.customers if money[pk].currency == currency]
    return FeatureRequestRow(
        name=key,
        label=_label(group.spellings),
        tickets=group.tickets,
        customers=len(group.customers),
        ltv_sum=sum((m.ltv for m in counted), Decimal("0.00")),
        mrr_sum=sum((m.mrr for m in counted), Decimal("0.00")),
        realized_revenue_sum=sum((m.realized for m in counted), Decimal("0.00")),
        other_currency_customers=len(group.customers) - len(counted),
        unlinked_tickets=group.unlinked,
    )


@dataclass(frozen=True)
class _Setup:
    settings: MetricSettings
    tz: ZoneInfo
    window: Window
    current_month: Month
    basis: LtvBasis
    patterns: list[re.Pattern]
    problems: list[PatternProblem]


def _setup(now: datetime, window: Window | None) -> _Setup:
    """Settings, the window (default: the last 3 complete months), the LTV basis and the
    patterns. A window ending after the month in progress is refused (BadPeriod)."""
    settings = MetricSettings.load()
    tz = ZoneInfo(settings.reporting_timezone)
    current = Month.containing(now, tz)
    window = window or last_complete_months(now=now, tz=tz)
    if window.end > current:
        raise BadPeriod(f"{window.end.label} has not started yet; the latest month is {current}")
    patterns, problems = usable_patterns(settings.feature_request_patterns)
    basis = ltv_basis_for(now=now, settings=settings)
    return _Setup(settings, tz, window, current, basis, patterns, problems)


# --- the metric ------------------------------------------------------------------------------


def feature_requests(*, window: Window | None = None, now: datetime) -> FeatureRequestResult:
    """Every requested thing of `window` (default: the last 3 complete months), with its
    tickets, customers and their worth."""
    setup = _setup(now, window)
    currency = setup.settings.currency.upper()
    groups: dict[str, _Group] = {}
    money: dict[int, _Money] = {}
    if setup.patterns:
        candidates = _candidates(setup.patterns, setup.window, setup.tz)
        rows = candidates.values_list("subject", "customer_id").iterator(chunk_size=CHUNK_SIZE)
        groups = _groups(rows, setup.patterns)
        if any(group.customers for group in groups.values()):
            behind = Customer.objects.filter(pk__in=candidates.values("customer_id"))
            money = _customer_money(behind, setup.basis)
    result_rows = sorted(
        (_row(key, group, money, currency) for key, group in groups.items()),
        key=lambda row: (-row.ltv_sum, -row.tickets, row.name),
    )
    return FeatureRequestResult(
        window=setup.window,
        currency=currency,
        basis=setup.basis,
        rows=tuple(result_rows),
        patterns=tuple(pattern.pattern for pattern in setup.patterns),
        skipped_patterns=tuple(setup.problems),
        customers=len({pk for group in groups.values() for pk in group.customers}),
        current_month=setup.current_month,
        timezone=setup.settings.reporting_timezone,
    )


def _request_tickets(rows: Iterator[tuple], patterns, key: str) -> list[tuple]:
    return [row for row in rows if (match_request(patterns, row[0]) or ("",))[0] == key]


def feature_request_detail(
    *, name: str, window: Window | None = None, now: datetime
) -> FeatureRequestDetail:
    """The tickets (newest first) and the customers (LTV first) behind one requested thing.

    `name` is read as the list groups it (any case, quotes allowed). Raises UnknownRequest when
    no ticket of the window asks for it.
    """
    setup = _setup(now, window)
    settings, basis, patterns, window = setup.settings, setup.basis, setup.patterns, setup.window
    key = request_name(name)
    fields = ("subject", "customer_id", "id", "source", "external_id", "customer__name")
    matching = []
    if key and patterns:
        candidates = _candidates(patterns, window, setup.tz)
        rows = candidates.order_by("-created_at", "-id").values_list(*fields, "created_at")
        matching = _request_tickets(rows.iterator(chunk_size=CHUNK_SIZE), patterns, key)
    if not matching:
        raise UnknownRequest(f"no feature request called “{name.strip()}” in {window.label}")
    group = _groups(matching, patterns)[key]
    money = _customer_money(Customer.objects.filter(pk__in=list(group.customers)), basis)
    currency = settings.currency.upper()
    customers = sorted(
        (
            RequestCustomer(
                id=pk,
                name=m.name,
                currency=m.currency,
                tickets=group.customers[pk],
                mrr=m.mrr,
                ltv=m.ltv,
                realized_revenue=m.realized,
                in_sums=m.currency == currency,
            )
            for pk, m in money.items()
        ),
        key=lambda c: (not c.in_sums, -c.ltv, c.name.casefold(), c.id),
    )
    return FeatureRequestDetail(
        window=window,
        currency=currency,
        basis=basis,
        row=_row(key, group, money, currency),
        tickets=tuple(
            RequestTicket(
                id=pk,
                source=source,
                external_id=external_id,
                subject=subject,
                customer_id=customer_id,
                customer=customer,
                created_at=created_at,
            )
            for subject, customer_id, pk, source, external_id, customer, created_at in matching
        ),
        customers=tuple(customers),
        current_month=setup.current_month,
    )

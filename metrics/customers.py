"""Customers: the filtered list (and its CSV), one customer's page, the records no one claims.

Everything is filtered and aggregated in the database: the list is the plans, a count, one
page query, one query for the page's linked sources and one for every source's link counts,
whatever the page size. Last contact and the all-time ticket count are columns the sync keeps
(supportops/contact.py), so sorting and filtering on them walk an index; only the page's own
rows get their recent-ticket count computed. The CSV streams the same rows in chunks, one query
for the linked sources of each chunk.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from supportops.customer_cost import CostToDate, customer_cost_to_date, derived_refresh_request
from supportops.customer_filters import customers_filtered
from supportops.identity import UnmatchedRecord, unmatched_identities
from supportops.models import (
    Customer,
    CustomerIdentity,
    MetricSettings,
    Plan,
    Source,
    Ticket,
    UsageMonth,
)
from supportops.money import minor_to_major

from .customer_query import (
    DEFAULT_SORT,
    FIRST_SORT,
    NO_PLAN,
    STALE_PRESET_DAYS,
    BadFilter,
    CustomerFilters,
    sort_ordering,
    stale_preset_query,
)
from .ltv import LtvBasis, ltv_of, realized_revenue_minor
from .ltv_cache import ltv_basis_cached
from .periods import Month, last_n_months
from .timeline import DEFAULT_LIMIT, TimelineFilters, TimelinePage, timeline_page

PAGE_SIZE = 50
RECENT_TICKET_DAYS = 90
ACTIVITY_MONTHS = 12

CSV_CHUNK_SIZE = 2000


@dataclass(frozen=True)
class LinkedRecord:
    source: str
    label: str  # "Zendesk", "Product usage", ...
    external_id: str


@dataclass(frozen=True)
class CustomerRow:
    id: int
    name: str
    domains: tuple[str, ...]
    plan: str | None
    is_paying: bool
    is_enterprise: bool
    mrr: Decimal  # major units of `currency`
    currency: str
    recent_tickets: int  # created in the RECENT_TICKET_DAYS before `now`, deleted excluded
    last_contact_at: datetime | None  # latest public message either way (kept by the sync)
    records: tuple[LinkedRecord, ...]
    ticket_count: int = 0  # not deleted, all time (kept by the sync)
    coverage: SourceCoverage | None = None  # in the list only
    ltv: Decimal | None = None  # on the customer's page only: MRR × expected lifetime
    realized_revenue: Decimal | None = None  # its page only: paid invoices, all time

    @property
    def sources(self) -> tuple[LinkedRecord, ...]:
        """One record per linked system, in Source order."""
        seen: dict[str, LinkedRecord] = {}
        for record in sorted(self.records, key=lambda r: _source_rank(r.source)):
            seen.setdefault(record.source, record)
        return tuple(seen.values())


@dataclass(frozen=True)
class SourceCoverage:
    """Which systems a customer is linked to, against those any customer is linked to."""

    linked: tuple[str, ...]  # labels, in Source order
    missing: tuple[str, ...]

    @property
    def summary(self) -> str:
        """ "All linked", "No Stripe", "No Stripe or Salesforce", "Only Zendesk", "None linked"."""
        if not self.linked:
            return "None linked"
        if not self.missing:
            return "All linked"
        if len(self.missing) <= len(self.linked):
            return f"No {_join(self.missing, 'or')}"
        return f"Only {_join(self.linked, 'and')}"

    @property
    def detail(self) -> str:
        """Both lists in full, for a tooltip."""
        text = f"Linked: {', '.join(self.linked) or 'none'}"
        return f"{text}. Not linked: {', '.join(self.missing)}" if self.missing else text


def _join(words: tuple[str, ...], last: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


@dataclass(frozen=True)
class CustomerPage:
    rows: tuple[CustomerRow, ...]
    filters: CustomerFilters
    sort: str
    number: int
    num_pages: int
    count: int  # customers matching the search and filters
    unmatched_count: int  # source records linked to no customer
    plans: tuple[str, ...]  # the plan filter's choices
    recent_ticket_days: int = RECENT_TICKET_DAYS
    stale_preset_days: int = STALE_PRESET_DAYS

    @property
    def stale_preset(self) -> bool:
        """Whether this is the "stale high-value accounts" view (whatever its days)."""
        f = self.filters
        return f.paying is True and f.stale_days is not None and self.sort == "-mrr"

    @property
    def stale_preset_query(self) -> dict[str, str]:
        return stale_preset_query(self.stale_preset_days)

    @property
    def search(self) -> str:
        return self.filters.search

    @property
    def sort_links(self) -> dict[str, str]:
        """Column → the sort its header links to: the other direction when it is the current."""
        links = {}
        for column, first in FIRST_SORT.items():
            reverse = first[1:] if first.startswith("-") else f"-{first}"
            links[column] = reverse if self.sort == first else first
        return links

    @property
    def sorted_by(self) -> dict[str, str]:
        """Column → "ascending" / "descending" for the current sort (for aria-sort)."""
        column = self.sort.lstrip("-")
        return {column: "descending" if self.sort.startswith("-") else "ascending"}

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


@dataclass(frozen=True)
class CustomerMonth:
    month: Month
    api_calls: int
    tickets: int


@dataclass(frozen=True)
class CustomerDetail:
    customer: CustomerRow
    months: tuple[CustomerMonth, ...]  # oldest first, ending with the month of `now`
    # newest first, filtered and paged; None when the filters could not be read
    timeline: TimelinePage | None
    recent_ticket_days: int = RECENT_TICKET_DAYS
    ltv_basis: LtvBasis | None = None  # the churn and lifetime its LTV uses
    support_cost: CostToDate | None = None  # its allocated team cost, all months to date


@dataclass(frozen=True)
class UnmatchedRow:
    record: UnmatchedRecord
    label: str


# --- shared ----------------------------------------------------------------------------------


def _label(source: str) -> str:
    return Source(source).label if source in Source.values else source


def _source_rank(source: str) -> tuple[int, str]:
    """Source order (Zendesk, Intercom, Stripe, ...), then any other source by name."""
    values = Source.values
    return (values.index(source), "") if source in values else (len(values), source)


def _customers(*, now: datetime) -> QuerySet[Customer]:
    """Customers with plan, recent ticket count and live source records.

    The recent count is a subquery that nothing sorts or filters on, so the database computes
    it for the rows it returns only (a page's 50), and a count() leaves it out.
    """
    recent = (
        Ticket.objects.filter(
            customer_id=OuterRef("pk"),
            is_deleted=False,
            created_at__gt=now - timedelta(days=RECENT_TICKET_DAYS),
            created_at__lte=now,
        )
        .order_by()
        .values("customer_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    identities = CustomerIdentity.objects.filter(is_deleted=False).order_by("source", "external_id")
    return (
        Customer.objects.select_related("plan")
        .prefetch_related(Prefetch("identities", queryset=identities, to_attr="live_identities"))
        .annotate(
            recent_tickets=Coalesce(Subquery(recent, output_field=IntegerField()), 0),
        )
    )


def _row(customer: Customer, known_sources: tuple[str, ...] | None = None) -> CustomerRow:
    """`known_sources` (the systems to compare against) adds the list's source coverage."""
    linked = {i.source for i in customer.live_identities if i.source != Source.MANUAL}
    coverage = None
    if known_sources is not None:
        coverage = SourceCoverage(
            linked=tuple(_label(s) for s in sorted(linked, key=_source_rank)),
            missing=tuple(_label(s) for s in known_sources if s not in linked),
        )
    return CustomerRow(
        id=customer.id,
        name=customer.name,
        domains=tuple(customer.domains or ()),
        plan=str(customer.plan) if customer.plan else None,
        is_paying=customer.is_paying,
        is_enterprise=customer.is_enterprise,
        mrr=minor_to_major(customer.mrr_minor, customer.currency),
        currency=customer.currency.upper(),
        recent_tickets=customer.recent_tickets,
        ticket_count=customer.ticket_count,
        last_contact_at=customer.last_contact_at,
        records=tuple(
            LinkedRecord(i.source, _label(i.source), i.external_id)
            for i in customer.live_identities
        ),
        coverage=coverage,
    )


# --- the list --------------------------------------------------------------------------------


def _plan_labels() -> dict[str, bool]:
    """Every plan's name as the list shows it → whether any customer is on a plan of that name.

    Prices of one name (monthly and yearly "Pro") are one choice.
    """
    on_plan = Exists(Customer.objects.filter(plan_id=OuterRef("pk")))
    labels: dict[str, bool] = {}
    for name, external_id, used in (
        Plan.objects.order_by().annotate(used=on_plan).values_list("name", "external_id", "used")
    ):
        label = name or external_id
        labels[label] = labels.get(label, False) or used
    return labels


def _check_plan(filters: CustomerFilters, labels: Mapping[str, bool]) -> None:
    if filters.plan and filters.plan != NO_PLAN and filters.plan not in labels:
        raise BadFilter(
            "plan", f"there is no plan called “{filters.plan}”; choose one from the list"
        )


def _plan_choices(labels: Mapping[str, bool], selected: str) -> tuple[str, ...]:
    chosen = (label for label, used in labels.items() if used or label == selected)
    return tuple(sorted(chosen, key=lambda label: (label.casefold(), label)))


def customer_plans(*, selected: str = "") -> tuple[str, ...]:
    """The plan filter's choices: plans some customer is on, and `selected` if it is a plan."""
    return _plan_choices(_plan_labels(), selected)


def _identity_counts() -> tuple[tuple[str, ...], int]:
    """Sources some customer is linked to (in Source order, "manual" aside) and the number
    of records linked to no customer (as unmatched_identities() lists them): one query.

    Not a GROUP BY over every identity (a scan of all of them on every page view): one EXISTS
    per source, each stopping at its first linked record, and a count over the partial index of
    unmatched records (migration 0012).
    """
    live = CustomerIdentity.objects.filter(is_deleted=False).order_by()
    sources = [source for source in Source.values if source != Source.MANUAL]
    parts, params = [], []
    for source in sources:
        linked = live.filter(source=source, customer__isnull=False).values("pk")[:1]
        sql, sql_params = linked.query.sql_with_params()
        parts.append(f"EXISTS ({sql})")
        params.extend(sql_params)
    sql, sql_params = live.filter(customer__isnull=True).values("pk").query.sql_with_params()
    parts.append(f"(SELECT COUNT(*) FROM ({sql}) unmatched)")
    params.extend(sql_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        *linked_flags, unmatched_count = cursor.fetchone()
    known = tuple(source for source, flag in zip(sources, linked_flags, strict=True) if flag)
    return known, unmatched_count


def customer_list(
    *,
    now: datetime,
    filters: CustomerFilters | None = None,
    sort: str = DEFAULT_SORT,
    page: str | int = 1,
) -> CustomerPage:
    """One page of customers matching `filters`, ordered by `sort` (a key of SORTS).

    Five queries: plans, matching count, the page, its source records, link counts per source.
    A page number out of range shows the nearest page, as Django's `get_page` does.
    """
    filters = filters or CustomerFilters()
    ordering = sort_ordering(sort)
    labels = _plan_labels()
    _check_plan(filters, labels)
    queryset = customers_filtered(_customers(now=now), filters, now=now)
    paginator = Paginator(queryset.order_by(*ordering), PAGE_SIZE)
    current = paginator.get_page(page)
    known_sources, unmatched = _identity_counts()
    return CustomerPage(
        rows=tuple(_row(customer, known_sources) for customer in current.object_list),
        filters=filters,
        sort=sort,
        number=current.number,
        num_pages=paginator.num_pages,
        count=paginator.count,
        unmatched_count=unmatched,
        plans=_plan_choices(labels, filters.plan),
    )


# --- the CSV ---------------------------------------------------------------------------------


def customer_export(
    *,
    now: datetime,
    filters: CustomerFilters | None = None,
    sort: str = DEFAULT_SORT,
    chunk_size: int | None = None,
) -> Iterator[CustomerRow]:
    """Every customer matching `filters` in `sort` order, as the list shows them.

    Bad input raises here, before any row is read. Rows are then read `chunk_size` (default
    CSV_CHUNK_SIZE) at a time, with one query for each chunk's source records.
    """
    filters = filters or CustomerFilters()
    ordering = sort_ordering(sort)
    if filters.plan and filters.plan != NO_PLAN:
        _check_plan(filters, _plan_labels())
    queryset = customers_filtered(_customers(now=now), filters, now=now).order_by(*ordering)
    rows = queryset.iterator(chunk_size=chunk_size or CSV_CHUNK_SIZE)
    return (_row(customer) for customer in rows)


def unmatched_rows() -> list[UnmatchedRow]:
    """Source records linked to no customer, with why (supportops.identity)."""
    return [UnmatchedRow(record, _label(record.source)) for record in unmatched_identities()]


# --- one customer ----------------------------------------------------------------------------


def _activity(customer_id: int, months: list[Month], tz: ZoneInfo) -> tuple[CustomerMonth, ...]:
    """API calls and tickets created per month: one query each."""
    bounds = [month.bounds(tz) for month in months]
    counts = Ticket.objects.filter(
        customer_id=customer_id,
        is_deleted=False,
        created_at__gte=bounds[0][0],
        created_at__lt=bounds[-1][1],
    ).aggregate(
        **{
            f"m{i}": Count("pk", filter=Q(created_at__gte=start_at, created_at__lt=end_at))
            for i, (start_at, end_at) in enumerate(bounds)
        }
    )
    calls = dict(
        UsageMonth.objects.filter(
            customer_id=customer_id,
            month__gte=months[0].first_date,
            month__lte=months[-1].last_date,
        )
        .order_by()
        .values("month")
        .annotate(calls=Sum("api_calls"))
        .values_list("month", "calls")
    )
    by_month: dict[Month, int] = {}
    for day, total in calls.items():
        key = Month(day.year, day.month)
        by_month[key] = by_month.get(key, 0) + total
    return tuple(
        CustomerMonth(month, by_month.get(month, 0), counts[f"m{i}"])
        for i, month in enumerate(months)
    )


def _support_cost(customer_id: int, *, now: datetime) -> CostToDate:
    """The stored support cost to date (one query). Stale rows are shown as they are, with a
    refresh asked for (metrics.refresh_derived) rather than computed in the request: it ranks
    every customer in every month. Without a broker (eager) the refresh runs at once, and the
    page reads the fresh rows (one more query)."""
    cost = customer_cost_to_date(customer_id, now=now)
    if cost.stale and derived_refresh_request():
        cost = customer_cost_to_date(customer_id, now=now)
    return cost


def customer_detail(
    *,
    customer_id: int,
    now: datetime,
    timeline_filters: TimelineFilters | None = None,
    timeline_number: int | None = 1,
    timeline_page_size: int = DEFAULT_LIMIT,
) -> CustomerDetail | None:
    """The customer page, or None when there is no such customer. Its timeline is the page
    `timeline_number` of the events `timeline_filters` keep (no timeline when it is None)."""
    customer = (
        _customers(now=now)
        .annotate(realized_revenue_minor=realized_revenue_minor())
        .filter(pk=customer_id)
        .first()
    )
    if customer is None:
        return None
    settings = MetricSettings.load()
    tz = ZoneInfo(settings.reporting_timezone)
    months = last_n_months(Month.containing(now, tz), ACTIVITY_MONTHS)
    basis = ltv_basis_cached(now=now, settings=settings)
    row = _row(customer)
    row = replace(
        row,
        ltv=ltv_of(row.mrr, basis),
        realized_revenue=minor_to_major(customer.realized_revenue_minor, customer.currency),
    )
    return CustomerDetail(
        customer=row,
        ltv_basis=basis,
        support_cost=_support_cost(customer_id, now=now),
        months=_activity(customer_id, months, tz),
        timeline=None
        if timeline_number is None
        else timeline_page(
            customer_id=customer_id,
            filters=timeline_filters,
            page=timeline_number,
            page_size=timeline_page_size,
            tz=tz,
        ),
    )

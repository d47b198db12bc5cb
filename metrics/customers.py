"""Customers: the searchable list, one customer's page, and the records no customer claims.

Everything is aggregated in the database: the list is a count, one annotated page query and
one query for the page's linked sources, whatever the page size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from supportops.identity import UnmatchedRecord, unmatched_identities
from supportops.models import (
    Customer,
    CustomerIdentity,
    MetricSettings,
    Source,
    Ticket,
    UsageMonth,
)
from supportops.money import minor_to_major

from .periods import Month, last_n_months
from .timeline import DEFAULT_LIMIT, TimelineEvent, customer_timeline, last_contact_subquery

PAGE_SIZE = 50
RECENT_TICKET_DAYS = 90
ACTIVITY_MONTHS = 12

# ?sort= value → ORDER BY. Ties fall back to name and id so pages never shuffle.
SORTS = {
    "name": (F("name").asc(), F("id").asc()),
    "-name": (F("name").desc(), F("id").desc()),
    "mrr": (F("mrr_minor").asc(), F("name").asc(), F("id").asc()),
    "-mrr": (F("mrr_minor").desc(), F("name").asc(), F("id").asc()),
    "tickets": (F("recent_tickets").asc(), F("name").asc(), F("id").asc()),
    "-tickets": (F("recent_tickets").desc(), F("name").asc(), F("id").asc()),
    "last_contact": (F("last_contact_at").asc(nulls_first=True), F("name").asc(), F("id").asc()),
    "-last_contact": (F("last_contact_at").desc(nulls_last=True), F("name").asc(), F("id").asc()),
}
DEFAULT_SORT = "name"
# Column → the sort a first click asks for (biggest first for figures, A→Z for names).
FIRST_SORT = {"name": "name", "mrr": "-mrr", "tickets": "-tickets", "last_contact": "-last_contact"}


class BadSort(ValueError):
    """An unknown ?sort= value; the message is fit to show a user."""


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
    last_contact_at: datetime | None
    records: tuple[LinkedRecord, ...]

    @property
    def sources(self) -> tuple[LinkedRecord, ...]:
        """One record per linked system, for badges."""
        seen: dict[str, LinkedRecord] = {}
        for record in self.records:
            seen.setdefault(record.source, record)
        return tuple(seen.values())


@dataclass(frozen=True)
class CustomerPage:
    rows: tuple[CustomerRow, ...]
    search: str
    sort: str
    number: int
    num_pages: int
    count: int  # customers matching the search
    unmatched_count: int  # source records linked to no customer
    recent_ticket_days: int = RECENT_TICKET_DAYS

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
    timeline: tuple[TimelineEvent, ...]  # newest first
    timeline_limit: int
    recent_ticket_days: int = RECENT_TICKET_DAYS


@dataclass(frozen=True)
class UnmatchedRow:
    record: UnmatchedRecord
    label: str


# --- shared ----------------------------------------------------------------------------------


def _label(source: str) -> str:
    return Source(source).label if source in Source.values else source


def _customers(*, now: datetime) -> QuerySet[Customer]:
    """Customers with plan, recent ticket count, last contact and live source records."""
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
            last_contact_at=last_contact_subquery("pk"),
        )
    )


def _row(customer: Customer) -> CustomerRow:
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
        last_contact_at=customer.last_contact_at,
        records=tuple(
            LinkedRecord(i.source, _label(i.source), i.external_id)
            for i in customer.live_identities
        ),
    )


def _search(queryset: QuerySet[Customer], text: str) -> QuerySet[Customer]:
    """Name or domain (contains, any case) or any source id (exact), as the API searches."""
    by_id = CustomerIdentity.objects.filter(
        Q(external_id=text) | Q(account_key=text), customer__isnull=False
    ).values("customer_id")
    return queryset.filter(Q(name__icontains=text) | Q(domains__icontains=text) | Q(pk__in=by_id))


# --- the list --------------------------------------------------------------------------------


def customer_list(
    *, now: datetime, search: str = "", sort: str = DEFAULT_SORT, page: str | int = 1
) -> CustomerPage:
    """One page of customers matching `search`, ordered by `sort` (a key of SORTS).

    Four queries: matching count, the page, its source records, unmatched records.
    A page number out of range shows the nearest page, as Django's `get_page` does.
    """
    if sort not in SORTS:
        raise BadSort(f"cannot sort by {sort!r}; choose one of {', '.join(SORTS)}")
    search = search.strip()
    queryset = _customers(now=now)
    if search:
        queryset = _search(queryset, search)
    paginator = Paginator(queryset.order_by(*SORTS[sort]), PAGE_SIZE)
    current = paginator.get_page(page)
    # Same records as unmatched_identities() lists, counted without resolving reasons.
    unmatched = CustomerIdentity.objects.filter(customer__isnull=True, is_deleted=False).count()
    return CustomerPage(
        rows=tuple(_row(customer) for customer in current.object_list),
        search=search,
        sort=sort,
        number=current.number,
        num_pages=paginator.num_pages,
        count=paginator.count,
        unmatched_count=unmatched,
    )


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


def customer_detail(
    *, customer_id: int, now: datetime, timeline_limit: int = DEFAULT_LIMIT
) -> CustomerDetail | None:
    """The customer page, or None when there is no such customer."""
    customer = _customers(now=now).filter(pk=customer_id).first()
    if customer is None:
        return None
    tz = ZoneInfo(MetricSettings.load().reporting_timezone)
    months = last_n_months(Month.containing(now, tz), ACTIVITY_MONTHS)
    return CustomerDetail(
        customer=_row(customer),
        months=_activity(customer_id, months, tz),
        timeline=tuple(customer_timeline(customer_id=customer_id, limit=timeline_limit, tz=tz)),
        timeline_limit=timeline_limit,
    )

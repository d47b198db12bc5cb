"""Product coverage and the hiring forecast (DESIGN.md §4 "Product coverage", "Hiring forecast").

Tickets are counted in the database: one grouped query whatever the number of months (each
month a filtered Count, each group a row). Team members are a handful of admin rows, so their
shares and capacities are worked out in Python, as team cost is (metrics/cost.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, F, IntegerField, Q, Value, When

from supportops.models import MetricSettings, Product, TeamMember, Ticket

from .business_days import business_days
from .cost import MonthUnavailable, ticket_months
from .coverage_results import (
    UNASSIGNED,
    CoveragePage,
    CoverageResult,
    CoverageRow,
    ForecastPoint,
    ForecastResult,
    GroupForecast,
    HistoryPoint,
)
from .periods import Month, last_n_months
from .results import quantize_cents

HISTORY_MONTHS = 6
MIN_HISTORY_MONTHS = 3
TWELVE = Decimal(12)
ENGINEERS = Decimal("0.01")
RATIO = Decimal("0.0001")


def _q(value: Decimal, places: Decimal) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class _Group:
    key: int | None  # the Product's pk; None for Unassigned
    name: str
    is_enterprise: bool = False


@dataclass(frozen=True)
class _Member:
    fte: Decimal
    start_date: date
    end_date: date | None
    capacity_override: int | None
    monthly_cost: Decimal  # (salary + benefits) / 12, full time
    groups: frozenset[int]

    def employed_share(self, month: Month) -> Decimal:
        """The share of `month`'s days this member was employed (start and end included)."""
        first = max(self.start_date, month.first_date)
        last = min(self.end_date or month.last_date, month.last_date)
        return Decimal(max((last - first).days + 1, 0)) / Decimal(month.days)

    def share(self, month: Month) -> Decimal:
        """FTE counted to each covered group in `month`: FTE / k × share of M employed."""
        if not self.groups:
            return Decimal(0)
        return self.fte * self.employed_share(month) / len(self.groups)

    def is_current(self, today: date) -> bool:
        return self.start_date <= today and (self.end_date is None or self.end_date >= today)


def product_groups() -> list[_Group]:
    """Every product by name (the first product flagged as the enterprise group is it), then
    Unassigned. One query. Support operations (metrics/support_ops.py) groups by these too."""
    groups, enterprise_seen = [], False
    for pk, name, flagged in Product.objects.order_by("name", "pk").values_list(
        "pk", "name", "is_enterprise_group"
    ):
        is_enterprise = flagged and not enterprise_seen
        enterprise_seen = enterprise_seen or is_enterprise
        groups.append(_Group(pk, name, is_enterprise))
    return [*groups, _Group(None, UNASSIGNED)]


def enterprise_group_key(groups: list[_Group]) -> int | None:
    return next((g.key for g in groups if g.is_enterprise), None)


def product_group(enterprise_key: int | None) -> F | Case:
    """A Ticket's group key: its product's pk (None: Unassigned), the enterprise group's for
    tickets of enterprise customers whatever their product (when there is one)."""
    if enterprise_key is None:
        return F("product_id")
    return Case(
        When(customer__is_enterprise=True, then=Value(enterprise_key)),
        default=F("product_id"),
        output_field=IntegerField(),
    )


def _ticket_counts(months: list[Month], tz, enterprise_key: int | None) -> dict:
    """{group key: [tickets created in each month]}: one grouped query. Tickets of enterprise
    customers count under the enterprise group whatever their product (when there is one)."""
    group = product_group(enterprise_key)
    bounds = [m.bounds(tz) for m in months]
    counts = {
        f"m{i}": Count("pk", filter=Q(created_at__gte=start, created_at__lt=end))
        for i, (start, end) in enumerate(bounds)
    }
    rows = (
        Ticket.objects.filter(
            is_deleted=False, created_at__gte=bounds[0][0], created_at__lt=bounds[-1][1]
        )
        .annotate(group=group)
        .values("group")
        .annotate(**counts)
        .order_by()
    )
    return {row["group"]: [row[f"m{i}"] for i in range(len(months))] for row in rows}


def _members(first: date, last: date) -> list[_Member]:
    """Members employed at some point of [first, last], with the products they cover: one
    query (one row per member and product)."""
    rows = (
        TeamMember.objects.filter(start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .values_list(
            "pk",
            "fte",
            "start_date",
            "end_date",
            "capacity_override",
            "annual_salary",
            "annual_benefits",
            "products",
        )
        .order_by("pk")
    )
    by_pk: dict[int, tuple] = {}
    covered: dict[int, set[int]] = {}
    for pk, fte, start, end, override, salary, benefits, product in rows:
        by_pk[pk] = (fte, start, end, override, (salary + benefits) / TWELVE)
        covered.setdefault(pk, set())
        if product is not None:
            covered[pk].add(product)
    return [_Member(*values, frozenset(covered[pk])) for pk, values in by_pk.items()]


def _default_capacity(group: _Group, days: int, settings: MetricSettings) -> Decimal:
    """Tickets a full-time engineer handles in a month of `days` business days in `group`."""
    capacity = Decimal(settings.tickets_per_engineer_day * days)
    if group.is_enterprise:
        capacity *= settings.enterprise_capacity_factor
    return capacity


@dataclass(frozen=True)
class _Assigned:
    engineers: Decimal
    capacity: Decimal


def _assigned(group: _Group, month: Month, default: Decimal, members: list[_Member]) -> _Assigned:
    """Σ shares of the members covering `group` in `month` and Σ share × their capacity (the
    override, tickets per month of a full-time engineer, replaces the default)."""
    engineers = capacity = Decimal(0)
    if group.key is None:
        return _Assigned(engineers, capacity)
    for member in members:
        if group.key in member.groups:
            share = member.share(month)
            own = default if member.capacity_override is None else member.capacity_override
            engineers += share
            capacity += share * own
    return _Assigned(engineers, capacity)


def _row(group, tickets, month, days, settings, members) -> CoverageRow:
    capacity = _default_capacity(group, days, settings)
    assigned = _assigned(group, month, capacity, members)
    nobody = assigned.engineers == 0
    ratio = None
    if not nobody and assigned.capacity:
        ratio = _q(Decimal(tickets) / assigned.capacity, RATIO)
    return CoverageRow(
        product=group.name,
        tickets=tickets,
        capacity_per_engineer=quantize_cents(capacity),
        required_engineers=_q(tickets / capacity, ENGINEERS) if capacity else None,
        assigned_engineers=_q(assigned.engineers, ENGINEERS),
        assigned_capacity=quantize_cents(assigned.capacity),
        coverage_ratio=ratio,
        over_capacity=group.key is not None and tickets > assigned.capacity,
        is_enterprise=group.is_enterprise,
        is_unassigned=group.key is None,
    )


def coverage_trend(*, end_month: Month, months: int, now: datetime) -> list[CoverageResult]:
    """Coverage of each of the `months` months ending with `end_month`, oldest first.

    The month in progress counts its tickets so far against its whole capacity; a month that
    has not started raises MonthUnavailable. Four queries whatever `months` is: settings,
    products, members, tickets.
    """
    settings = MetricSettings.load()
    tz = ZoneInfo(settings.reporting_timezone)
    current = Month.containing(now, tz)
    if end_month > current:
        raise MonthUnavailable(
            f"{end_month.label} has not started yet; the latest month is {current.label}",
            nearest=current,
        )
    span = last_n_months(end_month, months)
    groups = product_groups()
    counts = _ticket_counts(span, tz, enterprise_group_key(groups))
    members = _members(span[0].first_date, span[-1].last_date)
    results = []
    for i, month in enumerate(span):
        days = business_days(month, settings.holiday_country)
        rows = tuple(
            _row(g, counts.get(g.key, [0] * len(span))[i], month, days, settings, members)
            for g in groups
        )
        results.append(CoverageResult(month, days, settings.tickets_per_engineer_day, rows))
    return results


def coverage_for_month(*, month: Month, now: datetime) -> CoverageResult:
    return coverage_trend(end_month=month, months=1, now=now)[0]


# --- hiring forecast -------------------------------------------------------------------------


def _line(values: list[int]) -> tuple[Decimal, Decimal]:
    """(intercept, slope) of the least-squares line through (0, v0), (1, v1), …"""
    n = len(values)
    mean_x = Decimal(n - 1) / 2
    mean_y = Decimal(sum(values)) / n
    sxx = sum((Decimal(x) - mean_x) ** 2 for x in range(n))
    sxy = sum((Decimal(x) - mean_x) * (Decimal(y) - mean_y) for x, y in enumerate(values))
    slope = sxy / sxx
    return mean_y - slope * mean_x, slope


def _hire_cost(group: _Group, members: list[_Member], today: date) -> Decimal | None:
    """FTE-weighted mean of (salary + benefits) / 12 of the current members covering `group`,
    of all current members when none does; None with no current members."""
    current = [m for m in members if m.is_current(today)]
    covering = [m for m in current if group.key in m.groups] or current
    weight = sum((m.fte for m in covering), Decimal(0))
    if not weight:
        return None
    return quantize_cents(sum((m.fte * m.monthly_cost for m in covering), Decimal(0)) / weight)


def _forecast_group(group, history, months, settings, members, today) -> GroupForecast:
    hire_cost = _hire_cost(group, members, today)
    if len(history) < MIN_HISTORY_MONTHS:
        reason = (
            f"only {len(history)} complete month{'s' if len(history) != 1 else ''} of history; "
            f"a forecast needs at least {MIN_HISTORY_MONTHS}"
        )
        return GroupForecast(group.name, tuple(history), (), None, 0, hire_cost, reason)
    intercept, slope = _line([point.tickets for point in history])
    points = []
    for j, month in enumerate(months):
        projected = max(intercept + slope * (len(history) + j), Decimal(0))
        capacity = _default_capacity(
            group, business_days(month, settings.holiday_country), settings
        )
        assigned = _assigned(group, month, capacity, members)
        required = projected / capacity if capacity else None
        # The assigned side in default-capacity engineers, so a capacity override counts and
        # hires are needed exactly when the month is over capacity.
        gap = (projected - assigned.capacity) / capacity if capacity else Decimal(0)
        points.append(
            ForecastPoint(
                month=month,
                projected_tickets=quantize_cents(projected),
                required_engineers=None if required is None else _q(required, ENGINEERS),
                assigned_engineers=_q(assigned.engineers, ENGINEERS),
                assigned_capacity=quantize_cents(assigned.capacity),
                hires_needed=math.ceil(gap) if gap > 0 else 0,
                over_capacity=projected > assigned.capacity,
            )
        )
    first_over = next((p.month for p in points if p.over_capacity), None)
    hires = max(p.hires_needed for p in points)
    return GroupForecast(group.name, tuple(history), tuple(points), first_over, hires, hire_cost)


def hiring_forecast(*, months: int, now: datetime) -> ForecastResult:
    """Per product group (Unassigned aside: nobody covers it), the tickets of the last 6
    complete months, a least-squares projection for `months` months from the current one on,
    and the hires each month needs. Five queries: settings, the first ticket, products,
    members, tickets.
    """
    settings = MetricSettings.load()
    tz = ZoneInfo(settings.reporting_timezone)
    current = Month.containing(now, tz)
    today = now.astimezone(tz).date()
    first, _ = ticket_months(tz=tz, now=now)
    window = last_n_months(current.shift(-1), HISTORY_MONTHS)
    history_months = [m for m in window if first is not None and m >= first]
    ahead = [current.shift(j) for j in range(months)]
    groups = [g for g in product_groups() if g.key is not None]
    counts = _ticket_counts(window, tz, enterprise_group_key(groups))
    members = _members(min(window[0].first_date, today), ahead[-1].last_date)
    offset = len(window) - len(history_months)
    forecasts = []
    for group in groups:
        tickets = counts.get(group.key, [0] * len(window))[offset:]
        history = [HistoryPoint(m, t) for m, t in zip(history_months, tickets, strict=True)]
        forecasts.append(_forecast_group(group, history, ahead, settings, members, today))
    total_hires = sum(g.hires_needed for g in forecasts)
    total_cost = sum(
        (g.hires_needed * g.hire_monthly_cost for g in forecasts if g.hire_monthly_cost),
        Decimal(0),
    )
    return ForecastResult(
        months=months,
        currency=settings.currency,
        groups=tuple(forecasts),
        total_hires_needed=total_hires,
        total_monthly_cost=quantize_cents(total_cost),
    )


def coverage_page(
    *, month: Month | None, now: datetime, months: int = 12, forecast_months: int = 6
) -> CoveragePage:
    """The coverage page: `month` (default: the last complete one) with the `months` months
    up to it, and the hiring forecast for `forecast_months` months from the current one on.
    Raises MonthUnavailable for a month that has not started."""
    tz = ZoneInfo(MetricSettings.load().reporting_timezone)
    current = Month.containing(now, tz)
    month = month or current.shift(-1)
    trend = coverage_trend(end_month=month, months=months, now=now)
    return CoveragePage(
        month=month,
        current=trend[-1],
        trend=tuple(trend),
        forecast=hiring_forecast(months=forecast_months, now=now),
        current_month=current,
    )

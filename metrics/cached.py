"""The dashboards' metrics through the result cache (metrics/result_cache.py).

Each wrapper takes the plain metric's arguments, resolves what the metric would default (the
month, the window) so that a page asking for "the default" and the API asking for that month
by name read one entry, and calls the plain function on a miss. A page made of several
metrics (cost, coverage) reads them as the API's endpoints do, one entry each, under one data
version read once, so a figure shown on the page and given by its endpoint is one computation:
the cost API's month is the cost page's overview entry, the coverage API's month the coverage
page's 12-month trend, the allocation and margins the endpoints' own.

Pages and endpoints call these, never the cache directly; the plain functions stay uncached
(the monthly report and the tests call them).
"""

from __future__ import annotations

from datetime import datetime

from .allocation import allocate, cost_allocation, month_span
from .allocation_results import BASIS_REPLIES, BY_CHANNEL, AllocationResult, MarginResult
from .bug_results import BugGroupDetail, BugImpact, BugTickets
from .bug_tickets import bug_group_tickets
from .bugs import bug_impact
from .cohort_results import WINDOW, CohortsResult
from .cohorts import support_cohorts
from .cost import MonthUnavailable, cost_for_month, cost_overview
from .cost_page import MARGIN_MONTHS, MARGIN_ROWS, CostPage, check_choices
from .coverage import coverage_trend, hiring_forecast
from .coverage_results import CoveragePage, CoverageResult, ForecastResult
from .customer_query import DEFAULT_SORT, CustomerFilters
from .customers import CustomerPage, customer_list
from .margin import margins, support_margin
from .periods import BadPeriod, Month, Window, last_complete_months, last_n_months
from .requests import (
    FeatureRequestDetail,
    FeatureRequestResult,
    feature_request_detail,
    feature_requests,
)
from .result_cache import Scope, scope_at
from .results import CostOverview
from .support_ops import support_ops
from .support_ops_results import BY_PRODUCT, SupportOpsResult

COST_TREND_MONTHS = 12  # the cost page's chart; the cost API reads that entry
COVERAGE_TREND_MONTHS = 12  # the coverage page's chart; the coverage API reads that entry
FORECAST_MONTHS = 6  # the coverage page's forecast, and the forecast API's default


# --- cost ------------------------------------------------------------------------------------


def _cost_overview(scope: Scope, month: Month | None, months: int) -> CostOverview:
    # The default month depends on the data (the latest ticket's), so it is keyed as "default"
    # and filed under its name as well, for the API and a link to that month.
    return scope.get(
        "cost_overview",
        {"month": month, "months": months},
        lambda: cost_overview(month=month, now=scope.now, months=months),
        also=lambda overview: [{"month": overview.month, "months": months}],
    )


def _cost_allocation(
    scope: Scope, month: Month, by: str, basis: str, compute=None
) -> AllocationResult:
    return scope.get(
        "cost_allocation",
        {"month": month, "by": by, "basis": basis},
        compute or (lambda: cost_allocation(month=month, by=by, basis=basis, now=scope.now)),
    )


def _support_margin(
    scope: Scope,
    window: Window,
    unprofitable_only: bool,
    offset: int,
    limit: int | None,
    compute=None,
) -> MarginResult:
    params = {"window": window, "unprofitable": unprofitable_only, "offset": offset}
    return scope.get(
        "support_margin",
        {**params, "limit": limit},
        compute
        or (
            lambda: support_margin(
                window=window,
                now=scope.now,
                unprofitable_only=unprofitable_only,
                offset=offset,
                limit=limit,
            )
        ),
    )


def cost_page_cached(
    *, month: Month | None, by: str, basis: str, now: datetime, months: int = COST_TREND_MONTHS
) -> CostPage:
    """`metrics.cost_page.cost_page`, its parts filed where the cost endpoints read them: the
    overview (the cost API's month), the month's allocation, the worst MARGIN_ROWS margins of
    the 3 months ending with it (the allocation and margin APIs' entries for the same
    parameters). On a miss the page computes them from the overview's team costs, as
    cost_page does (four queries); the endpoints' functions give the same results from their
    own (metrics/cost.py: team_cost_trend gives cost_trend's team costs)."""
    check_choices(by=by, basis=basis)
    scope = scope_at(now)
    overview = _cost_overview(scope, month, max(months, MARGIN_MONTHS))
    spans = {result.month: month_span(result, scope.tz) for result in overview.trend}
    currency = overview.current.currency
    allocation = _cost_allocation(
        scope,
        overview.month,
        by,
        basis,
        lambda: allocate(span=spans[overview.month], currency=currency, by=by, basis=basis),
    )
    covered = [m for m in last_n_months(overview.month, MARGIN_MONTHS) if m in spans]
    window = Window(covered[0], covered[-1])
    margin = _support_margin(
        scope,
        window,
        False,
        0,
        MARGIN_ROWS,
        lambda: margins(
            spans=[spans[m] for m in covered],
            window=window,
            currency=currency,
            limit=MARGIN_ROWS,
        ),
    )
    return CostPage(overview=overview, allocation=allocation, margin=margin)


def cost_for_month_cached(*, month: Month, now: datetime):
    """The cost API's month: the cost page's overview of that month (its `current`), so the two
    cannot disagree; a month before the first ticket, which the page does not offer, on its
    own entry."""
    scope = scope_at(now)
    try:
        return _cost_overview(scope, month, COST_TREND_MONTHS).current
    except MonthUnavailable:
        return scope.get(
            "cost_month", {"month": month}, lambda: cost_for_month(month=month, now=now)
        )  # raises as the plain one does for a month not started


def cost_allocation_cached(*, month: Month, by: str, basis: str, now: datetime):
    return _cost_allocation(scope_at(now), month, by, basis)


def support_margin_cached(
    *,
    window: Window,
    now: datetime,
    unprofitable_only: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> MarginResult:
    if limit is None:  # every customer, for a CSV: read once, too big to keep
        return support_margin(
            window=window, now=now, unprofitable_only=unprofitable_only, offset=offset
        )
    return _support_margin(scope_at(now), window, unprofitable_only, offset, limit)


# --- coverage --------------------------------------------------------------------------------


def _coverage_trend(scope: Scope, end_month: Month, months: int) -> tuple[CoverageResult, ...]:
    return scope.get(
        "coverage_trend",
        {"end_month": end_month, "months": months},
        lambda: tuple(coverage_trend(end_month=end_month, months=months, now=scope.now)),
    )


def _hiring_forecast(scope: Scope, months: int) -> ForecastResult:
    return scope.get(
        "hiring_forecast", {"months": months}, lambda: hiring_forecast(months=months, now=scope.now)
    )


def coverage_page_cached(
    *,
    month: Month | None,
    now: datetime,
    months: int = COVERAGE_TREND_MONTHS,
    forecast_months: int = FORECAST_MONTHS,
) -> CoveragePage:
    """`metrics.coverage.coverage_page` from the trend and forecast entries."""
    scope = scope_at(now)
    current = scope.current_month
    month = month or current.shift(-1)
    trend = _coverage_trend(scope, month, months)
    return CoveragePage(
        month=month,
        current=trend[-1],
        trend=trend,
        forecast=_hiring_forecast(scope, forecast_months),
        current_month=current,
    )


def coverage_for_month_cached(*, month: Month, now: datetime) -> CoverageResult:
    """The coverage API's month: the last month of the coverage page's trend ending with it
    (each month's rows depend on that month alone)."""
    return _coverage_trend(scope_at(now), month, COVERAGE_TREND_MONTHS)[-1]


def hiring_forecast_cached(*, months: int, now: datetime) -> ForecastResult:
    return _hiring_forecast(scope_at(now), months)


# --- the other dashboards --------------------------------------------------------------------


def support_cohorts_cached(
    *, window: Window | None = None, variant: str = WINDOW, now: datetime
) -> CohortsResult:
    # The default window depends on the variant: both the page and the API pass None for it.
    return scope_at(now).get(
        "support_cohorts",
        {"window": window, "variant": variant},
        lambda: support_cohorts(window=window, variant=variant, now=now),
    )


def support_ops_cached(*, month: Month | None, by: str, now: datetime) -> SupportOpsResult:
    scope = scope_at(now)
    month = month or scope.current_month.shift(-1)  # the default, as support_ops has it
    return scope.get(
        "support_ops",
        {"month": month, "by": by},
        lambda: support_ops(month=month, by=by, now=now),
    )


def _window(scope: Scope, window: Window | None) -> Window:
    """The default window of feature requests and bugs: the last 3 complete months."""
    return window or last_complete_months(now=scope.now, tz=scope.tz)


def feature_requests_cached(*, window: Window | None = None, now: datetime) -> FeatureRequestResult:
    scope = scope_at(now)
    window = _window(scope, window)
    return scope.get(
        "feature_requests",
        {"window": window},
        lambda: feature_requests(window=window, now=now),
    )


def feature_request_detail_cached(
    *, name: str, window: Window | None = None, now: datetime
) -> FeatureRequestDetail:
    scope = scope_at(now)
    window = _window(scope, window)
    return scope.get(
        "feature_request_detail",
        {"name": name, "window": window},
        lambda: feature_request_detail(name=name, window=window, now=now),
    )


def _bug_impact(scope: Scope, window: Window) -> BugImpact:
    return scope.get(
        "bug_impact", {"window": window}, lambda: bug_impact(window=window, now=scope.now)
    )


def bug_impact_cached(*, window: Window | None, now: datetime) -> BugImpact:
    scope = scope_at(now)
    return _bug_impact(scope, _window(scope, window))


def _bug_group_tickets(scope, key, window, page, page_size) -> BugTickets:
    return scope.get(
        "bug_group_tickets",
        {"key": key, "window": window, "page": page, "page_size": page_size},
        lambda: bug_group_tickets(
            key=key, window=window, now=scope.now, page=page, page_size=page_size
        ),
    )


def bug_group_tickets_cached(
    *, key: str, window: Window | None, now: datetime, page: int = 1, page_size: int | None = 50
) -> BugTickets:
    if page_size is None:  # every ticket of the group, for a CSV: read once, too big to keep
        return bug_group_tickets(key=key, window=window, now=now, page=page, page_size=None)
    scope = scope_at(now)
    return _bug_group_tickets(scope, key, _window(scope, window), page, page_size)


def bug_group_detail_cached(
    *, key: str, window: Window | None, now: datetime, page: int = 1, page_size: int = 50
) -> BugGroupDetail:
    """`metrics.bug_tickets.bug_group_detail` from the tickets' entry and the bug list's."""
    scope = scope_at(now)
    tickets = _bug_group_tickets(scope, key, _window(scope, window), page, page_size)
    impact = _bug_impact(scope, tickets.window)
    group = next((row for row in impact.rows if row.key == tickets.key), None)
    return BugGroupDetail(impact=impact, group=group, tickets=tickets)


def _page_number(page) -> int:
    """As Paginator.get_page reads it: anything not a whole number is page 1."""
    try:
        return int(page)
    except (TypeError, ValueError):
        return 1


def customer_list_cached(*, now: datetime, filters, sort: str, page) -> CustomerPage:
    """The customers list keyed on its normalised query: the parsed filters, the sort and the
    page number. Its "last 90 days" and "no contact for N days" are as of the entry's
    computation, at most a day old (the key has the day)."""
    number = _page_number(page)
    return scope_at(now).get(
        "customer_list",
        {"filters": filters, "sort": sort, "page": number},
        lambda: customer_list(now=now, filters=filters, sort=sort, page=number),
    )


# --- warming after a sync --------------------------------------------------------------------


def dashboards_warm(*, now: datetime) -> list[str]:
    """Put each dashboard's default view in the cache unless it is there, so the first visitor
    after a sync is served from it: the cost page (by channel, on replies), coverage with its
    forecast, cohorts, support ops (by product), feature requests, bugs and the first page of
    customers. A fixed list, each one computation at most per data version and day (a hit
    costs two queries). Returns the names warmed; a view with nothing to show (no tickets
    yet) is left out."""
    views = {
        "cost": lambda: cost_page_cached(
            month=None, by=BY_CHANNEL, basis=BASIS_REPLIES, now=now, months=COST_TREND_MONTHS
        ),
        "coverage": lambda: coverage_page_cached(month=None, now=now),
        "cohorts": lambda: support_cohorts_cached(window=None, variant=WINDOW, now=now),
        "support_ops": lambda: support_ops_cached(month=None, by=BY_PRODUCT, now=now),
        "feature_requests": lambda: feature_requests_cached(window=None, now=now),
        "bugs": lambda: bug_impact_cached(window=None, now=now),
        "customers": lambda: customer_list_cached(
            now=now, filters=CustomerFilters(), sort=DEFAULT_SORT, page=1
        ),
    }
    warmed = []
    for name, warm in views.items():
        try:
            warm()
        except BadPeriod:
            continue
        warmed.append(name)
    return warmed

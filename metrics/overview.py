"""The Overview (issue #8): the one number per question a head of customer success reads first,
each against the period before, each linking to the page that explains it.

Nothing is defined here: every figure comes from the metric that owns its definition (cost,
allocation + margin, cohorts, coverage, support operations, and in metrics/overview_build.py
feature requests and bug impact), called for the chosen month M and the month before; metrics
that take a window get the 3 months ending with M, compared with the 3 ending with M − 1. The cost trend of the four months M − 3 … M is read
once and serves both the cost per ticket and, as allocation spans, the two margin windows.

A bounded number of queries whatever the data (pinned in tests/metrics/test_metrics_overview.py):
each metric's own budget, called twice at most.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from supportops.models import MetricSettings

from .allocation import month_span
from .cohort_results import Cohort, ratio
from .cohorts import WindowUnavailable, support_cohorts
from .cost import MonthUnavailable, cost_trend, ticket_months
from .coverage import coverage_trend
from .margin import margins
from .overview_build import build_headlines
from .overview_results import (
    COSTS,
    COUNT,
    CUSTOMERS,
    MINUTES,
    MONEY,
    PAYS_OFF,
    RUNNING,
    SHARE,
    STAFFED,
    Headline,
    OverviewResult,
)
from .overview_text import change, money, names, percent, plural, url, window_params
from .periods import Month, Window
from .results import Change, CostOverview
from .support_ops import support_ops
from .support_ops_results import BY_CHANNEL

WINDOW_MONTHS = 3


# --- one function per question ----------------------------------------------------------------


def _cost_headlines(month: Month, tz, now: datetime, currency: str) -> list[Headline]:
    """Cost per ticket (M vs M − 1) and customers unprofitable to support (window vs window):
    one cost trend of M − 3 … M feeds both."""
    trend = cost_trend(end_month=month, months=WINDOW_MONTHS + 1, now=now)
    current, previous = trend[-1], trend[-2]
    cost = CostOverview(month=month, current=current, trend=tuple(trend), previous=previous)
    per_ticket = cost.changes["cost_per_ticket"]
    period = f"{month.label}{' to date' if current.in_progress else ''}"
    cost_headline = Headline(
        key="cost_per_ticket",
        question=COSTS,
        label="Cost per ticket",
        value=current.cost_per_ticket,
        previous=previous.cost_per_ticket,
        change=per_ticket,
        unit=MONEY,
        period=period,
        link=url("dashboard-cost", month=month),
        page="Cost",
        reading=(
            f"Team cost {money(current.team_cost, currency)} over {current.tickets:,} "
            f"tickets created in {period}."
        ),
        note="" if current.tickets else f"No tickets were created in {period}.",
    )

    spans = [month_span(result, tz) for result in trend]
    window = Window(month.shift(1 - WINDOW_MONTHS), month)
    before = Window(window.start.shift(-1), window.end.shift(-1))
    # Only the counts: no row is read (limit 0), so no plan is looked up either.
    now_margin, then_margin = (
        margins(spans=part, window=w, currency=currency, limit=0)
        for part, w in ((spans[1:], window), (spans[:-1], before))
    )
    unprofitable, was = now_margin.unprofitable_count, then_margin.unprofitable_count
    margin_headline = Headline(
        key="unprofitable_customers",
        question=COSTS,
        label="Customers costing more to support than they pay",
        value=unprofitable,
        previous=was,
        change=change(unprofitable, was, before.label, higher_is_worse=True),
        unit=COUNT,
        period=window.label,
        link=url("dashboard-cost", anchor="support-vs-revenue", month=month),
        page="Cost",
        reading=(
            f"Together {money(-now_margin.unprofitable_margin, currency)} more support cost "
            f"than revenue over {window.label}, of {now_margin.customers:,} customers with "
            "either."
            if unprofitable
            else f"Every customer paid more than their support cost over {window.label}."
        ),
    )
    return [cost_headline, margin_headline]


def _active_share(cohort: Cohort) -> Decimal | None:
    return ratio(cohort.active_customers, cohort.customers)


def _cohort_headlines(window: Window, before: Window, now: datetime) -> list[Headline]:
    """The support cohort's active share against the no-support cohort's, and how many
    customers wrote in: one cohorts call per window. A window not ended yet has no cohorts."""
    try:
        current = support_cohorts(window=window, now=now)
    except WindowUnavailable:
        note = f"Cohorts compare months that have ended: {window.label} has not."
        link = url("dashboard-cohorts")
        return [
            Headline("support_active_share", PAYS_OFF, "Active customers among those who wrote "
                     "in", None, None, Change(None, ""), SHARE, window.label, link, "Cohorts",
                     note, note),
            Headline("customers_contacted", CUSTOMERS, "Customers who wrote in", None, None,
                     Change(None, ""), COUNT, window.label, url("customers", sort="-tickets"),
                     "Customers", note, note),
        ]  # fmt: skip
    earlier = support_cohorts(window=before, now=now)
    share, was = _active_share(current.support), _active_share(earlier.support)
    other = _active_share(current.no_support)
    pays = Headline(
        key="support_active_share",
        question=PAYS_OFF,
        label="Active customers among those who wrote in",
        value=share,
        previous=was,
        change=change(share, was, before.label),
        unit=SHARE,
        period=window.label,
        link=url("dashboard-cohorts", **window_params(window)),
        page="Cohorts",
        reading=(
            f"{percent(share)} of the {plural(current.support.customers, 'customer')} who wrote in "
            + (
                f"were active, against {percent(other)} of the "
                f"{current.no_support.customers:,} who did not (correlation, not causation)."
                if other is not None
                else "were active; every customer wrote in, so there is no one to compare with."
            )
        ),
        note="" if current.support.customers else f"Nobody wrote in during {window.label}.",
    )
    contacted, before_count = current.support.customers, earlier.support.customers
    customers = Headline(
        key="customers_contacted",
        question=CUSTOMERS,
        label="Customers who wrote in",
        value=contacted,
        previous=before_count,
        change=change(contacted, before_count, before.label),
        unit=COUNT,
        period=window.label,
        link=url("customers", sort="-tickets"),
        page="Customers",
        reading=(
            f"{contacted:,} of {contacted + current.no_support.customers:,} customers filed a "
            f"ticket in {window.label}; the customer list shows each one's timeline."
        ),
    )
    return [pays, customers]


def _coverage_headline(month: Month, now: datetime) -> Headline:
    before, current = coverage_trend(end_month=month, months=2, now=now)
    over = [row.product for row in current.rows if row.over_capacity]
    was = sum(row.over_capacity for row in before.rows)
    return Headline(
        key="groups_over_capacity",
        question=STAFFED,
        label="Product groups over capacity",
        value=len(over),
        previous=was,
        change=change(len(over), was, before.month.label, higher_is_worse=True),
        unit=COUNT,
        period=month.label,
        link=url("dashboard-coverage", month=month),
        page="Coverage",
        reading=(
            f"{names(over)} had more tickets than {'its' if len(over) == 1 else 'their'} "
            f"engineers can handle in {month.label}."
            if over
            else f"No product group was over capacity in {month.label}."
        ),
    )


def _support_ops_headline(month: Month, now: datetime) -> Headline:
    """The median first reply (recomputed) of the month's total row, against the month before."""
    current, before = (
        support_ops(month=m, by=BY_CHANNEL, now=now).total for m in (month, month.shift(-1))
    )
    value, was = current.median_first_reply_minutes, before.median_first_reply_minutes
    one_touch = "" if current.one_touch_rate is None else f", {percent(current.one_touch_rate)} "
    return Headline(
        key="median_first_reply",
        question=RUNNING,
        label="Median first reply",
        value=value,
        previous=was,
        change=change(value, was, month.shift(-1).label, higher_is_worse=True),
        unit=MINUTES,
        period=month.label,
        link=url("dashboard-support-ops", month=month),
        page="Support ops",
        reading=(
            f"{plural(current.created, 'ticket')} created and {current.solved:,} solved"
            + (f"{one_touch}of them in one touch" if one_touch else "")
            + f"; {current.backlog_end:,} open at the end of {month.label}."
        ),
        note="" if value is not None else f"No ticket created in {month.label} got a reply.",
    )


# --- the overview ---------------------------------------------------------------------------


def overview(*, month: Month, now: datetime) -> OverviewResult:
    """Every headline for `month` (the month in progress covers its days through yesterday).

    Raises MonthUnavailable for a month before the first synced ticket or not started yet.
    With no ticket at all it returns no headlines (`has_data` False) rather than a page of
    zeros, whatever the month.
    """
    settings = MetricSettings.load()
    tz = ZoneInfo(settings.reporting_timezone)
    current_month = Month.containing(now, tz)
    window = Window(month.shift(1 - WINDOW_MONTHS), month)
    before = Window(window.start.shift(-1), window.end.shift(-1))
    first, _ = ticket_months(tz=tz, now=now)
    result = dict(
        month=month,
        window=window,
        previous_window=before,
        currency=settings.currency,
        first_month=first,
        current_month=current_month,
        timezone=settings.reporting_timezone,
    )
    if month > current_month:
        raise MonthUnavailable(
            f"{month.label} has not started yet; the latest month is {current_month.label}",
            nearest=current_month,
        )
    if first is None:
        return OverviewResult(**result, headlines=(), has_data=False)
    if month < first:
        raise MonthUnavailable(
            f"there is no data before {first.label}, the month of the first synced ticket",
            nearest=first,
        )
    headlines = [
        *_cost_headlines(month, tz, now, settings.currency),
        *_cohort_headlines(window, before, now),
        _coverage_headline(month, now),
        _support_ops_headline(month, now),
        *build_headlines(window, before, now, settings.currency),
    ]
    return OverviewResult(**result, headlines=tuple(headlines), has_data=True)

"""The monthly report's data: one builder, every rendering reads its output (issue #9).

Nothing is defined here: each figure comes from the metric that owns it (cost, ticket MRR,
cohorts, coverage and the hiring forecast, feature requests, bug impact, support cost vs
revenue, data freshness), for the month M and where a change is shown for M − 1 and M − 12.
The output is plain JSON (Decimals as the API's strings) because it is stored with the
snapshot: the archive and a resend show what was sent, not what the data says today.

A section whose source is missing is not a page of zeros: it carries `missing`, one sentence
saying why, and the renderings print that sentence instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings as django_settings
from django.urls import reverse

from supportops.models import Expense, Invoice, MetricSettings, Subscription, TeamMember
from supportops.schedules import sync_intervals

from ..bugs import bug_impact
from ..cohorts import WindowUnavailable, support_cohorts
from ..cost import cost_trend, ticket_months
from ..coverage import coverage_for_month, hiring_forecast
from ..freshness import data_freshness
from ..margin import support_margin
from ..periods import Month, Window
from ..requests import feature_requests
from ..results import relative_change
from ..ticket_mrr import ticket_customer_mrr

TREND_MONTHS = 12
FORECAST_MONTHS = 6
TOP = 5  # rows of the feature request, bug and unprofitable lists

# Headline units, as the renderings format them
MONEY, COUNT, RATE = "money", "count", "rate"


def _s(value) -> str | None:
    """A Decimal as the API writes it; None stays None."""
    return None if value is None else str(value)


def _change(value, previous) -> str | None:
    return _s(relative_change(value, previous))


def _headline(key, label, unit, values: dict[str, object], *, worse_up=False, note="") -> dict:
    """One headline: M's value, and M − 1's and M − 12's with the change against each."""
    value = values["current"]
    return {
        "key": key,
        "label": label,
        "unit": unit,
        "value": _s(value),
        "previous_month": {
            "value": _s(values["previous_month"]),
            "change": _change(value, values["previous_month"]),
        },
        "last_year": {
            "value": _s(values["last_year"]),
            "change": _change(value, values["last_year"]),
        },
        "higher_is_worse": worse_up,
        "note": note,
    }


def _dashboard_links(month: Month) -> dict[str, str]:
    base = getattr(django_settings, "SITE_URL", "").rstrip("/")
    span = f"start={month}&end={month}"
    return {
        "Overview": f"{base}{reverse('dashboard-overview')}?month={month}",
        "Cost": f"{base}{reverse('dashboard-cost')}?month={month}",
        "Cohorts": f"{base}{reverse('dashboard-cohorts')}?{span}",
        "Coverage": f"{base}{reverse('dashboard-coverage')}?month={month}",
        "Support operations": f"{base}{reverse('dashboard-support-ops')}?month={month}",
        "Feature requests": f"{base}{reverse('dashboard-feature-requests')}?{span}",
        "Bugs": f"{base}{reverse('dashboard-bugs')}?{span}",
        "Customers": f"{base}{reverse('customers')}",
        "Report archive": f"{base}{reverse('report-archive', args=[str(month)])}",
    }


def _three(month: Month, metric: Callable[[Month], object]) -> dict[str, object]:
    """The metric for M, M − 1 and M − 12; None where the month has no data to give."""
    return {
        "current": metric(month),
        "previous_month": metric(month.shift(-1)),
        "last_year": metric(month.shift(-12)),
    }


def _cost_part(month: Month, now: datetime, first: Month, has_cost: bool) -> tuple[list, dict]:
    """Tickets, cost per ticket and per reply headlines, and the 12-month cost trend: one
    cost trend of M − 12 … M serves all four."""
    trend = cost_trend(end_month=month, months=13, now=now)
    by_month = {result.month: result for result in trend}

    def of(attribute: str) -> Callable[[Month], object]:
        def read(m: Month):
            result = by_month.get(m)
            if result is None or m < first:
                return None
            return getattr(result, attribute)

        return read

    no_cost = "" if has_cost else "No team cost is entered: add team members and expenses in admin."
    headlines = [
        # more tickets is neither good nor bad news by itself
        _headline("tickets", "Tickets", COUNT, _three(month, of("tickets")), worse_up=None),
        _headline(
            "cost_per_ticket",
            "Cost per ticket",
            MONEY,
            _three(month, of("cost_per_ticket")),
            worse_up=True,
            note=no_cost,
        ),
        _headline(
            "cost_per_reply",
            "Cost per reply",
            MONEY,
            _three(month, of("cost_per_reply")),
            worse_up=True,
            note=no_cost,
        ),
    ]
    rows = [
        {
            "month": str(result.month),
            "label": result.month.label,
            "team_cost": _s(result.team_cost),
            "tickets": result.tickets,
            "cost_per_ticket": _s(result.cost_per_ticket),
            "replies": result.replies,
            "cost_per_reply": _s(result.cost_per_reply),
        }
        for result in trend[-TREND_MONTHS:]
        if result.month >= first
    ]
    section = {"rows": rows, "missing": "" if has_cost else no_cost}
    return headlines, section


def _mrr_headline(month: Month, now: datetime, first: Month) -> dict:
    def read(m: Month):
        return None if m < first else ticket_customer_mrr(month=m, now=now).mrr

    return _headline("ticket_customer_mrr", "MRR of customers who filed tickets", MONEY,
                     _three(month, read))  # fmt: skip


def _conversion_headlines(month: Month, now: datetime) -> list[dict]:
    """Paid conversion of the support and no-support cohorts of M alone (the cohorts API with
    start=end=M), each against M − 1 and M − 12 (None where that window has no cohorts)."""
    results: dict[str, object] = {}
    for name, m in (("current", month), ("previous_month", month.shift(-1)),
                    ("last_year", month.shift(-12))):  # fmt: skip
        try:
            results[name] = support_cohorts(window=Window(m, m), now=now)
        except WindowUnavailable as exc:
            if name == "current":
                empty = dict.fromkeys(("current", "previous_month", "last_year"))
                return [
                    _headline(key, label, RATE, empty, note=f"{exc}.") for key, label in _CONVERSION
                ]
            results[name] = None
    return [
        _headline(
            key,
            label,
            RATE,
            {
                name: None if result is None else getattr(result, cohort).paid_conversion_rate
                for name, result in results.items()
            },
        )
        for (key, label), cohort in zip(_CONVERSION, ("support", "no_support"), strict=True)
    ]


_CONVERSION = (
    ("support_paid_conversion", "Paid conversion, customers who wrote in"),
    ("no_support_paid_conversion", "Paid conversion, customers who did not"),
)


def _coverage_section(month: Month, now: datetime, has_team: bool) -> dict:
    current = coverage_for_month(month=month, now=now)
    forecast = hiring_forecast(months=FORECAST_MONTHS, now=now)
    return {
        "business_days": current.business_days,
        "rows": [
            {
                "product": row.product,
                "tickets": row.tickets,
                "required_engineers": _s(row.required_engineers),
                "assigned_engineers": _s(row.assigned_engineers),
                "assigned_capacity": _s(row.assigned_capacity),
                "coverage_ratio": _s(row.coverage_ratio),
                "over_capacity": row.over_capacity,
            }
            for row in current.rows
        ],
        "forecast": {
            "months": forecast.months,
            "total_hires_needed": forecast.total_hires_needed,
            "total_monthly_cost": _s(forecast.total_monthly_cost),
            "groups": [
                {
                    "product": group.product,
                    "hires_needed": group.hires_needed,
                    "first_over_capacity_month": (
                        None
                        if group.first_over_capacity_month is None
                        else group.first_over_capacity_month.label
                    ),
                    "hire_monthly_cost": _s(group.hire_monthly_cost),
                    "reason": group.reason,
                }
                for group in forecast.groups
            ],
        },
        "missing": ""
        if has_team
        else "No team members are entered, so there is no capacity to compare tickets with.",
    }


def _requests_section(window: Window, now: datetime, no_billing: str) -> dict:
    if no_billing:
        return {"rows": [], "missing": no_billing}
    result = feature_requests(window=window, now=now)
    rows = [
        {
            "label": row.label,
            "tickets": row.tickets,
            "customers": row.customers,
            "ltv_sum": _s(row.ltv_sum),
            "mrr_sum": _s(row.mrr_sum),
        }
        for row in result.rows[:TOP]
    ]
    missing = "" if rows else f"No ticket in {window.label} matched a feature-request pattern."
    return {"rows": rows, "missing": missing}


def _bugs_section(window: Window, now: datetime, no_billing: str) -> dict:
    if no_billing:
        return {"rows": [], "missing": no_billing}
    result = bug_impact(window=window, now=now)
    rows = [
        {
            "title": row.title,
            "tickets": row.tickets,
            "customers": row.customers,
            "mrr": _s(row.mrr),
            "support_cost": _s(row.support_cost),
        }
        for row in result.rows[:TOP]
    ]
    missing = "" if rows else f"No bug ticket (problem or bug tag) was created in {window.label}."
    return {"rows": rows, "missing": missing}


def _unprofitable_section(window: Window, now: datetime, no_billing: str, has_cost: bool) -> dict:
    if no_billing:
        return {"rows": [], "count": None, "missing": no_billing}
    if not has_cost:
        return {"rows": [], "count": None, "missing": "No team cost is entered, so no customer "
                "has a support cost to compare with revenue."}  # fmt: skip
    result = support_margin(window=window, now=now, unprofitable_only=True, limit=TOP)
    rows = [
        {
            "customer_id": row.customer_id,
            "name": row.customer,
            "support_cost": _s(row.support_cost),
            "revenue": _s(row.revenue),
            "margin": _s(row.margin),
        }
        for row in result.rows
    ]
    missing = "" if rows else f"Every customer paid more than their support cost in {window.label}."
    return {
        "rows": rows,
        "count": result.unprofitable_count,
        "total_margin": _s(result.unprofitable_margin),
        "missing": missing,
    }


def _freshness(now: datetime) -> list[dict]:
    return [
        {
            "source": item.source,
            "label": item.label,
            "last_success_at": None
            if item.last_success_at is None
            else item.last_success_at.isoformat(),
            "age": item.age_label,
            "warning": item.warning,
        }
        for item in data_freshness(schedules=sync_intervals(), now=now)
    ]


def build_report(month: Month, *, now: datetime) -> dict:
    """The report of `month` as of `now`. Raises cost.MonthUnavailable for a month that has
    not ended (a report covers a whole month)."""
    from ..cost import MonthUnavailable

    metric_settings = MetricSettings.load()
    tz = ZoneInfo(metric_settings.reporting_timezone)
    current = Month.containing(now, tz)
    if month >= current:
        raise MonthUnavailable(
            f"{month.label} has not ended yet; the latest complete month is "
            f"{current.shift(-1).label}",
            nearest=current.shift(-1),
        )
    first, _ = ticket_months(tz=tz, now=now)
    window = Window(month, month)
    has_data = first is not None and first <= month
    has_cost = TeamMember.objects.exists() or Expense.objects.exists()
    has_team = TeamMember.objects.exists()
    no_billing = (
        ""
        if Subscription.objects.exists() or Invoice.objects.exists()
        else "No billing data has been synced (Stripe is not connected), so revenue figures "
        "are left out."
    )
    report = {
        "month": str(month),
        "label": month.label,
        "currency": metric_settings.currency,
        "timezone": metric_settings.reporting_timezone,
        "built_at": now.isoformat(),
        "has_data": has_data,
        "links": _dashboard_links(month),
        "freshness": _freshness(now),
    }
    if not has_data:
        reason = (
            "No ticket has been synced yet."
            if first is None
            else f"The first synced ticket is from {first.label}, after {month.label}."
        )
        return report | {"headlines": [], "sections": {}, "missing": reason}
    headlines, cost_section = _cost_part(month, now, first, has_cost)
    if no_billing:
        money_headlines = []
    else:
        money_headlines = [_mrr_headline(month, now, first), *_conversion_headlines(month, now)]
    return report | {
        "missing": "",
        "billing_missing": no_billing,
        "headlines": [*headlines, *money_headlines],
        "sections": {
            "cost_trend": cost_section,
            "coverage": _coverage_section(month, now, has_team),
            "feature_requests": _requests_section(window, now, no_billing),
            "bugs": _bugs_section(window, now, no_billing),
            "unprofitable": _unprofitable_section(window, now, no_billing, has_cost),
        },
    }

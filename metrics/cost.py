"""Team cost and cost per ticket / reply / interaction / open day (DESIGN.md §4).

Cost inputs are a handful of admin rows, so proration runs in Python over them. Tickets and
interactions are counted in the database: one aggregate query over tickets and one over
interactions, whatever the number of months (each month is a filtered aggregate).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    Max,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least

from supportops.models import Expense, Interaction, MetricSettings, TeamMember, Ticket

from .periods import Month, last_n_months
from .results import CostOverview, CostResult, per_unit, quantize_cents

SECONDS_PER_DAY = Decimal(86400)
TWELVE = Decimal(12)


@dataclass(frozen=True)
class _CostInput:
    monthly_amount: Decimal  # full month, full time
    start_date: date
    end_date: date | None


@dataclass(frozen=True)
class _Counts:
    tickets: int = 0
    replies: int = 0
    interactions: int = 0
    open_days: Decimal = Decimal(0)  # full precision


# --- team cost -------------------------------------------------------------------------------


def _days_active(item: _CostInput, month: Month) -> int:
    """Days of `month` within [start_date, end_date], both inclusive."""
    first = max(item.start_date, month.first_date)
    last = min(item.end_date or month.last_date, month.last_date)
    return max((last - first).days + 1, 0)


def _cost_inputs(months: list[Month]) -> list[_CostInput]:
    """Members and expenses active at some point of `months`, as monthly amounts."""
    first, last = months[0].first_date, months[-1].last_date
    overlapping = Q(start_date__lte=last) & (Q(end_date__isnull=True) | Q(end_date__gte=first))
    members = TeamMember.objects.filter(overlapping).values_list(
        "annual_salary", "annual_benefits", "fte", "start_date", "end_date"
    )
    expenses = Expense.objects.filter(overlapping).values_list(
        "monthly_amount", "start_date", "end_date"
    )
    inputs = [
        _CostInput((salary + benefits) / TWELVE * fte, start, end)
        for salary, benefits, fte, start, end in members
    ]
    inputs += [_CostInput(amount, start, end) for amount, start, end in expenses]
    return inputs


def _team_cost_exact(month: Month, inputs: list[_CostInput]) -> Decimal:
    days = Decimal(month.days)
    return sum(
        (item.monthly_amount * _days_active(item, month) / days for item in inputs),
        Decimal(0),
    )


def team_cost(*, month: Month, tz: tzinfo) -> Decimal:
    """Team cost of `month`, to the cent.

    `tz` is taken for a uniform metric signature; proration works on calendar dates (start and
    end dates are dates), which do not depend on the zone.
    """
    return quantize_cents(_team_cost_exact(month, _cost_inputs([month])))


# --- counts ----------------------------------------------------------------------------------


def _at(value: datetime) -> Value:
    return Value(value, output_field=DateTimeField())


def _open_duration(start_at: datetime, cap_at: datetime) -> ExpressionWrapper:
    """How long a ticket was open within [start_at, cap_at): its open interval is
    [created_at, solved_at or +inf). Only meaningful for tickets overlapping the window."""
    open_until = Least(Coalesce("solved_at", _at(cap_at)), _at(cap_at))
    open_from = Greatest("created_at", _at(start_at))
    return ExpressionWrapper(open_until - open_from, output_field=DurationField())


def _count_months(months: list[Month], tz: tzinfo, now: datetime) -> dict[Month, _Counts]:
    bounds = [month.bounds(tz) for month in months]
    range_start, range_end = bounds[0][0], bounds[-1][1]

    ticket_aggregates = {}
    interaction_aggregates = {}
    for i, (start_at, end_at) in enumerate(bounds):
        created_in_month = Q(created_at__gte=start_at, created_at__lt=end_at)
        ticket_aggregates[f"tickets_{i}"] = Count("pk", filter=created_in_month)
        # Open days stop at `now`: the rest of the current month has not happened yet.
        cap_at = min(end_at, now)
        if cap_at > start_at:
            overlaps = Q(created_at__lt=cap_at) & (
                Q(solved_at__isnull=True) | Q(solved_at__gt=start_at)
            )
            ticket_aggregates[f"open_{i}"] = Sum(_open_duration(start_at, cap_at), filter=overlaps)
        interaction_aggregates[f"replies_{i}"] = Count(
            "pk", filter=created_in_month & Q(author_role=Interaction.AuthorRole.AGENT)
        )
        interaction_aggregates[f"interactions_{i}"] = Count("pk", filter=created_in_month)

    tickets = (
        Ticket.objects.filter(is_deleted=False, created_at__lt=range_end)
        .filter(
            Q(created_at__gte=range_start)
            | Q(solved_at__isnull=True)
            | Q(solved_at__gt=range_start)
        )
        .aggregate(**ticket_aggregates)
    )
    interactions = (
        Interaction.objects.filter(
            is_public=True,
            author_role__in=[Interaction.AuthorRole.AGENT, Interaction.AuthorRole.CUSTOMER],
            created_at__gte=range_start,
            created_at__lt=range_end,
        )
        # Interactions without a ticket count; those of a deleted ticket do not.
        .filter(Q(ticket__isnull=True) | Q(ticket__is_deleted=False))
        .aggregate(**interaction_aggregates)
    )
    return {
        month: _Counts(
            tickets=tickets[f"tickets_{i}"],
            replies=interactions[f"replies_{i}"],
            interactions=interactions[f"interactions_{i}"],
            open_days=_days(tickets.get(f"open_{i}")),
        )
        for i, month in enumerate(months)
    }


def _days(duration: timedelta | None) -> Decimal:
    if duration is None:
        return Decimal(0)
    seconds = Decimal(duration.days * 86400 + duration.seconds)
    return (seconds + Decimal(duration.microseconds) / 1_000_000) / SECONDS_PER_DAY


# --- results ---------------------------------------------------------------------------------


def _result(month: Month, currency: str, cost: Decimal, counts: _Counts) -> CostResult:
    return CostResult(
        month=month,
        currency=currency,
        team_cost=quantize_cents(cost),
        tickets=counts.tickets,
        cost_per_ticket=per_unit(cost, counts.tickets),
        replies=counts.replies,
        cost_per_reply=per_unit(cost, counts.replies),
        interactions=counts.interactions,
        cost_per_interaction=per_unit(cost, counts.interactions),
        open_days=quantize_cents(counts.open_days),
        cost_per_open_day=per_unit(cost, counts.open_days),
    )


def _trend(settings: MetricSettings, end_month: Month, months: int, now: datetime):
    window = last_n_months(end_month, months)
    inputs = _cost_inputs(window)
    counts = _count_months(window, ZoneInfo(settings.reporting_timezone), now)
    return [
        _result(month, settings.currency, _team_cost_exact(month, inputs), counts[month])
        for month in window
    ]


def cost_trend(*, end_month: Month, months: int, now: datetime) -> list[CostResult]:
    """Cost results of the `months` months ending with `end_month`, oldest first.

    Four queries whatever `months` is: settings, cost inputs (2), tickets, interactions.
    """
    return _trend(MetricSettings.load(), end_month, months, now)


def cost_for_month(*, month: Month, now: datetime) -> CostResult:
    return cost_trend(end_month=month, months=1, now=now)[0]


def latest_ticket_month(*, tz: tzinfo, now: datetime) -> Month | None:
    """The month of the newest ticket created up to `now`, or None when there is none."""
    latest_at = Ticket.objects.filter(is_deleted=False, created_at__lte=now).aggregate(
        latest=Max("created_at")
    )["latest"]
    return None if latest_at is None else Month.containing(latest_at, tz)


def cost_overview(*, month: Month | None, now: datetime, months: int = 12) -> CostOverview:
    """The cost dashboard: `month` and the trend of the `months` months ending with it.

    By default the latest complete month with tickets: a month still under way would show a
    whole month's cost against part of its tickets.
    """
    settings = MetricSettings.load()
    if month is None:
        tz = ZoneInfo(settings.reporting_timezone)
        last_complete = Month.containing(now, tz).shift(-1)
        month = min(latest_ticket_month(tz=tz, now=now) or last_complete, last_complete)
    trend = _trend(settings, month, months, now)
    return CostOverview(month=month, current=trend[-1], trend=tuple(trend))

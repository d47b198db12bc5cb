"""Team cost and cost per ticket / reply / interaction / open day (DESIGN.md §4).

Cost inputs are a handful of admin rows, so proration runs in Python over them. Tickets and
interactions are counted in the database: one aggregate query over tickets and one over
interactions, whatever the number of months (each month is a filtered aggregate).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    Max,
    Min,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least

from supportops.models import Expense, Interaction, MetricSettings, TeamMember, Ticket

from .periods import BadPeriod, Month, last_n_months
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


def _days_active(item: _CostInput, month: Month, through: date) -> int:
    """Days of `month` up to `through` within [start_date, end_date], all inclusive."""
    first = max(item.start_date, month.first_date)
    last = min(item.end_date or through, through)
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


def _team_cost_exact(
    month: Month, inputs: list[_CostInput], through: date | None = None
) -> Decimal:
    """Cost of `month`'s days up to `through` (default: the whole month), each day 1/days."""
    through = min(through or month.last_date, month.last_date)
    days = Decimal(month.days)
    return sum(
        (item.monthly_amount * _days_active(item, month, through) / days for item in inputs),
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


@dataclass(frozen=True)
class _Window:
    """What a result covers: a whole month, or the days of one that have ended."""

    month: Month
    start_at: datetime
    end_at: datetime  # exclusive; the start of today for the month in progress
    through_date: date  # the last day covered
    in_progress: bool

    @property
    def days(self) -> int:
        return (self.through_date - self.month.first_date).days + 1


def _window(month: Month, tz: tzinfo, today: date, *, days: int | None = None) -> _Window:
    """`month`, cut at the start of `today` when it is under way, or after its first `days`.

    Raises MonthUnavailable for a month that has not started.
    """
    start_at, end_at = month.bounds(tz)
    if month.first_date > today:
        raise MonthUnavailable(
            f"{month.label} has not started yet; the latest month is "
            f"{Month(today.year, today.month).label}",
            nearest=Month(today.year, today.month),
        )
    through = month.last_date
    if days is not None:
        through = min(month.first_date + timedelta(days=days - 1), month.last_date)
    if month.last_date >= today:
        through = min(through, today - timedelta(days=1))
    in_progress = through < month.last_date
    if in_progress:
        cut = datetime.combine(through + timedelta(days=1), datetime.min.time(), tzinfo=tz)
        end_at = cut.astimezone(UTC)
    return _Window(month, start_at, end_at, through, in_progress)


def _count_windows(windows: list[_Window]) -> list[_Counts]:
    """Tickets, replies, interactions and open days of each window: one query each for
    tickets and interactions, whatever the number of windows."""
    range_start = min(w.start_at for w in windows)
    range_end = max(w.end_at for w in windows)

    ticket_aggregates = {}
    interaction_aggregates = {}
    for i, window in enumerate(windows):
        start_at, end_at = window.start_at, window.end_at
        created_in_month = Q(created_at__gte=start_at, created_at__lt=end_at)
        ticket_aggregates[f"tickets_{i}"] = Count("pk", filter=created_in_month)
        if end_at > start_at:
            overlaps = Q(created_at__lt=end_at) & (
                Q(solved_at__isnull=True) | Q(solved_at__gt=start_at)
            )
            ticket_aggregates[f"open_{i}"] = Sum(_open_duration(start_at, end_at), filter=overlaps)
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
        # Interactions without a ticket count; those of a deleted ticket do not. An anti-join
        # on the few deleted ids, not a join over every ticket (bench/metrics.py: 1.2 s → 0.1 s
        # at 1M tickets).
        .filter(~Exists(Ticket.objects.filter(pk=OuterRef("ticket_id"), is_deleted=True)))
        .aggregate(**interaction_aggregates)
    )
    return [
        _Counts(
            tickets=tickets[f"tickets_{i}"],
            replies=interactions[f"replies_{i}"],
            interactions=interactions[f"interactions_{i}"],
            open_days=_days(tickets.get(f"open_{i}")),
        )
        for i in range(len(windows))
    ]


def _days(duration: timedelta | None) -> Decimal:
    if duration is None:
        return Decimal(0)
    seconds = Decimal(duration.days * 86400 + duration.seconds)
    return (seconds + Decimal(duration.microseconds) / 1_000_000) / SECONDS_PER_DAY


# --- results ---------------------------------------------------------------------------------


class MonthUnavailable(BadPeriod):
    """A month with nothing to show: not started yet, or before the first synced ticket.

    `nearest` is the closest month that has data, for a link.
    """

    def __init__(self, message: str, *, nearest: Month):
        super().__init__(message)
        self.nearest = nearest


def _result(window: _Window, currency: str, cost: Decimal, counts: _Counts) -> CostResult:
    return CostResult(
        month=window.month,
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
        in_progress=window.in_progress,
        days_covered=window.days,
        through_date=window.through_date,
    )


def _today(now: datetime, tz: tzinfo) -> date:
    return now.astimezone(tz).date()


def _results(settings: MetricSettings, windows: list[_Window]) -> list[CostResult]:
    inputs = _cost_inputs(sorted({w.month for w in windows}))
    counts = _count_windows(windows)
    return [
        _result(w, settings.currency, _team_cost_exact(w.month, inputs, w.through_date), c)
        for w, c in zip(windows, counts, strict=True)
    ]


def cost_trend(*, end_month: Month, months: int, now: datetime) -> list[CostResult]:
    """Cost results of the `months` months ending with `end_month`, oldest first.

    The month in progress covers the days before today in the reporting time zone (its team
    cost prorated to them, its counts over them), so its per-unit costs compare with whole
    months; a month that has not started raises MonthUnavailable.
    Four queries whatever `months` is: settings, cost inputs (2), tickets, interactions.
    """
    settings = MetricSettings.load()
    tz = ZoneInfo(settings.reporting_timezone)
    today = _today(now, tz)
    return _results(settings, [_window(m, tz, today) for m in last_n_months(end_month, months)])


@dataclass(frozen=True)
class TeamCostPeriod:
    """A month's team cost over the days a result covers, without the counts."""

    month: Month
    start_at: datetime
    end_at: datetime  # exclusive; the start of today for the month in progress
    through_date: date
    in_progress: bool
    days_covered: int
    team_cost: Decimal  # to the cent


def team_cost_trend(*, end_month: Month, months: int, now: datetime) -> list[TeamCostPeriod]:
    """The team costs `cost_trend` gives, over the same days, without counting tickets and
    interactions: three queries (settings, members, expenses).

    Why: allocation, support margin and bug impact share out the team cost by their own
    counts; counting every ticket and message of the months as well doubled their time
    (bench/metrics.py).
    """
    settings = MetricSettings.load()
    tz = ZoneInfo(settings.reporting_timezone)
    today = _today(now, tz)
    windows = [_window(m, tz, today) for m in last_n_months(end_month, months)]
    inputs = _cost_inputs(sorted({w.month for w in windows}))
    return [
        TeamCostPeriod(
            month=w.month,
            start_at=w.start_at,
            end_at=w.end_at,
            through_date=w.through_date,
            in_progress=w.in_progress,
            days_covered=w.days,
            team_cost=quantize_cents(_team_cost_exact(w.month, inputs, w.through_date)),
        )
        for w in windows
    ]


def cost_for_month(*, month: Month, now: datetime) -> CostResult:
    return cost_trend(end_month=month, months=1, now=now)[0]


def ticket_months(*, tz: tzinfo, now: datetime) -> tuple[Month | None, Month | None]:
    """The months of the first and the newest ticket created up to `now` (None: no tickets)."""
    found = Ticket.objects.filter(is_deleted=False, created_at__lte=now).aggregate(
        first=Min("created_at"), latest=Max("created_at")
    )
    first_at, latest_at = found["first"], found["latest"]
    return (
        None if first_at is None else Month.containing(first_at, tz),
        None if latest_at is None else Month.containing(latest_at, tz),
    )


def cost_overview(*, month: Month | None, now: datetime, months: int = 12) -> CostOverview:
    """The cost dashboard: `month`, the month before it, and the trend ending with it.

    The months on offer run from the first synced ticket's to the one in progress; any other
    raises MonthUnavailable. By default the latest complete month with tickets. For the month
    in progress, totals compare with the same number of days of the month before.
    """
    settings = MetricSettings.load()
    tz = ZoneInfo(settings.reporting_timezone)
    today = _today(now, tz)
    current = Month(today.year, today.month)
    first, latest = ticket_months(tz=tz, now=now)
    has_tickets = first is not None
    first = first or current
    if month is None:
        month = max(min(latest or current.shift(-1), current.shift(-1)), first)
    if month > current:
        _window(month, tz, today)  # raises: not started yet
    if month < first:
        raise MonthUnavailable(
            f"there is no data before {first.label}, the month of the first synced ticket",
            nearest=first,
        )
    # The month before is fetched even for a 1-month trend: every figure shows its change.
    span = [m for m in last_n_months(month, max(months, 2)) if m >= first]
    windows = [_window(m, tz, today) for m in span]
    selected = windows[-1]
    to_date = None
    if selected.in_progress and span[0] <= month.shift(-1):
        to_date = _window(month.shift(-1), tz, today, days=selected.days)
        windows.append(to_date)
    results = _results(settings, windows)
    previous_to_date = results.pop() if to_date else None
    by_month = {result.month: result for result in results}
    previous = by_month.get(month.shift(-1))
    trend = tuple(results[-months:])
    return CostOverview(
        month=month,
        current=by_month[month],
        trend=trend,
        previous=previous,
        previous_to_date=previous_to_date,
        first_month=first,
        current_month=current,
        timezone=settings.reporting_timezone,
        has_tickets=has_tickets,
    )

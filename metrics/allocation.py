"""Cost allocation (DESIGN.md §4): a month's team cost shared out over its tickets.

A ticket's share is its basis count in the month (agent public replies, or 1 when it was created
in the month) over the month's total; a group's cost is team cost × the sum of its tickets'
shares, rounded by largest remainder so the rows add up to the team cost to the cent.

The parts support cost vs revenue (metrics/margin.py) and bug impact (metrics/bugs.py) reuse:
`MonthSpan` (a month's bounds and team cost), `reply_counts` (replies per group and month in one
query), `largest_remainder` and `plan_at`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models import Window as Over
from django.db.models.functions import Coalesce, NullIf, RowNumber

from supportops.models import Interaction, MetricSettings, Subscription, Ticket
from supportops.paying import customers_paying_at, paying_at

from .allocation_results import (
    BASIS_REPLIES,
    BY_BUCKET,
    BY_CHANNEL,
    BY_CUSTOMER,
    BY_PLAN,
    AllocationResult,
    AllocationRow,
)
from .cost import TeamCostPeriod, team_cost_trend
from .periods import Month, Window
from .results import CostResult, per_unit

NO_PLAN = "No plan"
UNLINKED = "unlinked"
NO_CHANNEL = "(none)"
BUCKET_LABELS = {"paying": "Paying", "free": "Free", UNLINKED: "Unlinked"}
CHANNEL_LABELS = {NO_CHANNEL: "No channel", "api": "API", "sms": "SMS"}
CENTS = 100


@dataclass(frozen=True)
class MonthSpan:
    """What a month's allocation covers: [start_at, end_at) and the team cost of those days.

    The month in progress ends at the start of today (reporting time zone), like its team cost.
    """

    month: Month
    start_at: datetime
    end_at: datetime
    team_cost: Decimal  # to the cent
    in_progress: bool
    days_covered: int
    through_date: date | None  # the last day covered

    @property
    def created(self) -> Q:
        return Q(created_at__gte=self.start_at, created_at__lt=self.end_at)


def month_span(result: CostResult, tz: tzinfo) -> MonthSpan:
    start_at, end_at = result.month.bounds(tz)
    if result.in_progress:
        cut = datetime.combine(
            result.through_date + timedelta(days=1), datetime.min.time(), tzinfo=tz
        )
        end_at = max(cut.astimezone(UTC), start_at)
    return MonthSpan(
        month=result.month,
        start_at=start_at,
        end_at=end_at,
        team_cost=result.team_cost,
        in_progress=result.in_progress,
        days_covered=result.days_covered,
        through_date=result.through_date,
    )


def _span(period: TeamCostPeriod) -> MonthSpan:
    return MonthSpan(
        month=period.month,
        start_at=period.start_at,
        end_at=period.end_at,
        team_cost=period.team_cost,
        in_progress=period.in_progress,
        days_covered=period.days_covered,
        through_date=period.through_date,
    )


def window_spans(*, window: Window, tz: tzinfo, now: datetime) -> list[MonthSpan]:
    """The months of `window` with their team costs: three queries whatever its length
    (metrics.cost.team_cost_trend). A month not started raises MonthUnavailable."""
    periods = team_cost_trend(end_month=window.end, months=len(window.months), now=now)
    return [_span(period) for period in periods]


# --- counting --------------------------------------------------------------------------------


def replies_in(start_at: datetime, end_at: datetime) -> Q:
    """Agent public replies in [start_at, end_at) on tickets that are not deleted (for
    Interaction querysets). A message without a ticket belongs to no group, so none counts."""
    return Q(
        author_role=Interaction.AuthorRole.AGENT,
        is_public=True,
        ticket__is_deleted=False,
        created_at__gte=start_at,
        created_at__lt=end_at,
    )


def reply_counts(
    spans: Sequence[MonthSpan], *, group: Mapping[str, object] | None = None, where: Q = None
) -> dict[tuple, tuple[int, ...]]:
    """Agent public replies per group and span, in one query: {group values: (count per span)}.

    `group` names the group as values() expressions over Interaction (e.g.
    {"customer": F("ticket__customer_id")}); without it, the totals under the key (). `where`
    narrows the replies counted (e.g. to the tickets of bug groups).
    """
    columns = {f"m{i}": Count("pk", filter=span.created) for i, span in enumerate(spans)}
    replies = Interaction.objects.filter(replies_in(spans[0].start_at, spans[-1].end_at))
    if where is not None:
        replies = replies.filter(where)
    if not group:
        totals = replies.aggregate(**columns)
        return {(): tuple(totals[f"m{i}"] for i in range(len(spans)))}
    rows = replies.values(**group).annotate(**columns).order_by()
    return {
        tuple(row[name] for name in group): tuple(row[f"m{i}"] for i in range(len(spans)))
        for row in rows
    }


def largest_remainder(total: Decimal, weights: Mapping[str, int]) -> dict[str, Decimal]:
    """Share `total` (to the cent) out in proportion to `weights`, to the cent, so the parts
    add up to `total` exactly.

    Each part gets the whole cents of its exact share; the cents left over go one each to the
    largest remainders; ties go to the larger weight, then to the key first in alphabetical
    order. 100.00 over three equal weights a, b, c: 33.34 (a), 33.33, 33.33.
    An empty or all-zero `weights` shares nothing out (an empty dict).
    """
    denominator = sum(weights.values())
    if denominator <= 0:
        return {}
    cents = int(total * CENTS)
    parts = {key: divmod(cents * weight, denominator) for key, weight in weights.items()}
    left = cents - sum(whole for whole, _ in parts.values())
    ranked = sorted(weights, key=lambda key: (-parts[key][1], -weights[key], key))
    bonus = set(ranked[:left])
    return {
        key: Decimal(whole + (key in bonus)) / CENTS for key, (whole, _) in sorted(parts.items())
    }


# With several paying subscriptions, the one with the highest list MRR (then the newest) names
# the customer's plan.
PLAN_CHOICE = ("-list_mrr_minor", "-started_at", "-pk")


def _plan_name() -> Coalesce:
    return Coalesce(NullIf("plan__name", Value("")), "plan__external_id")


def plan_at(at: datetime, *, customer: str = "pk") -> Subquery:
    """The name of the plan of the customer's paying subscription at `at` (None: not paying).

    `customer` names the outer query's customer id, as in supportops.paying.
    """
    paying = Subscription.objects.filter(paying_at(at), customer_id=OuterRef(customer))
    return Subquery(
        paying.order_by(*PLAN_CHOICE).values(name=_plan_name())[:1], output_field=CharField()
    )


def plans_at(at: datetime) -> dict[int, str]:
    """Customer id → the name `plan_at` gives, for every customer paying at `at`: one query.

    Why beside `plan_at`: for tens of thousands of customers, one ranked pass over the paying
    subscriptions beats a sorted subquery per customer (3 s of 8 at 100,000 customers,
    bench/metrics.py "support vs revenue").
    """
    order = [F(field[1:]).desc() for field in PLAN_CHOICE]
    ranked = (
        Subscription.objects.filter(paying_at(at), customer_id__isnull=False)
        .annotate(
            choice=Over(RowNumber(), partition_by=[F("customer_id")], order_by=order),
            plan_name=_plan_name(),
        )
        .filter(choice=1)
        .values_list("customer_id", "plan_name")
    )
    return dict(ranked)


# --- allocation ------------------------------------------------------------------------------


def _group(by: str, *, prefix: str, at: datetime) -> dict[str, object]:
    """values() expressions naming a ticket's group; `prefix` is "" over Ticket, "ticket__"
    over Interaction. Bucket and plan are read at `at`, the end of the month."""
    customer = f"{prefix}customer_id"
    if by == BY_CHANNEL:
        return {"key": F(f"{prefix}channel")}
    if by == BY_BUCKET:
        bucket = Case(
            When(**{f"{customer}__isnull": True}, then=Value(UNLINKED)),
            When(customers_paying_at(at, customer=customer), then=Value("paying")),
            default=Value("free"),
            output_field=CharField(),
        )
        return {"key": bucket}
    if by == BY_PLAN:
        return {"key": Coalesce(plan_at(at, customer=customer), Value(NO_PLAN))}
    if by == BY_CUSTOMER:
        return {"key": F(customer), "label": F(f"{prefix}customer__name")}
    raise ValueError(f"unknown grouping {by!r}")


def _key(by: str, value) -> str:
    if by == BY_CUSTOMER:
        return UNLINKED if value is None else str(value)
    if by == BY_CHANNEL:
        return value or NO_CHANNEL
    return value


def _label(by: str, key: str, name: str | None) -> str:
    if by == BY_CUSTOMER:
        return "No customer (unlinked)" if key == UNLINKED else name or f"Customer {key}"
    if by == BY_BUCKET:
        return BUCKET_LABELS.get(key, key)
    if by == BY_CHANNEL:
        return CHANNEL_LABELS.get(key, key[:1].upper() + key[1:])
    return key


def _counts(by: str, span: MonthSpan) -> tuple[dict[str, int], dict[str, int], dict[str, str]]:
    """Tickets and replies per group key (one query each) and the groups' names."""
    tickets_by, names = {}, {}
    ticket_rows = (
        Ticket.objects.filter(span.created, is_deleted=False)
        .values(**_group(by, prefix="", at=span.end_at))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in ticket_rows:
        key = _key(by, row["key"])
        tickets_by[key] = row["n"]
        names[key] = row.get("label")
    group = _group(by, prefix="ticket__", at=span.end_at)
    replies_by = {}
    for values, (count,) in reply_counts([span], group=group).items():
        key = _key(by, values[0])
        replies_by[key] = count
        names.setdefault(key, values[1] if len(values) > 1 else None)
    return tickets_by, replies_by, names


def _nothing_note(span: MonthSpan, basis: str) -> str:
    if span.in_progress and span.days_covered == 0:
        return f"{span.month.label} has just begun: no day of it has ended, so nothing is allocated yet."
    what = "agent public replies" if basis == BASIS_REPLIES else "tickets created"
    return f"No {what} in {span.month.label}: the team cost is not allocated."


def allocate(*, span: MonthSpan, currency: str, by: str, basis: str) -> AllocationResult:
    """The allocation of one month (two queries: tickets and replies per group)."""
    tickets_by, replies_by, names = _counts(by, span)
    weights = replies_by if basis == BASIS_REPLIES else tickets_by
    keys = sorted(set(tickets_by) | set(replies_by))
    costs = largest_remainder(span.team_cost, {key: weights.get(key, 0) for key in keys})
    total = sum(weights.values())
    rows = []
    for key in keys:
        cost = costs.get(key)
        rows.append(
            AllocationRow(
                key=key,
                label=_label(by, key, names.get(key)),
                tickets=tickets_by.get(key, 0),
                replies=replies_by.get(key, 0),
                share=Decimal(weights.get(key, 0)) / total if total else None,
                allocated_cost=cost,
                cost_per_ticket=None if cost is None else per_unit(cost, tickets_by.get(key, 0)),
            )
        )
    rows.sort(key=lambda row: (-(row.allocated_cost or 0), -row.tickets, row.label, row.key))
    return AllocationResult(
        month=span.month,
        by=by,
        basis=basis,
        currency=currency,
        team_cost=span.team_cost,
        tickets=sum(tickets_by.values()),
        replies=sum(replies_by.values()),
        allocated=bool(total),
        note="" if total else _nothing_note(span, basis),
        rows=tuple(rows),
        in_progress=span.in_progress,
        days_covered=span.days_covered,
        through_date=span.through_date,
    )


def cost_allocation(*, month: Month, by: str, basis: str, now: datetime) -> AllocationResult:
    """Team cost of `month` shared out by `by` (channel, bucket, plan, customer) on `basis`
    (replies, tickets). Six queries: settings, the month's team cost (metrics.cost: three),
    tickets and replies per group. A month not started raises MonthUnavailable."""
    settings = MetricSettings.load()
    span = _span(team_cost_trend(end_month=month, months=1, now=now)[0])
    return allocate(span=span, currency=settings.currency, by=by, basis=basis)

"""Bug impact (DESIGN.md §4): what each bug costs in customers, revenue at stake and support.

A group is a problem ticket with the incidents linked to it (same source, the incident's
`problem_external_id` = the problem's `external_id`; the problem counts among the tickets), or a
bug tag of MetricSettings.bug_tags (the tickets carrying it that belong to no problem group).
A group is in the window W when one of its tickets was created in W, and only those tickets
count: tickets, customers, MRR and support cost are all over the group's tickets created in W.

Support cost: a ticket's allocated cost in month M (reply basis) is team cost(M) × its replies
in M / all replies in M (metrics/allocation.py), summed over the months of W and rounded to
the cent once per group. Groups overlap (a ticket tagged twice), so no largest remainder across
them.

Queries, whatever the window's length: settings, team costs (five), the LTV basis, replies per
month (all, and per bug tag), replies per problem group and month, tickets and customers per
problem group, per bug tag, and the problems' subjects. Which tickets make up a bug:
metrics/bug_groups.py; a bug's tickets: metrics/bug_tickets.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from functools import reduce
from operator import or_
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q

from supportops.models import Interaction, MetricSettings, Ticket
from supportops.money import minor_to_major

from .allocation import MonthSpan, replies_in, reply_counts, window_spans
from .bug_groups import (
    PROBLEM_TYPE,
    bug_tags,
    created_in,
    problem_id,
    problem_key,
    tag_key,
    tag_q,
)
from .bug_results import PROBLEM, TAG, BugGroup, BugImpact
from .ltv import ltv_basis_for, ltv_of
from .periods import Month, Window, last_complete_months
from .results import quantize_cents

TWELVE = Decimal(12)


class _Group:
    def __init__(self):
        self.tickets = 0
        self.customers: set[int] = set()
        self.mrr_minor = 0
        self.replies: Sequence[int] = ()  # per month of the window; () when none

    def add(self, row: dict, tickets: int, currency: str, other: set[int]) -> None:
        self.tickets += tickets
        customer = row["customer_id"]
        if customer is None or customer in self.customers:
            return
        self.customers.add(customer)
        if (row["customer__currency"] or "").lower() == currency.lower():
            self.mrr_minor += row["customer__mrr_minor"]
        else:
            other.add(customer)


def _cost(spans: Sequence[MonthSpan], replies: Sequence[int], totals: Sequence[int]) -> Decimal:
    """Σ over months of team cost × the group's replies / all replies, to the cent once."""
    exact = sum(
        (
            span.team_cost * count / total
            for span, count, total in zip(spans, replies, totals, strict=False)
            if count and total
        ),
        Decimal(0),
    )
    return quantize_cents(exact)


def _problem_groups(spans, currency, other) -> dict[tuple[str, str], _Group]:
    groups: dict[tuple[str, str], _Group] = defaultdict(_Group)
    rows = (
        Ticket.objects.filter(created_in(spans))
        .annotate(problem=problem_id())
        .filter(problem__isnull=False)
        .values("source", "problem", "customer_id", "customer__mrr_minor", "customer__currency")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        groups[(row["source"], row["problem"])].add(row, row["n"], currency, other)
    replies = reply_counts(
        spans,
        group={"problem_source": F("ticket__source"), "problem": problem_id("ticket__")},
        where=created_in(spans, "ticket__")
        & (Q(ticket__type=PROBLEM_TYPE) | ~Q(ticket__problem_external_id="")),
    )
    for key, counts in replies.items():
        if key in groups:
            groups[key].replies = counts
    return groups


def _tag_groups(spans, tags, currency, other) -> dict[str, _Group]:
    groups: dict[str, _Group] = defaultdict(_Group)
    if not tags:
        return groups
    columns = {f"t{j}": Count("pk", filter=tag_q(tag)) for j, tag in enumerate(tags)}
    rows = (
        Ticket.objects.filter(created_in(spans), reduce(or_, (tag_q(tag) for tag in tags)))
        .values("customer_id", "customer__mrr_minor", "customer__currency")
        .annotate(**columns)
        .order_by()
    )
    for row in rows:
        for j, tag in enumerate(tags):
            if row[f"t{j}"]:
                groups[tag].add(row, row[f"t{j}"], currency, other)
    return groups


def _reply_totals(spans, tags) -> tuple[list[int], dict[str, list[int]]]:
    """All replies per month (the allocation's denominators) and those of each tag's tickets
    created in the window: one aggregate."""
    in_window = created_in(spans, "ticket__")
    columns = {f"m{i}": Count("pk", filter=span.created) for i, span in enumerate(spans)}
    for j, tag in enumerate(tags):
        for i, span in enumerate(spans):
            columns[f"t{j}_m{i}"] = Count(
                "pk", filter=span.created & in_window & tag_q(tag, "ticket__")
            )
    counts = Interaction.objects.filter(replies_in(spans[0].start_at, spans[-1].end_at)).aggregate(
        **columns
    )
    totals = [counts[f"m{i}"] for i in range(len(spans))]
    per_tag = {tag: [counts[f"t{j}_m{i}"] for i in range(len(spans))] for j, tag in enumerate(tags)}
    return totals, per_tag


def _problem_titles(keys) -> dict[tuple[str, str], str]:
    """Subjects of the problem tickets named by `keys` (source, external id): one query.

    Looked up by the keys the groups already found, through the (source, external_id) unique
    index: asking again which problems have a ticket in the window cost an EXISTS per problem
    ticket (48 s at 1M tickets, bench/metrics.py).
    """
    if not keys:
        return {}
    by_source: dict[str, list[str]] = defaultdict(list)
    for source, external_id in keys:
        by_source[source].append(external_id)
    wanted = reduce(
        or_, (Q(source=source, external_id__in=ids) for source, ids in by_source.items())
    )
    problems = Ticket.objects.filter(wanted, type=PROBLEM_TYPE).order_by()
    return {
        (source, external_id): subject
        for source, external_id, subject in problems.values_list("source", "external_id", "subject")
    }


def _row(key, kind, title, group: _Group, spans, totals, currency, basis) -> BugGroup:
    mrr = minor_to_major(group.mrr_minor, currency)
    return BugGroup(
        key=key,
        kind=kind,
        title=title,
        tickets=group.tickets,
        customers=len(group.customers),
        mrr=mrr,
        arr=quantize_cents(mrr * TWELVE),
        ltv_sum=ltv_of(mrr, basis),
        support_cost=_cost(spans, group.replies, totals),
    )


def bug_impact(*, window: Window | None, now: datetime) -> BugImpact:
    """Every bug group with a ticket created in `window` (None: the last 3 complete months),
    most MRR affected first.

    Twelve queries whatever the window's length (see the module docstring). The month in
    progress counts its days through yesterday; a month not started raises MonthUnavailable.
    """
    settings = MetricSettings.load()
    tz = ZoneInfo(settings.reporting_timezone)
    window = window or last_complete_months(now=now, tz=tz)
    currency = settings.currency
    spans = window_spans(window=window, tz=tz, now=now)
    basis = ltv_basis_for(now=now, settings=settings)
    tags = bug_tags(settings)
    other: set[int] = set()
    totals, tag_replies = _reply_totals(spans, tags)
    problems = _problem_groups(spans, currency, other)
    by_tag = _tag_groups(spans, tags, currency, other)
    titles = _problem_titles(problems)
    rows = [
        _row(
            problem_key(source, external_id),
            PROBLEM,
            titles.get((source, external_id)) or f"Problem {external_id}",
            group,
            spans,
            totals,
            currency,
            basis,
        )
        for (source, external_id), group in problems.items()
    ]
    for tag, group in by_tag.items():
        group.replies = tag_replies[tag]
        rows.append(_row(tag_key(tag), TAG, tag, group, spans, totals, currency, basis))
    rows.sort(key=lambda row: (-row.mrr, -row.tickets, row.key))
    last = spans[-1]
    return BugImpact(
        window=window,
        currency=currency,
        bug_tags=tags,
        churn_rate=basis.churn_rate,
        lifetime_months=basis.lifetime_months,
        cap_months=basis.cap_months,
        customers_other_currency=len(other),
        rows=tuple(rows),
        in_progress=last.in_progress,
        through_date=last.through_date,
        current_month=Month.containing(now, tz),
    )

"""Support operations (DESIGN.md §4 "Support operations"): a month's tickets created, solved and
left open, reply and resolution medians recomputed beside the vendor's, one-touch and reopens.

Everything is counted in the database, medians included, in one statement over one derived
table of the month's tickets (one row per ticket: its group, flags, minutes), built by the ORM
and read twice:

- counts: Σ of the flags per group, and once more over every ticket for the total row;
- medians: each ticket's value of each kind (first reply, vendor first reply, resolution, vendor
  resolution) numbered in its (group, kind) with ROW_NUMBER and COUNT windows; the middle row,
  or the mean of the two middle rows, is the median. The total's medians rank over every ticket
  (not a median of medians).

The SQL around the derived table is plain SQL both SQLite (tests) and PostgreSQL (production)
run: CTEs, UNION ALL, window functions, integer division; only the difference of two instants in
minutes is written per backend (MINUTES_SQL). A ticket's replies are looked up once, in the
derived table, whichever figures use them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Case,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from supportops.models import Interaction, MetricSettings, Ticket

from .allocation import CHANNEL_LABELS, NO_CHANNEL, NO_PLAN, plan_at
from .cost import MonthUnavailable
from .coverage import enterprise_group_key, product_group, product_groups
from .periods import Month
from .support_ops_results import (
    BY_CHANNEL,
    BY_PLAN,
    BY_PRODUCT,
    GROUPINGS,
    TOTAL,
    SupportOpsResult,
    SupportOpsRow,
)

MINUTES = Decimal("0.1")
EXACT = Decimal("0.000001")  # SQLite averages in floats: snap them before rounding half up
RATE = Decimal("0.0001")
# The median kinds, numbered in SQL: (column of the derived table, field of SupportOpsRow).
KINDS = {
    1: ("first_reply", "median_first_reply_minutes"),
    2: ("vendor_first_reply", "vendor_median_first_reply_minutes"),
    3: ("resolution", "median_resolution_minutes"),
    4: ("vendor_resolution", "vendor_median_resolution_minutes"),
}
# Whole seconds from one instant to another, in minutes: rounded to the second on both backends
# so SQLite's julianday floats and PostgreSQL's exact epochs give the same medians.
MINUTES_SQL = {
    "postgresql": "(ROUND(EXTRACT(EPOCH FROM ({end}) - ({start}))) / 60.0)",
    "sqlite": "(ROUND((julianday({end}) - julianday({start})) * 86400.0) / 60.0)",
}


class BadGrouping(ValueError):
    """An unknown `by`; the message is fit to show a user."""


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _only(condition: Q, value) -> Case:
    """`value` for the tickets meeting `condition`, else NULL (the subqueries in `value` run
    only for those tickets)."""
    return Case(When(condition, then=value), default=None)


def _group_expression(by: str, *, at: datetime, enterprise_key: int | None):
    if by == BY_PRODUCT:
        return product_group(enterprise_key)
    if by == BY_CHANNEL:
        return F("channel")
    if by == BY_PLAN:
        return Coalesce(plan_at(at, customer="customer_id"), Value(NO_PLAN))
    raise BadGrouping(f"by must be one of {', '.join(GROUPINGS)}, not {by!r}")


def _tickets(start: datetime, end: datetime, group) -> QuerySet:
    """The derived table: every live ticket created in M, solved in M or open at M's end, one
    row each with its group, 0/1 flags, its first and second agent public reply (looked up only
    for tickets that need them) and the vendor's values where in scope."""
    created = Q(created_at__gte=start, created_at__lt=end)
    solved = Q(solved_at__gte=start, solved_at__lt=end)
    backlog = Q(solved_at__isnull=True) | Q(solved_at__gte=end)
    agent_replies = Interaction.objects.filter(
        ticket=OuterRef("pk"), author_role=Interaction.AuthorRole.AGENT, is_public=True
    )
    first_reply_at = Subquery(agent_replies.order_by("created_at").values("created_at")[:1])
    # One-touch: a first agent public reply and no second one (no need to count them all).
    second_reply_id = Subquery(agent_replies.order_by("created_at", "pk").values("pk")[1:2])
    return (
        Ticket.objects.filter(is_deleted=False, created_at__lt=end)
        .filter(created | solved | backlog)
        .values(
            "created_at",
            "solved_at",
            grp=group,
            created=_flag(created),
            solved=_flag(solved),
            backlog_end=_flag(backlog),
            first_reply_at=_only(created | solved, first_reply_at),
            second_reply_id=_only(solved, second_reply_id),
            vendor_first_reply=_only(created, F("first_reply_minutes")),
            vendor_resolution=_only(solved, F("full_resolution_minutes")),
            solved_reopens=_only(solved, F("reopens")),
        )
        .order_by()
    )


# One statement: the derived table once (MATERIALIZED, or PostgreSQL inlines it and looks up
# the first reply twice, for the minutes and for one-touch; SQLite ≥ 3.35 reads it too), then a
# row per (total?, group) of counts (kind 0) and one per (total?, group, kind) of medians.
SUPPORT_OPS_SQL = """
WITH t AS MATERIALIZED ({tickets}),
m AS (
  SELECT grp, created, solved, backlog_end, vendor_first_reply, vendor_resolution,
         solved_reopens,
         CASE WHEN created = 1 THEN {first_reply} END AS first_reply,
         CASE WHEN solved = 1 THEN {resolution} END AS resolution,
         CASE WHEN solved = 1 AND first_reply_at IS NOT NULL AND second_reply_id IS NULL
              THEN 1 ELSE 0 END AS one_touch
  FROM t
),
counts AS (
  SELECT 0 AS is_total, grp, {sums} FROM m GROUP BY grp
  UNION ALL
  SELECT 1 AS is_total, NULL, {sums} FROM m
),
v AS (
  {values}
),
s AS (
  SELECT 0 AS is_total, grp, kind, x FROM v
  UNION ALL
  SELECT 1 AS is_total, NULL, kind, x FROM v
),
r AS (
  SELECT is_total, grp, kind, x,
         ROW_NUMBER() OVER (PARTITION BY is_total, grp, kind ORDER BY x) AS rn,
         COUNT(*) OVER (PARTITION BY is_total, grp, kind) AS n
  FROM s
)
SELECT is_total, grp, 0 AS kind, c0, c1, c2, c3, c4, c5, c6, c7, c8, NULL AS median
FROM counts
UNION ALL
SELECT is_total, grp, kind, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, AVG(x)
FROM r
WHERE rn = (n + 1) / 2 OR rn = (n + 2) / 2
GROUP BY is_total, grp, kind
"""
SUMS = ", ".join(
    f"{expression} AS c{i}"
    for i, expression in enumerate(
        (
            "COALESCE(SUM(created), 0)",
            "COALESCE(SUM(solved), 0)",
            "COALESCE(SUM(backlog_end), 0)",
            "COALESCE(SUM(one_touch), 0)",
            "COUNT(first_reply)",
            "COUNT(vendor_first_reply)",
            "COUNT(vendor_resolution)",
            "COALESCE(SUM(CASE WHEN solved_reopens > 0 THEN 1 ELSE 0 END), 0)",
            "SUM(solved_reopens)",
        )
    )
)
VALUES_SQL = "\n  UNION ALL\n  ".join(
    f"SELECT grp, {kind} AS kind, {column} AS x FROM m WHERE {column} IS NOT NULL"
    for kind, (column, _) in KINDS.items()
)


def _run(tickets: QuerySet) -> tuple[dict, dict]:
    """({(is_total, group): counts}, {(is_total, group): {kind: median}}) in one query."""
    inner, params = tickets.query.sql_with_params()
    minutes = MINUTES_SQL[connection.vendor]
    sql = SUPPORT_OPS_SQL.format(
        tickets=inner,
        first_reply=minutes.format(start="created_at", end="first_reply_at"),
        resolution=minutes.format(start="created_at", end="solved_at"),
        sums=SUMS,
        values=VALUES_SQL,
    )
    counts, medians = {}, {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for is_total, key, kind, *values, median in cursor.fetchall():
            if kind == 0:
                counts[(is_total, key)] = tuple(values)
            else:
                medians.setdefault((is_total, key), {})[kind] = median
    return counts, medians


def _minutes(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(EXACT).quantize(MINUTES, rounding=ROUND_HALF_UP)


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / whole).quantize(RATE, rounding=ROUND_HALF_UP) if whole else None


def _fields(counts: tuple, medians: dict[int, object]) -> dict:
    created, solved, backlog, one_touch, replied, v_replied, v_resolved, reopened, reopens = counts
    return {
        "created": created,
        "solved": solved,
        "backlog_end": backlog,
        "one_touch_rate": _rate(one_touch, solved),
        "reopens": None if reopens is None else int(reopens),
        "replied": replied,
        "vendor_replied": v_replied,
        "vendor_resolved": v_resolved,
        "reopened": reopened,
        **{field: _minutes(medians.get(kind)) for kind, (_, field) in KINDS.items()},
    }


EMPTY = (0, 0, 0, 0, 0, 0, 0, 0, None)


def _channel_key(value: str) -> tuple[str, str]:
    key = value or NO_CHANNEL
    return key, CHANNEL_LABELS.get(key, key[:1].upper() + key[1:])


def support_ops(*, month: Month | None, by: str, now: datetime) -> SupportOpsResult:
    """Support operations of `month` (default: the last complete one) grouped `by` product,
    channel or plan, and the total.

    By product: the coverage groups (every product, the enterprise group taking enterprise
    customers' tickets, Unassigned), all listed even without tickets. By channel or plan: the
    groups with tickets in scope. The plan is the customer's paying subscription's at the end of
    M (as cost allocation reads it; "No plan" for the unpaid and the unlinked). Raises
    BadGrouping for an unknown `by`, MonthUnavailable for a month that has not started.
    Queries: settings, products (by product only), and the one statement.
    """
    if by not in GROUPINGS:
        raise BadGrouping(f"by must be one of {', '.join(GROUPINGS)}, not {by!r}")
    tz = ZoneInfo(MetricSettings.load().reporting_timezone)
    current = Month.containing(now, tz)
    month = month or current.shift(-1)
    if month > current:
        raise MonthUnavailable(
            f"{month.label} has not started yet; the latest month is {current.label}",
            nearest=current,
        )
    start, end = month.bounds(tz)
    groups = product_groups() if by == BY_PRODUCT else []
    group = _group_expression(by, at=min(end, now), enterprise_key=enterprise_group_key(groups))
    counts, medians = _run(_tickets(start, end, group))

    def row(key, *, name: str, label: str, **flags) -> SupportOpsRow:
        fields = _fields(counts.get((0, key), EMPTY), medians.get((0, key), {}))
        return SupportOpsRow(key=name, label=label, **fields, **flags)

    if by == BY_PRODUCT:
        rows = [
            row(
                g.key,
                name=g.name,
                label=g.name,
                is_enterprise=g.is_enterprise,
                is_unassigned=g.key is None,
            )
            for g in groups
        ]
    elif by == BY_CHANNEL:
        keys = sorted((k for t, k in counts if not t), key=lambda k: (not k, k))
        rows = [row(k, name=_channel_key(k)[0], label=_channel_key(k)[1]) for k in keys]
    else:
        keys = sorted((k for t, k in counts if not t), key=lambda k: (k == NO_PLAN, k))
        rows = [row(k, name=k, label=k) for k in keys]
    total = SupportOpsRow(
        key=TOTAL,
        label=TOTAL,
        **_fields(counts.get((1, None), EMPTY), medians.get((1, None), {})),
    )
    return SupportOpsResult(
        month=month,
        by=by,
        rows=tuple(rows),
        total=total,
        in_progress=month == current,
        current_month=current,
    )

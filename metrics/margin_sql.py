"""The one statement behind support cost vs revenue: allocation, margins, order, page, counts.

Why raw SQL: the largest remainder ranks each month's per-customer reply counts (a window over
an aggregate), then the months are added up and joined with revenue, then ranked again by
margin; the ORM cannot stack those steps. The parts with a definition elsewhere are compiled from
the ORM so they cannot drift: the replies counted (metrics.allocation.replies_in, one count per
month as reply_counts makes them) and the window's paid invoices.

The largest remainder itself is metrics/allocation_sql.py's, shared with the stored support
cost to date (metrics/customer_costs.py). Everything is integer cents until Python: team cost ×
100 (as largest_remainder), revenue in minor units scaled to cents for zero-decimal currencies.
Integer ÷ integer truncates on both SQLite and PostgreSQL (non-negative operands: the floor, as
Python's divmod); PostgreSQL's SUM of bigint is numeric, hence the casts. Keys and names sort in
code-point order on both vendors: SQLite's BINARY collation, PostgreSQL's "C" (what Python's str
ordering is).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from supportops.models import Customer, Interaction, Invoice
from supportops.money import ZERO_DECIMAL

from .allocation import CENTS, MonthSpan, replies_in
from .allocation_sql import COLLATION, largest_remainder_ctes

PAID = "paid"
FETCH = 2000  # rows per fetchmany when every row is asked for


@dataclass(frozen=True)
class MarginLine:
    """One customer's integer figures as the statement returns them."""

    customer_id: int
    name: str
    cost_cents: int
    revenue_minor: int
    other_currency: int


@dataclass(frozen=True)
class MarginTotals:
    customers: int  # customers with cost or revenue
    listed: int  # of those, the ones the filter keeps
    unprofitable: int
    unprofitable_margin_cents: int  # Σ margin of the unprofitable (≤ 0)
    skipped_other_currency: int  # invoices paid in another currency, every customer's


def _compiled(queryset: QuerySet) -> tuple[str, tuple]:
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, tuple(params)


def _replies(spans: Sequence[MonthSpan]) -> QuerySet:
    """Agent public replies per ticket customer, one count per month (columns m0, m1, ...)."""
    columns = {f"m{i}": Count("pk", filter=span.created) for i, span in enumerate(spans)}
    return (
        Interaction.objects.filter(replies_in(spans[0].start_at, spans[-1].end_at))
        .values(ticket_customer=F("ticket__customer_id"))
        .annotate(**columns)
        .order_by()
    )


def _revenues(spans: Sequence[MonthSpan], currency: str) -> QuerySet:
    """Per customer with an invoice paid in the window: revenue in the reporting currency
    (minor units) and how many of those invoices were paid in another currency."""
    same_currency = Q(currency__iexact=currency)
    return (
        Invoice.objects.filter(
            status=PAID,
            paid_at__gte=spans[0].start_at,
            paid_at__lt=spans[-1].end_at,
            customer_id__isnull=False,
        )
        .values("customer_id")
        .annotate(
            revenue_minor=Coalesce(Sum("amount_paid_minor", filter=same_currency), 0),
            other_currency=Count("pk", filter=~same_currency),
        )
        .order_by()
    )


def _statement(
    spans: Sequence[MonthSpan],
    currency: str,
    *,
    unprofitable_only: bool,
    offset: int,
    limit: int | None,
) -> tuple[str, list]:
    collate = COLLATION[connection.vendor]
    replies_sql, replies_params = _compiled(_replies(spans))
    revenue_sql, revenue_params = _compiled(_revenues(spans, currency))
    month_columns = ", ".join(f"m{i}" for i in range(len(spans)))
    weights = "\n        UNION ALL\n        ".join(
        f"SELECT {i} AS i, CAST(%s AS bigint) AS cents, customer_id, m{i} AS n "
        f"FROM replies WHERE m{i} > 0"
        for i in range(len(spans))
    )
    cents = [int(span.team_cost * CENTS) for span in spans]
    # revenue in cents: minor units are whole units in a zero-decimal currency
    scale = CENTS if currency.lower() in ZERO_DECIMAL else 1
    listed = "unprofitable = 1" if unprofitable_only else "1 = 1"
    # SQLite takes no OFFSET without a LIMIT; −1 is its "no limit", PostgreSQL's is ALL
    no_limit = "ALL" if connection.vendor == "postgresql" else "-1"
    page = f"LIMIT {no_limit if limit is None else '%s'} OFFSET %s"
    order = f"margin_cents, name {collate}, customer_id"
    sql = f"""
WITH replies (customer_id, {month_columns}) AS ({replies_sql}),
weights AS (
        {weights}
),
{largest_remainder_ctes("weights")},
revenue (customer_id, revenue_minor, other_currency) AS ({revenue_sql}),
combined AS (
    SELECT customer_id, cost_cents, NULL AS revenue_minor, NULL AS other_currency
    FROM shared WHERE customer_id IS NOT NULL
    UNION ALL
    SELECT customer_id, 0, revenue_minor, other_currency FROM revenue
),
per_customer AS (
    -- one revenue row per customer at most: MAX picks it (and keeps the aggregate small)
    SELECT customer_id,
           CAST(SUM(cost_cents) AS bigint) AS cost_cents,
           COALESCE(MAX(revenue_minor), 0) AS revenue_minor,
           COALESCE(MAX(other_currency), 0) AS other_currency
    FROM combined GROUP BY customer_id
),
margins AS (
    SELECT p.customer_id, c.name, p.cost_cents, p.revenue_minor, p.other_currency,
           p.revenue_minor * {scale} - p.cost_cents AS margin_cents,
           CASE WHEN p.cost_cents > p.revenue_minor * {scale} THEN 1 ELSE 0 END AS unprofitable,
           CASE WHEN p.cost_cents <> 0 OR p.revenue_minor <> 0 THEN 1 ELSE 0 END AS either
    FROM per_customer p JOIN {Customer._meta.db_table} c ON c.id = p.customer_id
),
totals AS (
    SELECT COALESCE(SUM(either), 0) AS customers,
           COALESCE(SUM(CASE WHEN either = 1 AND {listed} THEN 1 ELSE 0 END), 0) AS listed,
           COALESCE(SUM(unprofitable), 0) AS unprofitable,
           COALESCE(SUM(CASE WHEN unprofitable = 1 THEN margin_cents ELSE 0 END), 0)
               AS unprofitable_margin_cents,
           COALESCE(SUM(other_currency), 0) AS skipped
    FROM margins
),
page AS (
    SELECT * FROM margins WHERE either = 1 AND {listed} ORDER BY {order} {page}
)
SELECT t.customers, t.listed, t.unprofitable, t.unprofitable_margin_cents, t.skipped,
       p.customer_id, p.name, p.cost_cents, p.revenue_minor, p.other_currency
FROM totals t LEFT JOIN page p ON 1 = 1
ORDER BY p.{order.replace(", ", ", p.")}
"""
    params = [*replies_params, *cents, *revenue_params]
    params += [offset] if limit is None else [limit, offset]
    return sql, params


def margin_lines(
    spans: Sequence[MonthSpan],
    currency: str,
    *,
    unprofitable_only: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[MarginTotals, list[MarginLine]]:
    """The totals and the customers' lines, worst margin first (then name in code-point order,
    then id), `limit` of them from `offset` (None: every one, read in chunks). One query."""
    sql, params = _statement(
        spans, currency, unprofitable_only=unprofitable_only, offset=offset, limit=limit
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        chunk = cursor.fetchmany(FETCH)
        first = chunk[0]  # the totals row is always there, with or without a line
        lines = []
        while chunk:
            lines.extend(
                MarginLine(
                    customer_id=row[5],
                    name=row[6],
                    cost_cents=int(row[7]),
                    revenue_minor=int(row[8]),
                    other_currency=int(row[9]),
                )
                for row in chunk
                if row[5] is not None
            )
            chunk = cursor.fetchmany(FETCH)
    totals = MarginTotals(
        customers=int(first[0]),
        listed=int(first[1]),
        unprofitable=int(first[2]),
        unprofitable_margin_cents=int(first[3]),
        skipped_other_currency=int(first[4]),
    )
    return totals, lines

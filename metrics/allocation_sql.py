"""The largest remainder (metrics.allocation.largest_remainder) as SQL common table expressions.

Why one definition: support cost vs revenue (metrics/margin_sql.py) shares out a window's months
and the stored support cost to date (metrics/customer_costs.py) every month since the first team
cost; both must give each customer the cents the allocation API gives it, ties and all.

Integer cents throughout: team cost × 100, integer ÷ integer truncating on SQLite and PostgreSQL
(non-negative operands: the floor, as Python's divmod). PostgreSQL's SUM of bigint is numeric,
hence the cast. Ties go to the larger weight, then to the key first in code-point order (the
customer id as text, "unlinked" for no customer), as in Python: SQLite's BINARY collation,
PostgreSQL's "C".
"""

from __future__ import annotations

from django.db import connection

COLLATION = {"postgresql": 'COLLATE "C"', "sqlite": "COLLATE BINARY"}


def collation() -> str:
    return COLLATION[connection.vendor]


def largest_remainder_ctes(weights: str) -> str:
    """`parts`, `wholes` and `shared (i, customer_id, cost_cents)` over the CTE named `weights`,
    which has one row per month `i` and group `customer_id` (NULL: unlinked) with its weight
    `n` > 0 and the month's team cost in `cents`. Every group of a month is ranked together,
    the unlinked one too: it takes part in the remainders as the API's "unlinked" row does."""
    collate = collation()
    return f"""parts AS (
    SELECT i, cents, customer_id, n, CAST(SUM(n) OVER (PARTITION BY i) AS bigint) AS total
    FROM {weights}
),
wholes AS (
    SELECT i, cents, customer_id, n, total, (cents * n) / total AS whole FROM parts
),
shared AS (
    SELECT i, customer_id,
           whole + CASE WHEN ROW_NUMBER() OVER (
                   PARTITION BY i
                   ORDER BY cents * n - whole * total DESC, n DESC,
                            COALESCE(CAST(customer_id AS text), 'unlinked') {collate}
               ) <= cents - SUM(whole) OVER (PARTITION BY i) THEN 1 ELSE 0 END AS cost_cents
    FROM wholes
)"""

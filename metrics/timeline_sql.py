"""The timeline's UNION ALL compiled once, and a page of it read with its count in one query.

Building the ten selects with the ORM and compiling them to SQL takes longer than PostgreSQL
takes to run the result (bench/metrics.py "customer timeline": about 10 ms of Python against
4 ms of SQL for the heaviest customer), and the SQL differs from one customer to the next only
in the customer's id. So a union is compiled once per filter and time zone for a stand-in
customer id, and each request swaps its own id into the parameters.

Django cannot put a window over a union, so the page wraps the union's SQL:
`COUNT(*) OVER ()` counts every row before ORDER BY / LIMIT cut the page, and the union's own
compiler converts the rows as Django would (dates on SQLite, decimals ...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql import Query

from .timeline_events import COLUMNS, ORDER

# The customer id the union is compiled for: no row has it, and no other parameter of the
# selects (ranks 0-12, kinds, statuses, a time zone) can equal it.
STAND_IN = -2_000_000_017


@dataclass(frozen=True)
class CompiledUnion:
    alias: str
    sql: str
    params: tuple
    query: Query  # of the union: its compiler knows the columns' converters

    @classmethod
    def of(cls, build: Callable[[int], QuerySet | None]) -> CompiledUnion | None:
        """`build(customer_id)` gives the union (None: no select left), compiled for STAND_IN."""
        events = build(STAND_IN)
        if events is None:
            return None
        query = events.order_by().query
        sql, params = query.get_compiler(using=events.db).as_sql()
        if not any(_is_stand_in(param) for param in params):
            raise ValueError("the union does not take the customer id as a parameter")
        return cls(alias=events.db, sql=sql, params=tuple(params), query=query)

    def _params(self, customer_id: int) -> list:
        customer_id = int(customer_id)
        return [customer_id if _is_stand_in(param) else param for param in self.params]

    def page(self, customer_id: int, *, offset: int, limit: int) -> tuple[list[dict], int | None]:
        """Rows `offset` to `offset + limit` in ORDER (dicts by COLUMNS), and how many rows there
        are in all; the count is None when the page is empty (no row carries it then)."""
        connection = connections[self.alias]
        quote = connection.ops.quote_name
        order = ", ".join(
            f"{quote(name.lstrip('-'))} {'DESC' if name.startswith('-') else 'ASC'}"
            for name in ORDER
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT *, COUNT(*) OVER () FROM ({self.sql}) timeline_events "
                f"ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}",
                self._params(customer_id),
            )
            rows = cursor.fetchall()
        if not rows:
            return [], None
        # A compiler of a copy: compiling may touch the query, which other threads share.
        compiler = self.query.clone().get_compiler(using=self.alias)
        compiler.setup_query()
        converted = compiler.results_iter(results=[[row[:-1] for row in rows]])
        return [dict(zip(COLUMNS, row, strict=True)) for row in converted], rows[0][-1]

    def count(self, customer_id: int) -> int:
        with connections[self.alias].cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM ({self.sql}) timeline_events", self._params(customer_id)
            )
            return cursor.fetchone()[0]


def _is_stand_in(param) -> bool:
    return type(param) is int and param == STAND_IN

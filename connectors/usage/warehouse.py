"""Pull monthly usage from a Segment-style PostgreSQL warehouse (VENDOR_APIS.md §5.1).

The query (USAGE_WAREHOUSE_QUERY) must return the CSV contract's columns: account_id, month,
api_calls, optionally any of the others (account_name, zendesk_organization_id, ...). Its
result is streamed through a server-side cursor into a temporary CSV file, then validated and
written exactly like an uploaded file: one bad row rejects the whole pull.

The session runs read-only and in UTC, so `DATE_TRUNC('month', "timestamp")` cuts UTC calendar
months whatever the server's default time zone. A query containing `%(since)s` gets the first
day of the earliest month to re-read (psycopg2 parameter style; write a literal % as %%):
the whole history on a first or --full sync, afterwards the month before the latest month seen,
so late-arriving events of the previous month are still counted. A query without `%(since)s`
re-aggregates everything on every run, which is correct, just slower.
"""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import BinaryIO

import psycopg2
from django.db import transaction

from supportops.redact import redact

from ..errors import ConnectorError, UpstreamUnavailable
from .reader import UsageInput, UsageWarehouseRejected, rewound
from .rows import ValidatedUsage, usage_validate
from .write import BATCH_SIZE, ImportResult, usage_write

DEFAULT_QUERY = """
SELECT COALESCE(context_group_id, account_id)  AS account_id,
       DATE_TRUNC('month', "timestamp")::date  AS month,
       COUNT(*)                                AS api_calls
FROM   prod_api.api_call_made
WHERE  event = 'api_call_made'
  AND  COALESCE(context_group_id, account_id) IS NOT NULL
  AND  "timestamp" >= %(since)s
GROUP  BY 1, 2
ORDER  BY 1, 2
""".strip()

FIRST_SINCE = date(1970, 1, 1)
FETCH_SIZE = 10_000
CONNECT_TIMEOUT_SECONDS = 30
STATEMENT_TIMEOUT_SECONDS = 600


def result_row(number: int) -> str:
    """Name a line of the spooled result: line 1 holds the column names."""
    return "result columns" if number == 1 else f"result row {number - 1}"


@dataclass
class WarehouseUsage(ValidatedUsage):
    """A validated pull; its rows live in a temporary file until `close()`."""

    spool: BinaryIO | None = None

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()


def usage_warehouse_fetch(
    *,
    url: str,
    query: str,
    since: date | None = None,
    fetch_size: int = FETCH_SIZE,
    timeout: float = STATEMENT_TIMEOUT_SECONDS,
) -> WarehouseUsage:
    """Run the query and validate its result; raises UsageWarehouseRejected on any bad row.

    The query is cancelled after `timeout` seconds: a pull stuck behind a lock or a runaway
    query would otherwise hold its worker for ever, sending no heartbeat, until another run
    took the stale lock over while this one still ran.
    """
    spool = tempfile.TemporaryFile()
    try:
        _spool_query(
            spool,
            url=url,
            query=query,
            since=since or FIRST_SINCE,
            size=fetch_size,
            timeout=timeout,
        )
        validated = usage_validate(
            UsageInput(open=rewound(spool), where=result_row, rejected=UsageWarehouseRejected)
        )
    except BaseException:
        spool.close()
        raise
    return WarehouseUsage(**vars(validated), spool=spool)


def usage_warehouse_pull(
    *, url: str, query: str, since: date | None = None, batch_size: int = BATCH_SIZE
) -> ImportResult:
    """Pull usage from the warehouse and upsert it (source "warehouse") in one transaction."""
    usage = usage_warehouse_fetch(url=url, query=query, since=since)
    try:
        with transaction.atomic():
            return usage_write(usage, source="warehouse", batch_size=batch_size)
    finally:
        usage.close()


def _spool_query(spool, *, url: str, query: str, since: date, size: int, timeout: float) -> None:
    options = f"-c TimeZone=UTC -c statement_timeout={max(1, int(timeout * 1000))}"
    try:
        connection = psycopg2.connect(url, options=options, connect_timeout=CONNECT_TIMEOUT_SECONDS)
    except psycopg2.Error as exc:
        raise UpstreamUnavailable(
            f"cannot connect to the usage warehouse: {_first_line(exc)}"
        ) from None
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    try:
        connection.set_session(readonly=True)
        writer = csv.writer(text)
        with connection.cursor(name="supportops_usage_pull") as cursor:
            cursor.itersize = size
            cursor.execute(query, {"since": since} if "%(since)s" in query else None)
            rows = cursor.fetchmany(size)
            writer.writerow(column.name for column in cursor.description or ())
            while rows:
                writer.writerows([_cell(value) for value in row] for row in rows)
                rows = cursor.fetchmany(size)
    except psycopg2.Error as exc:
        raise ConnectorError(f"the usage warehouse query failed: {_first_line(exc)}") from None
    finally:
        connection.close()
        text.flush()
        text.detach()


def _cell(value) -> str:
    """A result value as the CSV contract writes it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        # A month computed without ::date arrives as midnight on the 1st: take the day.
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))  # SUM(...) of integers is numeric in PostgreSQL
    # One physical line per row, so "result row N" stays true.
    return " ".join(str(value).splitlines())


def _first_line(exc: Exception) -> str:
    text = redact(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

"""Product usage pulled from the warehouse on a schedule (`manage.py sync usage`).

The sync engine passes whatever `client()` returns to each stream's `read`; here that is the
warehouse's connection URL and query rather than an HttpClient, since the usage source speaks
SQL, not HTTP. One stream, one page: the whole validated pull is written in the engine's
page transaction together with its checkpoint (the month to re-read from next time).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.conf import settings

from ..base import Connector, Page, Stream
from .warehouse import (
    DEFAULT_QUERY,
    STATEMENT_TIMEOUT_SECONDS,
    WarehouseUsage,
    usage_warehouse_fetch,
)
from .write import SOURCE, usage_write

LOOKBACK_MONTHS = 1


@dataclass(frozen=True)
class Warehouse:
    url: str
    query: str
    timeout: float = STATEMENT_TIMEOUT_SECONDS


def is_configured() -> bool:
    return bool(getattr(settings, "USAGE_WAREHOUSE_URL", ""))


def client() -> Warehouse:
    return Warehouse(
        url=getattr(settings, "USAGE_WAREHOUSE_URL", ""),
        query=getattr(settings, "USAGE_WAREHOUSE_QUERY", "") or DEFAULT_QUERY,
        timeout=getattr(settings, "USAGE_WAREHOUSE_TIMEOUT_SECONDS", STATEMENT_TIMEOUT_SECONDS),
    )


def months_before(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _read(warehouse: Warehouse, state: dict) -> Iterator[Page]:
    since = date.fromisoformat(state["since"]) if state.get("since") else None
    usage = usage_warehouse_fetch(
        url=warehouse.url, query=warehouse.query, since=since, timeout=warehouse.timeout
    )
    try:
        next_state = dict(state)
        if usage.last_month is not None:
            next_since = months_before(usage.last_month, LOOKBACK_MONTHS)
            if since is None or next_since > since:
                next_state["since"] = next_since.isoformat()
        yield Page(records=usage, state=next_state)
    finally:
        usage.close()


def _write(usage: WarehouseUsage) -> int:
    return usage_write(usage, source="warehouse").written


def streams() -> list[Stream]:
    return [Stream(name="monthly_api_calls", read=_read, write=_write)]


CONNECTOR = Connector(
    source=SOURCE,
    label="Product usage (warehouse)",
    is_configured=is_configured,
    client=client,
    streams=streams,
    settings_help="USAGE_WAREHOUSE_URL (a PostgreSQL URL)",
)

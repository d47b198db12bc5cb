"""The customers list as CSV: one line per row, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import UTC

from .customers import RECENT_TICKET_DAYS, CustomerRow

CSV_HEADER = (
    "id",
    "name",
    "domains",
    "plan",
    "paying",
    "enterprise",
    "mrr",
    "currency",
    "tickets",  # not deleted, all time
    f"tickets_{RECENT_TICKET_DAYS}_days",
    "last_contact_at",
    "sources",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def _csv_record(row: CustomerRow) -> tuple[str | int, ...]:
    last_contact = row.last_contact_at
    return (
        row.id,
        _cell(row.name),
        _cell(";".join(row.domains)),
        _cell(row.plan or ""),
        "yes" if row.is_paying else "no",
        "yes" if row.is_enterprise else "no",
        str(row.mrr),
        row.currency,
        row.ticket_count,
        row.recent_tickets,
        last_contact.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if last_contact else "",
        _cell(";".join(record.source for record in row.sources)),
    )


class _Echo:
    """A file that hands back what is written, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def customer_csv_lines(rows: Iterable[CustomerRow]) -> Iterator[str]:
    """The header and one CSV line per row, produced as `rows` are read."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for row in rows:
        yield writer.writerow(_csv_record(row))

"""Import a usage CSV file (VENDOR_APIS.md §5.2): validate every row, then write in one go.

Each import is recorded as a SyncRun of the usage source like every sync (status, counts, the
rejected-file summary as its error) and holds the source's lock, so it never overlaps a
warehouse pull (`sync usage`).
"""

from __future__ import annotations

import os
from typing import BinaryIO

from django.db import transaction

from supportops.models import SyncRun

from ..errors import ConnectorError
from ..sync import sync_run_recorded
from .reader import UsageFileRejected, UsageInput, rewound
from .rows import usage_validate
from .write import BATCH_SIZE, SOURCE, ImportResult, usage_write

__all__ = ["ImportResult", "UsageFileRejected", "UsageFileUnreadable", "usage_csv_import"]

STREAM = "monthly_api_calls"  # as the warehouse pull names the same data


class UsageFileUnreadable(ConnectorError):
    """The file cannot be opened or read; nothing was imported."""


def usage_csv_import(
    *,
    path: str | os.PathLike | None = None,
    file: BinaryIO | None = None,
    source: str = "manual",
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    """Import the file at `path`, or `file` (binary, seekable: it is read twice), as a SyncRun.

    Raises, after recording the run: UsageFileRejected listing every problem (and writes
    nothing) when any row is bad; UsageFileUnreadable when the file cannot be read;
    connectors.sync.SyncSkipped while another usage sync runs.
    """
    if (path is None) == (file is None):
        raise TypeError("give exactly one of path and file")
    with sync_run_recorded(source=SOURCE) as run:
        try:
            usage = usage_validate(UsageInput(open=_opener(path, file)))
            with transaction.atomic():
                result = usage_write(usage, source=source, batch_size=batch_size)
                _record(run, result)
        except OSError as exc:
            raise UsageFileUnreadable(f"cannot read the file ({exc.strerror or exc})") from exc
    return result


def _opener(path, file):
    if path is not None:
        return lambda: open(path, "rb")  # closed by the reader's `with`
    return rewound(file)


def _record(run: SyncRun, result: ImportResult) -> None:
    run.records_read = result.rows_read
    run.records_written = result.written
    run.pages = 1
    run.counts = {STREAM: result.rows_read}
    run.save(update_fields=["records_read", "records_written", "pages", "counts"])

"""Import a usage CSV file (VENDOR_APIS.md §5.2): validate every row, then write in one go."""

from __future__ import annotations

import os
from typing import BinaryIO

from django.db import transaction

from .reader import UsageFileRejected, UsageInput, rewound
from .rows import usage_validate
from .write import BATCH_SIZE, ImportResult, usage_write

__all__ = ["ImportResult", "UsageFileRejected", "usage_csv_import"]


def usage_csv_import(
    *,
    path: str | os.PathLike | None = None,
    file: BinaryIO | None = None,
    source: str = "manual",
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    """Import the file at `path`, or `file` (binary, seekable: it is read twice).

    Raises UsageFileRejected listing every problem (and writes nothing) when any row is bad.
    """
    if (path is None) == (file is None):
        raise TypeError("give exactly one of path and file")
    usage = usage_validate(UsageInput(open=_opener(path, file)))
    with transaction.atomic():
        return usage_write(usage, source=source, batch_size=batch_size)


def _opener(path, file):
    if path is not None:
        return lambda: open(path, "rb")  # closed by the reader's `with`
    return rewound(file)

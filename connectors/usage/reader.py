"""Reading usage CSV bytes: physical lines, UTF-8, CSV records, the header; and rejections.

An input is CSV bytes that can be opened more than once (validation reads it, then the write
reads it again). Problems are located the way a person finds them: `line N` counts physical
lines as an editor does, the header being line 1 (a quoted value spanning lines is reported at
its first line); a line that is not UTF-8 is reported, and read on with replacement characters
so the rest of the file is still checked.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from ..errors import ConnectorError

SHOWN_PROBLEMS = 5

Where = Callable[[int], str]


class UsageRejected(ConnectorError):
    """Nothing was imported; `problems` lists every problem, each starting with where it is."""

    what = "usage data"

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        count = len(self.problems)
        shown = "; ".join(self.problems[:SHOWN_PROBLEMS])
        more = f"; and {count - SHOWN_PROBLEMS} more" if count > SHOWN_PROBLEMS else ""
        plural = "" if count == 1 else "s"
        super().__init__(
            f"{self.what} rejected, nothing imported ({count} problem{plural}): {shown}{more}"
        )


class UsageFileRejected(UsageRejected):
    what = "usage file"


class UsageWarehouseRejected(UsageRejected):
    what = "usage warehouse result"


def rewound(binary: BinaryIO) -> Callable[[], AbstractContextManager[BinaryIO]]:
    """An opener for an already open, seekable file: each read starts at its beginning."""

    @contextmanager
    def reopen():
        binary.seek(0)
        yield binary  # left open: it belongs to the caller

    return reopen


def line_number(number: int) -> str:
    return f"line {number}"


@dataclass(frozen=True)
class UsageInput:
    """CSV bytes that can be opened more than once, and how to name a place in them."""

    open: Callable[[], AbstractContextManager[BinaryIO]]
    where: Where = line_number
    rejected: type[UsageRejected] = UsageFileRejected

    def records(
        self, problems: list[str], *, required: Iterable[str]
    ) -> Iterator[tuple[int, dict[str, str]]]:
        """Yield (first line, {column: value}) per data row; append what cannot be read."""
        where = self.where
        with self.open() as binary:
            reader = csv.reader(_decoded(binary, problems, where), strict=True)
            try:
                header = next(reader, [])
            except csv.Error as exc:
                problems.append(f"{where(1)}: the header row cannot be read ({exc})")
                return
            columns = _columns(header, list(required), problems, where(1))
            if columns is None:
                return
            while True:
                start = reader.line_num + 1
                try:
                    values = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    problems.append(f"{where(start)}: not valid CSV ({exc})")
                    continue
                if not any(value.strip() for value in values):
                    continue  # blank line, or a spreadsheet's row of empty cells
                if len(values) != len(columns):
                    problems.append(
                        f"{where(start)}: {len(values)} values for {len(columns)} columns"
                    )
                    continue
                yield start, dict(zip(columns, values, strict=True))


def _physical_lines(binary: BinaryIO, size: int = 1 << 16) -> Iterator[bytes]:
    """Physical lines, ended by LF, CRLF or a lone CR (old Excel for Mac), a chunk at a time."""
    pending = b""
    while chunk := binary.read(size):
        lines = (pending + chunk).splitlines(keepends=True)
        pending = lines.pop()
        if pending.endswith(b"\n"):
            lines.append(pending)
            pending = b""
        # else the line is unfinished, or ends in a CR whose LF may start the next chunk
        yield from lines
    if pending:
        yield pending


def _decoded(binary: BinaryIO, problems: list[str], where: Where) -> Iterator[str]:
    for number, line in enumerate(_physical_lines(binary), start=1):
        if number == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8) :]
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(
                f"{where(number)}: not UTF-8 (byte 0x{line[exc.start]:02x} at position "
                f"{exc.start + 1}); save the file as UTF-8"
            )
            yield line.decode("utf-8", errors="replace")


def _columns(
    header: list[str], required: list[str], problems: list[str], where: str
) -> list[str] | None:
    columns = [name.strip().lower() for name in header]
    found = []
    if not any(columns):
        found.append(f"no header row; the first line must name the columns ({', '.join(required)})")
    else:
        duplicates = sorted({name for name in columns if name and columns.count(name) > 1})
        if duplicates:
            found.append(f"column(s) named more than once: {', '.join(duplicates)}")
        missing = [name for name in required if name not in columns]
        if missing:
            found.append(f"missing required column(s): {', '.join(missing)}")
    problems.extend(f"{where}: {problem}" for problem in found)
    return None if found else columns

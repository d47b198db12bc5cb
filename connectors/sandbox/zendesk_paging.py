"""Zendesk's two incremental paging schemes over items sorted by (timestamp, id).

Cursor pages resume strictly after the last (timestamp, id) served, so a cursor kept from the end
of the stream picks up anything changed later. Time-based pages never split a timestamp: a page
grows past ``per_page`` to finish the last second it touched, and the next page starts at that
second again (consecutive pages can repeat items, as the real API does).
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .model import Company

Key = tuple[int, int]
CURSOR_TEXT = re.compile(r"(\d+)(?:\.\d+)?\|\|(\d+)\|")
MAX_PER_PAGE = 1000


def encode_cursor(key: Key) -> str:
    return base64.b64encode(f"{key[0]}.0||{key[1]}|".encode()).decode()


def decode_cursor(cursor: str) -> Key | None:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    match = CURSOR_TEXT.fullmatch(text)
    return (int(match.group(1)), int(match.group(2))) if match else None


class SortedIndex:
    """Items sorted by (timestamp, id), rebuilt only after the company changed."""

    def __init__(self, company: Company, build: Callable[[], Iterable[tuple[int, int, Any]]]):
        self.company = company
        self.build = build
        self._lock = threading.Lock()
        self._version = -1
        self.keys: list[Key] = []
        self.items: list[Any] = []

    def current(self) -> SortedIndex:
        with self._lock:
            if self._version != self.company.version:
                rows = list(self.build())
                rows.sort(key=_row_key)
                self.keys = [(ts, item_id) for ts, item_id, _ in rows]
                self.items = [item for _, _, item in rows]
                self._version = self.company.version
        return self


def _row_key(row: tuple[int, int, Any]) -> Key:
    return row[0], row[1]


@dataclass
class Page:
    items: list[Any]
    last_key: Key  # cursor paging: where the next page resumes
    end_of_stream: bool
    end_time: int = 0  # time-based paging: the next page's start_time


def cursor_page(
    index: SortedIndex,
    after: Key,
    *,
    visible_until: int,
    per_page: int,
    keep: Callable[[Any], bool] = lambda item: True,
) -> Page:
    keys, items = index.keys, index.items
    pos = bisect_right(keys, after)
    stop = bisect_right(keys, (visible_until, float("inf")))
    out: list[Any] = []
    last = after
    while pos < stop and len(out) < per_page:
        if keep(items[pos]):
            out.append(items[pos])
        last = keys[pos]
        pos += 1
    while pos < stop and not keep(items[pos]):  # so the last page says end_of_stream itself
        last = keys[pos]
        pos += 1
    return Page(out, last, pos >= stop)


def time_page(
    index: SortedIndex,
    start_time: int,
    *,
    visible_until: int,
    per_page: int,
    keep: Callable[[Any], bool] = lambda item: True,
) -> Page:
    keys = index.keys
    pos = bisect_left(keys, (start_time, -1))
    stop = bisect_right(keys, (visible_until, float("inf")))
    cut = min(pos + per_page, stop)
    if pos < cut < stop:
        last_ts = keys[cut - 1][0]
        while cut < stop and keys[cut][0] == last_ts:
            cut += 1
    served = index.items[pos:cut]
    end_time = start_time
    if cut > pos:
        first_ts, last_ts = keys[pos][0], keys[cut - 1][0]
        end_time = last_ts if last_ts > first_ts or cut - pos < per_page else last_ts + 1
    out = [item for item in served if keep(item)]
    last_key = keys[cut - 1] if cut > pos else (start_time, 0)
    return Page(out, last_key, len(served) < per_page, end_time)

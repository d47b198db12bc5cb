"""What every connector is made of, so each source looks like the others.

A connector is a client factory plus an ordered list of streams. A stream reads pages from the
vendor starting at a saved state and says, for each page, what state to save once that page is
committed; it also knows how to write its normalized records. The sync engine
(`connectors.sync`) does the rest: locking, transactions, checkpoints, SyncRun bookkeeping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from .http import HttpClient


@dataclass(frozen=True)
class Page:
    records: list[Any]
    state: dict
    """State to checkpoint once this page's records are committed."""


@dataclass(frozen=True)
class Stream:
    name: str
    read: Callable[[HttpClient, dict], Iterator[Page]]
    """Yields pages, starting from a saved state ({} on a first sync)."""
    write: Callable[[list[Any]], int]
    """Writes one page of normalized records; returns rows written."""
    after_run: Callable[[], None] | None = None
    """Work that needs the whole run in place (e.g. linking late children)."""


@dataclass(frozen=True)
class Connector:
    source: str
    label: str
    is_configured: Callable[[], bool]
    client: Callable[[], Any]
    """Whatever the streams read through: an HttpClient for APIs, a connection for a warehouse."""
    streams: Callable[[], list[Stream]]
    settings_help: str = ""
    extra: dict = field(default_factory=dict)


class ProgressCallback(Protocol):
    def __call__(self, *, stream: str, pages: int, records: int) -> None: ...

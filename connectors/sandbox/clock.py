"""Time helpers shared by the vendor sandboxes, and a manual clock so tests control "now"."""

from __future__ import annotations

import threading
from datetime import UTC, datetime


class ManualClock:
    """A settable epoch-seconds clock; pass it as ``SandboxServer(clock=...)``."""

    def __init__(self, at: datetime | float) -> None:
        self._lock = threading.Lock()
        self._now = at.timestamp() if isinstance(at, datetime) else float(at)

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def now_at(self) -> datetime:
        return datetime.fromtimestamp(self(), UTC)

    def set(self, at: datetime | float) -> None:
        with self._lock:
            self._now = at.timestamp() if isinstance(at, datetime) else float(at)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


def iso(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch(at: datetime) -> int:
    return int(at.timestamp())

"""Fixed one-minute request budgets per route family, read from the injectable clock."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    allowed: bool
    limit: int
    remaining: int
    resets: int  # seconds until the window resets


class RateLimiter:
    def __init__(
        self,
        clock: Callable[[], float],
        *,
        enforced: dict[str, int] | None = None,
        advertised: dict[str, int] | None = None,
    ) -> None:
        self.clock = clock
        self.enforced = dict(enforced or {})  # family -> requests per minute (absent: unlimited)
        self.advertised = dict(advertised or {})  # family -> total shown in headers when unlimited
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, int]] = {}

    def hit(self, family: str) -> Budget:
        """Count one request against the family's budget (refused requests are not counted)."""
        return self._check(family, count=True)

    def peek(self, family: str) -> Budget:
        return self._check(family, count=False)

    def _check(self, family: str, *, count: bool) -> Budget:
        now = self.clock()
        window = math.floor(now / 60)
        resets = max(1, math.ceil((window + 1) * 60 - now))
        limit = self.enforced.get(family)
        shown = limit if limit is not None else self.advertised.get(family, 0)
        with self._lock:
            seen_window, used = self._counts.get(family, (window, 0))
            used = used if seen_window == window else 0
            if limit is not None and used >= limit:
                return Budget(False, shown, 0, resets)
            if count:
                used += 1
                self._counts[family] = (window, used)
        return Budget(True, shown, max(0, shown - used), resets)

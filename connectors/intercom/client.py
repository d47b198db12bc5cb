"""Intercom's HTTP client: the shared client plus Bearer auth, the version header and throttling.

Intercom enforces its budget in 10-second windows and advertises it on every response
(`X-RateLimit-Limit`, `-Remaining`, `-Reset` as a Unix time). Before each request we pause
according to what the previous response said (VENDOR_APIS.md section 4.4), so a long sync slows
down before it is refused rather than after; a 429 that still happens is retried by the shared
client.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from ..http import HttpClient

API_VERSION = "2.11"
MEDIUM_PAUSE = 1.5
LOW_PAUSE = 8.0


@dataclass(frozen=True)
class Budget:
    limit: int
    remaining: int
    reset_at: int

    @classmethod
    def from_headers(cls, headers) -> Budget | None:
        try:
            return cls(
                limit=int(headers["X-RateLimit-Limit"]),
                remaining=int(headers["X-RateLimit-Remaining"]),
                reset_at=int(headers["X-RateLimit-Reset"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


def throttle_seconds(budget: Budget | None, *, now: float) -> float:
    """How long to wait before the next request, given the last advertised budget.

    More than half the window left: go. Under half: 1.5 s. Under a tenth: 8 s, but never longer
    than it takes the window to reset; nothing left: exactly until it resets. No headers yet
    (first request, or a response without them): go.
    """
    if budget is None or budget.limit <= 0:
        return 0.0
    until_reset = max(0.0, budget.reset_at - now)
    if budget.remaining <= 0:
        return until_reset
    share = budget.remaining / budget.limit
    if share > 0.5:
        return 0.0
    if share > 0.1:
        return min(MEDIUM_PAUSE, until_reset)
    return min(LOW_PAUSE, until_reset)


class IntercomClient(HttpClient):
    def __init__(
        self,
        base_url: str,
        *,
        token: str,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        **kwargs,
    ):
        super().__init__(
            base_url,
            vendor="intercom",
            headers={"Authorization": f"Bearer {token}", "Intercom-Version": API_VERSION},
            sleep=sleep,
            **kwargs,
        )
        self.clock = clock
        self.budget: Budget | None = None
        self.paused: list[float] = []
        """Every throttling pause taken, in seconds (for tests and logs)."""
        self.session.hooks["response"].append(self._remember_budget)

    def request_json(self, method: str, path_or_url: str, **kwargs) -> dict:
        pause = throttle_seconds(self.budget, now=self.clock())
        if pause > 0:
            self.paused.append(pause)
            self._sleep(pause)
        return super().request_json(method, path_or_url, **kwargs)

    def post_json(self, path: str, body: dict) -> dict:
        return self.request_json("POST", path, json=body)

    def _remember_budget(self, response: requests.Response, *args, **kwargs) -> None:
        self.budget = Budget.from_headers(response.headers) or self.budget

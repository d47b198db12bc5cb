"""Switchable faults, so connector tests can prove they survive what real vendors do to them.

A fault matches a route by name ("tickets", "users", "organizations", "ticket_events", ...) or, if
it contains a "/", by path substring, and applies to the next ``times`` matching requests. Faults
are taken in the order they were added; one fault applies per request.

Beyond bad statuses and bodies: "reset" sends the headers and half the body, then resets the
connection (a peer or proxy dying mid-response); "repeat" serves the route's previous response
again (a page served twice); "call" runs `action` (e.g. change a record between two pages),
then serves the request normally.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from .routing import Response

KINDS = ("status", "truncate", "malformed", "delay", "fail_after_pages", "reset", "repeat", "call")
MALFORMED_MODES = ("missing_key", "wrong_types")


@dataclass
class Fault:
    route: str
    kind: str
    times: int = 1
    status: int = 500  # kind "status": 429, 500, 503, 401, 403, ...
    retry_after: int | None = 1  # seconds, sent with 429/503
    seconds: float = 1.0  # kind "delay"
    pages: int = 1  # "fail_after_pages", "repeat", "call": good pages served before it applies
    mode: str = "missing_key"  # kind "malformed"
    served: int = 0
    action: Callable[[], object] | None = None  # kind "call"

    def matches(self, name: str, path: str) -> bool:
        return self.route == name or ("/" in self.route and self.route in path)

    def apply(
        self,
        serve: Callable[[], Response],
        error: Callable[[int], Response],
        previous: Response | None = None,
    ) -> Response:
        if self.kind == "repeat" and previous is not None:
            return Response(previous.status, previous.body, dict(previous.headers))
        if self.kind == "call" and self.action is not None:
            self.action()
        if self.kind in ("repeat", "call"):
            return serve()
        if self.kind == "reset":
            response = serve()
            return Response(response.status, response.body, dict(response.headers), reset=True)
        if self.kind == "status":
            return self._error(error, self.status)
        if self.kind == "fail_after_pages":
            return self._error(error, 500)
        if self.kind == "delay":
            time.sleep(self.seconds)
            return serve()
        response = serve()
        if self.kind == "truncate":
            data = response.payload()
            return Response(200, data[: len(data) // 2], dict(response.headers))
        return Response(response.status, _malform(response.body, self.mode), response.headers)

    def _error(self, error: Callable[[int], Response], status: int) -> Response:
        response = error(status)
        if status in (429, 503) and self.retry_after is not None:
            response.headers["Retry-After"] = str(self.retry_after)
        return response


def _malform(body: object, mode: str) -> object:
    if not isinstance(body, dict):
        return body
    broken = dict(body)
    list_keys = [key for key, value in broken.items() if isinstance(value, list)]
    if mode == "missing_key":
        for key in list_keys:
            del broken[key]
        return broken
    for key in list_keys:
        broken[key] = {"unexpected": "object"}
    for key, value in list(broken.items()):
        if isinstance(value, bool):
            broken[key] = str(value).lower()
        elif isinstance(value, int):
            broken[key] = str(value)
        elif key.endswith("cursor") and value is not None:
            broken[key] = 12345
    return broken


class FaultQueue:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(
        self,
        route: str,
        kind: str = "status",
        *,
        times: int = 1,
        status: int = 500,
        retry_after: int | None = 1,
        seconds: float = 1.0,
        pages: int = 1,
        mode: str = "missing_key",
        action: Callable[[], object] | None = None,
    ) -> Fault:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {KINDS}")
        if kind == "malformed" and mode not in MALFORMED_MODES:
            raise ValueError(f"unknown malformed mode {mode!r}; expected one of {MALFORMED_MODES}")
        fault = Fault(route, kind, times, status, retry_after, seconds, pages, mode, action=action)
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, name: str, path: str) -> Fault | None:
        """The fault for this request, if any; counts it as used."""
        with self._lock:
            for fault in self._faults:
                if not fault.matches(name, path):
                    continue
                if fault.kind == "fail_after_pages":
                    if fault.served < fault.pages:
                        fault.served += 1
                        return None
                    return fault
                if fault.kind in ("repeat", "call") and fault.served < fault.pages:
                    fault.served += 1
                    return None
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def clear(self, route: str | None = None) -> None:
        with self._lock:
            self._faults = [f for f in self._faults if route is not None and f.route != route]

    @property
    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

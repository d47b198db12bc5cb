"""Vendor-neutral request plumbing: each vendor sandbox registers under a path prefix.

Stripe, Intercom or Salesforce sandboxes become sibling modules that expose a ``Vendor`` (a prefix,
a route table and a few hooks) without touching the HTTP server.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, NamedTuple, Protocol


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: Message
    body: bytes
    base_url: str  # scheme://host[:port] as the client addressed us, for next-page URLs
    params: dict[str, str] = field(default_factory=dict)  # named groups of the route pattern


@dataclass
class Response:
    status: int
    body: Any = None  # JSON-serialisable, or bytes sent as-is
    headers: dict[str, str] = field(default_factory=dict)
    reset: bool = False  # send half the body, then reset the connection (fault "reset")

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if self.body is None:
            return b""
        return json.dumps(self.body, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Route:
    name: str  # what faults and logs call it, e.g. "tickets"
    method: str
    pattern: re.Pattern[str]
    handler: Callable[[Request], Response]
    family: str = "default"  # rate-limit bucket


def route(
    name: str,
    path: str,
    handler: Callable[[Request], Response],
    *,
    method: str = "GET",
    family: str = "default",
) -> Route:
    return Route(name, method, re.compile(path), handler, family)


class Vendor(Protocol):
    prefix: str
    routes: list[Route]

    def handle(self, route: Route, request: Request) -> Response:
        """Authenticate, rate-limit and serve a request for one of this vendor's routes."""

    def error(self, status: int) -> Response:
        """The vendor's body for an error status (used by injected faults)."""

    def not_found(self, request: Request) -> Response: ...

    def decorate(self, request: Request, route: Route | None, response: Response) -> None:
        """Add headers the vendor sends on every response (rate-limit budgets and the like)."""


class Router:
    def __init__(self) -> None:
        self.vendors: list[Vendor] = []

    def register(self, vendor: Vendor) -> None:
        self.vendors.append(vendor)
        self.vendors.sort(key=lambda v: len(v.prefix), reverse=True)

    def resolve(self, method: str, path: str) -> tuple[Vendor | None, Route | None, dict[str, str]]:
        for vendor in self.vendors:
            if not path.startswith(vendor.prefix):
                continue
            for candidate in vendor.routes:
                match = candidate.pattern.fullmatch(path)
                if match and candidate.method == method:
                    return vendor, candidate, match.groupdict()
            return vendor, None, {}
        return None, None, {}


class LoggedRequest(NamedTuple):
    method: str
    path: str
    query: dict[str, str]


class RequestLog:
    """Every request the sandbox saw, so tests can assert exact parameters and request budgets."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[LoggedRequest] = []

    def append(self, method: str, path: str, query: dict[str, str]) -> None:
        with self._lock:
            self._items.append(LoggedRequest(method, path, dict(query)))

    def snapshot(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._items)

    def matching(self, path_part: str) -> list[LoggedRequest]:
        return [item for item in self.snapshot() if path_part in item.path]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __iter__(self) -> Iterator[LoggedRequest]:
        return iter(self.snapshot())

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __getitem__(self, index: int) -> LoggedRequest:
        with self._lock:
            return self._items[index]

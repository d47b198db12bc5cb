"""Zendesk Support API v2 served from a Company: incremental exports, auth and rate-limit headers.

Only what a support-analytics connector reads is implemented, but in the real wire format, with
the real edge cases: deleted tickets in the export, the one-minute export lag, cursor and
time-based paging, Basic ``email/token:`` auth and the incremental-export budget.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from . import zendesk_json as render
from .clock import epoch
from .model import Company, Ticket
from .ratelimit import RateLimiter
from .routing import Request, Response, Route, route
from .zendesk_paging import (
    MAX_PER_PAGE,
    Page,
    SortedIndex,
    cursor_page,
    decode_cursor,
    encode_cursor,
    time_page,
)

DEFAULT_EMAIL = "demo@supportops.local"
DEFAULT_TOKEN = "sandbox-token"  # a published demo credential, not a secret
EXPORT_LAG = 60  # seconds: the export leaves out the last minute of changes
ADVERTISED = {"account": 700, "incremental": 10}
INCREMENTAL = "incremental"


class BadRequest(Exception):
    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class ZendeskApi:
    prefix = "/api/v2/"

    def __init__(
        self,
        company: Company,
        *,
        clock: Callable[[], float],
        email: str = DEFAULT_EMAIL,
        token: str = DEFAULT_TOKEN,
        rate_limit: int | dict[str, int] | None = None,
    ) -> None:
        self.company = company
        self.clock = clock
        self.email = email
        self.token = token
        if isinstance(rate_limit, int):
            rate_limit = {"account": rate_limit, INCREMENTAL: rate_limit}
        self.limiter = RateLimiter(clock, enforced=rate_limit, advertised=ADVERTISED)
        self.tickets = SortedIndex(company, self._ticket_rows)
        self.users = SortedIndex(company, self._user_rows)
        self.organizations = SortedIndex(company, self._organization_rows)
        self.events = SortedIndex(company, self._event_rows)
        export = "/api/v2/incremental/"
        self.routes: list[Route] = [
            route("tickets", export + r"tickets/cursor\.json", self.tickets_cursor, family=INCREMENTAL),
            route("tickets", export + r"tickets\.json", self.tickets_time, family=INCREMENTAL),
            route("users", export + r"users/cursor\.json", self.users_cursor, family=INCREMENTAL),
            route("users", export + r"users\.json", self.users_time, family=INCREMENTAL),
            route("organizations", export + r"organizations\.json", self.orgs_time, family=INCREMENTAL),
            route("ticket_events", export + r"ticket_events\.json", self.events_time, family=INCREMENTAL),
            route("ticket_fields", r"/api/v2/ticket_fields\.json", self.ticket_fields),
            route("comments", r"/api/v2/tickets/(?P<ticket_id>\d+)/comments\.json", self.comments),
            route("me", r"/api/v2/users/me\.json", self.me),
        ]  # fmt: skip

    # -- Vendor hooks ---------------------------------------------------------------------------

    def handle(self, matched: Route, request: Request) -> Response:
        if not self._authorized(request):
            return Response(401, {"error": "Couldn't authenticate you"})
        families = [INCREMENTAL, "account"] if matched.family == INCREMENTAL else ["account"]
        for family in families:
            budget = self.limiter.hit(family)
            if not budget.allowed:
                body = {"error": "TooManyRequests", "description": "Rate limit exceeded"}
                return Response(429, body, {"Retry-After": str(budget.resets)})
        try:
            with self.company.lock:
                return matched.handler(request)
        except BadRequest as exc:
            return Response(400, {"error": "InvalidValue", "description": exc.description})

    def error(self, status: int) -> Response:
        bodies = {
            401: {"error": "Couldn't authenticate you"},
            403: {"error": "Forbidden", "description": "You do not have access to this page."},
            404: {"error": "RecordNotFound", "description": "Not found"},
            429: {"error": "TooManyRequests", "description": "Rate limit exceeded"},
            503: {"error": "ServiceUnavailable", "description": "Service temporarily unavailable"},
        }
        return Response(status, bodies.get(status, {"error": "InternalError"}))

    def not_found(self, request: Request) -> Response:
        return Response(404, {"error": "InvalidEndpoint", "description": "Not found"})

    def decorate(self, request: Request, matched: Route | None, response: Response) -> None:
        account = self.limiter.peek("account")
        response.headers.setdefault("X-Rate-Limit", str(account.limit))
        response.headers.setdefault("X-Rate-Limit-Remaining", str(account.remaining))
        if matched is not None and matched.family == INCREMENTAL:
            budget = self.limiter.peek(INCREMENTAL)
            response.headers["zendesk-ratelimit-incremental-exports"] = (
                f"total={budget.limit}; remaining={budget.remaining}; resets={budget.resets}"
            )

    def _authorized(self, request: Request) -> bool:
        scheme, _, value = (request.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() == "bearer":
            return hmac.compare_digest(value.strip().encode(), self.token.encode())
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        return hmac.compare_digest(decoded, f"{self.email}/token:{self.token}".encode())

    # -- Routes ---------------------------------------------------------------------------------

    def tickets_cursor(self, request: Request) -> Response:
        keep = self._ticket_filter(request)
        page = self._cursor_page(request, self.tickets, keep)
        return Response(
            200, self._cursor_envelope(request, "tickets", self._tickets(request, page))
        )

    def tickets_time(self, request: Request) -> Response:
        page = self._time_page(request, self.tickets, self._ticket_filter(request))
        return Response(200, self._time_envelope(request, "tickets", self._tickets(request, page)))

    def users_cursor(self, request: Request) -> Response:
        page = self._cursor_page(request, self.users)
        body = [render.user(p, org, request.base_url) for p, org in page.items]
        return Response(200, self._cursor_envelope(request, "users", (page, body)))

    def users_time(self, request: Request) -> Response:
        page = self._time_page(request, self.users)
        body = [render.user(p, org, request.base_url) for p, org in page.items]
        return Response(200, self._time_envelope(request, "users", (page, body)))

    def orgs_time(self, request: Request) -> Response:
        page = self._time_page(request, self.organizations)
        body = [render.organization(c, request.base_url) for c in page.items]
        return Response(200, self._time_envelope(request, "organizations", (page, body)))

    def events_time(self, request: Request) -> Response:
        page = self._time_page(request, self.events)
        with_comments = "comment_events" in request.query.get("include", "")
        body = []
        for comment, ticket in page.items:
            event = render.comment_event(comment, ticket)
            if not with_comments:
                event["child_events"] = []
                event["comment_present"], event["comment_public"] = True, comment.public
            body.append(event)
        return Response(200, self._time_envelope(request, "ticket_events", (page, body)))

    def ticket_fields(self, request: Request) -> Response:
        fields = render.ticket_fields(self.company)
        body = {"ticket_fields": fields, "next_page": None, "previous_page": None}
        return Response(200, {**body, "count": len(fields)})

    def comments(self, request: Request) -> Response:
        ticket = self.company.tickets.get(int(request.params["ticket_id"]))
        if ticket is None or ticket.deleted:
            return self.error(404)
        rows = [render.comment(c, ticket.channel) for c in ticket.comments]
        body = {"comments": rows, "next_page": None, "previous_page": None, "count": len(rows)}
        return Response(200, body)

    def me(self, request: Request) -> Response:
        admin = self.company.agents[0]
        body = render.user(admin, None, request.base_url) | {"email": self.email, "name": "Demo"}
        return Response(200, {"user": body})

    # -- Paging ---------------------------------------------------------------------------------

    def _visible_until(self) -> int:
        return int(self.clock()) - EXPORT_LAG

    def _cursor_page(
        self, request: Request, index: SortedIndex, keep: Callable[[Any], bool] | None = None
    ) -> Page:
        query = request.query
        if "cursor" in query:
            after = decode_cursor(query["cursor"])
            if after is None:
                raise BadRequest("cursor is invalid")
        else:
            after = (_int(query, "start_time", required=True), 0)
        return cursor_page(
            index.current(),
            after,
            visible_until=self._visible_until(),
            per_page=_per_page(query),
            keep=keep or _everything,
        )

    def _time_page(
        self, request: Request, index: SortedIndex, keep: Callable[[Any], bool] | None = None
    ) -> Page:
        return time_page(
            index.current(),
            _int(request.query, "start_time", required=True),
            visible_until=self._visible_until(),
            per_page=_per_page(request.query),
            keep=keep or _everything,
        )

    def _cursor_envelope(
        self, request: Request, key: str, rendered: tuple[Page, list[dict]]
    ) -> dict[str, Any]:
        page, rows = rendered
        cursor = encode_cursor(page.last_key)
        return {
            key: rows,
            "after_url": self._url(request, cursor=cursor),
            "after_cursor": cursor,
            "before_url": None,
            "before_cursor": None,
            "end_of_stream": page.end_of_stream,
        }

    def _time_envelope(
        self, request: Request, key: str, rendered: tuple[Page, list[dict]]
    ) -> dict[str, Any]:
        page, rows = rendered
        next_page = None if page.end_of_stream else self._url(request, start_time=page.end_time)
        return {
            key: rows,
            "count": len(rows),
            "end_time": page.end_time,
            "next_page": next_page,
            "end_of_stream": page.end_of_stream,
        }

    def _url(self, request: Request, **position: object) -> str:
        carried = {k: v for k, v in request.query.items() if k not in ("cursor", "start_time")}
        return f"{request.base_url}{request.path}?{urlencode({**position, **carried})}"

    def _ticket_filter(self, request: Request) -> Callable[[Any], bool]:
        if request.query.get("exclude_deleted", "").lower() == "true":
            return lambda ticket: not ticket.deleted
        return _everything

    def _tickets(self, request: Request, page: Page) -> tuple[Page, list[dict]]:
        with_metrics = "metric_sets" in request.query.get("include", "").split(",")
        rows = []
        for ticket in page.items:
            row = render.ticket(ticket, request.base_url)
            if with_metrics and not ticket.deleted:
                row["metric_set"] = render.metric_set(ticket, request.base_url)
            rows.append(row)
        return page, rows

    # -- Indexes --------------------------------------------------------------------------------

    def _ticket_rows(self) -> Iterable[tuple[int, int, Ticket]]:
        return ((epoch(t.generated_at), t.id, t) for t in self.company.tickets.values())

    def _user_rows(self) -> Iterable[tuple[int, int, Any]]:
        for agent in self.company.agents:
            yield epoch(agent.updated_at), agent.user_id, (agent, None)
        for customer in self.company.customers:
            for contact in customer.contacts:
                yield epoch(contact.updated_at), contact.user_id, (contact, customer.org_id)

    def _organization_rows(self) -> Iterable[tuple[int, int, Any]]:
        return ((epoch(c.org_updated_at), c.org_id, c) for c in self.company.customers)

    def _event_rows(self) -> Iterable[tuple[int, int, Any]]:
        for ticket in self.company.tickets.values():
            if not ticket.deleted:
                for comment in ticket.comments:
                    yield epoch(comment.created_at), comment.audit_id, (comment, ticket)


def _everything(item: object) -> bool:
    return True


def _int(query: dict[str, str], name: str, *, required: bool = False) -> int:
    value = query.get(name)
    if value is None:
        if required:
            raise BadRequest(f"{name} is required")
        return 0
    try:
        return int(value)
    except ValueError:
        raise BadRequest(f"{name} must be an integer") from None


def _per_page(query: dict[str, str]) -> int:
    if "per_page" not in query:
        return MAX_PER_PAGE
    return max(1, min(MAX_PER_PAGE, _int(query, "per_page")))

"""Intercom REST (Intercom-Version 2.11) served from the synthetic Company, under ``/intercom``.

What a support-analytics connector reads, in the real wire format and with the real edge cases:
conversation search with nested AND/OR queries and ``starting_after`` cursors (no parts in search
results), one GET per conversation for its parts, contacts, the single-flight company scroll,
Bearer auth, ``error.list`` bodies and 10-second rate-limit windows advertised on every response.
"""

from __future__ import annotations

import hmac
import json
import math
import threading
from collections.abc import Callable
from typing import Any

from . import intercom_json as render
from .intercom_data import Conversation, IcCompany, IcContact, Part, Workspace, build_workspace
from .intercom_search import BadRequest, search_page
from .model import Company
from .routing import Request, Response, Route, route

DEFAULT_TOKEN = "sandbox-intercom-token"  # a published demo credential, not a secret
VERSION = "2.11"
WINDOW_SECONDS = 10
ADVERTISED_LIMIT = 1666  # 10,000 calls/minute shown per 10-second window
SCROLL_PAGE_SIZE = 50
SCROLL_TTL_SECONDS = 60


class IntercomApi:
    prefix = "/intercom"

    def __init__(
        self,
        company: Company,
        *,
        clock: Callable[[], float],
        token: str = DEFAULT_TOKEN,
        rate_limit: int | None = None,
    ) -> None:
        self.company = company
        self.clock = clock
        self.token = token
        self.rate_limit = rate_limit
        """Requests allowed per 10-second window; None: unlimited. Switch it at any time."""
        self.scroll_page_size = SCROLL_PAGE_SIZE
        self._lock = threading.Lock()
        self._workspace: Workspace | None = None
        self._window = (0, 0)  # (window number, requests counted in it)
        self._scroll: dict[str, Any] | None = None
        self._scrolls = 0
        self.searches: list[tuple[str, dict]] = []
        """(route name, request body) of every search served, so tests can check windows."""
        base = "/intercom"
        self.routes: list[Route] = [
            route("conversations", base + "/conversations/search", self.conversations_search, method="POST"),
            route("conversation", base + r"/conversations/(?P<id>\d+)", self.conversation),
            route("contacts", base + "/contacts/search", self.contacts_search, method="POST"),
            route("contacts", base + "/contacts", self.contacts_list),
            route("contact", base + r"/contacts/(?P<id>[0-9a-f]+)", self.contact),
            route("companies", base + "/companies/scroll", self.companies_scroll),
            route("company", base + r"/companies/(?P<id>[0-9a-f]+)", self.company_detail),
        ]  # fmt: skip

    @property
    def workspace(self) -> Workspace:
        """Built on first use, so servers that never see an Intercom request pay nothing."""
        with self._lock:
            if self._workspace is None:
                self._workspace = build_workspace(self.company)
            return self._workspace

    # -- Mutators for tests and the demo ---------------------------------------------------------

    def add_part(self, conversation_id: int, **part: Any) -> Part:
        return self.workspace.add_part(conversation_id, **part)

    def update_conversation(self, conversation_id: int, **changes: Any) -> Conversation:
        return self.workspace.update_conversation(conversation_id, **changes)

    def add_conversation(self, *, contact_id: str, at: Any, **fields: Any) -> Conversation:
        return self.workspace.add_conversation(contact_id=contact_id, at=at, **fields)

    def delete_conversation(self, conversation_id: int) -> Conversation:
        """Gone without a tombstone: absent from search, and GET answers 404 not_found."""
        return self.workspace.delete_conversation(conversation_id)

    def delete_contact(self, contact_id: str) -> IcContact:
        return self.workspace.delete_contact(contact_id)

    def delete_company(self, company_id: str) -> IcCompany:
        return self.workspace.delete_company(company_id)

    # -- Vendor hooks ---------------------------------------------------------------------------

    def handle(self, matched: Route, request: Request) -> Response:
        scheme, _, value = (request.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            value.strip().encode(), self.token.encode()
        ):
            return self.error(401)
        if request.headers.get("Intercom-Version") != VERSION:
            message = f"Intercom-Version header must be {VERSION!r} in this sandbox"
            return Response(400, render.error(400, "intercom_version_invalid", message))
        if not self._hit():
            return self.error(429)
        try:
            with self.workspace.lock:
                return matched.handler(request)
        except BadRequest as exc:
            return Response(400, render.error(400, exc.code, exc.message))

    def error(self, status: int) -> Response:
        errors = {
            401: ("unauthorized", "Access Token Invalid"),
            403: ("forbidden", "You do not have access to this resource"),
            404: ("not_found", "Resource Not Found"),
            429: ("rate_limit_exceeded", "Exceeded rate limit of requests per 10 seconds"),
            503: ("service_unavailable", "Service temporarily unavailable"),
        }
        code, message = errors.get(status, ("server_error", "Internal server error"))
        return Response(status, render.error(status, code, message))

    def not_found(self, request: Request) -> Response:
        return self.error(404)

    def decorate(self, request: Request, matched: Route | None, response: Response) -> None:
        window, used = self._current()
        limit = self.rate_limit if self.rate_limit is not None else ADVERTISED_LIMIT
        response.headers.setdefault("X-RateLimit-Limit", str(limit))
        response.headers.setdefault("X-RateLimit-Remaining", str(max(0, limit - used)))
        response.headers.setdefault("X-RateLimit-Reset", str((window + 1) * WINDOW_SECONDS))

    def _current(self) -> tuple[int, int]:
        window = math.floor(self.clock() / WINDOW_SECONDS)
        with self._lock:
            seen, used = self._window
            return window, used if seen == window else 0

    def _hit(self) -> bool:
        window = math.floor(self.clock() / WINDOW_SECONDS)
        with self._lock:
            seen, used = self._window
            used = used if seen == window else 0
            if self.rate_limit is not None and used >= self.rate_limit:
                return False
            self._window = (window, used + 1)
            return True

    # -- Routes ---------------------------------------------------------------------------------

    def conversations_search(self, request: Request) -> Response:
        ws = self.workspace
        body = _json_body(request)
        self.searches.append(("conversations", body))
        page = _search(body, list(ws.conversations.values()), _conversation_fields)
        rows = [render.conversation(ws, c, with_parts=False) for c in page.items]
        return Response(
            200,
            {
                "type": "conversation.list",
                "total_count": page.total,
                "pages": page.pages(),
                "conversations": rows,
            },
        )

    def conversation(self, request: Request) -> Response:
        found = self.workspace.conversations.get(int(request.params["id"]))
        if found is None:
            return self.error(404)
        return Response(200, render.conversation(self.workspace, found, with_parts=True))

    def contact(self, request: Request) -> Response:
        found = self.workspace.contact(request.params["id"])
        if found is None:
            return self.error(404)
        return Response(200, render.contact(found, request.base_url))

    def company_detail(self, request: Request) -> Response:
        found = self.workspace.company(request.params["id"])
        if found is None:
            return self.error(404)
        return Response(200, render.company(found, request.base_url))

    def contacts_search(self, request: Request) -> Response:
        body = _json_body(request)
        self.searches.append(("contacts", body))
        page = _search(body, self.workspace.contacts, _contact_fields)
        return self._contact_list(request, page)

    def contacts_list(self, request: Request) -> Response:
        try:
            per_page = int(request.query.get("per_page", 50))
        except ValueError:
            raise BadRequest("parameter_invalid", "per_page must be an integer") from None
        body = {"pagination": {"per_page": per_page}}
        if request.query.get("starting_after"):
            body["pagination"]["starting_after"] = request.query["starting_after"]
        page = _search(body, self.workspace.contacts, _contact_fields)
        return self._contact_list(request, page)

    def _contact_list(self, request: Request, page) -> Response:
        rows = [render.contact(c, request.base_url) for c in page.items]
        return Response(
            200, {"type": "list", "data": rows, "total_count": page.total, "pages": page.pages()}
        )

    def companies_scroll(self, request: Request) -> Response:
        """One scroll per workspace: a second scroll while one is live gets HTTP 400."""
        now = self.clock()
        param = request.query.get("scroll_param")
        live = self._scroll
        if live is not None and now - live["touched"] > SCROLL_TTL_SECONDS:
            live = self._scroll = None
        if not param:
            if live is not None:
                message = "scroll already exists for this workspace; finish it or wait a minute"
                return Response(400, render.error(400, "scroll_exists", message))
            self._scrolls += 1
            live = self._scroll = {"param": f"sbx-scroll-{self._scrolls}", "position": 0}
        elif live is None or live["param"] != param:
            return Response(404, render.error(404, "scroll_param_not_found", "Scroll expired"))
        start = live["position"]
        chunk = self.workspace.companies[start : start + self.scroll_page_size]
        live["position"], live["touched"] = start + len(chunk), now
        if not chunk:
            self._scroll = None
        body = {
            "type": "list",
            "data": [render.company(c, request.base_url) for c in chunk],
            "pages": None,
            "total_count": None,
            "scroll_param": live["param"],
        }
        return Response(200, body)


def _json_body(request: Request) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise BadRequest("parameter_invalid", "request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("parameter_invalid", "request body must be an object")
    return body


def _search(body: dict, records: list, fields: Callable[[Any], dict]):
    pagination = body.get("pagination") or {}
    return search_page(
        records,
        fields=fields,
        query=body.get("query"),
        sort=body.get("sort"),
        per_page=pagination.get("per_page"),
        starting_after=pagination.get("starting_after"),
    )


def _conversation_fields(c: Conversation) -> dict:
    return {
        "id": c.id,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "state": c.state,
        "open": c.state != "closed",
        "priority": c.priority,
        "source.delivered_as": c.delivered_as,
        "contact_ids": c.contact.id,
    }


def _contact_fields(c: IcContact) -> dict:
    return {
        "id": c.id,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "role": c.role,
        "email": c.email,
        "external_id": c.external_id,
    }

"""Stripe API v1 served from a Company: lists, events, auth, version pinning and rate limits.

The wire format is the 2025-03-31.basil one (VENDOR_APIS.md §2): list envelopes newest-first with
``limit``/``starting_after``/``ending_before`` and ``created[...]`` filters, canceled subscriptions
only with ``status=all``, 30 days of events, Stripe error bodies. Array parameters are read in
their indexed form (``types[0]=...``), which is how Stripe's own clients send them.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from typing import Any

from . import stripe_json as render
from .model import Company
from .ratelimit import RateLimiter
from .routing import Request, Response, Route, route
from .stripe_model import PRICES, VERSION
from .stripe_state import StripeState

DEFAULT_KEY = "sk_test_sandbox"  # a published demo credential, not a secret
EVENT_RETENTION = 30 * 86_400
HIDDEN_BY_DEFAULT = {"canceled", "incomplete_expired"}
CREATED = re.compile(r"created\[(gt|gte|lt|lte)\]")
ID = r"(?P<id>[A-Za-z0-9_]+)"


class StripeError(Exception):
    def __init__(self, status: int, message: str, *, param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.param = status, message, param


class StripeApi:
    prefix = "/v1"

    def __init__(
        self,
        company: Company,
        *,
        clock: Callable[[], float],
        key: str = DEFAULT_KEY,
        rate_limit: int | None = None,
    ) -> None:
        self.clock = clock
        self.key = key
        self.items_embedded = 10  # tests lower this to see truncated `items` lists
        self.limiter = RateLimiter(clock, enforced={"stripe": rate_limit} if rate_limit else None)
        self.state = StripeState(company, render_event=render.event_payload)
        self.routes: list[Route] = [
            route("customers", r"/v1/customers", self.customers),
            route("customers", rf"/v1/customers/{ID}", self.customer),
            route("products", r"/v1/products", self.products),
            route("prices", r"/v1/prices", self.prices),
            route("prices", rf"/v1/prices/{ID}", self.price),
            route("subscriptions", r"/v1/subscriptions", self.subscriptions),
            route("subscriptions", rf"/v1/subscriptions/{ID}", self.subscription),
            route("subscription_items", r"/v1/subscription_items", self.subscription_items),
            route("invoices", r"/v1/invoices", self.invoices),
            route("charges", r"/v1/charges", self.charges),
            route("charges", rf"/v1/charges/{ID}", self.charge),
            route("events", r"/v1/events", self.events),
        ]

    # -- Vendor hooks ----------------------------------------------------------------------------

    def handle(self, matched: Route, request: Request) -> Response:
        if not self._authorized(request):
            return _error(401, "invalid_request_error", "Invalid API Key provided.")
        version = request.headers.get("Stripe-Version")
        if version != VERSION:
            message = f"This sandbox serves Stripe-Version {VERSION}; got {version!r}."
            return _error(400, "invalid_request_error", message, param="Stripe-Version")
        if not self.limiter.hit("stripe").allowed:
            return self.error(429)
        try:
            with self.state.lock:
                return matched.handler(request)
        except StripeError as exc:
            return _error(exc.status, "invalid_request_error", exc.message, param=exc.param)

    def error(self, status: int) -> Response:
        if status == 429:
            message = "Too many requests hit the API too quickly."
            response = _error(429, "invalid_request_error", message, code="rate_limit")
        elif status == 401:
            response = _error(401, "invalid_request_error", "Invalid API Key provided.")
        elif status >= 500:
            response = _error(status, "api_error", "An unknown error occurred.")
        else:
            response = _error(status, "invalid_request_error", f"HTTP {status}")
        if status == 429 or status >= 500:
            response.headers["Stripe-Should-Retry"] = "true"
        return response

    def not_found(self, request: Request) -> Response:
        message = f"Unrecognized request URL ({request.method}: {request.path})."
        return _error(404, "invalid_request_error", message)

    def decorate(self, request: Request, matched: Route | None, response: Response) -> None:
        response.headers.setdefault("Request-Id", f"req_{abs(hash(request.path)) % 10**14:014d}")
        response.headers.setdefault("Stripe-Version", VERSION)

    def _authorized(self, request: Request) -> bool:
        scheme, _, value = (request.headers.get("Authorization") or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode(), self.key.encode()
        )

    # -- Routes ----------------------------------------------------------------------------------

    def customers(self, request: Request) -> Response:
        rows = [c for c in self.state.customers.values() if not c.deleted]
        return self._list(request, rows, render.customer)

    def customer(self, request: Request) -> Response:
        found = self.state.customers.get(request.params["id"])
        if found is None:
            raise StripeError(404, f"No such customer: '{request.params['id']}'", param="id")
        return Response(200, render.customer(found))

    def products(self, request: Request) -> Response:
        ids = sorted({p.product_id for p in PRICES.values()})
        return Response(
            200, render.envelope("/v1/products", [render.product(i) for i in ids], False)
        )

    def prices(self, request: Request) -> Response:
        expand = "data.product" in _array(request.query, "expand")
        rows = sorted(PRICES.values(), key=lambda p: (p.created, p.id))
        return self._list(request, rows, lambda p: render.price(p.id, expand_product=expand))

    def price(self, request: Request) -> Response:
        if request.params["id"] not in PRICES:
            raise StripeError(404, f"No such price: '{request.params['id']}'", param="id")
        expand = "product" in _array(request.query, "expand")
        return Response(200, render.price(request.params["id"], expand_product=expand))

    def subscriptions(self, request: Request) -> Response:
        status = request.query.get("status")
        rows = [
            s
            for s in self.state.subscriptions.values()
            if (status == "all" or (status and s.status == status))
            or (not status and s.status not in HIDDEN_BY_DEFAULT)
        ]
        if "customer" in request.query:
            rows = [s for s in rows if s.customer_id == request.query["customer"]]
        expand = "data.discounts" in _array(request.query, "expand")
        return self._list(request, rows, lambda s: self._subscription(s, expand))

    def subscription(self, request: Request) -> Response:
        found = self.state.subscriptions.get(request.params["id"])
        if found is None:
            raise StripeError(404, f"No such subscription: '{request.params['id']}'", param="id")
        expand = "discounts" in _array(request.query, "expand")
        return Response(200, self._subscription(found, expand))

    def _subscription(self, s, expand: bool) -> dict:
        return render.subscription(
            s, int(self.clock()), expand_discounts=expand, items_limit=self.items_embedded
        )

    def subscription_items(self, request: Request) -> Response:
        found = self.state.subscriptions.get(request.query.get("subscription", ""))
        if found is None:
            raise StripeError(400, "Missing or unknown subscription.", param="subscription")
        items = render.subscription_items(found, int(self.clock()))
        items.reverse()  # newest first, like every list
        return self._list(request, items, lambda item: item, key=lambda item: item["id"])

    def invoices(self, request: Request) -> Response:
        rows = list(self.state.invoices.values())
        for name in ("customer", "subscription", "status"):
            if name in request.query:
                attr = "subscription_id" if name == "subscription" else name
                attr = "customer_id" if name == "customer" else attr
                rows = [i for i in rows if getattr(i, attr) == request.query[name]]
        return self._list(request, rows, render.invoice)

    def charges(self, request: Request) -> Response:
        rows = list(self.state.charges.values())
        if "customer" in request.query:
            rows = [c for c in rows if c.customer_id == request.query["customer"]]
        return self._list(request, rows, render.charge)

    def charge(self, request: Request) -> Response:
        found = self.state.charges.get(request.params["id"])
        if found is None:
            raise StripeError(404, f"No such charge: '{request.params['id']}'", param="id")
        return Response(200, render.charge(found))

    def events(self, request: Request) -> Response:
        oldest = int(self.clock()) - EVENT_RETENTION
        types = set(_array(request.query, "types"))
        if "type" in request.query:
            types.add(request.query["type"])
        rows = [
            e for e in self.state.events if e.created >= oldest and (not types or e.type in types)
        ]
        return self._list(request, rows, _event)

    # -- Paging ----------------------------------------------------------------------------------

    def _list(
        self,
        request: Request,
        rows: list,
        render_one: Callable[[Any], dict],
        key: Callable[[Any], str] | None = None,
    ) -> Response:
        query = request.query
        limit = _int(query, "limit", 10)
        if not 1 <= limit <= 100:
            raise StripeError(
                400, "Invalid integer: limit must be between 1 and 100", param="limit"
            )
        if key is None:
            rows = _created_filter(rows, query)
            rows.sort(key=lambda r: (r.created, getattr(r, "seq", 0), r.id), reverse=True)
        ids = [key(r) if key else r.id for r in rows]
        after, before = query.get("starting_after"), query.get("ending_before")
        if after and before:
            raise StripeError(400, "starting_after and ending_before are mutually exclusive")
        if after or before:
            cursor = after or before
            if cursor not in ids:
                raise StripeError(404, f"No such object: '{cursor}'", param="starting_after")
            at = ids.index(cursor)
            if after:
                page = rows[at + 1 : at + 1 + limit]
                more = at + 1 + limit < len(rows)
            else:
                page = rows[max(0, at - limit) : at]
                more = at - limit > 0
        else:
            page, more = rows[:limit], len(rows) > limit
        return Response(200, render.envelope(request.path, [render_one(r) for r in page], more))


def _event(e) -> dict:
    return {
        "id": e.id,
        "object": "event",
        "api_version": VERSION,
        "created": e.created,
        "data": {"object": e.obj, **({"previous_attributes": e.previous} if e.previous else {})},
        "livemode": False,
        "pending_webhooks": 0,
        "request": {"id": None, "idempotency_key": None},
        "type": e.type,
    }


def _created_filter(rows: list, query: dict[str, str]) -> list:
    tests = {
        "gt": lambda v, b: v > b,
        "gte": lambda v, b: v >= b,
        "lt": lambda v, b: v < b,
        "lte": lambda v, b: v <= b,
    }
    for name in list(query):
        match = CREATED.fullmatch(name)
        if match:
            bound, test = _int(query, name, 0), tests[match.group(1)]
            rows = [r for r in rows if test(r.created, bound)]
    return list(rows)


def _array(query: dict[str, str], name: str) -> list[str]:
    return [v for k, v in query.items() if re.fullmatch(rf"{name}\[\d*\]", k)]


def _int(query: dict[str, str], name: str, default: int) -> int:
    if name not in query:
        return default
    try:
        return int(query[name])
    except ValueError:
        raise StripeError(400, f"Invalid integer: {query[name]}", param=name) from None


def _error(
    status: int, type_: str, message: str, *, code: str | None = None, param: str | None = None
) -> Response:
    body: dict[str, Any] = {"type": type_, "message": message}
    if code:
        body["code"] = code
        body["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
    if param:
        body["param"] = param
    return Response(status, {"error": body})

"""A Stripe account of N invoices in the 2025-03-31.basil wire format, served pre-rendered.

The benchmark measures the sync, so the server must cost next to nothing: every object is
rendered once, at start-up, by the sandbox's own renderers (connectors/sandbox/stripe_json.py,
the shapes the connector's tests use) and kept as JSON bytes in Stripe's list order (newest
first). A request is then two bisections on `created` and a byte join of up to 100 objects;
no object is built or encoded while the sync runs.

Shape of the account: one customer per 24 invoices, each with one monthly subscription
(Starter, Pro or Enterprise with seats; one in seven with a 20%-off coupon; some past due or
canceled) billed every month for 24 months: about one invoice per customer-month. Customers
sign up within the same 20 days, so every month's window holds one invoice per customer.
Charges and events lists are served empty (the first sync only reads the last minutes of
events; charges are not part of this benchmark's question).

    .venv/bin/python bench/stripe_wire.py --invoices 100000 --port 0   # prints "ready <port> ..."
"""

from __future__ import annotations

import argparse
import bisect
import math
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connectors.sandbox import stripe_json as render  # noqa: E402
from connectors.sandbox.stripe_model import (  # noqa: E402
    DAY,
    PRICES,
    Item,
    StripeCustomer,
    StripeInvoice,
    StripeSubscription,
    add_months,
    digest,
    stripe_id,
)

MONTHS = 24
PLANS = ("price_starter_monthly", "price_pro_monthly", "price_enterprise_monthly")
FREEMAIL = ("gmail.com", "outlook.com")


class Listing:
    """One list endpoint's objects, newest first, as (created, bytes) with an id → index map."""

    def __init__(self, rows: list[tuple[int, int, str, bytes]]):
        rows.sort(key=lambda r: (r[0], r[1], r[2]), reverse=True)
        self.negated = [-r[0] for r in rows]  # ascending, for bisect
        self.ids = {r[2]: n for n, r in enumerate(rows)}
        self.bodies = [r[3] for r in rows]

    def __len__(self) -> int:
        return len(self.bodies)

    def page(self, path: str, query: dict[str, str]) -> bytes:
        start, end = 0, len(self.bodies)
        if "created[lt]" in query:
            start = bisect.bisect_right(self.negated, -int(query["created[lt]"]))
        if "created[gte]" in query:
            end = bisect.bisect_right(self.negated, -int(query["created[gte]"]))
        after = query.get("starting_after")
        if after:
            start = max(start, self.ids[after] + 1)
        limit = int(query.get("limit", 10))
        stop = min(start + limit, end)
        more = b"true" if stop < end else b"false"
        data = b",".join(self.bodies[start:stop]) if stop > start else b""
        return b'{"object":"list","url":"%s","has_more":%s,"data":[%s]}' % (
            path.encode(),
            more,
            data,
        )


def account(invoices: int, *, now: int) -> dict[str, Listing]:
    """The listings of an account with `invoices` invoices (and their customers etc.)."""
    customers = max(1, math.ceil(invoices / MONTHS))
    first = add_months(now, -MONTHS) - 25 * DAY
    seq = 0
    listed: dict[str, list] = {k: [] for k in ("customers", "subscriptions", "invoices")}
    left = invoices
    for n in range(customers):
        h = digest(f"bench:{n}")
        account_id = f"acct-{n:07d}"
        created = first + (n * 20 * DAY) // customers + h % 3600
        domain = FREEMAIL[h % 2] if h % 11 == 0 else f"co{n:07d}.example"
        seq += 1
        cus = StripeCustomer(
            stripe_id("cus", account_id),
            f"Company {n:07d}",
            f"billing@{domain}",
            {} if h % 10 == 0 else {"account_id": account_id},
            created,
            seq,
        )
        listed["customers"].append((created, seq, cus.id, orjson.dumps(render.customer(cus))))
        price_id = PLANS[h % 20 // 10 if h % 20 < 17 else 2]  # ~50% Starter, 35% Pro, 15% Ent.
        quantity = 1 + h % 9 if price_id == "price_enterprise_monthly" else 1
        key = f"sub:{account_id}"
        seq += 1
        sub = StripeSubscription(
            id=stripe_id("sub", key),
            customer_id=cus.id,
            items=[Item(stripe_id("si", key), price_id, quantity, created)],
            status="past_due" if h % 17 == 5 else "active",
            created=created,
            anchor=created,
            seq=seq,
            coupon=h % 7 == 3,
        )
        if h % 23 == 4:
            sub.status, sub.canceled_at = "canceled", now - 3 * DAY
            sub.ended_at = sub.canceled_at
        body = orjson.dumps(render.subscription(sub, now, expand_discounts=True))
        listed["subscriptions"].append((created, seq, sub.id, body))
        amount = PRICES[price_id].unit_amount * quantity
        count = min(MONTHS, left)
        left -= count
        for k in range(count):
            start, stop = add_months(created, k), add_months(created, k + 1)
            key = f"in:{sub.id}:{start}"
            seq += 1
            inv = StripeInvoice(
                id=stripe_id("in", key),
                customer_id=cus.id,
                subscription_id=sub.id,
                amount=amount * 8 // 10 if sub.coupon else amount,
                status="paid",
                created=start,
                period_start=start,
                period_end=stop,
                lines=[(stripe_id("il", key), price_id, quantity, amount)],
                seq=seq,
            )
            if k == count - 1 and sub.status == "past_due":
                inv.status = "open"
            elif digest(key) % 13 == 0 and k < count - 1:
                inv.status = "uncollectible"
            else:
                inv.paid_at = start + 3600
            listed["invoices"].append((start, seq, inv.id, orjson.dumps(render.invoice(inv))))
    prices = [
        (p.created, 0, p.id, orjson.dumps(render.price(p.id, expand_product=True)))
        for p in PRICES.values()
    ]
    return {
        "/v1/prices": Listing(prices),
        "/v1/customers": Listing(listed["customers"]),
        "/v1/subscriptions": Listing(listed["subscriptions"]),
        "/v1/invoices": Listing(listed["invoices"]),
        "/v1/charges": Listing([]),
        "/v1/events": Listing([]),
    }


class Server:
    """The listings over HTTP/1.1 keep-alive; `/__log` returns every request target served."""

    def __init__(self, listings: dict[str, Listing], port: int = 0):
        self.listings = listings
        self.log: list[str] = []
        self.busy = 0.0  # seconds spent answering list requests (bisect + join + write)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms stall

            def do_GET(self):  # noqa: N802 - http.server's name
                started = time.perf_counter()
                parts = urlsplit(self.path)
                if parts.path == "/__log":
                    return self._send(200, orjson.dumps(outer.log), started, count=False)
                if parts.path == "/__stats":
                    stats = {"busy": outer.busy, "requests": len(outer.log)}
                    return self._send(200, orjson.dumps(stats), started, count=False)
                listing = outer.listings.get(parts.path)
                if listing is None:
                    body = b'{"error":{"type":"invalid_request_error","message":"not served"}}'
                    return self._send(404, body, started, count=False)
                outer.log.append(self.path)
                query = dict(parse_qsl(parts.query))
                self._send(200, listing.page(parts.path, query), started, count=True)

            def _send(self, status: int, body: bytes, started: float, *, count: bool) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Stripe-Version", "2025-03-31.basil")
                self.end_headers()
                self.wfile.write(body)
                if count:
                    outer.busy += time.perf_counter() - started

            def log_message(self, *args):  # quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]

    def serve(self) -> None:
        self.httpd.serve_forever(poll_interval=0.5)

    def start(self) -> None:
        threading.Thread(target=self.serve, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--now", type=int, default=None, help="epoch seconds; default: now")
    args = parser.parse_args()
    now = args.now or int(time.time()) // 3600 * 3600 - 2 * 3600
    started = time.perf_counter()
    listings = account(args.invoices, now=now)
    server = Server(listings, args.port)
    counts = " ".join(f"{p.rsplit('/', 1)[-1]}={len(x)}" for p, x in listings.items())
    print(
        f"ready {server.port} rendered_in={time.perf_counter() - started:.1f}s {counts}",
        flush=True,
    )
    try:
        server.serve()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

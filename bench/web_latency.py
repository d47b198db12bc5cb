#!/usr/bin/env python
"""Benchmark: what a signed-in user waits for on the web pages, through gunicorn.

Loads (or finds) the data set of bench/metrics_data.py in PostgreSQL (BENCH_DATABASE_URL, as
bench/metrics.py), starts gunicorn on a loopback port with the production settings
(bench/web_settings.py: production's, static files collected into a temporary directory),
signs in once through the login form, then sends each page of PAGES --requests times (200),
one after another after a few warm-ups, and prints p50 / p95 / max per page. Every response
must be a 200 or the run fails. gunicorn is stopped at the end, whatever happens.

    .venv/bin/python bench/web_latency.py [--scale 0.05] [--requests 200] [--only customers]
                                          [--explain]

The clock: the data set ends at metrics_data.DATA_NOW. The runner cannot patch a gunicorn
worker's clock, so gunicorn loads bench/web_wsgi.py, which freezes `django.utils.timezone.now`
at DATA_NOW in each worker before the application loads; production code knows nothing of it.
Requests carry `X-Forwarded-Proto: https`, as from the TLS proxy production runs behind (the
production settings redirect plain HTTP and send cookies only over HTTPS).

`--explain` also prints, per page, EXPLAIN (ANALYZE, BUFFERS) of its slowest query, run in this
process through Django's test client with the same frozen clock.

Before gunicorn starts, the runner runs the task a finished sync asks for
("metrics.refresh_derived": customers' support cost to date, and the overview of the default
month into the cache), as a production worker would after a sync, and prints how long it
took. Runner and gunicorn share one cache for that: CACHE_URL when set (redis://..., as
production needs), else a file cache in a temporary directory of the run's own; so `first ms`
of the overview is its first request after a sync.

Adding a page: one `Page(...)` in `pages()`; `ctx` has the bench customer and search terms.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# bench/ must not be on sys.path: bench/metrics.py would shadow the project's `metrics` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from bench import metrics_data  # noqa: E402
from bench.web_server import (  # noqa: E402
    USERNAME,
    BenchFailure,
    Browser,
    bench_user,
    percentile,
    production_server,
)

DEFAULT_PORT = 8103
WARMUP = 5


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    params: dict[str, str]

    @property
    def url_path(self) -> str:
        return f"{self.path}?{urlencode(self.params)}" if self.params else self.path


@dataclass(frozen=True)
class Context:
    customer_id: int  # the customer with the most tickets: the heaviest customer page
    search_name: str  # a name fragment that matches many customers
    search_id: str  # one customer's Stripe id: the EXISTS over identities


def pages(ctx: Context) -> list[Page]:
    """The pages timed, in order. The overview is read from the shared cache the runner warmed
    (metrics/overview_cache.py): `first ms` is the first request after a sync's refresh."""
    return [
        Page("overview", "/", {}),
        Page("customers (by name)", "/customers/", {}),
        Page("customers by last contact", "/customers/", {"sort": "last_contact"}),
        Page("customers by tickets", "/customers/", {"sort": "-tickets"}),
        Page("customers by MRR", "/customers/", {"sort": "-mrr"}),
        Page("customers search (name)", "/customers/", {"search": ctx.search_name}),
        Page("customers search (id)", "/customers/", {"search": ctx.search_id}),
        Page(
            "stale high-value accounts",
            "/customers/",
            {"paying": "yes", "stale_days": "60", "sort": "-mrr"},
        ),
        Page("one customer", f"/customers/{ctx.customer_id}/", {}),
    ]


# --- setup -------------------------------------------------------------------------------------


def bench_context() -> Context:
    from supportops.models import Customer, CustomerIdentity

    customer = Customer.objects.order_by("-ticket_count", "id").first()
    if customer is None:
        raise SystemExit("the data set has no customers")
    stripe_id = (
        CustomerIdentity.objects.filter(source="stripe", customer__isnull=False)
        .order_by("id")
        .values_list("external_id", flat=True)
        .first()
    )
    return Context(customer_id=customer.id, search_name="an", search_id=stripe_id or "none")


def time_page(browser: Browser, page: Page, count: int) -> tuple[float, list[float]]:
    path = page.url_path
    started = time.perf_counter()
    browser.get(path)  # the first: the overview's from the cache the runner warmed
    first = (time.perf_counter() - started) * 1000
    for _ in range(WARMUP - 1):
        browser.get(path)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = browser.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise BenchFailure(f"GET {path}: {response.status_code} {response.text[:300]}")
        times.append(elapsed)
    return first, sorted(times)


# --- EXPLAIN -----------------------------------------------------------------------------------


def explain(page_list: list[Page]) -> None:
    """Each page's slowest query and its plan, rendered here with the test client."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=USERNAME))
    for page in page_list:
        client.get(page.path, page.params)  # warm
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page.path, page.params)
        if response.status_code != 200:
            raise SystemExit(f"GET {page.url_path}: {response.status_code}")
        slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
        print(f"\n## {page.name} ({page.url_path}): {len(captured.captured_queries)} queries, "
              f"slowest {float(slowest['time']) * 1000:.1f} ms")  # fmt: skip
        print(slowest["sql"])
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
            print("\n".join(row[0] for row in cur.fetchall()))


# --- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 1M tickets (default)")
    parser.add_argument("--reload", action="store_true", help="reload the data set")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="loopback port")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--only", action="append", help="pages whose name contains this")
    parser.add_argument("--explain", action="store_true", help="print each page's slowest plan")
    args = parser.parse_args()

    url = metrics_data.load(scale=args.scale, reload=args.reload)
    from bench.metrics import freeze_time

    freeze_time(metrics_data.DATA_NOW)
    ctx = bench_context()
    page_list = [p for p in pages(ctx) if not args.only or any(o in p.name for o in args.only)]
    password = bench_user()
    with production_server(url, port=args.port, workers=args.workers) as base:
        browser = Browser(base)
        browser.sign_in(USERNAME, password)
        print(f"gunicorn: {args.workers} workers, production settings, clock frozen at "
              f"{metrics_data.DATA_NOW:%Y-%m-%d %H:%M} UTC; {args.requests} requests per "
              f"page after {WARMUP} warm-ups")  # fmt: skip
        width = max(len(p.name) for p in page_list)
        print(
            f"{'page':<{width}} | {'first ms':>8} | {'p50 ms':>8} | {'p95 ms':>8} | "
            f"{'max ms':>8} | path"
        )
        for page in page_list:
            first, times = time_page(browser, page, args.requests)
            print(
                f"{page.name:<{width}} | {first:8.1f} | {percentile(times, 0.5):8.1f} | "
                f"{percentile(times, 0.95):8.1f} | {times[-1]:8.1f} | {page.url_path}",
                flush=True,
            )
    if args.explain:
        explain(page_list)


if __name__ == "__main__":
    main()

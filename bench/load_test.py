#!/usr/bin/env python
"""Load test: many signed-in users browsing the dashboards at once, through gunicorn (locust).

Loads (or finds) the data set of bench/metrics_data.py (BENCH_DATABASE_URL, as the other
benchmarks), starts gunicorn on 127.0.0.1 with 2 workers and the production settings, as
bench/web_latency.py does (bench/web_server.py: the post-sync refresh first, the clock frozen at
the data's end), then runs locust headless in this process: --users (20) signed-in users
(bench/load_locustfile.py; one bench user, one session each, signed in once) start at
--spawn-rate per second and browse the overview, cost, cohorts, coverage, customers list (by
name and by last contact) and customer pages (the heaviest customers and median ones), each a
think time of --think seconds after the last response.

Two phases: a warm-up of --warmup seconds (every user signs in and the pages fill their
caches; not counted), then the measured phase, until --run-time seconds have passed or
--max-requests requests have been answered, whichever comes first. Prints, per page and
overall, requests, failures and p50 / p95 / p99 / max (ms, nearest rank over every response
time, not locust's rounded buckets) against the goal (p95 < 300 ms). Any failure, in either
phase (a status other than 200, a lost session, a timeout, a refused sign-in), or a page not
requested in the measured phase, exits non-zero; a missed goal does too with --enforce-goal.

    .venv/bin/python bench/load_test.py [--scale 0.05] [--users 20] [--spawn-rate 4]
        [--think 1-3] [--warmup 30] [--run-time 120] [--max-requests 20000] [--json out.json]

Only loopback: gunicorn binds 127.0.0.1 and locust talks to nothing else.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# bench/ must not be on sys.path: bench/metrics.py would shadow the project's `metrics` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

# locust patches the standard library for gevent when imported: before anything opens sockets.
import gevent  # noqa: E402
import locust  # noqa: E402, F401
from locust.env import Environment  # noqa: E402

from bench import load_locustfile, metrics_data  # noqa: E402
from bench.load_locustfile import SIGN_IN, DashboardUser, Plan, Visit  # noqa: E402
from bench.web_server import USERNAME, bench_user, percentile, production_server  # noqa: E402

DEFAULT_PORT = 8104
GOAL_P95_MS = 300.0
HEAVY_CUSTOMERS = 3
MEDIAN_CUSTOMERS = 10


def visits() -> tuple[Visit, ...]:
    """The pages browsed, each equally often. Customer pages: the customers with the most
    tickets (the heaviest pages) and some at the median ticket count."""
    from supportops.models import Customer

    heavy = list(
        Customer.objects.order_by("-ticket_count", "id").values_list("id", flat=True)[
            :HEAVY_CUSTOMERS
        ]
    )
    count = Customer.objects.count()
    if not count:
        raise SystemExit("the data set has no customers")
    start = max(0, count // 2 - MEDIAN_CUSTOMERS // 2)
    median = list(
        Customer.objects.order_by("ticket_count", "id").values_list("id", flat=True)[
            start : start + MEDIAN_CUSTOMERS
        ]
    )
    return (
        Visit("overview", ("/",)),
        Visit("cost", ("/cost/",)),
        Visit("cohorts", ("/cohorts/",)),
        Visit("coverage", ("/coverage/",)),
        Visit("customers (by name)", ("/customers/",)),
        Visit("customers by last contact", ("/customers/?sort=last_contact",)),
        Visit("customers by last contact, newest", ("/customers/?sort=-last_contact",)),
        Visit("customer (heaviest)", tuple(f"/customers/{i}/" for i in heavy)),
        Visit("customer (median)", tuple(f"/customers/{i}/" for i in median)),
    )


@dataclass
class Collected:
    """Every response of one phase: its time, status, and failures by name."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    failures: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def on_request(self, request_type, name, response_time, response_length, response=None,
                   context=None, exception=None, **kwargs) -> None:  # fmt: skip
        self.times[name].append(response_time)
        self.statuses[name][getattr(response, "status_code", 0) or 0] += 1
        if exception is not None:
            self.failures[name].append(str(exception)[:300])

    @property
    def requests(self) -> int:
        return sum(len(t) for t in self.times.values())


class Recorder:
    """Routes locust's request events to the phase running now."""

    def __init__(self) -> None:
        self.warmup = Collected()
        self.measured = Collected()
        self.current = self.warmup

    def on_request(self, **kwargs) -> None:
        self.current.on_request(**kwargs)


def parse_think(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    pair = (float(low), float(high or low))
    if pair[0] < 0 or pair[1] < pair[0]:
        raise argparse.ArgumentTypeError(f"--think wants LOW-HIGH seconds, not {text!r}")
    return pair


def run_locust(base: str, plan: Plan, args, recorder: Recorder) -> float:
    """Warm-up, then the measured phase; returns the measured phase's seconds."""
    load_locustfile.PLAN = plan
    env = Environment(user_classes=[DashboardUser], host=base, catch_exceptions=True)
    env.events.request.add_listener(recorder.on_request)
    runner = env.create_local_runner()
    try:
        runner.start(args.users, spawn_rate=args.spawn_rate)
        started = time.monotonic()
        while time.monotonic() - started < args.warmup:
            gevent.sleep(0.2)
        signed_in = recorder.warmup.statuses[SIGN_IN][302]
        print(f"warm-up: {args.warmup:g} s, {recorder.warmup.requests} requests (not counted), "
              f"{signed_in} of {args.users} users signed in", flush=True)  # fmt: skip
        recorder.current = recorder.measured
        env.stats.reset_all()
        started = time.monotonic()
        while (
            time.monotonic() - started < args.run_time
            and recorder.measured.requests < args.max_requests
        ):
            gevent.sleep(0.1)
        elapsed = time.monotonic() - started
        recorder.current = Collected()  # whatever is still in flight is not counted
    finally:
        runner.quit()
        runner.greenlet.join(timeout=30)
    if env.runner.exceptions:
        for problem in env.runner.exceptions.values():
            print(f"user error ({problem['count']}x): {problem['msg']}\n{problem['traceback']}")
    return elapsed


def summary(recorder: Recorder, plan: Plan, elapsed: float, args) -> tuple[list[dict], list[str]]:
    """Rows of the table (overall last), and the problems that fail the run."""
    measured = recorder.measured
    rows, problems = [], []
    names = [v.name for v in plan.visits]
    everything: list[float] = []
    for name in names:
        times = sorted(measured.times.get(name, []))
        everything += times
        rows.append(_row(name, times, measured, name))
        if not times:
            problems.append(f"{name}: not requested in the measured phase")
    rows.append(_row("overall", sorted(everything), measured, None))
    rows[-1]["requests_per_second"] = round(len(everything) / elapsed, 1) if elapsed else 0.0
    for phase, collected in (("warm-up", recorder.warmup), ("measured", measured)):
        for name, failures in collected.failures.items():
            problems.append(f"{phase}: {name}: {len(failures)} failures, e.g. {failures[0]}")
    if args.enforce_goal:
        problems += [
            f"{row['page']}: p95 {row['p95_ms']:.0f} ms misses the goal of {GOAL_P95_MS:g} ms"
            for row in rows
            if row["p95_ms"] is not None and row["p95_ms"] >= GOAL_P95_MS
        ]
    return rows, problems


def _row(page: str, times: list[float], measured: Collected, name: str | None) -> dict:
    names = [name] if name else [n for n in measured.times if n != SIGN_IN]
    statuses = Counter()
    for each in names:
        statuses.update(measured.statuses.get(each, {}))
    failures = sum(len(measured.failures.get(each, [])) for each in names)

    def pct(q: float) -> float | None:
        return round(percentile(times, q), 1) if times else None

    return {
        "page": page,
        "requests": len(times),
        "failures": failures,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": round(times[-1], 1) if times else None,
    }


def print_table(rows: list[dict], plan: Plan) -> None:
    width = max(len(r["page"]) for r in rows)
    paths = {v.name: ", ".join(v.paths[:3]) + (" ..." if len(v.paths) > 3 else "")
             for v in plan.visits}  # fmt: skip

    def ms(value: float | None) -> str:
        return f"{value:8.1f}" if value is not None else f"{'-':>8}"

    print(f"{'page':<{width}} | {'requests':>8} | {'failures':>8} | {'p50 ms':>8} | "
          f"{'p95 ms':>8} | {'p99 ms':>8} | {'max ms':>8} | goal | path")  # fmt: skip
    for row in rows:
        goal = "-" if row["p95_ms"] is None else "ok" if row["p95_ms"] < GOAL_P95_MS else "MISS"
        print(f"{row['page']:<{width}} | {row['requests']:8d} | {row['failures']:8d} | "
              f"{ms(row['p50_ms'])} | {ms(row['p95_ms'])} | {ms(row['p99_ms'])} | "
              f"{ms(row['max_ms'])} | {goal:>4} | {paths.get(row['page'], '')}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 1M tickets (default)")
    parser.add_argument("--reload", action="store_true", help="reload the data set")
    parser.add_argument("--users", type=int, default=20, help="concurrent signed-in users")
    parser.add_argument("--spawn-rate", type=float, default=4, help="users started per second")
    parser.add_argument("--think", type=parse_think, default=(1.0, 3.0),
                        help="seconds between a response and a user's next request, LOW-HIGH")  # fmt: skip
    parser.add_argument("--warmup", type=float, default=30, help="seconds, not counted")
    parser.add_argument("--run-time", type=float, default=120, help="measured seconds at most")
    parser.add_argument("--max-requests", type=int, default=20000,
                        help="measured requests at most")  # fmt: skip
    parser.add_argument("--timeout", type=float, default=60, help="seconds per response")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="loopback port")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--only", action="append", help="pages whose name contains this")
    parser.add_argument("--enforce-goal", action="store_true",
                        help=f"also fail when a page's p95 is {GOAL_P95_MS:g} ms or more")  # fmt: skip
    parser.add_argument("--json", type=Path, help="write the table and problems here")
    parser.add_argument("--uncompressed-static", action="store_true",
                        help="collect static files without gzip/brotli copies (quick runs)")  # fmt: skip
    args = parser.parse_args()

    url = metrics_data.load(scale=args.scale, reload=args.reload)
    from bench.metrics import freeze_time

    freeze_time(metrics_data.DATA_NOW)
    page_visits = tuple(v for v in visits() if not args.only or any(o in v.name for o in args.only))
    plan = Plan(
        visits=page_visits,
        username=USERNAME,
        password=bench_user(),
        think=args.think,
        timeout=args.timeout,
    )
    recorder = Recorder()
    with production_server(
        url, port=args.port, workers=args.workers, compress_static=not args.uncompressed_static
    ) as base:
        print(f"locust: {args.users} users (+{args.spawn_rate:g}/s), think {args.think[0]:g}-"
              f"{args.think[1]:g} s, against gunicorn ({args.workers} workers, production "
              f"settings, clock frozen at {metrics_data.DATA_NOW:%Y-%m-%d %H:%M} UTC) on {base}; "
              f"measured: {args.run_time:g} s or {args.max_requests} requests", flush=True)  # fmt: skip
        elapsed = run_locust(base, plan, args, recorder)
    rows, problems = summary(recorder, plan, elapsed, args)
    # The machine's load says whether anything else competed for its cores meanwhile.
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"measured: {elapsed:.1f} s, {rows[-1]['requests']} requests, "
          f"{rows[-1]['requests_per_second']} per second; load average {load} "
          f"on {os.cpu_count()} cores")  # fmt: skip
    print_table(rows, plan)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "problems": problems}, indent=2))
    if problems:
        print("\nFAILED:\n" + "\n".join(f"- {p}" for p in problems), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Benchmark: a Stripe first sync of N invoices (with their customers, prices, subscriptions)
through the real connector (`connectors.sync.sync_source(source="stripe")`) on PostgreSQL.

Prints and returns invoices/s, records/s, the sync's seconds against PostgreSQL's own COPY of
the same rows into indexed twins (bench/copy_baseline.py) and their ratio, the syncing
process's peak memory, the time of the first and the last 10 pages of invoices (a page that
costs more as the database grows shows there), and the server's own cost: the time to GET
every page the sync asked for, without the sync. Then a full re-sync of the same account,
which must leave every canonical row as it was (tests/faults/snapshot.py).

Each step runs in its own process, so the peak memory is the sync's alone and each size's peak
is its own; the pre-rendered server (bench/stripe_wire.py) runs in another. The database named
by the URL is dropped and created anew.

    .venv/bin/python bench/sync_stripe.py [--invoices 100000] [--database-url postgres://...]
        [--profile var/stripe.prof] [--no-resync]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sync_zendesk import side_by_side  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:54329/supportops_bench_stripe"
EDGE_PAGES = 10
BENCH_KEY = "sk_test_bench"
# What a Stripe sync writes (SyncState and SyncRun hold the run's own clock: left out).
WRITTEN = ("Customer", "CustomerIdentity", "Plan", "Subscription", "Invoice", "Charge")


def stripe_bench(database_url: str, invoices: int, *, profile: str = "", resync: bool = True):
    """Sync `invoices` invoices into a fresh `database_url` (PostgreSQL); a flat dict of
    figures: rates, seconds, COPY seconds and ratio, peak RSS, edge page times, server cost."""
    _database_recreate(database_url)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "supportops.settings.base",
        "DATABASE_URL": database_url,
        "STRIPE_API_KEY": BENCH_KEY,
        "DEBUG": "false",
    }
    env.pop("CELERY_BROKER_URL", None)
    _run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "stripe_wire.py"), "--invoices", str(invoices)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready = server.stdout.readline().split()
        if not ready or ready[0] != "ready":
            raise SystemExit(f"stripe bench server did not start: {ready}")
        base = f"http://127.0.0.1:{ready[1]}"
        env["STRIPE_API_BASE"] = base
        first = _child(env, "sync", profile=profile)
        log = _get_json(f"{base}/__log")
        server_busy = _get_json(f"{base}/__stats")["busy"]
        get_seconds, decode_seconds = _replay(base, log)
        snap = _child(env, "snapshot", rows=resync)
        out = {
            "size": invoices,
            "database": "postgresql",
            "invoices": first["counts"].get("invoices", 0),
            "customers": snap["counts"]["CustomerIdentity"],
            "subscriptions": snap["counts"]["Subscription"],
            "records": first["records_read"],
            "pages": first["pages"],
            "sync_seconds": first["seconds"],
            "invoices_per_s": first["counts"].get("invoices", 0) / first["seconds"],
            "records_per_s": first["records_read"] / first["seconds"],
            "invoices_stream_seconds": first["invoices_seconds"],
            "invoices_stream_per_s": first["counts"].get("invoices", 0)
            / max(first["invoices_seconds"], 1e-9),
            "after_run_seconds": first["after_run_seconds"],
            "copy_seconds": snap["copy_total"],
            "copy_ratio": snap["copy_total"] / first["seconds"],
            "invoice_copy_seconds": snap["copy"].get("Invoice", 0.0),
            "peak_rss_mb": first["peak_rss_mb"],
            "first_pages_seconds": first["first_pages_seconds"],
            "last_pages_seconds": first["last_pages_seconds"],
            "server_get_seconds": get_seconds,
            "server_busy_seconds": server_busy,
            "json_decode_seconds": decode_seconds,
            "requests": len(log),
            "invoice_writes": first["invoice_pages"],
            "pages_per_write": first["pages_per_write"],
        }
        # The names bench/ingest.py reads for both vendors: one write of invoices is one page
        # (PAGES_PER_WRITE list pages committed together).
        edge = max(1, min(EDGE_PAGES, first["invoice_pages"]))
        out["peak_mb"] = out["peak_rss_mb"]
        out["invoices_first10_ms"] = 1000 * first["first_pages_seconds"] / edge
        out["invoices_last10_ms"] = 1000 * first["last_pages_seconds"] / edge
        if resync:
            again = _child(env, "sync", full=True)
            after = _child(env, "snapshot", copy=False)
            out["resync_seconds"] = again["seconds"]
            out["resync_invoices_per_s"] = again["counts"].get("invoices", 0) / again["seconds"]
            out["resync_unchanged"] = after["digest"] == snap["digest"]
            if not out["resync_unchanged"]:
                out["resync_difference"] = {
                    k: (snap["rows"].get(k), after["rows"].get(k))
                    for k in WRITTEN
                    if snap["digests"].get(k) != after["digests"].get(k)
                }
        return out
    finally:
        server.terminate()
        server.wait(timeout=30)


def _database_recreate(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("supportops_"):
        raise SystemExit(
            f"refusing to drop {name!r}: the bench database's name must start supportops_"
        )
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def _run(args: list[str], env: dict) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(args[1:3])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def _child(env: dict, step: str, *, full=False, profile="", copy=True, rows=True) -> dict:
    args = [sys.executable, str(Path(__file__).resolve()), "--child", step]
    args += ["--full"] * full + (["--profile", profile] if profile else [])
    args += ([] if copy else ["--no-copy"]) + ([] if rows else ["--no-rows"])
    return json.loads(_run(args, env).strip().splitlines()[-1])


def _get_json(url: str):
    import requests

    return requests.get(url, timeout=60).json()


def _replay(base: str, log: list[str]) -> tuple[float, float]:
    """Seconds to GET every page the sync asked for (one keep-alive connection, as the sync
    has), and seconds to decode them all with orjson: the server's cost and the decoder's."""
    import orjson
    import requests

    session = requests.Session()
    bodies = []
    started = time.perf_counter()
    for target in log:
        bodies.append(session.get(base + target, timeout=60).content)
    get_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for body in bodies:
        orjson.loads(body)
    return get_seconds, time.perf_counter() - started


# -- Child steps (a fresh process each) --------------------------------------------------------


def _child_sync(*, full: bool, profile: str) -> dict:
    import django

    django.setup()
    from connectors.stripe import connector as stripe_connector
    from connectors.stripe import streams as stripe_streams
    from connectors.sync import sync_source

    marks: list[tuple[str, float, int]] = []

    def progress(*, stream, pages, records):
        marks.append((stream, time.perf_counter(), records))

    after_run = [0.0]
    refresh = stripe_connector._refresh

    def timed_refresh():
        started = time.perf_counter()
        refresh()
        after_run[0] = time.perf_counter() - started

    stripe_connector._refresh = timed_refresh
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    run = sync_source(source="stripe", full=full, progress=progress)
    seconds = time.perf_counter() - started
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    if run.status != "succeeded":
        raise SystemExit(f"stripe sync failed: {run.error}")
    # One mark per committed page; a page's time runs from the mark before it.
    previous, durations = started, []
    invoice_seconds = 0.0
    last_count = 0
    for stream, at, records in marks:
        if stream == "invoices":
            invoice_seconds += at - previous
            if records > last_count:  # a page that carried invoices (not an empty window)
                durations.append(at - previous)
            last_count = records
        previous = at
    return {
        "seconds": seconds,
        "counts": run.counts,
        "records_read": run.records_read,
        "pages": run.pages,
        "invoices_seconds": invoice_seconds,
        "after_run_seconds": after_run[0],
        "first_pages_seconds": sum(durations[:EDGE_PAGES]),
        "last_pages_seconds": sum(durations[-EDGE_PAGES:]),
        "invoice_pages": len(durations),
        "pages_per_write": getattr(stripe_streams, "PAGES_PER_WRITE", 1),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _child_snapshot(*, copy: bool, rows: bool) -> dict:
    import hashlib

    import django

    django.setup()
    from bench.copy_baseline import copy_seconds
    from supportops import models
    from tests.faults.snapshot import canonical_rows

    written = [getattr(models, name) for name in WRITTEN]
    out: dict = {"counts": {m.__name__: m.objects.count() for m in written}}
    if rows:  # the canonical rows, to compare with those after the re-sync
        found = canonical_rows(written)
        digests = {k: hashlib.sha256(repr(v).encode()).hexdigest() for k, v in found.items()}
        out["digest"] = hashlib.sha256(repr(sorted(digests.items())).encode()).hexdigest()
        out["digests"], out["rows"] = digests, {k: len(v) for k, v in found.items()}
    if copy:
        timings = copy_seconds([m for m in written if m.objects.exists()])
        out["copy"], out["copy_total"] = timings, sum(timings.values())
    return out


def report(figures: dict) -> str:
    f = figures
    lines = [
        f"stripe: {f['invoices']:,} invoices, {f['customers']:,} customers, "
        f"{f['subscriptions']:,} subscriptions ({f['records']:,} records, {f['pages']:,} pages)",
        f"  sync               {f['sync_seconds']:,.1f} s  ({f['invoices_per_s']:,.0f} invoices/s, "
        f"{f['records_per_s']:,.0f} records/s)",
        f"  invoices stream    {f['invoices_stream_seconds']:,.1f} s  "
        f"({f['invoices_stream_per_s']:,.0f} invoices/s); after-run refresh "
        f"{f['after_run_seconds']:,.2f} s",
        f"  COPY of same rows  {f['copy_seconds']:,.2f} s  -> sync at {f['copy_ratio']:.1%} of COPY "
        f"(invoices alone: {f['invoice_copy_seconds']:,.2f} s)",
        f"  peak memory (RSS)  {f['peak_rss_mb']:,.0f} MB",
        f"  invoice writes     first {EDGE_PAGES}: {f['first_pages_seconds']:.3f} s, "
        f"last {EDGE_PAGES}: {f['last_pages_seconds']:.3f} s "
        f"(of {f['invoice_writes']:,}; a write is {f['pages_per_write']} list pages)",
        f"  server alone       {f['server_get_seconds']:,.2f} s to GET all {f['requests']:,} pages "
        f"(handlers {f['server_busy_seconds']:,.2f} s); orjson decode {f['json_decode_seconds']:,.2f} s",
    ]
    if "resync_seconds" in f:
        held = "held: no canonical row changed" if f["resync_unchanged"] else "FAILED: rows changed"
        lines.append(
            f"  full re-sync       {f['resync_seconds']:,.1f} s "
            f"({f['resync_invoices_per_s']:,.0f} invoices/s); {held}"
        )
        if not f["resync_unchanged"]:
            lines.append(f"    {f['resync_difference']}")
    return "\n".join(lines)


def table(results: list[dict]) -> str:
    """The sizes side by side, as bench/sync_zendesk.py prints Zendesk's."""
    rows = [
        ("invoices", "{invoices:,}"),
        ("customers", "{customers:,}"),
        ("subscriptions", "{subscriptions:,}"),
        ("sync time (s)", "{sync_seconds:,.1f}"),
        ("invoices/s", "{invoices_per_s:,.0f}"),
        ("records/s", "{records_per_s:,.0f}"),
        ("COPY of the same rows (s)", "{copy_seconds:,.2f}"),
        ("sync speed / COPY speed", "{copy_ratio:.1%}"),
        ("server only: GET every page (s)", "{server_get_seconds:,.1f}"),
        ("peak memory, RSS (MB)", "{peak_mb:,.0f}"),
        ("invoices: first 10 writes (ms/write)", "{invoices_first10_ms:,.0f}"),
        ("invoices: last 10 writes (ms/write)", "{invoices_last10_ms:,.0f}"),
    ]
    return side_by_side("Stripe sync, PostgreSQL", rows, results, "invoices", "resync_seconds")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--profile", default="", help="write the first sync's cProfile stats here")
    parser.add_argument("--no-resync", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument("--child", choices=["sync", "snapshot"], help=argparse.SUPPRESS)
    parser.add_argument("--full", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-copy", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-rows", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "sync":
        print(json.dumps(_child_sync(full=args.full, profile=args.profile)))
        return
    if args.child == "snapshot":
        print(json.dumps(_child_snapshot(copy=not args.no_copy, rows=not args.no_rows)))
        return
    figures = stripe_bench(
        args.database_url, args.invoices, profile=args.profile, resync=not args.no_resync
    )
    print(report(figures))
    if args.json:
        print(json.dumps(figures))
    if figures.get("resync_unchanged") is False:
        sys.exit(1)


if __name__ == "__main__":
    main()

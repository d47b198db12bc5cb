#!/usr/bin/env python
"""Benchmark: the real Zendesk connector syncing 10,000 / 100,000 / 1,000,000 tickets on PostgreSQL.

For each size it prints tickets/s, records/s, peak memory (RSS) of the syncing process, the time
of the first and last 10 pages of tickets and of comments, and the same rows' COPY time with the
ratio of sync speed to COPY speed. At 100,000 tickets it then re-syncs everything (`--full`) and
checks that nothing changed (tests/faults/snapshot.py canonical rows).

Pages come from a replay server in its own process (bench/zendesk_pages.py): the sandbox's
pages, recorded once under var/bench-pages/ (the 1,000,000 set is the 100,000 one tiled), so
the server's cost is a file read per request; the time to merely GET every page is printed as
"server only". Each sync runs in a fresh child process against a flushed database, so each
size's peak memory is its own.

    .venv/bin/python bench/sync_zendesk.py [--sizes 10000,100000,1000000]

BENCH_DATABASE_URL names the database (default: supportops_ingest on scripts/test-services'
PostgreSQL); it is created if missing and flushed before every run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ROOT / "var" / "bench-pages"
DEFAULT_DB = "postgres://postgres@127.0.0.1:54329/supportops_ingest"
DEFAULT_BROKER = "redis://127.0.0.1:63790/15"
TILE_BASE = 100_000  # the 1,000,000 set is this recording tiled


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # a recording dir: run one sync
    parser.add_argument("--resync", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    if args.child:
        print(json.dumps(child_sync(Path(args.child), database_url, resync=args.resync)))
        return
    database_create(database_url)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = [zendesk_bench(database_url, tickets) for tickets in sizes]
    print()
    print(table(results))


def zendesk_bench(database_url: str, tickets: int) -> dict:
    """Sync `tickets` tickets (recorded first when missing) and return the figures."""
    root = recording_for(tickets)
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "zendesk_pages.py"), "serve", "--root", str(root)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = server.stdout.readline().strip()
        figures = {"size": tickets, "server_only_s": server_only_seconds(root, url)}
        env = {**os.environ, "ZENDESK_URL": url}
        figures |= run_child(root, env, resync=tickets == TILE_BASE)
    finally:
        server.terminate()
        server.wait(timeout=30)
    figures["copy_ratio"] = figures["copy_s"] / figures["sync_s"]
    print(json.dumps(figures), flush=True)
    return figures


def run_child(root: Path, env: dict, *, resync: bool) -> dict:
    command = [sys.executable, __file__, "--child", str(root), *(["--resync"] if resync else [])]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        sys.exit(f"sync child failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def child_sync(root: Path, database_url: str, *, resync: bool) -> dict:
    import resource

    os.environ.update(
        DJANGO_SETTINGS_MODULE="supportops.settings.base",
        DATABASE_URL=database_url,
        ZENDESK_EMAIL="demo@supportops.local",
        ZENDESK_API_TOKEN="sandbox-token",
    )
    # The refresh a finished sync asks for goes to a queue, as in production, instead of
    # running inside the timed sync (no worker reads this database's queue; it is emptied).
    os.environ["CELERY_BROKER_URL"] = os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.copy_baseline import copy_seconds
    from connectors.sync import sync_source
    from supportops.models import Contact, CustomerIdentity, Interaction, Ticket

    call_command("migrate", "--noinput", verbosity=0)
    call_command("flush", "--noinput", verbosity=0)
    marks: dict[str, list[float]] = {}

    def progress(*, stream: str, pages: int, records: int) -> None:
        marks.setdefault(stream, []).append(time.perf_counter())

    started = time.perf_counter()
    run = sync_source(source="zendesk", progress=progress)
    seconds = time.perf_counter() - started
    if run.status != "succeeded":
        sys.exit(f"sync failed: {run.error}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "tickets": Ticket.objects.count(),
        "comments": Interaction.objects.count(),
        "records": run.records_read,
        "sync_s": seconds,
        "peak_mb": peak_mb,
    }
    figures["tickets_per_s"] = figures["tickets"] / seconds
    figures["records_per_s"] = run.records_read / seconds
    for stream in ("tickets", "comments"):
        first, last = page_times(marks.get(stream, []), started)
        figures[f"{stream}_first10_ms"], figures[f"{stream}_last10_ms"] = first, last
    copies = copy_seconds([CustomerIdentity, Contact, Ticket, Interaction])
    figures["copy_s"] = sum(copies.values())
    if resync:
        from tests.faults.snapshot import canonical_rows

        before = canonical_rows()
        again = sync_source(source="zendesk", full=True)
        figures["resync_s"] = (again.finished_at - again.started_at).total_seconds()
        figures["resync_unchanged"] = again.status == "succeeded" and canonical_rows() == before
    connection.close()
    queue_empty(os.environ["CELERY_BROKER_URL"])
    return figures


def queue_empty(broker_url: str) -> None:
    import redis

    redis.Redis.from_url(broker_url).flushdb()


def page_times(marks: list[float], started: float) -> tuple[float, float]:
    """Mean milliseconds of the first and of the last 10 pages of one stream."""
    if len(marks) < 2:
        return 0.0, 0.0
    spans = [b - a for a, b in zip(marks, marks[1:], strict=False)]
    first, last = spans[:10], spans[-10:]
    return 1000 * sum(first) / len(first), 1000 * sum(last) / len(last)


def server_only_seconds(root: Path, url: str) -> float:
    """Seconds to GET every recorded page, doing nothing with it: the server's own share."""
    import requests

    from bench.zendesk_pages import AUTH

    index = json.loads((root / "index.json").read_text())["pages"]
    session = requests.Session()
    session.auth = AUTH
    started = time.perf_counter()
    for key in index:
        session.get(url + key, timeout=60).content  # noqa: B018 (read the body, drop it)
    return time.perf_counter() - started


def recording_for(tickets: int) -> Path:
    from bench import zendesk_pages

    root = PAGES / f"zendesk-{tickets}"
    if zendesk_pages.ready(root):
        return root
    if tickets > TILE_BASE and tickets % TILE_BASE == 0:
        base = recording_for(TILE_BASE)
        print(f"tiling {tickets:,} tickets from {base}", flush=True)
        zendesk_pages.tile(base, tickets // TILE_BASE, root)
        return root
    per_month = max(1, round(tickets / 24))
    print(f"recording {tickets:,} sandbox tickets into {root} (once)", flush=True)
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "connectors.sandbox", "--port", "0", "--customers", "250",
         "--months", "24", "--tickets-per-month", str(per_month)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = sandbox.stdout.readline()
        url = line.split()[2]
        zendesk_pages.record(url, root)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)
    return root


def database_create(database_url: str) -> None:
    import psycopg2

    name = database_url.rsplit("/", 1)[1]
    admin = psycopg2.connect(database_url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def table(results: list[dict]) -> str:
    rows = [
        ("tickets", "{tickets:,}"),
        ("comments", "{comments:,}"),
        ("sync time (s)", "{sync_s:,.1f}"),
        ("tickets/s", "{tickets_per_s:,.0f}"),
        ("records/s", "{records_per_s:,.0f}"),
        ("COPY of the same rows (s)", "{copy_s:,.2f}"),
        ("sync speed / COPY speed", "{copy_ratio:.1%}"),
        ("server only: GET every page (s)", "{server_only_s:,.1f}"),
        ("peak memory, RSS (MB)", "{peak_mb:,.0f}"),
        ("tickets: first 10 pages (ms/page)", "{tickets_first10_ms:,.0f}"),
        ("tickets: last 10 pages (ms/page)", "{tickets_last10_ms:,.0f}"),
        ("comments: first 10 pages (ms/page)", "{comments_first10_ms:,.0f}"),
        ("comments: last 10 pages (ms/page)", "{comments_last10_ms:,.0f}"),
    ]
    return side_by_side("Zendesk sync, PostgreSQL", rows, results, "tickets", "resync_s")


def side_by_side(title: str, rows, results: list[dict], unit: str, resync_key: str) -> str:
    """One column per size, then each size's re-sync verdict: Zendesk's and Stripe's tables."""
    width = max(len(label) for label, _ in rows) + 2
    out = [title.ljust(width) + "".join(f"{r['size']:>14,}" for r in results)]
    for label, fmt in rows:
        out.append(label.ljust(width) + "".join(f"{fmt.format(**r):>14}" for r in results))
    for r in results:
        if "resync_unchanged" in r:
            verdict = "nothing changed" if r["resync_unchanged"] else "ROWS CHANGED"
            out.append(f"re-sync of {r['size']:,} {unit}: {r[resync_key]:,.1f} s, {verdict}")
    return "\n".join(out)


if __name__ == "__main__":
    main()

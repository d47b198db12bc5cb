#!/usr/bin/env python
"""Benchmark: sync ~100,000 sandbox tickets through the real Zendesk connector.

Prints tickets/s, comments/s and the sync process's peak memory. The sandbox runs in its own
process so its memory is not counted. The database is a fresh SQLite file (var/bench.sqlite3)
unless BENCH_DATABASE_URL names another (e.g. the PostgreSQL that scripts/test-services starts).

    .venv/bin/python bench/sync_zendesk.py [--tickets-per-month 4167] [--months 24]
"""

import argparse
import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets-per-month", type=int, default=4167)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--customers", type=int, default=250)
    args = parser.parse_args()

    db_file = ROOT / "var" / "bench.sqlite3"
    db_file.parent.mkdir(exist_ok=True)
    db_file.unlink(missing_ok=True)
    port = free_port()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="supportops.settings.base",
        DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{db_file}"),
        ZENDESK_URL=f"http://127.0.0.1:{port}",
        ZENDESK_EMAIL="demo@supportops.local",
        ZENDESK_API_TOKEN="sandbox-token",
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    sandbox = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "connectors.sandbox",
            "--port",
            str(port),
            "--customers",
            str(args.customers),
            "--months",
            str(args.months),
            "--tickets-per-month",
            str(args.tickets_per_month),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        print(sandbox.stdout.readline().strip())  # the sandbox is up once it prints its URL
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from connectors.sync import sync_source
        from supportops.models import Interaction, Ticket

        if connection.vendor == "postgresql":
            call_command("flush", "--noinput", verbosity=0)
        call_command("migrate", "--noinput", verbosity=0)
        started = time.perf_counter()
        run = sync_source(source="zendesk")
        seconds = time.perf_counter() - started
        if run.status != "succeeded":
            sys.exit(f"sync failed: {run.error}")
        tickets, comments = Ticket.objects.count(), Interaction.objects.count()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"database          {connection.vendor}")
        print(f"tickets           {tickets:,} ({run.counts})")
        print(f"comments          {comments:,}")
        print(f"sync time         {seconds:,.1f} s")
        print(f"tickets/s         {tickets / seconds:,.0f}")
        print(f"records/s         {run.records_read / seconds:,.0f}")
        print(f"peak memory (RSS) {peak_mb:,.0f} MB")
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)


if __name__ == "__main__":
    main()

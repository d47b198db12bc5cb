"""What the Stripe and Salesforce fault tests share: a sandbox per sync schedule, the comparison
with a clean sync, spies on the transport's waits, a kill switch for a worker subprocess and a
database that goes away.

A cell of the fault matrix runs a schedule of syncs twice against two sandboxes built from the
same company and the same clock: once with the fault injected, once clean. What each schedule
leaves in the database is compared row for row (`snapshot.canonical_rows`): natural keys, not
surrogate ids, and SyncState included, so a cursor that ran ahead or behind shows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.db import OperationalError, connection

from connectors.http import CappedRetry
from connectors.sandbox.routing import RequestLog
from tests.faults.snapshot import canonical_rows, rows_diff, synced_data_forget

ROOT = Path(__file__).resolve().parents[2]

LAUNCH = """
import os, sys
import django
django.setup()
import importlib
connector = importlib.import_module(os.environ["FAULTS_CONNECTOR"])
connector.clock = lambda: float(os.environ["FAULTS_CLOCK"])
for assignment in filter(None, os.environ.get("FAULTS_SET", "").split(";")):
    target, value = assignment.split("=")
    module, name = target.rsplit(".", 1)
    setattr(importlib.import_module(module), name, int(value))
from django.core.management import execute_from_command_line
execute_from_command_line(["manage.py", *sys.argv[1:]])
"""
"""`manage.py sync` with the connector's "now" pinned to the sandbox's manual clock, so the
killed worker, the re-run and the clean sync all plan the same windows; FAULTS_SET
("module.NAME=int;...") sets the page sizes the in-process tests monkeypatch."""


def assert_same_rows(faulted: dict, clean: dict) -> None:
    assert faulted == clean, rows_diff(faulted, clean)


def forget() -> None:
    synced_data_forget()


def rows(models) -> dict:
    return canonical_rows(models)


def on_request(faults, route: str, when: Callable[[], bool], action: Callable[[], object]):
    """Run `action` once, before serving the first request to `route` for which `when()` holds.

    Built on the sandbox's "call" fault, which is cleared from `route` once it fired (with any
    other fault of that route), so a fault `action` adds applies to the very next request.
    """
    fired = threading.Event()

    def maybe() -> None:
        if not fired.is_set() and when():
            fired.set()
            faults.clear(route)
            action()

    faults.add(route, "call", times=10_000, pages=0, action=maybe)
    return fired


def continuation(requests: RequestLog, path: str, key: str) -> Callable[[], bool]:
    """True when the newest request to `path` carries the cursor parameter `key`."""

    def check() -> bool:
        logged = requests.matching(path)
        return bool(logged) and key in logged[-1].query

    return check


def nth(requests: RequestLog, path: str, n: int) -> Callable[[], bool]:
    return lambda: len(requests.matching(path)) >= n


class Waits:
    """What urllib3's Retry would have slept between tries: Retry-After values, or backoff."""

    def __init__(self, monkeypatch) -> None:
        self.retry_after: list[float] = []
        self.backoff: list[float] = []
        waits = self

        def sleep(retry, response=None) -> None:
            after = retry.get_retry_after(response) if response is not None else None
            if after:
                waits.retry_after.append(after)
            else:
                waits.backoff.append(retry.get_backoff_time())

        monkeypatch.setattr(CappedRetry, "sleep", sleep)


class DatabaseOutage:
    """Every query fails with OperationalError between `down()` and `up()`, as when the database
    server is gone: installed on the connection the sync runs on (the test's own thread)."""

    def __init__(self) -> None:
        self.is_down = False
        self.refused = 0
        self.failing_budget: int | None = None

    def down(self, queries: int | None = None) -> None:
        """Refuse the next `queries` queries (None: all of them until `up()`)."""
        self.failing_budget = queries
        self.is_down = True

    def up(self) -> None:
        self.is_down = False

    def __call__(self, execute, sql, params, many, context):
        if self.is_down:
            if self.failing_budget is not None:
                self.failing_budget -= 1
                if self.failing_budget <= 0:
                    self.is_down = False
            self.refused += 1
            raise OperationalError("could not connect to server: Connection refused")
        return execute(sql, params, many, context)


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("select pg_backend_pid()")
        return cursor.fetchone()[0]


def terminate_backend(pid: int) -> None:
    """pg_terminate_backend from a connection of our own, as an operator or a failover would."""
    import psycopg2

    db = connection.settings_dict
    other = psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"],
        port=db["PORT"],
    )
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("select pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


def worker_env(**extra: str) -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "supportops.settings.test",
        "DATABASE_URL": url,
        "PYTHONPATH": str(ROOT),
        "CONNECTOR_BACKOFF_SECONDS": "0.01",
        "CONNECTOR_MAX_RETRIES": "3",
        **extra,
    }


def worker_start(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", LAUNCH, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)


def worker_wait(process: subprocess.Popen, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if process.poll() is None:
        process.kill()
    out, _ = process.communicate(timeout=10)
    return out

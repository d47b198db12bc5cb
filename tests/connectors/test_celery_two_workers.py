"""More than one machine (issue #11): two real Celery workers and one beat against one Redis and
one PostgreSQL, every source behind its sandbox, the monthly report to an SMTP server on loopback.

Every source's sync and the report check are fired several times at once (and beat adds syncs of
its own). Then, from what the database, the SMTP server and the result backend hold:
- no two runs of one source that held its lock ran at the same time (the refused ones are
  recorded "skipped": that is the lock working, and the test requires that it had to);
- both workers ran syncs and report tasks, each task came off the queue its kind is routed to,
  and the worker started for two queues (`-Q syncs,reports`) never ran a recompute;
- each recipient's report went out exactly once: one delivery row, sent on its first attempt,
  and one message at the SMTP server, though more deliveries were queued than there are rows.

Which worker ran a task comes from the Redis result backend with `result_extended` (the
worker's node name, `-n w1@%h`, and the queue it was taken from). The report check is due only
in the first week of a month; the workers' launcher moves the check's own "now" (and nothing
else: deliveries, syncs and the schedule's rules keep the real clock) to 06:00 UTC on the 1st of
the current month, so the test reads the same on any day.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from connectors.sandbox import SandboxServer, build_company
from connectors.sandbox.salesforce import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REFRESH_TOKEN,
)
from connectors.sandbox.salesforce_tls import SalesforceSandbox
from connectors.sandbox.stripe import DEFAULT_KEY as STRIPE_KEY
from metrics.report.schedule import last_month
from supportops.models import ReportDelivery, ReportRecipient, ReportSchedule, SyncRun
from tests.report.smtp_server import smtp_server

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "")
SOURCES = ("zendesk", "intercom", "stripe", "salesforce", "usage")
TIMES = 3  # each source's sync and the report check are fired this many times at once
RECIPIENTS = ("ceo@acme.test", "cfo@acme.test", "vp-support@acme.test")
QUEUES = ("celery", "syncs", "reports", "recompute")
QUEUE_OF = {
    "connectors.sync_source": "syncs",
    "reports.send_due": "reports",
    "reports.deliver": "reports",
    "metrics.refresh_derived": "recompute",
}
# Seconds from the workers' start until everything must be done: the whole test stays < 90 s
# (it takes 45-70 s on 2 busy cores, most of it the report's two concurrent builds).
DEADLINE = 75

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not BROKER, reason="needs Redis: run through `make test`"),
]

LAUNCH = """
import os, sys, time
from datetime import UTC, datetime

import django

django.setup()
from django.utils import timezone

import metrics.report.tasks

offset = float(os.environ["REPORT_CHECK_CLOCK_OFFSET"])


class ReportCheckClock:
    # Only `reports.send_due` reads its clock from this module; deliveries keep the real one.
    def __getattr__(self, name):
        return getattr(timezone, name)

    def now(self):
        return datetime.fromtimestamp(time.time() + offset, UTC)


metrics.report.tasks.timezone = ReportCheckClock()
from celery.__main__ import main

sys.argv = ["celery", *sys.argv[1:]]
main()
"""
"""`celery …` with the report check's "now" moved by REPORT_CHECK_CLOCK_OFFSET seconds; the
schedule itself (metrics/report/schedule.py) is untouched."""

# A Segment-shaped event table in a warehouse database of the test's own.
WAREHOUSE_TABLE = """
CREATE SCHEMA prod_api;
CREATE TABLE prod_api.api_call_made (
    id text PRIMARY KEY, user_id text, context_group_id text, account_id text, event text,
    "timestamp" timestamptz, received_at timestamptz
);
INSERT INTO prod_api.api_call_made
SELECT 'e' || n, 'u', NULL, 'acct_' || (n % 3), 'api_call_made',
       now() - n * interval '1 day', now() - n * interval '1 day'
FROM generate_series(1, 60) AS n;
"""


def month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _psycopg(dbname: str):
    import psycopg2

    db = connection.settings_dict
    conn = psycopg2.connect(
        dbname=dbname, user=db["USER"], password=db["PASSWORD"] or "", host=db["HOST"],
        port=db["PORT"],
    )  # fmt: skip
    conn.autocommit = True
    return conn


def _db_url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{name}"


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("worker processes cannot see an in-memory SQLite test database")
    if not shutil.which(getattr(settings, "CHROMIUM_BIN", "") or "chromium"):
        pytest.skip("the workers render the report with Debian's chromium")


@pytest.fixture
def warehouse(postgres):
    name = f"{connection.settings_dict['NAME']}_wh"
    admin = _psycopg("postgres")
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        with _psycopg(name) as conn, conn.cursor() as cursor:
            cursor.execute(WAREHOUSE_TABLE)
        yield _db_url(name)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def sandboxes(tmp_path):
    """Zendesk, Stripe and Intercom over HTTP, Salesforce over HTTPS: one company (ending just
    before this month, so last month's report has data), real clocks."""
    end_at = month_start(datetime.now(UTC)) - timedelta(hours=6)
    http = SandboxServer(build_company(seed=7, customers=20, months=3, end_at=end_at))
    tls = SalesforceSandbox(
        build_company(seed=7, customers=20, months=3, end_at=end_at), cert_dir=tmp_path / "tls"
    )
    with http, tls:
        yield http, tls


@pytest.fixture
def report_setup():
    ReportSchedule.objects.update_or_create(pk=1, defaults={"enabled": True, "send_hour": 0})
    for address in RECIPIENTS:
        ReportRecipient.objects.create(email=address)


@pytest.fixture
def services(postgres, sandboxes, warehouse, report_setup, settings, tmp_path):
    import redis

    store = redis.Redis.from_url(BROKER)
    store.flushdb()  # no task, result or lock left over from an earlier run
    http, tls = sandboxes
    now = datetime.now(UTC)
    # The report check's clock: the 1st of this month at 06:00 UTC, moving on from there.
    check_starts_at = month_start(now) + timedelta(hours=6)
    offset = (check_starts_at - now).total_seconds()
    with smtp_server(settings) as mail:
        env = {
            # Only the test database: no replica URL an outer environment may carry.
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith("PYTEST") and k != "DATABASE_REPLICA_URL"
            },
            "DJANGO_SETTINGS_MODULE": "supportops.settings.base",
            "DATABASE_URL": _db_url(connection.settings_dict["NAME"]),
            "CELERY_BROKER_URL": BROKER,
            "CELERY_RESULT_BACKEND": BROKER,
            "REPORT_CHECK_CLOCK_OFFSET": str(offset),
            "ZENDESK_URL": http.url,
            "ZENDESK_EMAIL": "demo@supportops.local",
            "ZENDESK_API_TOKEN": "sandbox-token",
            "STRIPE_API_BASE": http.url,
            "STRIPE_API_KEY": STRIPE_KEY,
            "INTERCOM_URL": f"{http.url}/intercom",
            "INTERCOM_TOKEN": "sandbox-intercom-token",
            "SALESFORCE_LOGIN_URL": tls.login_url,
            "SALESFORCE_CLIENT_ID": DEFAULT_CLIENT_ID,
            "SALESFORCE_CLIENT_SECRET": DEFAULT_CLIENT_SECRET,
            "SALESFORCE_REFRESH_TOKEN": DEFAULT_REFRESH_TOKEN,
            "REQUESTS_CA_BUNDLE": str(tls.certificate.bundle_path),
            "USAGE_WAREHOUSE_URL": warehouse,
            "CONNECTOR_BACKOFF_SECONDS": "0.05",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": settings.EMAIL_HOST,
            "EMAIL_PORT": str(settings.EMAIL_PORT),
            "EMAIL_URL": "",
            # Beat fires every source's sync every 12 s on top of the test's own.
            **{f"{source.upper()}_SYNC_MINUTES": "0.2" for source in SOURCES},
        }
        processes = {
            # w1 is started as most deployments start one: no -Q, so every queue.
            "w1": _celery("worker", "-n", "w1@%h", *WORKER_FLAGS, env=env),
            # w2 as a machine started for two kinds of work only.
            "w2": _celery("worker", "-n", "w2@%h", "-Q", "syncs,reports", *WORKER_FLAGS, env=env),
            "beat": _celery("beat", "--schedule", str(tmp_path / "beat-schedule"), env=env),
        }
        try:
            yield Services(
                store=store, mail=mail, processes=processes, month=last_month(now=check_starts_at)
            )
        finally:
            for process in processes.values():
                _stop(process)


WORKER_FLAGS = ("--pool=solo", "--without-heartbeat", "--without-mingle", "--without-gossip")


def _celery(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "-A", "supportops", *args, "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # warm shutdown: a task in hand is finished
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class Services:
    def __init__(self, *, store, mail, processes, month):
        self.store, self.mail, self.processes = store, mail, processes
        self.month = month.first_date  # the month the report checks find due
        self.app = Celery(broker=BROKER, backend=BROKER)
        # The project's own routing table: a sender is configured as the web machines are.
        self.app.conf.task_routes = settings.CELERY_TASK_ROUTES
        self.app.conf.task_queues = settings.CELERY_TASK_QUEUES

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            assert process.poll() is None, f"{name} exited with {process.returncode}"

    def wait(self, what: str, done, deadline: float) -> None:
        while not done():
            self.check_alive()
            assert time.monotonic() < deadline, f"not within {DEADLINE} s: {what}"
            time.sleep(0.25)

    def workers_ready(self) -> bool:
        replies = self.app.control.ping(timeout=0.5)
        return {name.split("@")[0] for reply in replies for name in reply} >= {"w1", "w2"}

    def results(self) -> list[dict]:
        """Every task any worker finished, as the result backend stored it."""
        keys = list(self.store.scan_iter(match="celery-task-meta-*"))
        return [json.loads(value) for value in self.store.mget(keys) if value] if keys else []

    def idle(self) -> bool:
        """Nothing queued, nothing taken and unacknowledged, no sync running."""
        queued = sum(self.store.llen(queue) for queue in QUEUES)
        return (
            queued == 0
            and self.store.hlen("unacked") == 0
            and not SyncRun.objects.filter(status=SyncRun.Status.RUNNING).exists()
        )


def _holders_overlap(runs: list[SyncRun]) -> list[tuple[SyncRun, SyncRun]]:
    """Pairs of lock-holding runs (not skipped) whose [started_at, finished_at) intersect."""
    held = sorted(
        (run for run in runs if run.status != SyncRun.Status.SKIPPED), key=lambda r: r.started_at
    )
    return [
        (a, b)
        for i, a in enumerate(held)
        for b in held[i + 1 :]
        if b.started_at < a.finished_at and a.started_at < b.finished_at
    ]


def _refused_during_a_run(runs: list[SyncRun]) -> list[SyncRun]:
    """Skipped runs that started while another run of the source was under way."""
    held = [run for run in runs if run.status != SyncRun.Status.SKIPPED]
    return [
        skipped
        for skipped in runs
        if skipped.status == SyncRun.Status.SKIPPED
        and any(h.started_at <= skipped.started_at <= h.finished_at for h in held)
    ]


def test_two_workers_one_beat_no_overlapping_syncs_spread_work_one_report_each(services):
    started = time.monotonic()
    deadline = started + DEADLINE
    services.wait("both workers answer a ping", services.workers_ready, deadline)

    # Each source's runs back to back in the queue, so both workers take one at the same time;
    # a report check after each source's, so reports run while syncs do.
    fired = []
    for source in SOURCES:
        for _ in range(TIMES):
            fired.append(
                services.app.send_task("connectors.sync_source", kwargs={"source": source})
            )
        fired.append(services.app.send_task("reports.send_due"))
    ids = {result.id for result in fired}

    def fired_done() -> bool:
        return ids <= {r["task_id"] for r in services.results() if r["status"] == "SUCCESS"}

    services.wait("every fired task succeeded", fired_done, deadline)
    month = services.month

    def reports_done() -> bool:
        return ReportDelivery.objects.filter(month=month, status="sent").count() == len(RECIPIENTS)

    services.wait("every report sent", reports_done, deadline)
    _stop(services.processes.pop("beat"))
    services.wait("the workers finished what beat and the syncs queued", services.idle, deadline)
    for name in ("w1", "w2"):
        _stop(services.processes.pop(name))
    elapsed = time.monotonic() - started

    results = services.results()
    failed = [r for r in results if r["status"] != "SUCCESS"]
    assert not failed, failed

    # No two runs of a source held its lock at the same time; every holder succeeded; the
    # lock had to refuse some, while a run of the same source was under way.
    runs = list(SyncRun.objects.order_by("started_at"))
    assert {run.source for run in runs} == set(SOURCES)
    for source in SOURCES:
        mine = [run for run in runs if run.source == source]
        assert not _holders_overlap(mine), f"{source}: two runs held the lock at once"
        statuses = {run.status for run in mine}
        assert statuses <= {SyncRun.Status.SUCCEEDED, SyncRun.Status.SKIPPED}, [
            (run.status, run.error) for run in mine
        ]
        assert SyncRun.Status.SUCCEEDED in statuses, source
    refused = [run for source in SOURCES for run in _refused_during_a_run(
        [r for r in runs if r.source == source]
    )]  # fmt: skip
    assert refused, "no sync ever met another of its source: the test proved nothing"
    assert all(run.error.startswith("another ") for run in refused)

    # Every task came off the queue of its kind, and both workers worked.
    by_worker: dict[str, set[str]] = {}
    for result in results:
        assert result["queue"] == QUEUE_OF[result["name"]], result
        by_worker.setdefault(result["worker"].split("@")[0], set()).add(result["queue"])
    assert by_worker.keys() == {"w1", "w2"}, by_worker
    assert {"syncs", "reports"} <= by_worker["w2"] and "recompute" not in by_worker["w2"]
    assert {"syncs", "reports", "recompute"} <= by_worker["w1"]

    # Exactly one report per recipient, though the checks queued more deliveries than that.
    deliveries = list(ReportDelivery.objects.filter(month=month))
    assert sorted(d.email for d in deliveries) == sorted(RECIPIENTS)
    assert {(d.status, d.attempts) for d in deliveries} == {(ReportDelivery.Status.SENT, 1)}
    for address in RECIPIENTS:
        assert len(services.mail.to(address)) == 1, address
    assert len(services.mail.messages) == len(RECIPIENTS)
    # (beat's own hourly check, should the test run across minute 5, counts with the fired ones)
    queued = sum(r["result"] for r in results if r["name"] == "reports.send_due")
    ran = sum(1 for r in results if r["name"] == "reports.deliver")
    assert queued >= len(RECIPIENTS) and ran == queued
    print(
        f"\ntwo workers: {len(runs)} sync runs ({len(refused)} refused by the lock), "
        f"{queued} deliveries queued for {len(RECIPIENTS)} recipients, "
        f"done in {elapsed:.1f} s; by worker: {by_worker}"
    )

"""Usage-warehouse fault matrix (docs/fault-matrix.md): every fault that can hit a SQL pull.

The warehouse is PostgreSQL, not HTTP (connectors/usage/warehouse.py): one statement through
a server-side cursor, spooled, validated, then written as one page. The HTTP cells (429,
Retry-After, truncated JSON) have no counterpart; the matrix says why. Each cell that applies
injects its fault against a real throw-away warehouse database, runs the sync as the scheduler
would (again if the first run failed), then compares with a clean sync, row for row.
"""

from __future__ import annotations

import threading
import time
import uuid

import psycopg2
import pytest
from django.db import OperationalError, connection

from connectors import registry
from connectors.sync import sync_source
from connectors.usage import warehouse as warehouse_module
from supportops.models import SourceLock, SyncRun, SyncState, UsageMonth
from tests.faults import processes
from tests.faults.snapshot import canonical_rows, rows_diff, synced_data_forget

SERVER = "postgres://postgres@127.0.0.1:54329"


def _postgres_available() -> bool:
    try:
        psycopg2.connect(f"{SERVER}/postgres", connect_timeout=2).close()
    except psycopg2.Error:
        return False
    return True


pytestmark = [
    pytest.mark.django_db,
    pytest.mark.services,
    pytest.mark.skipif(
        not _postgres_available(), reason="needs the PostgreSQL at 127.0.0.1:54329 (warehouse)"
    ),
]

TABLE = """
CREATE SCHEMA prod_api;
CREATE TABLE prod_api.api_call_made (
    id text PRIMARY KEY, user_id text, context_group_id text, account_id text, event text,
    "timestamp" timestamptz, received_at timestamptz
);
"""
# Three accounts over three months: 3 + 2 + 1 = 6 (account, month) rows.
EVENTS = [
    (account, f"2025-{month:02d}-{day:02d}T12:00:00Z")
    for account, months in (("acct_a", (9, 10, 11)), ("acct_b", (10, 11)), ("acct_c", (11,)))
    for month in months
    for day in (3, 17)
]


class Warehouse:
    def __init__(self, name: str):
        self.name = name
        self.url = f"{SERVER}/{name}"

    def execute(self, sql, params=None):
        with psycopg2.connect(self.url) as conn, conn.cursor() as cursor:
            cursor.execute(sql, params)
        conn.close()

    def insert(self, events):
        for account, at in events:
            self.execute(
                "INSERT INTO prod_api.api_call_made VALUES (%s, 'u', NULL, %s, 'api_call_made', "
                "%s, %s)",
                (uuid.uuid4().hex, account, at, at),
            )


def _admin():
    admin = psycopg2.connect(f"{SERVER}/postgres")
    admin.autocommit = True
    return admin


@pytest.fixture
def warehouse(settings, monkeypatch):
    name = f"supportops_d_wh_{uuid.uuid4().hex[:8]}"
    admin = _admin()
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    wh = Warehouse(name)
    try:
        wh.execute(TABLE)
        wh.insert(EVENTS)
        monkeypatch.setitem(registry.CONNECTORS, "usage", "connectors.usage.connector")
        settings.USAGE_WAREHOUSE_URL = wh.url
        settings.USAGE_WAREHOUSE_QUERY = ""
        yield wh
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def clean_rows() -> dict:
    synced_data_forget()
    clean = sync_source(source="usage")
    assert clean.status == SyncRun.Status.SUCCEEDED, clean.error
    return canonical_rows()


def assert_equals_clean_sync() -> dict:
    recovered = canonical_rows()
    expected = clean_rows()
    assert recovered == expected, rows_diff(recovered, expected)
    assert expected["UsageMonth"] and expected["CustomerIdentity"] and expected["SyncState"]
    return expected


def rerun_after(failed: SyncRun, message: str) -> SyncRun:
    """The scheduler's next tick, once the fault is gone: it must complete."""
    assert failed.status == SyncRun.Status.FAILED, failed.error
    assert message in failed.error, failed.error
    assert SourceLock.objects.get(source="usage").run is None  # released
    assert not UsageMonth.objects.exists()  # the one page never committed
    again = sync_source(source="usage")
    assert again.status == SyncRun.Status.SUCCEEDED, again.error
    return again


def _backend_waiting(warehouse: Warehouse, timeout: float = 20) -> int:
    """The pid of the sync's warehouse session once its query waits on our lock."""
    deadline = time.monotonic() + timeout
    admin = _admin()
    try:
        while time.monotonic() < deadline:
            with admin.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = "
                    "'Lock' AND query LIKE '%%api_call_made%%'",
                    (warehouse.name,),
                )
                row = cursor.fetchone()
            if row:
                return row[0]
            time.sleep(0.05)
    finally:
        admin.close()
    raise AssertionError("the sync's query never started waiting")


def _table_locked(warehouse: Warehouse):
    """An open transaction holding the events table: the pull's query waits behind it."""
    conn = psycopg2.connect(warehouse.url)
    with conn.cursor() as cursor:
        cursor.execute("LOCK TABLE prod_api.api_call_made IN ACCESS EXCLUSIVE MODE")
    return conn


def test_warehouse_unreachable_fails_the_run_then_the_next_run_completes(warehouse, settings):
    """The 5xx of a database: nothing listening (down, restarting, network gone)."""
    settings.USAGE_WAREHOUSE_URL = "postgres://postgres@127.0.0.1:1/nowhere"
    failed = sync_source(source="usage")
    settings.USAGE_WAREHOUSE_URL = warehouse.url

    rerun_after(failed, "cannot connect to the usage warehouse: ")
    assert_equals_clean_sync()


def test_a_hung_warehouse_query_times_out_instead_of_holding_the_worker(warehouse, settings):
    """A query stuck behind a lock (or just slow) must end by USAGE_WAREHOUSE_TIMEOUT_SECONDS:
    a worker blocked for ever sends no heartbeat, so after SYNC_LOCK_STALE_SECONDS a second
    run would take the lock over while the first still runs."""
    settings.USAGE_WAREHOUSE_TIMEOUT_SECONDS = 1
    holder = _table_locked(warehouse)
    watchdog = threading.Timer(20, holder.rollback)  # without a timeout we would hang for ever
    watchdog.start()
    started = time.monotonic()
    try:
        failed = sync_source(source="usage")
    finally:
        watchdog.cancel()
        holder.rollback()
        holder.close()

    assert time.monotonic() - started < 10, "the sync hung on the warehouse query"
    rerun_after(failed, "the usage warehouse query failed: canceling statement due to")
    assert_equals_clean_sync()


def test_warehouse_connection_reset_mid_query_fails_the_run_then_resumes(warehouse):
    holder = _table_locked(warehouse)

    def cut_the_sync_off() -> None:
        pid = _backend_waiting(warehouse)
        admin = _admin()
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
        admin.close()
        holder.rollback()

    cutter = threading.Thread(target=cut_the_sync_off)
    cutter.start()
    try:
        failed = sync_source(source="usage")  # our database stays on this thread
    finally:
        cutter.join(timeout=30)
        holder.close()

    rerun_after(failed, "the usage warehouse query failed: ")
    assert "connection" in failed.error  # terminated / closed unexpectedly, as libpq says
    assert_equals_clean_sync()


def test_rows_read_again_change_nothing(warehouse):
    """ "A page served twice": every run re-reads the month before the latest one (late events
    of last month still count), so rows arrive again and again; the upsert writes none twice."""
    first = sync_source(source="usage")
    again = sync_source(source="usage")

    assert (first.records_written, again.records_read, again.records_written) == (6, 5, 0)
    assert SyncState.objects.get(source="usage").cursor == {"since": "2025-10-01"}
    assert_equals_clean_sync()


def test_rows_changed_during_the_pull_arrive_with_the_next_run(warehouse, monkeypatch):
    """A record changed "between pages": events land while the pull streams its result. The
    pull reads one snapshot (one statement), so this run is consistent without them, and the
    next run, which re-reads the previous month, counts them."""
    original = warehouse_module._cell
    landed = []

    def cell(value):
        if not landed:
            landed.append(True)
            warehouse.insert(
                [("acct_b", "2025-10-20T12:00:00Z"), ("acct_d", "2025-11-20T12:00:00Z")]
            )
        return original(value)

    monkeypatch.setattr(warehouse_module, "_cell", cell)
    during = sync_source(source="usage")
    monkeypatch.setattr(warehouse_module, "_cell", original)

    assert landed and during.status == SyncRun.Status.SUCCEEDED, during.error
    assert set(UsageMonth.objects.values_list("account_id", flat=True)) == {
        "acct_a",
        "acct_b",
        "acct_c",
    }
    after = sync_source(source="usage")
    assert after.records_written == 2  # acct_b October updated, acct_d November created
    october = UsageMonth.objects.get(account_id="acct_b", month="2025-10-01")
    assert october.api_calls == 3
    assert_equals_clean_sync()


def test_database_unreachable_mid_sync_fails_the_run_then_resumes(warehouse):
    """Our own database refuses the page's checkpoint, as when it goes away mid-commit."""

    def refuse_checkpoint(execute, sql, params, many, context):
        if sql.startswith('UPDATE "supportops_syncstate"'):
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse_checkpoint), pytest.raises(OperationalError):
        sync_source(source="usage")

    failed = SyncRun.objects.get(source="usage")
    rerun_after(failed, "database error: OperationalError: server closed the connection")
    assert_equals_clean_sync()


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return processes.migrated_template(tmp_path_factory.getbasetemp())


def test_worker_killed_mid_page_then_rerun_equals_a_clean_sync(warehouse, template, tmp_path):
    env = processes.child_env(
        processes.fresh_database(template, tmp_path, "killed"), USAGE_WAREHOUSE_URL=warehouse.url
    )

    processes.kill_mid_page(
        env, "usage", pause="connectors.usage.connector:_write", after=1, marker=tmp_path / "p"
    )

    time.sleep(1.1)  # the dead run's lock goes stale (test_faults_zendesk shows it blocks first)
    resumed = processes.sync({**env, "SYNC_LOCK_STALE_SECONDS": "1"}, "usage", dump=True)
    assert resumed["status"] == "succeeded", resumed

    expected = processes.json_rows(clean_rows())  # this test's own, empty database
    assert resumed["rows"] == expected, rows_diff(resumed["rows"], expected)
    assert len(expected["UsageMonth"]) == 6


def test_the_clean_sync_is_what_the_warehouse_holds(warehouse):
    """The reference the other cells compare with is itself right (worked by hand)."""
    rows = clean_rows()
    months = sorted(UsageMonth.objects.values_list("account_id", "month", "api_calls", "source"))
    assert [(a, m.isoformat(), n, s) for a, m, n, s in months] == [
        ("acct_a", "2025-09-01", 2, "warehouse"),
        ("acct_a", "2025-10-01", 2, "warehouse"),
        ("acct_a", "2025-11-01", 2, "warehouse"),
        ("acct_b", "2025-10-01", 2, "warehouse"),
        ("acct_b", "2025-11-01", 2, "warehouse"),
        ("acct_c", "2025-11-01", 2, "warehouse"),
    ]
    assert len(rows["CustomerIdentity"]) == 3  # one usage account identity each

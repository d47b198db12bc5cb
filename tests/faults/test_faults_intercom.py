"""Intercom fault matrix (docs/fault-matrix.md): every fault, then the database a clean sync writes.

Each cell injects one fault into the sandbox, runs the sync as the scheduler would (once, and
again if the first run failed), then forgets everything and runs a clean sync of the same
workspace: the two databases must be equal row for row (tests/faults/snapshot.py). The sandbox
clock is manual and shared with the connector, so both syncs read the same search windows.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError, connection

from connectors import registry
from connectors.intercom import connector as intercom_connector
from connectors.sandbox import ManualClock, SandboxServer, build_company
from connectors.sandbox.intercom import DEFAULT_TOKEN
from connectors.sync import sync_source
from supportops.models import SourceLock, SyncRun, SyncState, Ticket
from tests.faults import processes
from tests.faults.snapshot import canonical_rows, rows_diff, synced_data_forget

pytestmark = pytest.mark.django_db

END_AT = datetime(2025, 11, 28, 12, tzinfo=UTC)
NOW = END_AT + timedelta(hours=1)
PAGE = 5


@pytest.fixture
def clock():
    return ManualClock(NOW)


@pytest.fixture
def intercom(settings, monkeypatch, clock):
    company = build_company(seed=1, customers=12, months=3, end_at=END_AT)
    with SandboxServer(company, clock=clock) as server:
        monkeypatch.setitem(registry.CONNECTORS, "intercom", "connectors.intercom.connector")
        monkeypatch.setattr(intercom_connector, "CLOCK", clock)
        monkeypatch.setattr(intercom_connector, "SLEEP", clock.advance)
        settings.INTERCOM_URL = server.url + "/intercom"
        settings.INTERCOM_TOKEN = DEFAULT_TOKEN
        settings.INTERCOM_START_DATE = ""
        settings.INTERCOM_PAGE_SIZE = PAGE
        settings.CONNECTOR_BACKOFF_SECONDS = 0.01
        settings.CONNECTOR_MAX_RETRIES = 3
        settings.CONNECTOR_TIMEOUT_SECONDS = 5
        yield server


def scheduled_runs(server: SandboxServer) -> list[SyncRun]:
    """Run the sync; if it failed, the fault is gone by the next schedule tick: run it again."""
    runs = [sync_source(source="intercom")]
    if runs[0].status != SyncRun.Status.SUCCEEDED:
        assert not SourceLock.objects.exclude(run=None).exists(), "a failed run kept the lock"
        server.faults.clear()
        runs.append(sync_source(source="intercom"))
    assert runs[-1].status == SyncRun.Status.SUCCEEDED, runs[-1].error
    return runs


def clean_rows(server: SandboxServer) -> dict:
    server.faults.clear()
    synced_data_forget()
    clean = sync_source(source="intercom")
    assert clean.status == SyncRun.Status.SUCCEEDED, clean.error
    rows = canonical_rows()
    assert rows["Ticket"] and rows["Interaction"] and rows["Customer"] and rows["Contact"]
    return rows


def assert_equals_clean_sync(server: SandboxServer) -> None:
    recovered = canonical_rows()
    expected = clean_rows(server)
    assert recovered == expected, rows_diff(recovered, expected)


# (cell, how to inject it, substring of the first run's error, or None: the first run succeeds)
CELLS = {
    "429_retry_after": (
        lambda s: s.faults.add("conversations", status=429, retry_after=1),
        None,
    ),
    "429_no_retry_after": (
        lambda s: (
            s.faults.add("conversation", status=429, retry_after=None, times=2),
            s.faults.add("contacts", status=429, retry_after=None),
        ),
        None,
    ),
    "5xx": (
        lambda s: (
            s.faults.add("conversations", status=500, times=2),
            s.faults.add("conversation", status=503, retry_after=None),
            s.faults.add("companies", status=502),
        ),
        None,
    ),
    "5xx_persistent": (
        lambda s: s.faults.add("conversations", kind="fail_after_pages", pages=2),
        "intercom answered HTTP 500 for ",
    ),
    "timeout": (lambda s: s.faults.add("conversation", kind="delay", seconds=1.5), None),
    "connection_reset": (
        lambda s: (
            s.faults.add("conversations", kind="reset"),
            s.faults.add("conversation", kind="reset", times=2),
        ),
        None,
    ),
    "connection_reset_persistent": (
        lambda s: s.faults.add("contacts", kind="reset", times=10),
        "intercom broke off the response for ",
    ),
    "truncated_json": (lambda s: s.faults.add("conversations", kind="truncate"), None),
    "truncated_json_persistent": (
        lambda s: s.faults.add("conversation", kind="truncate", times=10),
        "intercom returned a body that is not valid JSON for ",
    ),
    "page_repeated": (
        lambda s: s.faults.add("conversations", kind="repeat", pages=1),
        "returned the same cursor twice",
    ),
}


@pytest.mark.parametrize("cell", list(CELLS))
def test_fault_then_recovery_equals_a_clean_sync(intercom, settings, cell):
    inject, failure = CELLS[cell]
    if cell == "timeout":
        settings.CONNECTOR_TIMEOUT_SECONDS = 0.5
    inject(intercom)
    started = time.monotonic()

    runs = scheduled_runs(intercom)

    assert not intercom.faults.pending or failure, "the fault was never hit"
    if failure is None:
        assert len(runs) == 1, runs[0].error
    else:
        assert runs[0].status == SyncRun.Status.FAILED and failure in runs[0].error, runs[0].error
    if cell == "429_retry_after":
        assert time.monotonic() - started >= 1.0  # waited what Retry-After asked
    assert_equals_clean_sync(intercom)


def test_record_changed_between_pages_is_read_again_with_its_new_fields(intercom):
    ws = intercom.intercom.workspace
    first = min(ws.conversations.values(), key=lambda c: (c.updated_at, c.id))
    at = END_AT + timedelta(minutes=30)

    def change() -> None:  # after page 1 of the window was served, before page 2 is
        intercom.intercom.add_part(first.id, at=at, part_type="comment", author_type="admin")
        intercom.intercom.add_part(first.id, at=at, part_type="close", author_type="admin")

    intercom.faults.add("conversations", kind="call", pages=1, action=change)

    (run,) = scheduled_runs(intercom)

    assert run.counts["conversations"] > len(ws.conversations)  # `first` was read twice
    row = Ticket.objects.get(source="intercom", external_id=str(first.id))
    assert row.status == "closed" and row.updated_at == at
    assert_equals_clean_sync(intercom)


def test_database_unreachable_mid_sync_fails_the_run_then_resumes(intercom):
    """The database refuses the fourth page's checkpoint (as when it goes away mid-commit)."""
    checkpoints = []

    def refuse_fourth_checkpoint(execute, sql, params, many, context):
        if sql.startswith('UPDATE "supportops_syncstate"'):
            checkpoints.append(sql)
            if len(checkpoints) == 4:
                raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse_fourth_checkpoint), pytest.raises(OperationalError):
        sync_source(source="intercom")

    failed = SyncRun.objects.get(source="intercom")
    assert failed.status == SyncRun.Status.FAILED
    assert failed.error == (
        "database error: OperationalError: server closed the connection unexpectedly"
    )
    assert SourceLock.objects.get(source="intercom").run is None  # released
    assert SyncState.objects.filter(source="intercom").exclude(cursor={}).exists()
    resumed = sync_source(source="intercom")
    assert resumed.status == SyncRun.Status.SUCCEEDED, resumed.error
    assert_equals_clean_sync(intercom)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return processes.migrated_template(tmp_path_factory.getbasetemp())


def test_worker_killed_mid_page_then_rerun_equals_a_clean_sync(intercom, template, tmp_path):
    env = processes.child_env(
        processes.fresh_database(template, tmp_path, "killed"),
        INTERCOM_URL=intercom.url + "/intercom",
        INTERCOM_TOKEN=DEFAULT_TOKEN,
        INTERCOM_PAGE_SIZE=PAGE,
        CONNECTOR_BACKOFF_SECONDS=0.01,
        FAULTS_CLOCK=NOW.timestamp(),  # the sandbox's clock: the same windows as in-process
    )

    processes.kill_mid_page(
        env, "intercom", pause="connectors.intercom.connector:_write_conversations", after=2,
        marker=tmp_path / "paused",
    )  # fmt: skip

    time.sleep(1.1)  # the dead run's lock goes stale (test_faults_zendesk shows it blocks first)
    intercom.intercom.searches.clear()
    resumed = processes.sync({**env, "SYNC_LOCK_STALE_SECONDS": "1"}, "intercom", dump=True)
    assert resumed["status"] == "succeeded", resumed
    first = next(body for name, body in intercom.intercom.searches if name == "conversations")
    assert first["pagination"].get("starting_after")  # resumed mid-window from page 1's cursor

    expected = processes.json_rows(clean_rows(intercom))  # this test's own, empty database
    assert resumed["rows"] == expected, rows_diff(resumed["rows"], expected)

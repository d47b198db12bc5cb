"""Zendesk fault matrix (docs/fault-matrix.md): every fault, then the database a clean sync writes.

Each cell injects one fault into the sandbox, runs the sync as the scheduler would (once, and
again if the first run failed), then forgets everything and runs a clean sync of the same
sandbox company: the two databases must be equal row for row (tests/faults/snapshot.py).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg2
import pytest
from django.db import OperationalError, connection

from connectors.sandbox import SandboxServer, build_company
from connectors.sync import sync_source
from supportops.models import SourceLock, SyncRun, SyncState, Ticket
from tests.faults import processes
from tests.faults.snapshot import canonical_rows, rows_diff, synced_data_forget
from tests.zendesk_settings import zendesk_sandbox_settings

pytestmark = pytest.mark.django_db

END_AT = datetime(2025, 11, 28, 12, tzinfo=UTC)
PAGE = 10
TICKETS = "/incremental/tickets/cursor.json"
PG_ADMIN = "postgres://postgres@127.0.0.1:54329/postgres"


@pytest.fixture
def company():
    return build_company(seed=7, customers=8, months=2, end_at=END_AT)


@pytest.fixture
def zendesk(settings, company):
    with SandboxServer(company) as server:
        zendesk_sandbox_settings(settings, server.url, page_size=PAGE)
        settings.CONNECTOR_TIMEOUT_SECONDS = 5
        yield server


def scheduled_runs(server: SandboxServer) -> list[SyncRun]:
    """Run the sync; if it failed, the fault is gone by the next schedule tick: run it again."""
    runs = [sync_source(source="zendesk")]
    if runs[0].status != SyncRun.Status.SUCCEEDED:
        assert not SourceLock.objects.exclude(run=None).exists(), "a failed run kept the lock"
        server.faults.clear()
        runs.append(sync_source(source="zendesk"))
    assert runs[-1].status == SyncRun.Status.SUCCEEDED, runs[-1].error
    return runs


def assert_equals_clean_sync(server: SandboxServer) -> dict:
    recovered = canonical_rows()
    server.faults.clear()
    synced_data_forget()
    clean = sync_source(source="zendesk")
    assert clean.status == SyncRun.Status.SUCCEEDED, clean.error
    expected = canonical_rows()
    assert recovered == expected, rows_diff(recovered, expected)
    assert expected["Ticket"] and expected["Interaction"] and expected["Customer"]
    return expected


def _first_ticket_of_the_export(company):
    return min(company.tickets.values(), key=lambda t: (t.generated_at, t.id))


# (cell, how to inject it, substring of the first run's error, or None: the first run succeeds)
CELLS = {
    "429_retry_after": (lambda s, c: s.faults.add("tickets", status=429, retry_after=1), None),
    "429_no_retry_after": (
        lambda s, c: s.faults.add("tickets", status=429, retry_after=None, times=2),
        None,
    ),
    "5xx": (
        lambda s, c: (
            s.faults.add("tickets", status=500, times=2),
            s.faults.add("ticket_events", status=503, retry_after=None),
            s.faults.add("users", status=502),
        ),
        None,
    ),
    "5xx_persistent": (
        lambda s, c: s.faults.add("tickets", kind="fail_after_pages", pages=2),
        "zendesk answered HTTP 500 for ",
    ),
    "timeout": (lambda s, c: s.faults.add("tickets", kind="delay", seconds=1.5), None),
    "connection_reset": (lambda s, c: s.faults.add("tickets", kind="reset", times=2), None),
    "connection_reset_persistent": (
        lambda s, c: s.faults.add("ticket_events", kind="reset", times=10),
        "zendesk broke off the response for ",
    ),
    "truncated_json": (lambda s, c: s.faults.add("tickets", kind="truncate"), None),
    "truncated_json_persistent": (
        lambda s, c: s.faults.add("users", kind="truncate", times=10),
        "zendesk returned a body that is not valid JSON for ",
    ),
    "page_repeated_cursor_export": (
        lambda s, c: s.faults.add("tickets", kind="repeat", pages=1),
        None,
    ),
    "page_repeated_time_export": (
        lambda s, c: s.faults.add("ticket_events", kind="repeat", pages=1),
        "made no progress past start_time=",
    ),
}


@pytest.mark.parametrize("cell", list(CELLS))
def test_fault_then_recovery_equals_a_clean_sync(zendesk, settings, company, cell):
    inject, failure = CELLS[cell]
    if cell == "timeout":
        settings.CONNECTOR_TIMEOUT_SECONDS = 0.5
    inject(zendesk, company)
    started = time.monotonic()

    runs = scheduled_runs(zendesk)

    assert not zendesk.faults.pending or failure, "the fault was never hit"
    if failure is None:
        assert len(runs) == 1, runs[0].error
    else:
        assert runs[0].status == SyncRun.Status.FAILED and failure in runs[0].error, runs[0].error
    if cell == "429_retry_after":
        assert time.monotonic() - started >= 1.0  # waited what Retry-After asked
    if cell.startswith("page_repeated"):
        stream = "tickets" if "cursor" in cell else "comments"
        assert runs[0].counts[stream] > 0
    assert_equals_clean_sync(zendesk)


def test_record_changed_between_pages_is_read_again_with_its_new_fields(zendesk, company):
    ticket = _first_ticket_of_the_export(company)
    agent = company.agents[0].user_id

    def change() -> None:  # runs after page 1 of tickets was served, before page 2 is
        ticket.subject, ticket.status = "Changed between pages", "solved"
        ticket.solved_at = END_AT + timedelta(minutes=30)
        company.add_comment(
            ticket.id,
            author_id=agent,
            body="Fixed.",
            public=True,
            at=END_AT + timedelta(minutes=30),
        )

    zendesk.faults.add("tickets", kind="call", pages=1, action=change)

    (run,) = scheduled_runs(zendesk)

    assert run.counts["tickets"] == len(company.tickets) + 1  # read twice: page 1 and the last
    row = Ticket.objects.get(source="zendesk", external_id=str(ticket.id))
    assert (row.subject, row.status) == ("Changed between pages", "solved")
    assert row.interactions.filter(body="Fixed.").exists()
    assert_equals_clean_sync(zendesk)


def test_database_unreachable_mid_sync_fails_the_run_then_resumes(zendesk, company):
    """The database refuses the third page's checkpoint (as when it goes away mid-commit)."""
    checkpoints = []

    def refuse_third_checkpoint(execute, sql, params, many, context):
        if sql.startswith('UPDATE "supportops_syncstate"'):
            checkpoints.append(sql)
            if len(checkpoints) == 3:
                raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse_third_checkpoint), pytest.raises(OperationalError):
        sync_source(source="zendesk")  # re-raised (a Celery task fails) once the run is recorded

    failed = SyncRun.objects.get(source="zendesk")
    assert failed.status == SyncRun.Status.FAILED
    assert failed.error == (
        "database error: OperationalError: server closed the connection unexpectedly"
    )
    assert SourceLock.objects.get(source="zendesk").run is None  # released
    assert SyncState.objects.get(source="zendesk", stream="users").cursor  # page 2 committed
    resumed = sync_source(source="zendesk")
    assert resumed.status == SyncRun.Status.SUCCEEDED, resumed.error
    # organizations were done: resumed from their end_time (its boundary second is re-read)
    assert resumed.counts["organizations"] < len(company.customers)
    assert_equals_clean_sync(zendesk)


# -- real processes: SIGKILL mid-page, and PostgreSQL terminating the sync's connection --------


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return processes.migrated_template(tmp_path_factory.getbasetemp())


def _env(database, server, **extra):
    return processes.child_env(
        database,
        ZENDESK_URL=server.url,
        ZENDESK_EMAIL="demo@supportops.local",
        ZENDESK_API_TOKEN="sandbox-token",
        ZENDESK_PAGE_SIZE=PAGE,
        CONNECTOR_BACKOFF_SECONDS=0.01,
        **extra,
    )


def test_worker_killed_mid_page_then_rerun_equals_a_clean_sync(zendesk, template, tmp_path):
    env = _env(processes.fresh_database(template, tmp_path, "killed"), zendesk)

    processes.kill_mid_page(
        env, "zendesk", pause="connectors.zendesk.connector:_write_tickets", after=2,
        marker=tmp_path / "paused",
    )  # fmt: skip

    blocked = processes.sync(env, "zendesk")  # the dead run still holds the lock
    assert blocked == {"status": "skipped", "error": "another zendesk sync is still running"}
    time.sleep(1.1)
    zendesk.requests.clear()
    resumed = processes.sync({**env, "SYNC_LOCK_STALE_SECONDS": "1"}, "zendesk", dump=True)
    assert resumed["status"] == "succeeded", resumed
    first = zendesk.requests.matching(TICKETS)[0]
    assert "cursor" in first.query and "start_time" not in first.query  # from page 1's cursor

    clean = sync_source(source="zendesk")  # into this test's own, empty database
    assert clean.status == SyncRun.Status.SUCCEEDED, clean.error
    expected = processes.json_rows(canonical_rows())
    assert resumed["rows"] == expected, rows_diff(resumed["rows"], expected)
    assert len(expected["Ticket"]) == len(zendesk.company.tickets)


def _postgres_available() -> bool:
    try:
        psycopg2.connect(PG_ADMIN, connect_timeout=2).close()
    except psycopg2.Error:
        return False
    return True


@pytest.mark.services
@pytest.mark.skipif(not _postgres_available(), reason="needs the PostgreSQL at 127.0.0.1:54329")
def test_postgres_connection_killed_mid_page_fails_cleanly_then_resumes(zendesk, tmp_path):
    name = "supportops_d_faults"
    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://postgres@127.0.0.1:54329/{name}"
    try:
        env = {**_env(Path("unused"), zendesk), "DATABASE_URL": url}
        assert processes.run(env, "migrate", timeout=240).returncode == 0
        marker, resume = tmp_path / "paused", tmp_path / "resume"
        process = processes.start_paused(
            env, "zendesk", pause="connectors.zendesk.connector:_write_tickets", after=2,
            marker=marker, hold_until=resume,
        )  # fmt: skip
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            assert cursor.rowcount >= 1
        resume.touch()
        out, err = process.communicate(timeout=60)
        result = processes.last_json(out, err)
        assert result["status"] == "failed", result
        assert result["error"].startswith("database error: "), result
        assert "connection" in result["error"], result  # closed / terminated, as the driver says
        rerun = processes.sync(env, "zendesk", dump=True)
        assert rerun["status"] == "succeeded", rerun  # the lock was released
        recovered = rerun["rows"]
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    clean = sync_source(source="zendesk")
    assert clean.status == SyncRun.Status.SUCCEEDED, clean.error
    expected = processes.json_rows(canonical_rows())
    assert recovered == expected, rows_diff(recovered, expected)

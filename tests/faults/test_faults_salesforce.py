"""The Salesforce column of the fault matrix (docs/fault-matrix.md): each fault injected into a
sync of a small company's org behind the HTTPS sandbox, then the database compared row for row
with a clean sync of the same org at the same clock (tests/faults/billing_bench.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError, connection

from connectors import registry
from connectors.sandbox import ManualClock, build_company
from connectors.sandbox.salesforce import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REFRESH_TOKEN,
)
from connectors.sandbox.salesforce_tls import SalesforceSandbox
from connectors.sync import sync_source
from supportops.models import (
    CrmActivity,
    Customer,
    CustomerIdentity,
    Opportunity,
    SourceLock,
    SyncRun,
    SyncState,
)
from tests.faults.billing_bench import (
    DatabaseOutage,
    Waits,
    assert_same_rows,
    backend_pid,
    forget,
    kill,
    nth,
    on_request,
    rows,
    terminate_backend,
    worker_env,
    worker_start,
    worker_wait,
)

END_AT = datetime(2025, 11, 28, 12, tzinfo=UTC)
START = END_AT + timedelta(hours=1)
TABLES = (Customer, CustomerIdentity, Opportunity, CrmActivity, SyncState)
BATCH = 3  # queryMore batches: Account 10 rows, Opportunity 7, Task 17, Event 3
MORE = "/query/01g"  # a queryMore request (path of a nextRecordsUrl)


def _ok(run: SyncRun) -> SyncRun:
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    return run


def _more(sandbox) -> list:
    return sandbox.requests.matching(MORE)


class Bench:
    """HTTPS sandboxes of one company, one at a time, with the connector pointed at the current
    one (and its throw-away CA trusted)."""

    def __init__(self, settings, monkeypatch, tmp_path) -> None:
        self.settings, self.monkeypatch, self.tmp_path = settings, monkeypatch, tmp_path
        self.sandboxes = 0
        settings.SALESFORCE_CLIENT_ID = DEFAULT_CLIENT_ID
        settings.SALESFORCE_CLIENT_SECRET = DEFAULT_CLIENT_SECRET
        settings.SALESFORCE_REFRESH_TOKEN = DEFAULT_REFRESH_TOKEN
        settings.SALESFORCE_API_VERSION = "60.0"
        settings.SALESFORCE_START_DATE = ""
        settings.SALESFORCE_BATCH_SIZE = BATCH
        settings.CONNECTOR_BACKOFF_SECONDS = 0.01
        settings.CONNECTOR_MAX_RETRIES = 3
        monkeypatch.setitem(registry.CONNECTORS, "salesforce", "connectors.salesforce.connector")

    @contextmanager
    def sandbox(self) -> Iterator[SalesforceSandbox]:
        company = build_company(seed=5, customers=10, months=4, end_at=END_AT)
        self.sandboxes += 1
        cert_dir = self.tmp_path / f"tls{self.sandboxes}"
        with SalesforceSandbox(company, cert_dir=cert_dir, clock=ManualClock(START)) as sandbox:
            self.settings.SALESFORCE_LOGIN_URL = sandbox.login_url
            self.monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sandbox.certificate.ca_path))
            self.monkeypatch.setattr("connectors.salesforce.connector.clock", sandbox.server.clock)
            yield sandbox

    def sync(self) -> SyncRun:
        return sync_source(source="salesforce")

    def clean(self, schedule: Callable[[SalesforceSandbox], None] | None = None) -> dict:
        """What `schedule` (default: one sync) leaves, from nothing, against a fresh sandbox;
        the one-sync result is the same for every test, so it is made once per session."""
        if schedule is None and "one sync" in CLEAN:
            return CLEAN["one sync"]
        forget()
        with self.sandbox() as sandbox:
            if schedule is None:
                _ok(self.sync())
            else:
                schedule(sandbox)
        made = rows(TABLES)
        if schedule is None:
            CLEAN["one sync"] = made
        return made


CLEAN: dict[str, dict] = {}


@pytest.fixture
def bench(settings, monkeypatch, tmp_path, db) -> Bench:
    return Bench(settings, monkeypatch, tmp_path)


def _faulted(bench: Bench, inject: Callable[[SalesforceSandbox], None]) -> tuple[SyncRun, dict]:
    """One sync with the fault injected, then (if it failed) the scheduler's next run."""
    with bench.sandbox() as sandbox:
        inject(sandbox)
        first = bench.sync()
        sandbox.faults.clear()
        if first.status != SyncRun.Status.SUCCEEDED:
            _ok(bench.sync())
        return first, rows(TABLES)


def _on_second_batch(sandbox, action) -> None:
    """`action` just before the second queryMore of the run is served."""
    on_request(sandbox.faults, "query", nth(sandbox.requests, MORE, 2), action)


def test_429_with_retry_after_from_a_proxy_is_waited_out(bench, monkeypatch):
    waits = Waits(monkeypatch)
    run, faulted = _faulted(
        bench, lambda s: s.faults.add("query", status=429, times=2, retry_after=2)
    )
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert waits.retry_after == [2.0, 2.0]
    assert_same_rows(faulted, bench.clean())


def test_429_without_retry_after_backs_off(bench, monkeypatch):
    waits = Waits(monkeypatch)
    run, faulted = _faulted(
        bench, lambda s: s.faults.add("query", status=429, times=2, retry_after=None)
    )
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert not waits.retry_after and len(waits.backoff) == 2
    assert_same_rows(faulted, bench.clean())


def test_daily_api_limit_fails_at_once_and_the_next_run_resumes(bench):
    """Salesforce's own rate limit: 403 REQUEST_LIMIT_EXCEEDED, no Retry-After (a rolling 24 h
    quota), so no retry: the run fails with the reason and the next one resumes."""

    def inject(sandbox):
        sandbox.salesforce.api_limit = 6

    with bench.sandbox() as sandbox:
        inject(sandbox)
        run = bench.sync()
        assert run.status == SyncRun.Status.FAILED
        assert run.error.startswith("Salesforce API daily limit reached (REQUEST_LIMIT_EXCEEDED")
        assert 0 < run.pages
        sandbox.salesforce.api_limit = 15_000  # the window rolled on
        resumed = _ok(bench.sync())
        assert resumed.counts.get("accounts", 0) < len(sandbox.org.records["Account"])
        faulted = rows(TABLES)
    assert_same_rows(faulted, bench.clean())


def test_5xx_is_retried_on_queries_and_the_token_grant(bench):
    def inject(sandbox):
        sandbox.faults.add("token", status=503, times=1, retry_after=None)
        sandbox.faults.add("query", status=500, times=2)
        sandbox.faults.add("describe", status=503, times=1, retry_after=None)

    run, faulted = _faulted(bench, inject)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert_same_rows(faulted, bench.clean())


def test_5xx_for_good_mid_chain_fails_then_resumes_from_the_checkpoint(bench):
    run, faulted = _faulted(bench, lambda s: s.faults.add("query", "fail_after_pages", pages=5))
    assert run.status == SyncRun.Status.FAILED
    assert run.error == "salesforce answered HTTP 500 for the query"
    assert 0 < run.pages
    assert_same_rows(faulted, bench.clean())


def test_timeout_is_retried(bench, settings):
    settings.CONNECTOR_TIMEOUT_SECONDS = 0.3
    run, faulted = _faulted(bench, lambda s: s.faults.add("query", "delay", seconds=0.8))
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert_same_rows(faulted, bench.clean())


def test_timeouts_that_do_not_stop_fail_clearly_then_the_next_run_completes(bench, settings):
    settings.CONNECTOR_TIMEOUT_SECONDS = 0.2

    def inject(sandbox):
        _on_second_batch(
            sandbox, lambda: sandbox.faults.add("query", "delay", seconds=0.4, times=4)
        )

    run, faulted = _faulted(bench, inject)
    assert run.status == SyncRun.Status.FAILED
    assert run.error == "salesforce query did not answer within 0.2s after 3 retries"
    assert_same_rows(faulted, bench.clean())


def test_connection_reset_mid_body_is_retried(bench):
    def inject(sandbox):
        _on_second_batch(sandbox, lambda: sandbox.faults.add("query", "reset", times=2))

    with bench.sandbox() as sandbox:
        inject(sandbox)
        _ok(bench.sync())
        asked = [r.path for r in _more(sandbox)]
        assert any(asked.count(path) == 3 for path in asked), asked  # 2 resets, then served
        faulted = rows(TABLES)
    assert_same_rows(faulted, bench.clean())


def test_connection_reset_for_good_fails_clearly_then_the_next_run_completes(bench):
    def inject(sandbox):
        _on_second_batch(sandbox, lambda: sandbox.faults.add("query", "reset", times=10))

    run, faulted = _faulted(bench, inject)
    assert run.status == SyncRun.Status.FAILED
    assert run.error.startswith("salesforce broke off the query response"), run.error
    assert "after 4 tries" in run.error
    assert_same_rows(faulted, bench.clean())


def test_truncated_json_is_retried(bench):
    run, faulted = _faulted(bench, lambda s: s.faults.add(MORE, "truncate", times=2))
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert_same_rows(faulted, bench.clean())


def test_truncated_json_for_good_fails_then_the_next_run_completes(bench):
    run, faulted = _faulted(bench, lambda s: s.faults.add(MORE, "truncate", times=100))
    assert run.status == SyncRun.Status.FAILED
    assert "not valid JSON" in run.error and "after 4 tries" in run.error
    assert_same_rows(faulted, bench.clean())


def test_batch_served_twice_is_absorbed(bench):
    """The second queryMore answers with the first one's batch again (its nextRecordsUrl
    leads back to the batch we asked for): its records were read already, so they are
    upserted again, not mistaken for a chain out of SystemModstamp order."""
    with bench.sandbox() as sandbox:
        _on_second_batch(sandbox, lambda: sandbox.faults.add("query", "repeat", pages=0))
        _ok(bench.sync())
        asked = [r.path for r in _more(sandbox)]
        assert len(asked) != len(set(asked)), asked  # the repeated batch's successor asked twice
        faulted = rows(TABLES)
    assert_same_rows(faulted, bench.clean())


def _change(sandbox, read_id: str, unread_id: str) -> None:
    at = sandbox.server.clock.now_at()
    sandbox.org.update("Account", read_id, at=at, Name="Renamed between batches")
    sandbox.org.update("Account", unread_id, at=at, Industry="Aerospace")


def test_records_changed_between_batches_converge_on_the_next_run(bench):
    """Two accounts are modified between queryMore batches, one from a batch already read and
    one from a batch still to come. Their SystemModstamp moves past the window this run reads,
    so the next run's window reads both again, as a clean schedule does."""
    chosen: dict[str, str] = {}

    def between_batches(sandbox) -> None:
        ordered = sorted(
            sandbox.org.rows("Account"), key=lambda row: (row["SystemModstamp"], row["Id"])
        )
        chosen["read"], chosen["unread"] = ordered[0]["Id"], ordered[-1]["Id"]
        _change(sandbox, chosen["read"], chosen["unread"])

    with bench.sandbox() as sandbox:
        _on_second_batch(sandbox, lambda: between_batches(sandbox))
        _ok(bench.sync())
        sandbox.server.clock.advance(600)
        second = _ok(bench.sync())
        assert second.counts["accounts"] == 2
        faulted = rows(TABLES)

    def schedule(sandbox) -> None:
        _ok(bench.sync())
        _change(sandbox, chosen["read"], chosen["unread"])
        sandbox.server.clock.advance(600)
        _ok(bench.sync())

    assert_same_rows(faulted, bench.clean(schedule))


def test_database_unreachable_mid_sync_fails_the_run_and_the_next_run_completes(bench):
    outage = DatabaseOutage()
    with bench.sandbox() as sandbox:
        _on_second_batch(sandbox, lambda: outage.down(queries=1))
        with connection.execute_wrapper(outage), pytest.raises(OperationalError):
            bench.sync()
        run = SyncRun.objects.get(source="salesforce")
        assert outage.refused == 1
        assert run.status == SyncRun.Status.FAILED
        assert run.error.startswith("database error"), run.error
        assert SourceLock.objects.get(source="salesforce").run_id is None
        _ok(bench.sync())
        faulted = rows(TABLES)
    assert_same_rows(faulted, bench.clean())


@pytest.mark.django_db(transaction=True)  # a failed rollback must not poison a test transaction
def test_database_gone_for_the_rest_of_the_run_leaves_a_reclaimable_lock(bench, settings):
    outage = DatabaseOutage()
    with bench.sandbox() as sandbox:
        _on_second_batch(sandbox, lambda: outage.down())
        with connection.execute_wrapper(outage), pytest.raises(OperationalError):
            bench.sync()
        outage.up()
        dead = SyncRun.objects.get(source="salesforce")
        assert dead.status == SyncRun.Status.RUNNING
        assert bench.sync().status == SyncRun.Status.SKIPPED
        settings.SYNC_LOCK_STALE_SECONDS = 0
        _ok(bench.sync())
        dead.refresh_from_db()
        assert dead.status == SyncRun.Status.FAILED and "abandoned" in dead.error
        faulted = rows(TABLES)
    assert_same_rows(faulted, bench.clean())


needs_postgresql = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="another process cannot see an in-memory SQLite test database",
)


@pytest.mark.django_db(transaction=True)
@needs_postgresql
def test_database_connection_terminated_mid_sync(bench):
    pid = backend_pid()
    with bench.sandbox() as sandbox:
        _on_second_batch(sandbox, lambda: terminate_backend(pid))
        with pytest.raises(OperationalError):
            bench.sync()
        run = SyncRun.objects.get(source="salesforce")
        assert run.status == SyncRun.Status.FAILED
        assert run.error.startswith("database error"), run.error
        assert SourceLock.objects.get(source="salesforce").run_id is None
        assert backend_pid() != pid
        _ok(bench.sync())
        faulted = rows(TABLES)
    assert_same_rows(faulted, bench.clean())


@pytest.mark.django_db(transaction=True)
@needs_postgresql
def test_worker_killed_mid_page_then_rerun(bench, settings):
    """`manage.py sync salesforce` in a subprocess, SIGKILLed while a queryMore batch is in
    flight: the re-run waits out the dead run's lock, resumes from the last committed batch and
    finishes equal to a clean sync."""
    with bench.sandbox() as sandbox:
        env = worker_env(
            FAULTS_CONNECTOR="connectors.salesforce.connector",
            FAULTS_CLOCK=str(sandbox.server.clock()),
            SALESFORCE_LOGIN_URL=sandbox.login_url,
            SALESFORCE_CLIENT_ID=DEFAULT_CLIENT_ID,
            SALESFORCE_CLIENT_SECRET=DEFAULT_CLIENT_SECRET,
            SALESFORCE_REFRESH_TOKEN=DEFAULT_REFRESH_TOKEN,
            SALESFORCE_BATCH_SIZE=str(BATCH),
            REQUESTS_CA_BUNDLE=str(sandbox.certificate.ca_path),
        )
        process = worker_start(env, "sync", "salesforce")
        killed = on_request(
            sandbox.faults, "query", nth(sandbox.requests, MORE, 5), lambda: kill(process)
        )
        out = worker_wait(process)
        assert killed.is_set() and process.returncode == -9, out
        dead = SyncRun.objects.get(source="salesforce")
        assert dead.status == SyncRun.Status.RUNNING and dead.pages > 0
        assert bench.sync().status == SyncRun.Status.SKIPPED
        settings.SYNC_LOCK_STALE_SECONDS = 0
        resumed = _ok(bench.sync())
        assert resumed.counts.get("accounts", 0) == 0  # finished before the kill: not re-read
        dead.refresh_from_db()
        assert dead.status == SyncRun.Status.FAILED and "worker killed?" in dead.error
        faulted = rows(TABLES)
    assert_same_rows(faulted, bench.clean())

"""The Stripe column of the fault matrix (docs/fault-matrix.md): each fault injected into a sync
of a small sandbox company, then the database compared row for row with a clean sync of the
same company at the same clock (tests/faults/billing_bench.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError, connection

from connectors import registry
from connectors.sandbox import ManualClock, SandboxServer, build_company
from connectors.sync import sync_source
from supportops.models import (
    Charge,
    Customer,
    CustomerIdentity,
    Invoice,
    Plan,
    SourceLock,
    Subscription,
    SyncRun,
    SyncState,
)
from tests.faults.billing_bench import (
    DatabaseOutage,
    Waits,
    assert_same_rows,
    backend_pid,
    continuation,
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
KEY = "sk_test_sandbox"
TABLES = (Customer, CustomerIdentity, Plan, Subscription, Invoice, Charge, SyncState)
PAGE = 4  # small pages: every list is a chain of starting_after pages
WRITE = 2  # pages per write: a fault can land between writes or between a write's pages
INVOICES = "/v1/invoices"
SUBSCRIPTIONS = "/v1/subscriptions"


def _ok(run: SyncRun) -> SyncRun:
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    return run


class Bench:
    """Sandboxes of one company, one at a time, with the connector pointed at the current one."""

    def __init__(self, settings, monkeypatch) -> None:
        self.settings, self.monkeypatch = settings, monkeypatch
        self.server: SandboxServer | None = None
        settings.STRIPE_API_KEY = KEY
        settings.STRIPE_START_DATE = ""
        settings.STRIPE_WINDOW_DAYS = 5000  # two windows: an empty one, then the company
        settings.CONNECTOR_MAX_RETRIES = 3
        settings.CONNECTOR_BACKOFF_SECONDS = 0.01
        monkeypatch.setitem(registry.CONNECTORS, "stripe", "connectors.stripe.connector")
        monkeypatch.setattr("connectors.stripe.streams.PAGE", PAGE)
        monkeypatch.setattr("connectors.stripe.streams.PAGES_PER_WRITE", WRITE)

    @contextmanager
    def sandbox(self) -> Iterator[SandboxServer]:
        company = build_company(seed=5, customers=10, months=4, end_at=END_AT)
        with SandboxServer(company, clock=ManualClock(START)) as server:
            self.server = server
            self.settings.STRIPE_API_BASE = server.url
            self.monkeypatch.setattr("connectors.stripe.connector.clock", server.clock)
            yield server

    def sync(self) -> SyncRun:
        return sync_source(source="stripe")

    def clean(self, schedule: Callable[[SandboxServer], None] | None = None) -> dict:
        """What `schedule` (default: one sync) leaves, from nothing, against a fresh sandbox.

        One clean sync is the same for every test (same company, clock and page size), so it
        is made once per session.
        """
        if schedule is None and "one sync" in CLEAN:
            return CLEAN["one sync"]
        forget()
        with self.sandbox() as server:
            if schedule is None:
                _ok(self.sync())
            else:
                schedule(server)
        made = rows(TABLES)
        if schedule is None:
            CLEAN["one sync"] = made
        return made


CLEAN: dict[str, dict] = {}


@pytest.fixture
def bench(settings, monkeypatch, db) -> Bench:
    return Bench(settings, monkeypatch)


def _faulted(bench: Bench, inject: Callable[[SandboxServer], None]) -> tuple[SyncRun, dict]:
    """One sync with the fault injected, then (if it failed) the scheduler's next run."""
    with bench.sandbox() as server:
        inject(server)
        first = bench.sync()
        server.faults.clear()
        if first.status != SyncRun.Status.SUCCEEDED:
            _ok(bench.sync())
        return first, rows(TABLES)


def test_429_with_retry_after_waits_what_stripe_asks(bench, monkeypatch):
    waits = Waits(monkeypatch)
    run, faulted = _faulted(
        bench, lambda s: s.faults.add("invoices", status=429, times=2, retry_after=2)
    )
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert waits.retry_after == [2.0, 2.0]
    assert_same_rows(faulted, bench.clean())


def test_429_without_retry_after_backs_off(bench, monkeypatch):
    waits = Waits(monkeypatch)
    run, faulted = _faulted(
        bench, lambda s: s.faults.add("invoices", status=429, times=2, retry_after=None)
    )
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert not waits.retry_after and len(waits.backoff) == 2
    assert waits.backoff[-1] == pytest.approx(0.02)  # backoff_factor 0.01, doubled
    assert_same_rows(faulted, bench.clean())


def test_429_that_outlasts_the_retries_fails_then_the_next_run_completes(bench):
    run, faulted = _faulted(
        bench, lambda s: s.faults.add("subscriptions", status=429, times=100, retry_after=None)
    )
    assert run.status == SyncRun.Status.FAILED
    assert run.error == "stripe is still rate limiting us after 3 retries"
    assert_same_rows(faulted, bench.clean())


def test_retry_after_longer_than_we_wait_fails_with_the_wait(bench):
    run, faulted = _faulted(
        bench, lambda s: s.faults.add("charges", status=429, times=1, retry_after=3600)
    )
    assert run.status == SyncRun.Status.FAILED
    assert "asked us to wait 3600s" in run.error
    assert_same_rows(faulted, bench.clean())


def test_5xx_is_retried(bench):
    def inject(server):
        server.faults.add("invoices", status=500, times=2)
        server.faults.add("subscriptions", status=503, times=1, retry_after=None)

    run, faulted = _faulted(bench, inject)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert_same_rows(faulted, bench.clean())


def test_5xx_for_good_mid_list_fails_then_resumes_from_the_cursor(bench):
    run, faulted = _faulted(bench, lambda s: s.faults.add("invoices", "fail_after_pages", pages=3))
    assert run.status == SyncRun.Status.FAILED
    assert "stripe answered HTTP 500 for http" in run.error and "after 3 retries" in run.error
    assert 0 < run.counts["invoices"]
    assert_same_rows(faulted, bench.clean())


def test_timeout_is_retried(bench, settings):
    settings.CONNECTOR_TIMEOUT_SECONDS = 0.3
    run, faulted = _faulted(
        bench, lambda s: s.faults.add("subscriptions", "delay", seconds=0.8, times=1)
    )
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert_same_rows(faulted, bench.clean())


def test_timeouts_that_do_not_stop_fail_clearly_then_the_next_run_completes(bench, settings):
    settings.CONNECTOR_TIMEOUT_SECONDS = 0.2
    run, faulted = _faulted(
        bench, lambda s: s.faults.add("customers", "delay", seconds=0.4, times=4)
    )
    assert run.status == SyncRun.Status.FAILED
    assert "stripe did not answer within 0.2s at http" in run.error
    assert "/v1/customers after 3 retries" in run.error
    assert_same_rows(faulted, bench.clean())


def test_connection_reset_mid_body_is_retried(bench):
    def inject(server):
        on_request(
            server.faults,
            "invoices",
            continuation(server.requests, INVOICES, "starting_after"),
            lambda: server.faults.add("invoices", "reset", times=2),
        )

    run, faulted = _faulted(bench, inject)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    after = [r.query.get("starting_after") for r in bench.server.requests.matching(INVOICES)]
    assert any(after.count(cursor) == 3 for cursor in set(after) - {None})  # 2 resets + 1 good
    assert_same_rows(faulted, bench.clean())


def test_connection_reset_for_good_fails_clearly_then_the_next_run_completes(bench):
    def inject(server):
        on_request(
            server.faults,
            "invoices",
            continuation(server.requests, INVOICES, "starting_after"),
            lambda: server.faults.add("invoices", "reset", times=10),
        )

    run, faulted = _faulted(bench, inject)
    assert run.status == SyncRun.Status.FAILED
    assert run.error.startswith("stripe broke off the response for http"), run.error
    assert "/v1/invoices (" in run.error and "after 4 tries" in run.error
    assert_same_rows(faulted, bench.clean())


def test_truncated_json_is_retried(bench):
    run, faulted = _faulted(bench, lambda s: s.faults.add("subscriptions", "truncate", times=2))
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert_same_rows(faulted, bench.clean())


def test_truncated_json_for_good_fails_then_the_next_run_completes(bench):
    run, faulted = _faulted(bench, lambda s: s.faults.add("charges", "truncate", times=100))
    assert run.status == SyncRun.Status.FAILED
    assert "not valid JSON" in run.error and "/v1/charges" in run.error
    assert_same_rows(faulted, bench.clean())


def test_page_served_twice_is_absorbed(bench):
    def inject(server):
        on_request(
            server.faults,
            "invoices",
            continuation(server.requests, INVOICES, "starting_after"),
            lambda: None,  # the first follow-up page is served as it should be...
        )
        on_request(  # ...the second follow-up gets the first follow-up's page again
            server.faults,
            "/v1/inv",
            lambda: (
                sum("starting_after" in r.query for r in server.requests.matching(INVOICES)) == 2
            ),
            lambda: server.faults.add("invoices", "repeat", pages=0),
        )

    run, faulted = _faulted(bench, inject)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    after = [r.query.get("starting_after") for r in bench.server.requests.matching(INVOICES)]
    assert len(after) != len(set(after)), after  # the repeated page's cursor asked twice
    assert_same_rows(faulted, bench.clean())


def _change_subscriptions(server, read_id: str, unread_id: str) -> None:
    state, at = server.stripe.state, server.clock.now_at()
    state.subscription_update(read_id, at=at, quantity=7)
    state.subscription_update(unread_id, at=at, quantity=9)


def test_subscriptions_changed_between_pages_converge_on_the_next_run(bench):
    """Two subscriptions change while the list is read, one on the page just read and one on
    the page about to be served: the first run stores the old state of one and the new of the
    other; the next run's events bring both to Stripe's state, as a clean schedule does."""
    chosen: dict[str, str] = {}

    def between_pages(server) -> None:
        query = server.requests.matching(SUBSCRIPTIONS)[-1].query
        chosen["read"] = query["starting_after"]  # last row of the page just read
        window = sorted(
            (
                s
                for s in server.stripe.state.subscriptions.values()
                if int(query["created[gte]"]) <= s.created < int(query["created[lt]"])
            ),
            key=lambda s: (s.created, getattr(s, "seq", 0), s.id),
            reverse=True,
        )  # Stripe's order: newest first
        ids = [s.id for s in window]
        chosen["unread"] = ids[ids.index(chosen["read"]) + 1]  # first row of the next page
        _change_subscriptions(server, chosen["read"], chosen["unread"])

    with bench.sandbox() as server:
        on_request(
            server.faults,
            "subscriptions",
            continuation(server.requests, SUBSCRIPTIONS, "starting_after"),
            lambda: between_pages(server),
        )
        _ok(bench.sync())
        assert Subscription.objects.get(external_id=chosen["read"]).quantity != 7  # stale
        assert Subscription.objects.get(external_id=chosen["unread"]).quantity == 9
        server.clock.advance(600)
        _ok(bench.sync())
        faulted = rows(TABLES)
    assert Subscription.objects.get(external_id=chosen["read"]).quantity == 7

    def schedule(server) -> None:
        _ok(bench.sync())
        _change_subscriptions(server, chosen["read"], chosen["unread"])
        server.clock.advance(600)
        _ok(bench.sync())

    assert_same_rows(faulted, bench.clean(schedule))


def test_database_unreachable_mid_sync_fails_the_run_and_the_next_run_completes(bench):
    """The database refuses a page's write: the page rolls back with its cursor, the run is
    recorded failed with the reason and the lock is released, and the next run resumes."""
    outage = DatabaseOutage()
    with bench.sandbox() as server:
        on_request(
            server.faults,
            "invoices",
            continuation(server.requests, INVOICES, "starting_after"),
            lambda: outage.down(queries=1),
        )
        with connection.execute_wrapper(outage), pytest.raises(OperationalError):
            bench.sync()  # re-raised after the run is recorded: the Celery task fails too
        run = SyncRun.objects.get(source="stripe")
        assert outage.refused == 1
        assert run.status == SyncRun.Status.FAILED
        assert run.error.startswith("database error"), run.error
        assert "Connection refused" in run.error
        assert SourceLock.objects.get(source="stripe").run_id is None
        _ok(bench.sync())
        faulted = rows(TABLES)
    assert_same_rows(faulted, bench.clean())


@pytest.mark.django_db(transaction=True)  # a failed rollback must not poison a test transaction
def test_database_gone_for_the_rest_of_the_run_leaves_a_reclaimable_lock(bench, settings):
    """Nothing can be recorded while the database is away: the error reaches the caller (the
    Celery task fails), the run row stays 'running' and its lock stops heartbeating; once it
    is stale the next run takes the lock over, marks the dead run failed and completes."""
    outage = DatabaseOutage()
    with bench.sandbox() as server:
        on_request(
            server.faults,
            "invoices",
            continuation(server.requests, INVOICES, "starting_after"),
            lambda: outage.down(),
        )
        with connection.execute_wrapper(outage), pytest.raises(OperationalError):
            bench.sync()
        outage.up()
        dead = SyncRun.objects.get(source="stripe")
        assert dead.status == SyncRun.Status.RUNNING
        assert bench.sync().status == SyncRun.Status.SKIPPED  # lock still fresh
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
    """pg_terminate_backend on the sync's own backend while it waits for a page: the next
    query fails, the run is recorded failed on a fresh connection and the lock released."""
    pid = backend_pid()
    with bench.sandbox() as server:
        on_request(
            server.faults,
            "invoices",
            continuation(server.requests, INVOICES, "starting_after"),
            lambda: terminate_backend(pid),
        )
        with pytest.raises(OperationalError):
            bench.sync()
        run = SyncRun.objects.get(source="stripe")
        assert run.status == SyncRun.Status.FAILED
        assert run.error.startswith("database error"), run.error
        assert SourceLock.objects.get(source="stripe").run_id is None
        assert backend_pid() != pid
        _ok(bench.sync())
        faulted = rows(TABLES)
    assert_same_rows(faulted, bench.clean())


@pytest.mark.django_db(transaction=True)
@needs_postgresql
def test_worker_killed_mid_page_then_rerun(bench, settings):
    """`manage.py sync stripe` in a subprocess, SIGKILLed while its invoices page is in flight
    (earlier pages committed): the re-run skips while the dead run's lock is fresh, takes it
    over once stale and finishes equal to a clean sync."""
    with bench.sandbox() as server:
        env = worker_env(
            FAULTS_CONNECTOR="connectors.stripe.connector",
            FAULTS_CLOCK=str(server.clock()),
            STRIPE_API_BASE=server.url,
            STRIPE_API_KEY=KEY,
            STRIPE_WINDOW_DAYS="5000",
            FAULTS_SET=(
                f"connectors.stripe.streams.PAGE={PAGE};"
                f"connectors.stripe.streams.PAGES_PER_WRITE={WRITE}"
            ),
        )
        process = worker_start(env, "sync", "stripe")
        killed = on_request(
            server.faults, "invoices", nth(server.requests, INVOICES, 4), lambda: kill(process)
        )
        out = worker_wait(process)
        assert killed.is_set() and process.returncode == -9, out
        dead = SyncRun.objects.get(source="stripe")
        assert dead.status == SyncRun.Status.RUNNING and 0 < dead.counts.get("invoices", 0)
        assert not SyncState.objects.get(source="stripe", stream="invoices").cursor.get("complete")
        assert bench.sync().status == SyncRun.Status.SKIPPED
        settings.SYNC_LOCK_STALE_SECONDS = 0
        resumed = _ok(bench.sync())
        assert resumed.counts.get("customers", 0) == 0  # finished before the kill: not re-read
        dead.refresh_from_db()
        assert dead.status == SyncRun.Status.FAILED and "worker killed?" in dead.error
        faulted = rows(TABLES)
    assert_same_rows(faulted, bench.clean())

"""Run one source's sync: lock, read pages, write each page with its checkpoint, record the run.

Each page is written and its cursor saved in one transaction, so a run killed at any point
resumes from the last committed page: nothing lost (the cursor never runs ahead of the data)
and nothing duplicated (writes are upserts on (source, external_id)).
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from supportops.models import SyncRun, SyncState
from supportops.redact import redact

from .base import ProgressCallback
from .errors import ConnectorError, NotConfigured
from .locks import lock_acquire, lock_heartbeat, lock_release
from .registry import get_connector

logger = logging.getLogger(__name__)


class SyncSkipped(ConnectorError):
    """Another run of the source holds its lock; `run` is recorded as skipped."""

    def __init__(self, run: SyncRun):
        super().__init__(run.error)
        self.run = run


@contextmanager
def sync_run_recorded(*, source: str, full: bool = False) -> Iterator[SyncRun]:
    """Record the work in the body as one SyncRun of `source`, holding the source's lock.

    The body adds its counts to the run. Leaving the body finishes the run: succeeded, or
    failed with the reason of a ConnectorError or as an internal error, either re-raised. When
    another run holds the lock, the run is recorded skipped and SyncSkipped raised instead.
    """
    run = SyncRun.objects.create(source=source, full=full, started_at=timezone.now())
    if not lock_acquire(
        source=source, run=run, now=run.started_at, stale_seconds=settings.SYNC_LOCK_STALE_SECONDS
    ):
        _finish(run, SyncRun.Status.SKIPPED, f"another {source} sync is still running")
        raise SyncSkipped(run)
    # A run starts when it holds the lock, not when it asked: a run created while the previous
    # one was finishing would otherwise appear to overlap it.
    run.started_at = timezone.now()
    run.save(update_fields=["started_at"])
    try:
        yield run
    except ConnectorError as exc:
        _finish(run, SyncRun.Status.FAILED, str(exc))
        raise
    except DatabaseError as exc:
        # Our own database went away mid-page: the page's transaction rolled back (Django
        # drops a connection whose rollback failed, so the next query reconnects) and the
        # run resumes from the last committed checkpoint next time.
        logger.exception("%s sync lost the database", source)
        _finish(run, SyncRun.Status.FAILED, f"database error: {type(exc).__name__}: {_line(exc)}")
        raise
    except Exception as exc:
        logger.exception("%s sync crashed", source)
        _finish(run, SyncRun.Status.FAILED, f"internal error: {type(exc).__name__}: {exc}")
        raise
    else:
        _finish(run, SyncRun.Status.SUCCEEDED, "")
    finally:
        lock_release(source=source, run=run)


def sync_source(
    *, source: str, full: bool = False, progress: ProgressCallback | None = None
) -> SyncRun:
    """Sync one source and return its SyncRun (succeeded, failed or skipped)."""
    connector = get_connector(source)
    if not connector.is_configured():
        raise NotConfigured(f"{connector.label} is not configured: set {connector.settings_help}")
    try:
        with sync_run_recorded(source=source, full=full) as run, collector_relaxed():
            if full:
                SyncState.objects.filter(source=source).delete()
            _run_streams(connector, run, progress)
    except SyncSkipped as skipped:
        return skipped.run
    except ConnectorError:
        return run  # failed, with the reason recorded on it
    return run


_relaxed_lock = threading.Lock()
_relaxed = {"depth": 0, "threshold": gc.get_threshold()}
RELAXED_THRESHOLD = 50_000  # allocations between young-generation collections while syncing


@contextmanager
def collector_relaxed() -> Iterator[None]:
    """Collect garbage less often while a sync decodes pages.

    A page of 1,000 tickets decodes into some 200,000 objects, and Python starts a collection
    every 700 net allocations; the older generations' passes then walk all of Django's and the
    worker's long-lived objects, again and again: about a tenth of a Zendesk sync. Those
    objects are frozen (left out of collections) for the sync, and young collections run every
    50,000 allocations, so garbage is still collected. Nested or concurrent syncs in one
    process share one relaxed period.
    """
    with _relaxed_lock:
        _relaxed["depth"] += 1
        if _relaxed["depth"] == 1:
            _relaxed["threshold"] = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(RELAXED_THRESHOLD, *_relaxed["threshold"][1:])
    try:
        yield
    finally:
        with _relaxed_lock:
            _relaxed["depth"] -= 1
            if _relaxed["depth"] == 0:
                gc.set_threshold(*_relaxed["threshold"])
                gc.unfreeze()


def _run_streams(connector, run: SyncRun, progress: ProgressCallback | None) -> None:
    client = connector.client()
    for stream in connector.streams():
        state_row, _ = SyncState.objects.get_or_create(source=connector.source, stream=stream.name)
        read = 0
        for page in stream.read(client, dict(state_row.cursor)):
            with transaction.atomic():
                written = stream.write(page.records) if page.records else 0
                state_row.cursor = page.state
                state_row.save(update_fields=["cursor", "updated_at"])
            read += len(page.records)
            run.records_read += len(page.records)
            run.records_written += written
            run.pages += 1
            run.counts[stream.name] = read
            run.save(update_fields=["records_read", "records_written", "pages", "counts"])
            lock_heartbeat(source=connector.source, run=run, now=timezone.now())
            if progress:
                progress(stream=stream.name, pages=run.pages, records=read)
        if stream.after_run:
            stream.after_run()


def _line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no detail"


def _finish(run: SyncRun, status: str, error: str) -> None:
    run.status = status
    run.error = redact(error)
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])

"""Run one source's sync: lock, read pages, write each page with its checkpoint, record the run.

Each page is written and its cursor saved in one transaction, so a run killed at any point
resumes from the last committed page: nothing lost (the cursor never runs ahead of the data)
and nothing duplicated (writes are upserts on (source, external_id)).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from supportops.models import SyncRun, SyncState

from .base import ProgressCallback
from .errors import ConnectorError, NotConfigured
from .locks import lock_acquire, lock_heartbeat, lock_release
from .registry import get_connector

logger = logging.getLogger(__name__)


def sync_source(
    *, source: str, full: bool = False, progress: ProgressCallback | None = None
) -> SyncRun:
    """Sync one source and return its SyncRun (succeeded, failed or skipped)."""
    connector = get_connector(source)
    if not connector.is_configured():
        raise NotConfigured(f"{connector.label} is not configured: set {connector.settings_help}")
    run = SyncRun.objects.create(source=source, full=full, started_at=timezone.now())
    if not lock_acquire(
        source=source, run=run, now=run.started_at, stale_seconds=settings.SYNC_LOCK_STALE_SECONDS
    ):
        run.status = SyncRun.Status.SKIPPED
        run.finished_at = timezone.now()
        run.error = f"another {source} sync is still running"
        run.save(update_fields=["status", "finished_at", "error"])
        return run
    try:
        if full:
            SyncState.objects.filter(source=source).delete()
        _run_streams(connector, run, progress)
    except ConnectorError as exc:
        _finish(run, SyncRun.Status.FAILED, str(exc))
    except Exception as exc:
        logger.exception("%s sync crashed", source)
        _finish(run, SyncRun.Status.FAILED, f"internal error: {type(exc).__name__}: {exc}")
        raise
    else:
        _finish(run, SyncRun.Status.SUCCEEDED, "")
    finally:
        lock_release(source=source, run=run)
    return run


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


def _finish(run: SyncRun, status: str, error: str) -> None:
    run.status = status
    run.error = error
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])

"""One sync per source at a time, across processes and machines, via the database.

A conditional UPDATE takes the lock atomically on SQLite and PostgreSQL alike. A run that died
without releasing it (killed worker) stops sending heartbeats; after SYNC_LOCK_STALE_SECONDS the
next run takes the lock over and marks the dead run failed.
"""

from datetime import datetime, timedelta

from django.db.models import Q

from supportops.models import SourceLock, SyncRun


def lock_acquire(*, source: str, run: SyncRun, now: datetime, stale_seconds: int) -> bool:
    SourceLock.objects.get_or_create(source=source)
    stale_before = now - timedelta(seconds=stale_seconds)
    previous = SourceLock.objects.filter(source=source).values_list("run_id", flat=True).first()
    taken = (
        SourceLock.objects.filter(source=source)
        .filter(Q(run__isnull=True) | Q(heartbeat_at__lt=stale_before))
        .update(run=run, heartbeat_at=now)
    )
    if taken and previous:
        SyncRun.objects.filter(pk=previous, status=SyncRun.Status.RUNNING).update(
            status=SyncRun.Status.FAILED,
            finished_at=now,
            error=f"abandoned: no progress for over {stale_seconds}s (worker killed?)",
        )
    return bool(taken)


def lock_heartbeat(*, source: str, run: SyncRun, now: datetime) -> None:
    SourceLock.objects.filter(source=source, run=run).update(heartbeat_at=now)


def lock_release(*, source: str, run: SyncRun) -> None:
    SourceLock.objects.filter(source=source, run=run).update(run=None, heartbeat_at=None)

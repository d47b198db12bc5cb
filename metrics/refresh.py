"""When to ask for "metrics.refresh_derived" (metrics/tasks.py).

Why a signal on SyncRun: the run's last save (status and finished_at) is the one moment every
sync path shares (scheduled task, `manage.py sync`, the admin's "sync now"); the task itself is
asked for on commit, so the worker reads what the sync wrote. Connected in metrics/apps.py:
supportops never imports metrics.

settings.DERIVED_REFRESH_AFTER_SYNC turns it off (the tests do: Celery runs eagerly there, and
a refresh after each of their syncs would only slow them).
"""

from __future__ import annotations

from django.conf import settings

from supportops.customer_cost import derived_refresh_request
from supportops.models import SyncRun

FINISHED = {SyncRun.Status.SUCCEEDED, SyncRun.Status.FAILED}  # a failed run may have written pages


def sync_finished(sender, instance: SyncRun, raw=False, update_fields=None, **kwargs) -> None:
    if raw or not getattr(settings, "DERIVED_REFRESH_AFTER_SYNC", True):
        return
    if instance.finished_at is None or instance.status not in FINISHED:
        return
    if update_fields is not None and "finished_at" not in update_fields:
        return  # a later save of a run already finished
    derived_refresh_request()

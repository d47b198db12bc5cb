"""Has anything the metrics read changed? One number in the database says (DataVersion).

A cached metric result (metrics/result_cache.py, metrics/overview_cache.py, the LTV basis) is
good for as long as this number stays the same. It moves:

- when a sync run finishes having written something: succeeded with records written, or
  failed (it may have committed pages before failing), or finished after a failed run of its
  source (a run abandoned by a killed worker is marked failed without a save, and the run
  after it may write nothing itself). Syncs write with bulk upserts, which send no signals, so
  the run's finishing save stands for the rows it wrote. Not on the run's progress saves (one
  per page): moving on each would leave every cache cold for as long as a sync runs. A
  skipped run, and a succeeded one that wrote nothing, leave the data as it was;
- when a product re-map run is saved (it moves tickets between products, each batch
  committed with its progress);
- when an admin or the API saves or deletes a cost input, a setting, a product, a rule, a plan,
  a customer or an identity, or changes who covers which products;
- when code that writes with `update()` says so by calling `data_changed()` (the manual link
  and merge of customers do).

Never stale after a sync: a result computed while a sync writes is filed under the version
from before the sync (the cache reads the version before it computes), and the finish moves
the version past it. During the sync the pages serve what they had, or what they computed
from the data synced so far.

Moving it too often only costs a recomputation; missing a change would show old numbers, so
every writer of metric inputs that bypasses model signals must call `data_changed()`.
"""

from __future__ import annotations

from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from . import models as m
from .models import DataVersion

FINISHED = (m.SyncRun.Status.SUCCEEDED, m.SyncRun.Status.FAILED)

WATCHED = (
    m.Customer,
    m.CustomerIdentity,
    m.Expense,
    m.MetricSettings,
    m.Plan,
    m.Product,
    m.ProductRemap,
    m.ProductRule,
    m.TeamMember,
)


def data_changed() -> None:
    """Move the version on: one UPDATE (the row is made the first time; two first writers at
    once both leave it moved, which is all that counts)."""
    updated = DataVersion.objects.filter(pk=1).update(
        number=F("number") + 1, changed_at=timezone.now()
    )
    if not updated:
        DataVersion.objects.get_or_create(
            pk=1, defaults={"number": 1, "changed_at": timezone.now()}
        )


def data_version() -> int:
    """The current version (0 before anything changed): one query."""
    return DataVersion.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def _changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):  # loading fixtures
        return
    data_changed()


def sync_run_wrote(run: m.SyncRun, update_fields=None) -> bool:
    """Whether this save of `run` is its finish and the run may have changed data (the module
    docstring says when). One query, for a succeeded run that wrote nothing: its source's
    previous finished run."""
    if run.finished_at is None or run.status not in FINISHED:
        return False
    if update_fields is not None and "finished_at" not in update_fields:
        return False  # a progress save, or a later save of a run already finished
    if run.status == m.SyncRun.Status.FAILED or run.records_written:
        return True
    previous = (
        m.SyncRun.objects.filter(source=run.source, finished_at__isnull=False)
        .exclude(pk=run.pk)
        .exclude(status=m.SyncRun.Status.SKIPPED)
        .order_by("-started_at", "-pk")
        .values_list("status", flat=True)
        .first()
    )
    return previous == m.SyncRun.Status.FAILED


def _sync_run_saved(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw:
        return
    if sync_run_wrote(instance, update_fields):
        data_changed()


def signals_connect() -> None:
    post_save.connect(_sync_run_saved, sender=m.SyncRun, dispatch_uid="data-version-sync-run")
    # Deleting a run deletes no data.
    for model in WATCHED:
        post_save.connect(_changed, sender=model, dispatch_uid=f"data-version-save-{model}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"data-version-delete-{model}")
    m2m_changed.connect(
        _changed, sender=m.TeamMember.products.through, dispatch_uid="data-version-covers"
    )

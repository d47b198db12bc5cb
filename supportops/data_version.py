"""Has anything the metrics read changed? One number in the database says (DataVersion).

A cached metric result (the overview: metrics/overview_cache.py) is good for as long as this
number stays the same. It moves:

- when a sync run is saved (progress and finish: syncs write with bulk upserts, which send no
  signals, so the run's own saves stand for the rows it wrote), and when a product re-map run
  is saved (it moves tickets between products);
- when an admin or the API saves or deletes a cost input, a setting, a product, a rule, a plan,
  a customer or an identity, or changes who covers which products;
- when code that writes with `update()` says so by calling `data_changed()` (the manual link
  and merge of customers do).

Moving it too often only costs a recomputation; missing a change would show old numbers, so
every writer of metric inputs that bypasses model signals must call `data_changed()`.
"""

from __future__ import annotations

from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from . import models as m
from .models import DataVersion

WATCHED = (
    m.Customer,
    m.CustomerIdentity,
    m.Expense,
    m.MetricSettings,
    m.Plan,
    m.Product,
    m.ProductRemap,
    m.ProductRule,
    m.SyncRun,
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


def signals_connect() -> None:
    for model in WATCHED:
        post_save.connect(_changed, sender=model, dispatch_uid=f"data-version-save-{model}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"data-version-delete-{model}")
    m2m_changed.connect(
        _changed, sender=m.TeamMember.products.through, dispatch_uid="data-version-covers"
    )

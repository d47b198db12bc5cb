"""Re-mapping existing tickets to products after the product rules change (DESIGN.md §3).

Connectors map a ticket when they write it; without this, a changed rule would only reach
tickets the vendor touches again. A change asks for a run (`remap_request`); a Celery task
runs it (`remap_run`) in batches by primary key and records its progress on the
`ProductRemap` row, so the admin and the API show it while it runs.

Why each part is safe:
- Every batch is one transaction holding its ticket rows (FOR UPDATE on PostgreSQL) and its
  progress counters: a failure rolls back the batch it was in and keeps the ones before,
  and tickets_done counts exactly the tickets written. A ticket's product depends only on the
  rules and the ticket's own fields, so running again (the next change, or "Re-map now")
  finishes the job whatever the last run left: it is idempotent.
- The rules are read once, when the run starts. A change during a run finds that run
  running and queues a follow-up, which reads the rules again.
- Changes in quick succession coalesce into the one queued run. One run at a time: a run
  that finds another running stays queued, and a finished run starts the next queued one.
- The Ticket rows of deleted tickets are re-mapped too: metrics skip them, but a ticket the
  vendor restores should carry the product the rules give it, like every other row.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from .models import Product, ProductRemap, ProductRule, Ticket
from .products import product_for, product_rules_load

log = logging.getLogger(__name__)

BATCH_SIZE = 2000
REASON_MAX = ProductRemap._meta.get_field("reason").max_length
Status = ProductRemap.Status


def remap_request(reason: str) -> ProductRemap:
    """The queued run that will pick up the rules as they are once this transaction commits:
    a run already queued (not started) is reused, else a new one is queued. Its task is sent
    when the transaction commits, so the worker never sees a rule change that rolls back."""
    with transaction.atomic():
        remap = (
            ProductRemap.objects.select_for_update()
            .filter(status=Status.QUEUED)
            .order_by("requested_at", "id")
            .first()
        )
        if remap is None:
            remap = ProductRemap.objects.create(
                status=Status.QUEUED, reason=_reason_clip(reason), requested_at=timezone.now()
            )
        elif reason and reason not in remap.reason.split("; "):
            remap.reason = _reason_clip(f"{remap.reason}; {reason}" if remap.reason else reason)
            remap.save(update_fields=["reason"])
        # Sent again when reused: the run claims its row, so a second delivery is a no-op,
        # and a queued run whose message was lost gets another one.
        transaction.on_commit(lambda pk=remap.pk: _task_send(pk), robust=True)
    return remap


def remap_run(remap_id: int, *, batch_size: int | None = None) -> ProductRemap | None:
    """Run the queued re-map `remap_id`; None when there is nothing to run (already claimed,
    finished, or waiting behind a running one, which starts it when it ends).

    A failure is recorded on the row (status failed, error kept) rather than raised: the
    batches before it stay written, and the next run finishes the job.
    """
    remap = _claim(remap_id)
    if remap is None:
        return None
    try:
        _tickets_remap(remap, batch_size=batch_size or BATCH_SIZE)
    except Exception as e:  # noqa: BLE001 — any failure is the run's outcome, shown to admins
        log.exception("product re-map %s failed", remap.pk)
        remap.status, remap.error = Status.FAILED, f"{type(e).__name__}: {e}"
    else:
        remap.status = Status.SUCCEEDED
    remap.finished_at = timezone.now()
    remap.save(update_fields=["status", "error", "finished_at"])
    _next_start()
    return remap


def remap_percent(remap: ProductRemap) -> int:
    """Whole percent done, rounded down: 100 only when every ticket is done (and for a run
    over no tickets once it succeeded)."""
    if remap.tickets_total:
        return min(100, remap.tickets_done * 100 // remap.tickets_total)
    return 100 if remap.status == Status.SUCCEEDED else 0


def _tickets_remap(remap: ProductRemap, *, batch_size: int) -> None:
    rules = product_rules_load()
    remap.tickets_total = Ticket.objects.count()
    remap.save(update_fields=["tickets_total"])
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(
                Ticket.objects.select_for_update()
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", "product_id", "custom_fields", "tags", "form_id")[:batch_size]
            )
            if not rows:
                return
            moves = defaultdict(list)  # new product id → tickets moving to it
            for pk, current, custom_fields, tags, form_id in rows:
                product_id = product_for(
                    rules=rules,
                    custom_fields=custom_fields if isinstance(custom_fields, dict) else {},
                    tags=tags if isinstance(tags, list) else [],
                    form_id=form_id,
                )
                if product_id != current:
                    moves[product_id].append(pk)
            for product_id, pks in moves.items():
                Ticket.objects.filter(pk__in=pks).update(product_id=product_id)
            done = remap.tickets_done + len(rows)
            progress = {
                "tickets_done": done,
                "tickets_changed": remap.tickets_changed + sum(map(len, moves.values())),
                # Tickets synced during the run are re-mapped too: the total grows with them.
                "tickets_total": max(remap.tickets_total, done),
            }
            ProductRemap.objects.filter(pk=remap.pk).update(**progress)
        # Only once the batch has committed, so the row in memory says what is written.
        for name, value in progress.items():
            setattr(remap, name, value)
        last_pk = rows[-1][0]


def _claim(remap_id: int) -> ProductRemap | None:
    """Queued → running, unless another run is running. A run left "running" longer than the
    task time limit lost its worker (Celery kills tasks at that limit): it is failed first."""
    now = timezone.now()
    with transaction.atomic():
        active = list(
            ProductRemap.objects.select_for_update().filter(
                status__in=[Status.QUEUED, Status.RUNNING]
            )
        )
        limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
        for other in active:
            started = other.started_at or other.requested_at
            if other.status == Status.RUNNING and started < now - limit:
                other.status, other.finished_at = Status.FAILED, now
                other.error = "Stopped without finishing (its worker was lost); re-run it."
                other.save(update_fields=["status", "finished_at", "error"])
        if any(r.status == Status.RUNNING for r in active):
            return None
        remap = next((r for r in active if r.pk == remap_id), None)
        if remap is None:
            return None
        remap.status, remap.started_at = Status.RUNNING, now
        remap.tickets_total = remap.tickets_done = remap.tickets_changed = 0
        remap.save(
            update_fields=[
                "status",
                "started_at",
                "tickets_total",
                "tickets_done",
                "tickets_changed",
            ]
        )
    return remap


def _next_start() -> None:
    pk = (
        ProductRemap.objects.filter(status=Status.QUEUED)
        .order_by("requested_at", "id")
        .values_list("pk", flat=True)
        .first()
    )
    if pk is not None:
        transaction.on_commit(lambda: _task_send(pk), robust=True)


def _task_send(remap_id: int) -> None:
    from .tasks import product_remap_task  # the task module imports this one

    if settings.CELERY_TASK_ALWAYS_EAGER:
        # What delay() would do with no broker, minus its warning about the missing broker
        # host on every rule change.
        product_remap_task.apply(kwargs={"remap_id": remap_id})
    else:
        product_remap_task.delay(remap_id=remap_id)


def _reason_clip(reason: str) -> str:
    return reason if len(reason) <= REASON_MAX else reason[: REASON_MAX - 1] + "…"


# --- what asks for a run ---------------------------------------------------------------------
# Signals rather than the API's and admin's save paths: they also see rules saved by the
# admin's inline formsets, the admin's bulk delete, a product delete cascading to its rules,
# the demo loader and the shell. QuerySet.update() and bulk_create() on ProductRule bypass
# them: code doing that must call remap_request itself.


def _rule_saved(sender, instance: ProductRule, created: bool, **kwargs) -> None:
    verb = "added" if created else "changed"
    instance._product_remap = remap_request(f"rule #{instance.pk} {verb}")


def _rule_deleted(sender, instance: ProductRule, **kwargs) -> None:
    instance._product_remap = remap_request(f"rule #{instance.pk} deleted")


def _product_deleted(sender, instance: Product, **kwargs) -> None:
    """Its tickets lost their product (SET_NULL); a later rule may match them. A product's
    name and enterprise flag never change a ticket's product (coverage reads the flag when it
    counts), so saving a product asks for nothing."""
    instance._product_remap = remap_request(f"product {instance.name!r} deleted")


def signals_connect() -> None:
    post_save.connect(_rule_saved, sender=ProductRule, dispatch_uid="product_remap_rule_saved")
    post_delete.connect(
        _rule_deleted, sender=ProductRule, dispatch_uid="product_remap_rule_deleted"
    )
    post_delete.connect(
        _product_deleted, sender=Product, dispatch_uid="product_remap_product_deleted"
    )

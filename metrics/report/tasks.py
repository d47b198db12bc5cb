"""Celery tasks of the monthly report: thin, on the domain calls in schedule.py and delivery.py.

Beat runs `reports.send_due` hourly (supportops/schedules.py). Each due (recipient, month)
gets its delivery row and a `reports.deliver` task; the row, not the task, decides whether
anything is sent, so a second beat or a duplicated message sends nothing twice.
"""

from __future__ import annotations

import random

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from supportops.models import ReportDelivery

from .delivery import CLAIMABLE, deliver, queue_month
from .schedule import due_deliveries

BACKOFF_SECONDS = 60


def backoff(retries: int) -> float:
    """60 s · 2^n, ±20 % so retries of many rows do not hit the server together."""
    return BACKOFF_SECONDS * 2**retries * random.uniform(0.8, 1.2)  # noqa: S311 (not crypto)


@shared_task(name="reports.send_due")
def send_due_task(**kwargs) -> int:
    """Queue every delivery due now; returns how many were handed to `reports.deliver`."""
    now = timezone.now()
    by_month: dict = {}
    for due in due_deliveries(now=now):
        by_month.setdefault(due.month, []).append(due.recipient)
    queued = [
        row.pk
        for month, recipients in by_month.items()
        for row in queue_month(month, now=now, recipients=recipients)
        if row.status in CLAIMABLE
    ]
    for delivery_id in queued:
        transaction.on_commit(lambda pk=delivery_id: deliver_task.delay(delivery_id=pk))
    return len(queued)


@shared_task(name="reports.deliver", bind=True, max_retries=settings.REPORT_SEND_RETRIES)
def deliver_task(self, *, delivery_id: int, **kwargs) -> str:
    """Send one delivery; a transient SMTP failure is retried with backoff, then gives up.

    The row's attempts (not this task's retry count) decide when to give up, so a delivery
    also picked up by the next hourly check is still tried at most retries + 1 times. With no
    broker (eager: tests, the demo) nobody would run a later retry, so they run here at once,
    without waiting (Celery's eager retry would raise instead: tasks propagate their errors).
    """
    max_attempts = self.max_retries + 1
    delivery = deliver(delivery_id, max_attempts=max_attempts)
    if not self.request.is_eager:
        if delivery.status == ReportDelivery.Status.FAILED:
            raise self.retry(countdown=backoff(self.request.retries))
        return delivery.status
    for _ in range(max_attempts):  # bounded: a report that cannot be built stays "failed"
        if delivery.status != ReportDelivery.Status.FAILED:
            break
        delivery = deliver(delivery_id, max_attempts=max_attempts)
    return delivery.status

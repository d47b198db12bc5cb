"""Sending a month's report to one address, once.

A delivery row is claimed with one conditional UPDATE (pending or failed → sending) before the
SMTP conversation and marked sent after it, so two workers, a retry and a second beat cannot
both send: whoever updates no row does nothing. A row left "sending" (the worker died during
the conversation) is never sent again automatically, since only the mail server knows whether
it took the message: admin shows it as unknown, for a person to check and resend.

SMTP failures are kept on the row as the exception's class and message (the server's reply;
never the settings, so never a password). A 4xx reply or a connection error is transient and
retried by the task; a 5xx reply is permanent (RFC 5321) and gives up at once.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import date, datetime, timedelta

from django.core.mail import get_connection
from django.db.models import F
from django.utils import timezone

from supportops.models import MonthlyReport, ReportDelivery, ReportRecipient
from supportops.redact import redact

from .message import report_email, report_message_id
from .schedule import month_has_ended

logger = logging.getLogger(__name__)

Status = ReportDelivery.Status
CLAIMABLE = [Status.PENDING, Status.FAILED]
# A "sending" row this old is taken as interrupted: unknown whether the server took it.
SENDING_STALE = timedelta(minutes=30)
TRANSIENT = (smtplib.SMTPException, OSError)  # OSError: refused, reset, timed out, TLS


class StillSending(Exception):
    """A resend asked for while the row's SMTP conversation may still be going on."""


def describe_error(exc: BaseException) -> str:
    """ "SMTPRecipientsRefused: exec@acme.com: 451 try later": what the admin needs to see."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        detail = "; ".join(
            f"{address}: {code} {_text(reply)}" for address, (code, reply) in exc.recipients.items()
        )
    elif isinstance(exc, smtplib.SMTPResponseException):
        detail = f"{exc.smtp_code} {_text(exc.smtp_error)}"
    else:
        detail = str(exc)
    # An SMTP server may echo the login back; the row is shown in admin and by send_report.
    return redact(f"{type(exc).__name__}: {detail}").strip().rstrip(":")[:2000]


def _text(reply) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def is_permanent(exc: BaseException) -> bool:
    """A 5xx reply will not change by asking again; every address refused with one."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def is_unknown(delivery: ReportDelivery, *, now: datetime) -> bool:
    """Claimed long ago and never finished: the server may or may not have it."""
    return (
        delivery.status == Status.SENDING
        and delivery.claimed_at is not None
        and delivery.claimed_at < now - SENDING_STALE
    )


def _report(month: date, now: datetime, *, test: bool = False):
    """The month's saved snapshot; for a test of a month still in progress, an unsaved build
    (saving it would send its partial numbers to everyone once the month ends)."""
    from .snapshot import preview, report_for  # built by snapshot.py, imported when needed

    if test and not month_has_ended(month, now=now):
        existing = MonthlyReport.objects.filter(month=month).first()
        return existing or preview(month, now=now)
    return report_for(month, now=now)


def _finish(delivery_id: int, **fields) -> None:
    ReportDelivery.objects.filter(pk=delivery_id).update(updated_at=timezone.now(), **fields)


def deliver(delivery_id: int, *, max_attempts: int = 1, now: datetime | None = None):
    """Send delivery `delivery_id` if it is pending or failed; returns the row as it ends.

    After a transient failure the row is "failed" (the task retries it) until its attempts
    reach `max_attempts`, then "gave_up".
    """
    now = now or timezone.now()
    delivery = ReportDelivery.objects.select_related("recipient").get(pk=delivery_id)
    if delivery.status not in CLAIMABLE:
        return delivery
    try:
        report = _report(delivery.month, now, test=delivery.kind == ReportDelivery.Kind.TEST)
    except Exception as exc:  # the row says why; the next hourly check tries again
        logger.exception("report %s could not be built", delivery.month)
        _finish(delivery_id, last_error=f"The report could not be built: {describe_error(exc)}")
        delivery.refresh_from_db()
        return delivery
    recipient = delivery.recipient
    skip = (
        delivery.kind == ReportDelivery.Kind.REPORT
        and recipient is not None
        and recipient.skip_if_no_data
        and not report.has_data
    )
    if skip:
        ReportDelivery.objects.filter(pk=delivery_id, status__in=CLAIMABLE).update(
            status=Status.SKIPPED, last_error="", updated_at=now
        )
        delivery.refresh_from_db()
        return delivery
    test_id = delivery.pk if delivery.kind == ReportDelivery.Kind.TEST else None
    message_id = report_message_id(delivery.month, delivery.email, test_id=test_id)
    email = report_email(
        report,
        address=delivery.email,
        name=recipient.name if recipient else "",
        message_id=message_id,
        now=now,
    )
    claimed = ReportDelivery.objects.filter(pk=delivery_id, status__in=CLAIMABLE).update(
        status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=now, updated_at=now
    )
    if not claimed:  # another worker got there first
        delivery.refresh_from_db()
        return delivery
    try:
        get_connection(fail_silently=False).send_messages([email])
    except Exception as exc:
        delivery.refresh_from_db(fields=["attempts"])
        if not isinstance(exc, TRANSIENT):  # not the server's answer: a bug to look at
            logger.exception("report to %s failed", delivery.email)
        transient = isinstance(exc, TRANSIENT) and not is_permanent(exc)
        retry = transient and delivery.attempts < max_attempts
        _finish(
            delivery_id,
            status=Status.FAILED if retry else Status.GAVE_UP,
            last_error=describe_error(exc),
        )
    else:
        _finish(
            delivery_id,
            status=Status.SENT,
            sent_at=timezone.now(),
            message_id=message_id,
            last_error="",
        )
    delivery.refresh_from_db()
    return delivery


def queue_month(
    month: date, *, now: datetime, recipients: list[ReportRecipient] | None = None
) -> list[ReportDelivery]:
    """The delivery rows of `month` for `recipients` (default: every active one), created
    pending where missing; existing rows are returned as they are, whatever their status."""
    if recipients is None:
        recipients = list(ReportRecipient.objects.filter(active=True).order_by("email"))
    rows = []
    for recipient in recipients:
        row, _ = ReportDelivery.objects.get_or_create(
            month=month,
            email=recipient.email,
            kind=ReportDelivery.Kind.REPORT,
            defaults={"recipient": recipient},
        )
        rows.append(row)
    return rows


def queue_address(month: date, address: str) -> tuple[ReportDelivery, bool]:
    """The month's delivery row for an address given by hand (send_report --to)."""
    return ReportDelivery.objects.get_or_create(
        month=month, email=address, kind=ReportDelivery.Kind.REPORT
    )


def resend(delivery: ReportDelivery, *, now: datetime | None = None) -> ReportDelivery:
    """Send again on purpose (admin "Resend"): the one way a report reaches an address twice.

    A fresh round of attempts; refused while a send may still be in flight.
    """
    from .tasks import deliver_task

    now = now or timezone.now()
    fresh = delivery.status == Status.SENDING and not is_unknown(delivery, now=now)
    if fresh:
        raise StillSending(
            f"{delivery.email}: a send started at {delivery.claimed_at:%Y-%m-%d %H:%M} UTC may "
            "still be going on; resend after it has had 30 minutes."
        )
    ReportDelivery.objects.filter(pk=delivery.pk).update(
        status=Status.PENDING, attempts=0, claimed_at=None, updated_at=now
    )
    deliver_task.delay(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


def send_test(month: date, address: str, *, now: datetime) -> ReportDelivery:
    """A test of `month`'s report to `address`: its own row, always sent, tried once."""
    delivery = ReportDelivery.objects.create(
        month=month, email=address, kind=ReportDelivery.Kind.TEST
    )
    return deliver(delivery.pk, now=now)

"""Sending the monthly report through a real SMTP server on loopback: the MIME the server
receives, once per recipient, and what a refusing or absent server leaves in the rows."""

from __future__ import annotations

import email
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from email import policy

import pytest
from django.core import mail
from django.urls import reverse

from metrics.report import delivery as sender
from metrics.report.message import report_message_id
from metrics.report.tasks import send_due_task
from supportops.models import (
    MetricSettings,
    MonthlyReport,
    ReportDelivery,
    ReportRecipient,
    ReportSchedule,
)
from tests.report.delivery_data import CHARTS, PNG_SIGNATURE, report_create
from tests.report.smtp_server import free_port, smtp_server

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)
SEND_AT = datetime(2026, 11, 1, 8, 5, tzinfo=UTC)  # 08:05 on the 1st, reporting zone UTC
Status = ReportDelivery.Status


@pytest.fixture
def setup():
    MetricSettings.objects.create(pk=1, reporting_timezone="UTC")
    ReportSchedule.objects.create(pk=1, enabled=True, send_hour=8)
    ReportRecipient.objects.create(email="ceo@acme.test", name="Ada Ceo")
    ReportRecipient.objects.create(email="cfo@acme.test")
    return report_create(OCTOBER)


@pytest.fixture
def clock(monkeypatch):
    """Sets the time every `timezone.now()` reads (the tasks', the rows' auto_now)."""

    def set_now(at: datetime) -> None:
        monkeypatch.setattr("django.utils.timezone.now", lambda: at)

    return set_now


def beat(clock, at, capture) -> int:
    """One hourly check at `at`, with the deliveries it enqueues run (eager, after commit)."""
    clock(at)
    with capture(execute=True):
        return send_due_task()


def test_a_month_is_received_once_per_recipient_as_text_html_images_and_pdf(
    setup, settings, clock, django_capture_on_commit_callbacks, tmp_path
):
    with smtp_server(settings) as server:
        assert beat(clock, SEND_AT, django_capture_on_commit_callbacks) == 2
        assert beat(clock, SEND_AT + timedelta(hours=1), django_capture_on_commit_callbacks) == 0
        assert beat(clock, SEND_AT + timedelta(days=2), django_capture_on_commit_callbacks) == 0

    assert [len(server.to(a)) for a in ("ceo@acme.test", "cfo@acme.test")] == [1, 1]
    assert len(server.messages) == 2
    received = server.to("ceo@acme.test")[0]
    msg = email.message_from_bytes(received.content, policy=policy.default)
    assert msg["Subject"] == "SupportOps monthly report: Oct 2026"
    assert msg["To"] == "Ada Ceo <ceo@acme.test>"
    assert msg["Message-ID"] == report_message_id(OCTOBER, "ceo@acme.test")
    assert msg.get_content_type() == "multipart/mixed"
    body, pdf = msg.iter_parts()
    assert body.get_content_type() == "multipart/alternative"
    text, related = body.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert "Tickets: 1,234" in text.get_content()
    assert related.get_content_type() == "multipart/related"
    html, *images = related.iter_parts()
    assert html.get_content_type() == "text/html"
    assert "<p>Tickets: 1,234</p>" in html.get_content()
    by_cid = {part["Content-ID"]: part for part in images}
    referenced = [f"<{name}@supportops.report>" for name in CHARTS]
    assert all(f'src="cid:{cid[1:-1]}"' in html.get_content() for cid in referenced)
    assert sorted(by_cid) == sorted(referenced)
    for part in images:
        assert part.get_content_type() == "image/png"
        assert part.get_content_disposition() == "inline"
        assert part.get_content().startswith(PNG_SIGNATURE)
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == "supportops-report-2026-10.pdf"
    assert pdf.get_content_disposition() == "attachment"
    pdf_bytes = pdf.get_content()
    assert pdf_bytes.startswith(b"%PDF-")
    if shutil.which("pdftoppm"):  # the attachment opens: page 1 renders
        (tmp_path / "r.pdf").write_bytes(pdf_bytes)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "20", "-f", "1", "-l", "1", "r.pdf", "page"],
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )
        assert next(tmp_path.glob("page*.png")).read_bytes().startswith(PNG_SIGNATURE)

    rows = ReportDelivery.objects.order_by("email")
    assert [(r.email, r.status, r.attempts, r.last_error) for r in rows] == [
        ("ceo@acme.test", Status.SENT, 1, ""),
        ("cfo@acme.test", Status.SENT, 1, ""),
    ]
    assert rows[0].sent_at == SEND_AT and rows[0].message_id == msg["Message-ID"]
    assert rows[0].recipient.email == "ceo@acme.test"


def test_a_server_answering_451_is_retried_then_the_failure_is_shown_in_admin(
    setup, settings, clock, django_capture_on_commit_callbacks, admin_client
):
    with smtp_server(settings, rcpt_reply="451 4.3.0 try later") as server:
        beat(clock, SEND_AT, django_capture_on_commit_callbacks)
    attempts = settings.REPORT_SEND_RETRIES + 1
    assert server.refused == 2 * attempts and server.messages == []
    row = ReportDelivery.objects.get(email="ceo@acme.test")
    assert (row.status, row.attempts) == (Status.GAVE_UP, attempts)
    assert row.last_error == "SMTPRecipientsRefused: ceo@acme.test: 451 4.3.0 try later"
    assert row.sent_at is None

    page = admin_client.get(reverse("admin:supportops_reportdelivery_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "451 4.3.0 try later" in html and ">Failed</td>" in html

    # the next hourly check leaves a row that gave up alone: admin's Resend is the way
    with smtp_server(settings) as server:
        assert beat(clock, SEND_AT + timedelta(hours=1), django_capture_on_commit_callbacks) == 0
    assert server.messages == []


def test_a_550_is_permanent_and_gives_up_at_once(
    setup, settings, clock, django_capture_on_commit_callbacks
):
    with smtp_server(settings, rcpt_reply="550 5.1.1 no such user") as server:
        beat(clock, SEND_AT, django_capture_on_commit_callbacks)
    assert server.refused == 2
    row = ReportDelivery.objects.get(email="cfo@acme.test")
    assert (row.status, row.attempts) == (Status.GAVE_UP, 1)
    assert "550 5.1.1 no such user" in row.last_error


def test_no_server_listening_is_retried_then_gives_up_with_the_connection_error(
    setup, settings, clock, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.EMAIL_HOST_PASSWORD = "s3cret-password"
    beat(clock, SEND_AT, django_capture_on_commit_callbacks)
    row = ReportDelivery.objects.get(email="ceo@acme.test")
    assert (row.status, row.attempts) == (Status.GAVE_UP, settings.REPORT_SEND_RETRIES + 1)
    assert row.last_error.startswith("ConnectionRefusedError: ")
    assert "s3cret" not in row.last_error


def test_skip_if_no_data_skips_only_that_recipient(
    settings, clock, django_capture_on_commit_callbacks
):
    MetricSettings.objects.create(pk=1, reporting_timezone="UTC")
    ReportRecipient.objects.create(email="quiet@acme.test", skip_if_no_data=True)
    ReportRecipient.objects.create(email="always@acme.test")
    report_create(OCTOBER, has_data=False)
    beat(clock, SEND_AT, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["always@acme.test"]]
    statuses = dict(ReportDelivery.objects.values_list("email", "status"))
    assert statuses == {"quiet@acme.test": Status.SKIPPED, "always@acme.test": Status.SENT}
    assert ReportDelivery.objects.get(email="quiet@acme.test").attempts == 0


def test_a_claimed_row_is_never_sent_twice(setup, clock):
    clock(SEND_AT)
    row, _ = sender.queue_address(OCTOBER, "ceo@acme.test")
    assert sender.deliver(row.pk).status == Status.SENT
    assert sender.deliver(row.pk).status == Status.SENT
    assert len(mail.outbox) == 1

    # a worker died mid-conversation: the row stays "sending", nothing resends it
    stuck, _ = sender.queue_address(OCTOBER, "cfo@acme.test")
    ReportDelivery.objects.filter(pk=stuck.pk).update(
        status=Status.SENDING, attempts=1, claimed_at=SEND_AT
    )
    assert sender.deliver(stuck.pk).status == Status.SENDING
    assert len(mail.outbox) == 1
    stuck.refresh_from_db()
    assert not sender.is_unknown(stuck, now=SEND_AT + timedelta(minutes=29))
    assert sender.is_unknown(stuck, now=SEND_AT + timedelta(minutes=31))
    with pytest.raises(sender.StillSending):
        sender.resend(stuck, now=SEND_AT + timedelta(minutes=5))
    assert sender.resend(stuck, now=SEND_AT + timedelta(minutes=31)).status == Status.SENT
    assert len(mail.outbox) == 2


def test_resend_sends_the_same_message_again_on_purpose(setup, clock):
    clock(SEND_AT)
    row, _ = sender.queue_address(OCTOBER, "ceo@acme.test")
    sender.deliver(row.pk)
    row = sender.resend(ReportDelivery.objects.get(pk=row.pk), now=SEND_AT)
    assert (row.status, row.attempts) == (Status.SENT, 1)
    first, second = (m.message() for m in mail.outbox)
    assert first["Message-ID"] == second["Message-ID"] == row.message_id


def test_a_test_send_always_goes_and_is_its_own_message(settings, clock):
    MetricSettings.objects.create(pk=1, reporting_timezone="UTC")
    ReportRecipient.objects.create(email="me@acme.test", skip_if_no_data=True)
    report_create(OCTOBER, has_data=False)
    clock(SEND_AT)
    first = sender.send_test(OCTOBER, "me@acme.test", now=SEND_AT)
    second = sender.send_test(OCTOBER, "me@acme.test", now=SEND_AT)
    assert (first.kind, first.status, second.status) == ("test", Status.SENT, Status.SENT)
    assert len(mail.outbox) == 2
    ids = {first.message_id, second.message_id, report_message_id(OCTOBER, "me@acme.test")}
    assert len(ids) == 3


def test_a_report_that_cannot_be_built_says_so_on_the_row(setup, clock, monkeypatch):
    def broken(month, *, now):
        raise RuntimeError("no chromium")

    monkeypatch.setattr("metrics.report.snapshot.report_for", broken)
    clock(SEND_AT)
    row, _ = sender.queue_address(OCTOBER, "ceo@acme.test")
    row = sender.deliver(row.pk)
    assert (row.status, row.attempts) == (Status.PENDING, 0)
    assert row.last_error == "The report could not be built: RuntimeError: no chromium"
    assert mail.outbox == []


def test_the_message_id_is_stable_per_month_and_address(settings):
    settings.DEFAULT_FROM_EMAIL = "SupportOps <reports@acme.test>"
    one = report_message_id(OCTOBER, "CEO@acme.test ")
    assert one == report_message_id(OCTOBER, "ceo@acme.test")
    assert one.startswith("<report-2026-10.") and one.endswith("@acme.test>")
    assert one != report_message_id(date(2026, 11, 1), "ceo@acme.test")
    assert one != report_message_id(OCTOBER, "cfo@acme.test")


def test_a_test_of_a_month_in_progress_is_built_unsaved(settings, clock, monkeypatch):
    """Saving a snapshot of November on 15 November would send everyone half a month."""
    MetricSettings.objects.create(pk=1, reporting_timezone="UTC")
    unsaved = report_create(date(2026, 11, 1))
    charts = list(unsaved.charts.all())
    MonthlyReport.objects.all().delete()
    unsaved.pk = None
    for chart in charts:
        chart.pk = None
    unsaved.chart_list = charts
    monkeypatch.setattr("metrics.report.snapshot.preview", lambda month, *, now: unsaved)
    now = datetime(2026, 11, 15, 12, tzinfo=UTC)
    clock(now)
    row = sender.send_test(date(2026, 11, 1), "me@acme.test", now=now)
    assert row.status == Status.SENT and not MonthlyReport.objects.exists()
    msg = email.message_from_bytes(mail.outbox[0].message().as_bytes(), policy=policy.default)
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert sorted(p["Content-ID"] for p in images) == [f"<{n}@supportops.report>" for n in CHARTS]

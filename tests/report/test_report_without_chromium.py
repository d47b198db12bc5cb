"""A machine without Chromium (a fresh demo before `make test` installed it) still sends the
report: the charts fall back to their tables, the PDF is left off and the email says why, and
the archive says so instead of linking a PDF. Nothing stubbed: CHROMIUM_BIN names a path that
does not exist, as a misconfigured server would."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy

import pytest
from django.utils import timezone

from metrics.report.tasks import send_due_task
from supportops.models import MonthlyReport, ReportDelivery, ReportRecipient, ReportSchedule
from tests.overview_data import overview_company
from tests.report.smtp_server import smtp_server

pytestmark = pytest.mark.django_db

SEND_AT = datetime(2016, 5, 1, 8, 5, tzinfo=UTC)


def test_without_chromium_the_report_goes_with_tables_and_says_why_there_is_no_pdf(
    monkeypatch, settings, django_capture_on_commit_callbacks, admin_client
):
    monkeypatch.setattr(timezone, "now", lambda: SEND_AT)
    overview_company()
    ReportSchedule.objects.create(pk=1, enabled=True, send_hour=8)
    ReportRecipient.objects.create(email="ceo@acme.test")
    settings.CHROMIUM_BIN = "/nonexistent/chromium"
    with smtp_server(settings) as server:
        with django_capture_on_commit_callbacks(execute=True):
            send_due_task()
    (received,) = server.messages
    assert ReportDelivery.objects.get().status == ReportDelivery.Status.SENT
    message = email.message_from_bytes(received.content, policy=policy.default)
    types = {part.get_content_type() for part in message.walk()}
    assert "application/pdf" not in types and "image/png" not in types
    html = message.get_body(preferencelist=("html",)).get_content()
    assert (
        "The PDF could not be made this time (Chromium not found at /nonexistent/chromium" in html
    )
    assert "Jan 2016" in html and "25.00 USD" in html  # the cost trend as its table
    report = MonthlyReport.objects.get()
    assert bytes(report.pdf) == b""
    page = admin_client.get("/reports/2016-04/").content.decode()
    assert "The PDF could not be made this time" in page
    assert admin_client.get("/reports/2016-04/report.pdf").status_code == 404

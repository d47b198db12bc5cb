"""The monthly report from data to inbox, nothing stubbed: the company of tests/overview_data.py
(April 2016 worked by hand there and in test_report_builder.py), the hourly beat check on
1 May 2016 at 08:05, the real builder, Kaleido charts and Chromium PDF, Django's SMTP backend
and an aiosmtpd server on loopback. What the server received is parsed as a mail client would:
the figures the email shows are the endpoints' for April, each image a `cid:` points at is a
PNG of the size rendered, and the PDF's first page renders with pdftoppm.
"""

from __future__ import annotations

import email
import shutil
import struct
import subprocess
from datetime import UTC, datetime
from decimal import Decimal
from email import policy

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from metrics.report.snapshot import CHART_HEIGHT, CHART_WIDTH
from metrics.report.tasks import send_due_task
from supportops.models import MonthlyReport, ReportDelivery, ReportRecipient, ReportSchedule
from tests.auth_tokens import token_for
from tests.overview_data import overview_company
from tests.report.smtp_server import smtp_server
from tests.support_cost_builders import at, subscription

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian's chromium"),
    pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler-utils"),
]

SEND_AT = datetime(2016, 5, 1, 8, 5, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def company(monkeypatch, django_user_model):
    monkeypatch.setattr(timezone, "now", lambda: SEND_AT)
    people = overview_company()
    subscription(people["acme"], plan_row=None, started_at=at(2016, 1, 1), list_mrr=10000)
    ReportSchedule.objects.create(pk=1, enabled=True, send_hour=8)
    ReportRecipient.objects.create(email="ceo@acme.test", name="Ada Ceo")
    user = django_user_model.objects.create_user("exec", password="x")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG)
    return struct.unpack(">II", data[16:24])


def _money(text: str) -> str:
    return f"{Decimal(text):,.2f} USD"


def test_the_received_email_has_the_apis_numbers_valid_images_and_a_pdf(
    company, settings, django_capture_on_commit_callbacks, tmp_path
):
    with smtp_server(settings) as server:
        with django_capture_on_commit_callbacks(execute=True):
            send_due_task()
        with django_capture_on_commit_callbacks(execute=True):
            send_due_task()  # the next hourly check: nothing more goes out
    (received,) = server.messages
    assert ReportDelivery.objects.get().status == ReportDelivery.Status.SENT
    message = email.message_from_bytes(received.content, policy=policy.default)
    assert message["Subject"] == "SupportOps monthly report: Apr 2016"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()

    cost = company.get("/api/v1/metrics/cost/", {"month": "2016-04"}).json()
    mrr = company.get("/api/v1/metrics/ticket-mrr/", {"month": "2016-04"}).json()
    margin = company.get(
        "/api/v1/metrics/support-vs-revenue/",
        {"start": "2016-04", "end": "2016-04", "unprofitable": "true"},
    ).json()
    assert f"Tickets: {cost['tickets']:,}" in text
    for body in (text, html):
        assert _money(cost["cost_per_ticket"]) in body
        assert _money(cost["cost_per_reply"]) in body
        assert _money(mrr["mrr"]) in body
        for row in margin["rows"]:
            assert row["customer"] in body and _money(row["support_cost"]) in body

    images = {
        part["Content-ID"].strip("<>"): part.get_content()
        for part in message.walk()
        if part.get_content_type() == "image/png"
    }
    referenced = {src.split('"')[0] for src in html.split('src="cid:')[1:]}
    assert referenced == {"cost_trend@supportops.report", "coverage@supportops.report"}
    assert referenced <= set(images)
    for name in referenced:
        assert _png_size(images[name]) == (CHART_WIDTH * 2, CHART_HEIGHT * 2)

    (pdf_part,) = [p for p in message.walk() if p.get_content_type() == "application/pdf"]
    assert pdf_part.get_filename() == "supportops-report-2016-04.pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(pdf_part.get_content())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
        timeout=60,
    )
    (page,) = tmp_path.glob("page*.png")
    assert _png_size(page.read_bytes())[0] > 200

    # the archive serves the same snapshot, with its charts and PDF
    report = MonthlyReport.objects.get()
    assert bytes(report.pdf) == pdf_part.get_content()


def test_a_chart_that_times_out_is_replaced_by_its_table_and_the_report_still_goes(
    company, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_RENDER_TIMEOUT = 0.01  # nothing renders in 10 ms; the PDF gets its own
    from metrics.report import snapshot

    real_pdf = snapshot._pdf

    def pdf_in_time(data, charts):
        settings.REPORT_RENDER_TIMEOUT = 60
        return real_pdf(data, charts)

    snapshot_pdf = pytest.MonkeyPatch()
    snapshot_pdf.setattr(snapshot, "_pdf", pdf_in_time)
    try:
        with smtp_server(settings) as server:
            with django_capture_on_commit_callbacks(execute=True):
                send_due_task()
    finally:
        snapshot_pdf.undo()
    (received,) = server.messages
    message = email.message_from_bytes(received.content, policy=policy.default)
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "cid:" not in html
    assert not [p for p in message.walk() if p.get_content_type() == "image/png"]
    # the cost trend's table stands in for its chart, month by month
    for month in ("Jan 2016", "Feb 2016", "Mar 2016", "Apr 2016"):
        assert month in html
    assert "25.00 USD" in html

"""The report archive (/reports/, /reports/YYYY-MM/ with its PDF and charts): the stored
snapshot as sent, who received it, login required, clear 404s."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from supportops.models import ReportDelivery
from tests.report.delivery_data import minimal_pdf, report_create, tiny_png

OCTOBER = date(2026, 10, 1)


@pytest.fixture
def report(db):
    report = report_create(OCTOBER)
    sent = datetime(2026, 11, 1, 8, 5, tzinfo=UTC)
    ReportDelivery.objects.create(month=OCTOBER, email="ceo@acme.test", status="sent",
                                  attempts=1, sent_at=sent)  # fmt: skip
    ReportDelivery.objects.create(month=OCTOBER, email="cfo@acme.test", status="gave_up",
                                  attempts=5, last_error="SMTPRecipientsRefused: 451 try later")  # fmt: skip
    return report


def test_url_names():
    assert reverse("report-list") == "/reports/"
    assert reverse("report-archive", args=["2026-10"]) == "/reports/2026-10/"
    assert reverse("report-pdf", args=["2026-10"]) == "/reports/2026-10/report.pdf"


@pytest.mark.parametrize(
    "path", ["/reports/", "/reports/2026-10/", "/reports/2026-10/report.pdf",
             "/reports/2026-10/charts/cost_trend.png"],
)  # fmt: skip
def test_anonymous_is_sent_to_sign_in(client, report, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_list_counts_each_months_deliveries(signed_in, report, django_assert_num_queries):
    with django_assert_num_queries(5):  # session, user, reports, deliveries, freshness
        response = signed_in.get("/reports/")
    html = response.content.decode()
    assert response.status_code == 200
    row = html.split('href="/reports/2026-10/"', 1)[1].split("</tr>", 1)[0]
    cells = [cell.split("</td>")[0] for cell in row.split('<td class="num">')[1:]]
    assert cells == ["1", "1", "0"]  # sent, failed, waiting
    assert 'href="/reports/2026-10/report.pdf"' in row


def test_the_month_shows_the_snapshot_and_its_deliveries(signed_in, report):
    html = signed_in.get("/reports/2026-10/").content.decode()
    assert "<p>Tickets: 1,234</p>" in html  # the stored archive HTML, as sent
    assert "ceo@acme.test" in html and "cfo@acme.test" in html
    assert "SMTPRecipientsRefused: 451 try later" in html


def test_the_pdf_and_charts_are_the_stored_bytes(signed_in, report):
    pdf = signed_in.get("/reports/2026-10/report.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content == minimal_pdf()
    assert 'filename="supportops-report-2026-10.pdf"' in pdf["Content-Disposition"]
    chart = signed_in.get(f"/reports/2026-10/charts/{report.charts.first().name}.png")
    assert chart["Content-Type"] == "image/png" and chart.content == tiny_png()


@pytest.mark.parametrize(
    "path", ["/reports/2026-09/", "/reports/2026-13/", "/reports/nonsense/report.pdf",
             "/reports/2026-10/charts/nope.png"],
)  # fmt: skip
def test_missing_months_and_bad_names_are_404(signed_in, report, path):
    assert signed_in.get(path).status_code == 404


def test_an_empty_archive_says_when_the_first_report_goes(signed_in, db):
    html = signed_in.get("/reports/").content.decode()
    assert "No report has been sent yet" in html

"""Admin of the monthly report: lists with their query budgets, preview one click from the
index, a test send to oneself, resend, and the permissions each needs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from supportops.models import (
    MetricSettings,
    MonthlyReport,
    ReportDelivery,
    ReportRecipient,
    ReportSchedule,
)
from tests.report.delivery_data import report_create

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)
Status = ReportDelivery.Status
PREVIEW = "admin:supportops_monthlyreport_preview"
SEND_TEST = "admin:supportops_monthlyreport_send_test"


@pytest.fixture
def admin_user(admin_user):
    admin_user.email = "admin@acme.test"
    admin_user.save()
    return admin_user


@pytest.fixture
def rows():
    MetricSettings.objects.create(pk=1, reporting_timezone="UTC")
    ReportSchedule.objects.create(pk=1)
    report_create(OCTOBER)
    report_create(date(2026, 9, 1))
    at = datetime(2026, 11, 1, 8, 5, tzinfo=UTC)
    for i in range(3):
        recipient = ReportRecipient.objects.create(email=f"exec{i}@acme.test", name=f"Exec {i}")
        ReportDelivery.objects.create(
            month=OCTOBER,
            email=recipient.email,
            recipient=recipient,
            status=Status.SENT,
            attempts=1,
            sent_at=at,
            message_id=f"<m{i}@acme.test>",
        )
    ReportDelivery.objects.create(
        month=OCTOBER,
        email="gone@acme.test",
        status=Status.GAVE_UP,
        attempts=5,
        last_error="SMTPRecipientsRefused: gone@acme.test: 451 4.3.0 try later",
    )
    ReportDelivery.objects.create(
        month=OCTOBER,
        email="stuck@acme.test",
        status=Status.SENDING,
        attempts=1,
        claimed_at=timezone.now() - timedelta(hours=2),
    )


def page(client, url, *, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


def test_the_index_links_the_preview_and_the_test_send(admin_client):
    html = page(admin_client, reverse("admin:index"))
    assert f'href="{reverse(PREVIEW)}"' in html
    assert "Preview last month&#x27;s report" in html or "Preview last month's report" in html
    assert f'action="{reverse(SEND_TEST)}"' in html
    assert ">Monthly report<" in html


@pytest.mark.parametrize(
    ("model", "queries"),
    # session, user, the filters' values, 2 counts, the sidebar's "may add" check, the page
    [("reportdelivery", 9), ("reportrecipient", 8), ("monthlyreport", 7)],
)
def test_changelists_render_within_their_query_budget(
    model, queries, rows, admin_client, django_assert_num_queries
):
    url = reverse(f"admin:supportops_{model}_changelist")
    with django_assert_num_queries(queries):
        assert admin_client.get(url).status_code == 200


def test_the_delivery_list_shows_errors_and_unknown_sends(rows, admin_client):
    html = page(admin_client, reverse("admin:supportops_reportdelivery_changelist"))
    assert "451 4.3.0 try later" in html
    assert "Unknown: check, then resend" in html
    assert "&lt;m0@acme.test&gt;" in html
    html = page(
        admin_client,
        reverse("admin:supportops_reportdelivery_changelist") + "?month=2026-10&status=gave_up",
    )
    assert "gone@acme.test" in html and "exec0@acme.test" not in html


def test_the_recipient_list_shows_each_last_delivery(rows, admin_client):
    ReportRecipient.objects.create(email="new@acme.test")
    html = page(admin_client, reverse("admin:supportops_reportrecipient_changelist"))
    assert "2026-10: Sent" in html
    assert "(reporting time zone)" in html


def test_the_report_list_counts_deliveries_and_links_the_archive(rows, admin_client):
    html = page(admin_client, reverse("admin:supportops_monthlyreport_changelist"))
    delivery_list = reverse("admin:supportops_reportdelivery_changelist")
    assert f'<a href="{delivery_list}?month=2026-10">5</a>' in html
    assert f'<a href="{delivery_list}?month=2026-09">0</a>' in html
    assert "/reports/2026-10/" in html
    report = MonthlyReport.objects.get(month=OCTOBER)
    detail = page(admin_client, reverse("admin:supportops_monthlyreport_change", args=[report.pk]))
    assert "SupportOps monthly report: Oct 2026" in detail


def test_preview_renders_the_unsaved_build_of_last_month(rows, admin_client, monkeypatch):
    asked = []

    def preview(month, *, now):
        asked.append(month)
        return MonthlyReport(month=month, subject="Preview subject", archive_html="<h1>Hi 42</h1>")

    monkeypatch.setattr("metrics.report.snapshot.preview", preview)
    html = page(admin_client, reverse(PREVIEW))
    last = timezone.now().date().replace(day=1) - timedelta(days=1)
    assert asked == [last.replace(day=1)]
    assert "<h1>Hi 42</h1>" in html and "Preview subject" in html
    page(admin_client, reverse(PREVIEW) + "?month=2026-10")
    assert asked[-1] == OCTOBER
    response = admin_client.get(reverse(PREVIEW) + "?month=nope", follow=True)
    assert "Bad month: month must look like 2024-01" in response.content.decode()


def test_send_a_test_to_myself(rows, admin_client):
    assert admin_client.get(reverse(SEND_TEST)).status_code == 302  # GET sends nothing
    assert mail.outbox == []
    response = admin_client.post(reverse(SEND_TEST), {"month": "2026-10"}, follow=True)
    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [["admin@acme.test"]]
    assert "Test of 2026-10 to admin@acme.test: sent." in response.content.decode()
    assert ReportDelivery.objects.filter(kind="test", email="admin@acme.test").count() == 1


def test_send_a_test_without_an_email_says_what_to_do(rows, admin_client, admin_user):
    admin_user.email = ""
    admin_user.save()
    response = admin_client.post(reverse(SEND_TEST), {"month": "2026-10"}, follow=True)
    assert "Your user has no email address" in response.content.decode()
    assert mail.outbox == [] and not ReportDelivery.objects.filter(kind="test").exists()


def test_resend_action_sends_the_selected_again(rows, admin_client):
    targets = ReportDelivery.objects.filter(email__in=["exec0@acme.test", "gone@acme.test"])
    response = admin_client.post(
        reverse("admin:supportops_reportdelivery_changelist"),
        {"action": "resend_selected", "_selected_action": [r.pk for r in targets]},
        follow=True,
    )
    html = response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == ["exec0@acme.test", "gone@acme.test"]
    assert "Resend of 2026-10 to gone@acme.test: sent." in html
    gone = ReportDelivery.objects.get(email="gone@acme.test")
    assert (gone.status, gone.attempts, gone.last_error) == (Status.SENT, 1, "")


def test_staff_without_report_permissions_get_403_and_no_tools(rows, client):
    staff = User.objects.create_user("staff", "staff@acme.test", "pw", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse(PREVIEW)).status_code == 403
    assert client.post(reverse(SEND_TEST)).status_code == 403
    assert "Preview last month" not in page(client, reverse("admin:index"))
    staff.user_permissions.add(
        Permission.objects.get(codename="view_reportdelivery"),
        Permission.objects.get(codename="view_monthlyreport"),
    )
    html = page(client, reverse("admin:supportops_reportdelivery_changelist"))
    assert "resend_selected" not in html  # resend needs change permission
    assert "Preview last month" in page(client, reverse("admin:index"))


def test_the_schedule_and_a_delivery_render_and_a_bad_time_zone_is_refused(
    rows, admin_client, django_assert_num_queries
):
    response = admin_client.get(reverse("admin:supportops_reportschedule_changelist"))
    assert response["Location"] == reverse("admin:supportops_reportschedule_change", args=[1])
    with django_assert_num_queries(5):
        html = page(admin_client, reverse("admin:supportops_reportschedule_change", args=[1]))
    assert f'href="{reverse(PREVIEW)}"' in html and f'action="{reverse(SEND_TEST)}"' in html
    delivery = ReportDelivery.objects.get(email="gone@acme.test")
    html = page(admin_client, reverse("admin:supportops_reportdelivery_change", args=[delivery.pk]))
    assert "451 4.3.0 try later" in html
    response = admin_client.post(
        reverse("admin:supportops_reportrecipient_add"),
        {"email": "new@acme.test", "timezone": "Mars/Olympus", "active": "on"},
    )
    assert "Unknown time zone &#x27;Mars/Olympus&#x27;" in response.content.decode()
    response = admin_client.post(
        reverse("admin:supportops_reportrecipient_add"),
        {"email": "new@acme.test", "timezone": "Asia/Tokyo", "active": "on"},
    )
    assert response.status_code == 302
    assert ReportRecipient.objects.get(email="new@acme.test").timezone == "Asia/Tokyo"

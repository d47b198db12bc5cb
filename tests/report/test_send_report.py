"""`manage.py send_report`: sends through the same delivery rows as the schedule, so a second
run sends nothing; --dry-run records nothing; a bad --month names the flag."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from supportops.models import MetricSettings, MonthlyReport, ReportDelivery, ReportRecipient
from tests.report.delivery_data import report_create

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)
NOW = datetime(2026, 11, 15, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def setup(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    MetricSettings.objects.create(pk=1, reporting_timezone="UTC")
    ReportRecipient.objects.create(email="ceo@acme.test", name="Ada")
    ReportRecipient.objects.create(email="quiet@acme.test", skip_if_no_data=True)
    ReportRecipient.objects.create(email="gone@acme.test", active=False)


def run(*args) -> str:
    out = StringIO()
    call_command("send_report", *args, stdout=out)
    return out.getvalue()


def test_dry_run_prints_the_report_and_its_recipients_and_writes_nothing():
    report_create(OCTOBER, has_data=False)
    out = run("--dry-run")  # default month: October, the last complete one on 15 Nov
    assert "Subject: SupportOps monthly report: Oct 2026" in out
    assert "ceo@acme.test: yes" in out
    assert "quiet@acme.test: no: skipped (no data)" in out
    assert "gone@acme.test" not in out
    assert "Tickets: 1,234" in out  # the text part
    assert not ReportDelivery.objects.exists() and mail.outbox == []


def test_dry_run_of_a_month_without_a_snapshot_previews_it_unsaved(monkeypatch):
    built = MonthlyReport(month=date(2026, 9, 1), subject="Sep", text="Unsaved text")
    calls = []

    def preview(month, *, now):
        calls.append((month, now))
        return built

    monkeypatch.setattr("metrics.report.snapshot.preview", preview)
    out = run("--month", "2026-09", "--dry-run", "--to", "x@acme.test")
    assert calls == [(date(2026, 9, 1), NOW)]
    assert "x@acme.test: yes" in out and "Unsaved text" in out
    assert not ReportDelivery.objects.exists() and not MonthlyReport.objects.exists()


def test_sends_to_every_active_recipient_once():
    report_create(OCTOBER)
    out = run("--month", "2026-10")
    assert "ceo@acme.test: sent (<report-2026-10." in out
    assert "quiet@acme.test: sent" in out  # the month has data
    assert sorted(m.to[0] for m in mail.outbox) == ["ceo@acme.test", "quiet@acme.test"]
    again = run("--month", "2026-10")
    assert "ceo@acme.test: already sent on 2026-11-15 12:00 UTC, nothing sent" in again
    assert "Resend" in again
    assert len(mail.outbox) == 2


def test_to_sends_to_that_address_once():
    report_create(OCTOBER)
    assert "boss@acme.test: sent" in run("--month", "2026-10", "--to", "boss@acme.test")
    assert "already sent" in run("--month", "2026-10", "--to", "boss@acme.test")
    assert [m.to for m in mail.outbox] == [["boss@acme.test"]]
    row = ReportDelivery.objects.get()
    assert (row.email, row.kind, row.recipient) == ("boss@acme.test", "report", None)


def test_a_failed_send_is_reported_and_exits_non_zero(settings):
    from tests.report.smtp_server import free_port

    report_create(OCTOBER)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 1 addresses failed"):
        call_command("send_report", "--to", "boss@acme.test", stdout=out)
    assert "boss@acme.test: failed: ConnectionRefusedError" in out.getvalue()
    assert ReportDelivery.objects.get().status == "gave_up"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert "boss@acme.test: sent" in run("--to", "boss@acme.test")  # asked again: tried again
    assert ReportDelivery.objects.get().attempts == 2


@pytest.mark.parametrize("text", ["2026-13", "Oct 2026", "2026-1"])
def test_a_bad_month_names_the_flag_and_the_format(text):
    with pytest.raises(CommandError, match=r"--month: expected YYYY-MM \(e\.g\. 2026-11\)"):
        run("--month", text)


def test_a_bad_address_names_the_flag():
    with pytest.raises(CommandError, match="--to: 'nobody' is not an email address"):
        run("--to", "nobody")


def test_a_month_in_progress_is_refused_but_can_be_dry_run(monkeypatch):
    with pytest.raises(CommandError, match="--month: 2026-11 has not ended yet"):
        run("--month", "2026-11")
    monkeypatch.setattr(
        "metrics.report.snapshot.preview",
        lambda month, *, now: MonthlyReport(month=month, subject="Nov so far", text="So far"),
    )
    assert "Subject: Nov so far" in run("--month", "2026-11", "--dry-run")
    assert not MonthlyReport.objects.exists() and not ReportDelivery.objects.exists()

"""When the monthly report goes out: once per recipient at their hour, across DST changes,
never before the month has ended where the numbers are cut, and a week of catch-up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from metrics.periods import Month
from metrics.report.schedule import due_at, due_deliveries, local_hour_at
from metrics.report.tasks import backoff, deliver_task, send_due_task
from supportops.models import MetricSettings, ReportDelivery, ReportRecipient, ReportSchedule
from tests.report.delivery_data import report_create
from tests.report.smtp_server import free_port

pytestmark = pytest.mark.django_db

NEW_YORK, LONDON = ZoneInfo("America/New_York"), ZoneInfo("Europe/London")
TOKYO, LOS_ANGELES = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/Los_Angeles")


@pytest.fixture
def clock(monkeypatch):
    def set_now(at: datetime) -> None:
        monkeypatch.setattr("django.utils.timezone.now", lambda: at)

    return set_now


def hourly_beat(clock, capture, start: datetime, end: datetime) -> None:
    """Beat's hourly check (minute 5, as supportops/schedules.py) from start to end."""
    at = start.replace(minute=5)
    while at <= end:
        clock(at)
        with capture(execute=True):
            send_due_task()
        at += timedelta(hours=1)


@pytest.mark.parametrize("send_hour", [1, 8])
def test_once_per_recipient_at_their_hour_across_the_new_york_dst_change(
    send_hour, clock, django_capture_on_commit_callbacks
):
    # New York leaves DST on Sun 1 Nov 2026 at 02:00 (01:00–02:00 happens twice); London left
    # it on 25 Oct. 01:00 in New York that day is its first occurrence (EDT, 05:00 UTC).
    MetricSettings.objects.create(pk=1, reporting_timezone="Europe/London")
    ReportSchedule.objects.create(pk=1, send_hour=send_hour)
    ReportRecipient.objects.create(email="ny@acme.test", timezone="America/New_York")
    ReportRecipient.objects.create(email="london@acme.test")  # the reporting zone
    report_create(date(2026, 10, 1))

    hourly_beat(
        clock,
        django_capture_on_commit_callbacks,
        datetime(2026, 10, 31, 0, tzinfo=UTC),
        datetime(2026, 11, 8, 23, tzinfo=UTC),
    )

    assert sorted(m.to[0] for m in mail.outbox) == ["london@acme.test", "ny@acme.test"]
    rows = {row.email: row for row in ReportDelivery.objects.all()}
    assert {row.month for row in rows.values()} == {date(2026, 10, 1)}
    assert {row.attempts for row in rows.values()} == {1}
    ny = rows["ny@acme.test"].sent_at.astimezone(NEW_YORK)
    london = rows["london@acme.test"].sent_at.astimezone(LONDON)
    assert (ny.date(), ny.hour, ny.minute) == (date(2026, 11, 1), send_hour, 5)
    assert (london.date(), london.hour, london.minute) == (date(2026, 11, 1), send_hour, 5)
    expected_ny_utc = {1: 5, 8: 13}[send_hour]  # 01:00 EDT (first one), 08:00 EST
    assert rows["ny@acme.test"].sent_at == datetime(2026, 11, 1, expected_ny_utc, 5, tzinfo=UTC)


def test_tokyo_waits_for_the_month_to_end_in_los_angeles(clock, django_capture_on_commit_callbacks):
    MetricSettings.objects.create(pk=1, reporting_timezone="America/Los_Angeles")
    ReportSchedule.objects.create(pk=1, send_hour=8)
    ReportRecipient.objects.create(email="tokyo@acme.test", timezone="Asia/Tokyo")
    ReportRecipient.objects.create(email="la@acme.test")
    report_create(date(2026, 11, 1))

    # 08:00 on 1 Dec in Tokyo is 15:00 on 30 Nov in Los Angeles: November is not over there
    tokyo_eight = datetime(2026, 12, 1, 8, 5, tzinfo=TOKYO)
    clock(tokyo_eight)
    assert due_deliveries(now=tokyo_eight) == []
    hourly_beat(
        clock,
        django_capture_on_commit_callbacks,
        datetime(2026, 11, 30, 0, tzinfo=UTC),
        datetime(2026, 12, 2, 0, tzinfo=UTC),
    )
    rows = {row.email: row.sent_at for row in ReportDelivery.objects.all()}
    # midnight in Los Angeles (PST, 08:00 UTC) = 17:00 in Tokyo; LA's own 08:00 PST
    assert rows["tokyo@acme.test"] == datetime(2026, 12, 1, 8, 5, tzinfo=UTC)
    assert rows["la@acme.test"] == datetime(2026, 12, 1, 16, 5, tzinfo=UTC)
    assert len(mail.outbox) == 2


def test_a_beat_down_for_days_still_sends_within_the_week_and_not_after(clock):
    MetricSettings.objects.create(pk=1, reporting_timezone="UTC")
    ReportSchedule.objects.create(pk=1, send_hour=8)
    ReportRecipient.objects.create(email="ceo@acme.test")
    due = datetime(2026, 11, 1, 8, tzinfo=UTC)
    assert due_deliveries(now=due - timedelta(minutes=1)) == []
    [first] = due_deliveries(now=due)
    assert (first.month, first.due_at) == (date(2026, 10, 1), due)
    assert len(due_deliveries(now=due + timedelta(days=7) - timedelta(minutes=1))) == 1
    assert due_deliveries(now=due + timedelta(days=7)) == []  # mid-month: October is stale


def test_a_disabled_schedule_or_inactive_recipient_has_nothing_due():
    MetricSettings.objects.create(pk=1, reporting_timezone="UTC")
    schedule = ReportSchedule.objects.create(pk=1, enabled=False, send_hour=8)
    ReportRecipient.objects.create(email="ceo@acme.test")
    ReportRecipient.objects.create(email="gone@acme.test", active=False)
    at = datetime(2026, 11, 1, 9, tzinfo=UTC)
    assert due_deliveries(now=at) == []
    schedule.enabled = True
    schedule.save()
    assert [d.recipient.email for d in due_deliveries(now=at)] == ["ceo@acme.test"]


def test_hours_that_dst_skips_or_repeats_resolve_to_one_moment():
    # 2026-03-08 New York: 02:00 → 03:00. 02:00 does not exist: 03:00 EDT (07:00 UTC).
    assert local_hour_at(date(2026, 3, 8), 2, NEW_YORK) == datetime(2026, 3, 8, 7, tzinfo=UTC)
    # 2026-11-01 New York: 01:00 happens twice; the first (EDT, 05:00 UTC).
    assert local_hour_at(date(2026, 11, 1), 1, NEW_YORK) == datetime(2026, 11, 1, 5, tzinfo=UTC)
    # Rule (b) wins when the recipient's hour comes before the month ends in the reporting zone
    november = Month(2026, 11)
    at = due_at(november, send_hour=8, recipient_tz=TOKYO, reporting_tz=LOS_ANGELES)
    assert at == datetime(2026, 12, 1, 8, tzinfo=UTC)
    at = due_at(november, send_hour=8, recipient_tz=LOS_ANGELES, reporting_tz=TOKYO)
    assert at == datetime(2026, 12, 1, 16, tzinfo=UTC)


def test_with_a_broker_a_transient_failure_is_retried_later_with_backoff(settings, monkeypatch):
    """Not eager: the task asks Celery for a retry in 60·2^n s (±20 %) instead of looping."""
    MetricSettings.objects.create(pk=1, reporting_timezone="UTC")
    report_create(date(2026, 10, 1))
    row = ReportDelivery.objects.create(month=date(2026, 10, 1), email="ceo@acme.test")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    asked = {}

    class Retried(Exception):
        pass

    def retry(countdown):
        asked["countdown"] = countdown
        return Retried()

    monkeypatch.setattr(deliver_task, "retry", retry)
    deliver_task.push_request(is_eager=False, retries=2)
    try:
        with pytest.raises(Retried):
            deliver_task.run(delivery_id=row.pk)
    finally:
        deliver_task.pop_request()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (ReportDelivery.Status.FAILED, 1)
    assert 0.8 * 240 <= asked["countdown"] <= 1.2 * 240
    assert all(0.8 * 60 * 2**n <= backoff(n) <= 1.2 * 60 * 2**n for n in range(5))


def test_beat_schedules_the_registered_check_and_the_worker_knows_both_tasks():
    from supportops.celery import app
    from supportops.schedules import beat_schedule

    app.loader.import_default_modules()
    assert beat_schedule()["monthly-report"]["task"] == send_due_task.name == "reports.send_due"
    assert {"reports.send_due", "reports.deliver"} <= set(app.tasks)
    assert deliver_task.max_retries == 4


def test_a_recipient_zone_written_around_the_form_reads_as_the_reporting_zone():
    MetricSettings.objects.create(pk=1, reporting_timezone="UTC")
    ReportSchedule.objects.create(pk=1, send_hour=8)
    ReportRecipient.objects.create(email="odd@acme.test", timezone="Mars/Olympus")
    [due] = due_deliveries(now=datetime(2026, 11, 1, 8, 5, tzinfo=UTC))
    assert due.due_at == datetime(2026, 11, 1, 8, tzinfo=UTC)

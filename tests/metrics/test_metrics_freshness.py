"""Data freshness per source, for the page frame: ages, failures and late syncs by hand."""

from datetime import UTC, datetime, timedelta

import pytest

from metrics.freshness import age_text, data_freshness
from supportops.models import SyncRun

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
FIFTEEN = timedelta(minutes=15)


def run(source, status, finished_minutes_ago, error=""):
    finished_at = NOW - timedelta(minutes=finished_minutes_ago)
    return SyncRun.objects.create(
        source=source,
        status=status,
        started_at=finished_at - timedelta(minutes=1),
        finished_at=finished_at,
        error=error,
    )


@pytest.mark.django_db
def test_a_fresh_source_has_its_age_and_no_warning():
    run("zendesk", "succeeded", 40)
    run("zendesk", "succeeded", 12)
    (zendesk,) = data_freshness(schedules={"zendesk": FIFTEEN}, now=NOW)
    assert zendesk.label == "Zendesk"
    assert zendesk.last_success_at == NOW - timedelta(minutes=12)
    assert zendesk.age_label == "12 min ago"
    assert zendesk.warning == ""


@pytest.mark.django_db
def test_a_failed_last_run_warns_with_its_error_even_when_recent():
    run("stripe", "succeeded", 20)
    run("stripe", "failed", 50, error="old failure")
    run("stripe", "failed", 5, error="Stripe answered 401: Invalid API Key provided\nTraceback…")
    (stripe,) = data_freshness(schedules={"stripe": FIFTEEN}, now=NOW)
    assert stripe.failed
    assert stripe.warning == (
        "The last Stripe sync failed: Stripe answered 401: Invalid API Key provided"
    )
    assert stripe.age_label == "20 min ago"  # the last success is still shown


@pytest.mark.django_db
def test_a_failure_before_the_last_success_is_forgotten():
    run("stripe", "failed", 30, error="blip")
    run("stripe", "succeeded", 10)
    (stripe,) = data_freshness(schedules={"stripe": FIFTEEN}, now=NOW)
    assert not stripe.failed and stripe.warning == ""


@pytest.mark.django_db
def test_older_than_twice_the_schedule_is_late():
    run("intercom", "succeeded", 30)  # exactly 2 × 15 min: not yet late
    (intercom,) = data_freshness(schedules={"intercom": FIFTEEN}, now=NOW)
    assert intercom.warning == ""
    SyncRun.objects.all().delete()
    run("intercom", "succeeded", 31)
    (intercom,) = data_freshness(schedules={"intercom": FIFTEEN}, now=NOW)
    assert intercom.late
    assert intercom.warning == (
        "Intercom last synced 31 min ago, more than twice its 15 min schedule"
    )


@pytest.mark.django_db
def test_configured_but_never_synced_and_unscheduled_sources():
    run("usage", "succeeded", 60 * 24 * 40)  # a CSV import 40 days ago, on no schedule
    rows = data_freshness(schedules={"salesforce": timedelta(minutes=30)}, now=NOW)
    assert [row.source for row in rows] == ["salesforce", "usage"]
    salesforce, usage = rows
    assert salesforce.warning == "Salesforce has not synced yet"
    assert usage.label == "Product usage" and usage.age_label == "40 days ago"
    assert usage.warning == ""  # no schedule: it cannot be late


@pytest.mark.django_db
def test_one_query_when_nothing_failed(django_assert_num_queries):
    run("zendesk", "succeeded", 1)
    run("stripe", "succeeded", 1)
    with django_assert_num_queries(1):
        rows = data_freshness(schedules={"zendesk": FIFTEEN, "stripe": FIFTEEN}, now=NOW)
        assert all(row.warning == "" for row in rows)


def test_age_text():
    assert age_text(None) == "never"
    assert age_text(timedelta(seconds=20)) == "just now"
    assert age_text(timedelta(minutes=59, seconds=59)) == "59 min ago"
    assert age_text(timedelta(hours=47)) == "47 h ago"
    assert age_text(timedelta(days=2)) == "2 days ago"
    assert age_text(timedelta(minutes=15), ago=False) == "15 min"

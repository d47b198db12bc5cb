"""When "metrics.refresh_derived" is asked for: a finished sync (setting on), never a running
one or with the setting off; and beat's backstop every 15 minutes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from metrics.customer_costs import customer_cost_to_date
from metrics.overview_cache import overview_key
from metrics.periods import Month
from supportops.models import CustomerMonthCost, SyncRun
from tests.metrics.test_customer_costs import NOW, company

LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def books(reporting, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return company()


def _finish(status=SyncRun.Status.SUCCEEDED) -> SyncRun:
    run = SyncRun.objects.create(source="zendesk", started_at=NOW)
    run.records_read = 5
    run.save(update_fields=["records_read"])  # progress: not finished
    run.status = status
    run.finished_at = NOW
    run.save(update_fields=["status", "error", "finished_at"])  # as connectors.sync._finish
    return run


def test_a_finished_sync_refreshes_costs_and_warms_the_overview(
    books, settings, django_capture_on_commit_callbacks
):
    settings.DERIVED_REFRESH_AFTER_SYNC = True
    with override_settings(CACHES=LOCAL):
        cache.clear()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            _finish()
        assert len(callbacks) == 1  # the progress save asked for nothing
        assert cache.get(overview_key(month=Month(2016, 3), now=NOW)) is not None
        cache.clear()
    cost = customer_cost_to_date(books["a"].pk, now=NOW)
    assert cost.amount == Decimal("89.99") and not cost.stale


def test_a_failed_run_may_have_written_pages_a_skipped_one_did_not(
    books, settings, django_capture_on_commit_callbacks
):
    settings.DERIVED_REFRESH_AFTER_SYNC = True
    with django_capture_on_commit_callbacks() as callbacks:
        _finish(SyncRun.Status.FAILED)
        _finish(SyncRun.Status.SKIPPED)
    assert len(callbacks) == 1


def test_off_in_the_tests_by_default(books, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _finish()
    assert callbacks == [] and not CustomerMonthCost.objects.exists()


def test_beat_runs_it_every_15_minutes():
    from supportops.schedules import beat_schedule

    entry = beat_schedule()["derived-refresh"]
    assert entry["task"] == "metrics.refresh_derived"
    assert entry["schedule"].total_seconds() == 15 * 60


def test_the_task_is_registered_under_its_name(db):
    from celery import current_app

    assert "metrics.refresh_derived" in current_app.tasks

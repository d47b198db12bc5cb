"""The overview is computed once per (month, day, data version) and recomputed when any moves.

On the hand-worked company of tests/overview_data.py: April's cost per ticket is 100.00 / 4 =
25.00; a second expense of 100.00 a month makes it 200.00 / 4 = 50.00.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import override_settings

from metrics.overview_cache import overview_cached, overview_key
from metrics.periods import Month
from supportops.data_version import data_changed, data_version
from supportops.models import Expense, SyncRun
from tests.overview_data import NOW, overview_company

APRIL = Month(2016, 4)
LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def company(db):
    with override_settings(CACHES=LOCAL):
        cache.clear()
        yield overview_company()
        cache.clear()


def _cost_per_ticket(result) -> Decimal:
    return next(h for h in result.headlines if h.key == "cost_per_ticket").value


def test_the_second_call_reads_the_cache(company, django_assert_num_queries):
    first = overview_cached(month=APRIL, now=NOW)
    assert _cost_per_ticket(first) == Decimal("25.00")
    with django_assert_num_queries(2):  # the key: settings, data version
        again = overview_cached(month=APRIL, now=NOW)
    assert again == first


def test_a_changed_cost_input_is_seen_at_once(company):
    assert _cost_per_ticket(overview_cached(month=APRIL, now=NOW)) == Decimal("25.00")
    before = data_version()
    Expense.objects.create(
        name="More tools", kind=Expense.Kind.TOOL, monthly_amount=Decimal("100.00"),
        start_date=date(2015, 1, 1),
    )  # fmt: skip
    assert data_version() == before + 1
    assert _cost_per_ticket(overview_cached(month=APRIL, now=NOW)) == Decimal("50.00")


def test_a_sync_run_moves_the_version_when_it_finishes_not_on_its_progress(company):
    before = data_version()
    run = SyncRun.objects.create(source="zendesk", started_at=NOW)
    run.records_written = 3
    run.save(update_fields=["records_written"])  # a page's progress
    assert data_version() == before
    run.status, run.finished_at = SyncRun.Status.SUCCEEDED, NOW
    run.save(update_fields=["status", "error", "finished_at"])  # as connectors.sync._finish
    assert data_version() == before + 1


def test_the_key_moves_with_the_day_in_the_reporting_time_zone(company):
    today = overview_key(month=APRIL, now=NOW)
    assert overview_key(month=APRIL, now=NOW + timedelta(hours=1)) == today
    assert overview_key(month=APRIL, now=NOW + timedelta(days=1)) != today
    data_changed()
    assert overview_key(month=APRIL, now=NOW) != today

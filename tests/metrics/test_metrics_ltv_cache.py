"""The LTV basis is computed once per (month, settings, data version), recomputed when any moves.

Four customers paying since 2025, D stopping on 15 June 2026: as in test_metrics_ltv.py the mean
monthly churn over Dec 2025 … Nov 2026 is 0.25 / 12 and the lifetime 48 months. When C stops
too, on 10 August 2026, August's churn is 1 / 3 and the mean (0.25 + 1/3) / 12 = 7 / 144: a
lifetime of 144 / 7 = 20.57 months.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import override_settings

from metrics.ltv import ltv_basis
from metrics.ltv_cache import ltv_basis_cached, ltv_basis_key
from supportops.data_version import data_changed
from supportops.models import MetricSettings, Subscription
from tests.metrics.test_metrics_ltv import NOW, paying_customer

LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def book(db):
    with override_settings(CACHES=LOCAL):
        cache.clear()
        for name in ("A", "B", "C"):
            paying_customer(name)
        paying_customer("D", ended_at=datetime(2026, 6, 15, tzinfo=UTC))
        yield MetricSettings.load()
        cache.clear()


def _stop(name: str, at: datetime) -> None:
    Subscription.objects.filter(customer__name=name).update(status="canceled", ended_at=at)


def test_the_second_call_reads_the_cache(book, django_assert_num_queries):
    first = ltv_basis_cached(now=NOW, settings=book)
    assert first == ltv_basis(now=NOW) and first.lifetime_months == Decimal("48.00")
    with django_assert_num_queries(1):  # the key's data version
        assert ltv_basis_cached(now=NOW, settings=book) == first


def test_the_cache_holds_until_the_data_version_moves(book):
    assert ltv_basis_cached(now=NOW, settings=book).lifetime_months == Decimal("48.00")
    _stop("C", datetime(2026, 8, 10, tzinfo=UTC))  # a bulk write: no signal, as a sync writes
    assert ltv_basis_cached(now=NOW, settings=book).lifetime_months == Decimal("48.00")
    data_changed()  # what the sync run's save does
    assert ltv_basis_cached(now=NOW, settings=book).lifetime_months == Decimal("20.57")
    assert ltv_basis(now=NOW).lifetime_months == Decimal("20.57")


def test_the_key_moves_with_the_month_and_the_settings(book):
    key = ltv_basis_key(now=NOW, settings=book)
    assert ltv_basis_key(now=NOW + timedelta(days=20), settings=book) == key  # still December
    assert ltv_basis_key(now=NOW + timedelta(days=31), settings=book) != key
    book.ltv_cap_months = 24
    assert ltv_basis_key(now=NOW, settings=book) != key
    book.refresh_from_db()
    book.reporting_timezone = "Asia/Tokyo"
    assert ltv_basis_key(now=NOW, settings=book) != key


def test_a_settings_change_is_seen_at_once(book):
    assert ltv_basis_cached(now=NOW, settings=book).lifetime_months == Decimal("48.00")
    book.ltv_cap_months = 24
    book.save()
    basis = ltv_basis_cached(now=NOW, settings=MetricSettings.load())
    assert (basis.lifetime_months, basis.capped) == (Decimal("24.00"), True)

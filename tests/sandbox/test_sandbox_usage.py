"""The sandbox's usage CSV stops at the company's "now": the month under way is partial."""

from __future__ import annotations

import csv
import dataclasses
from datetime import UTC, date, datetime

from connectors.sandbox.usage import month_to_date, usage_rows, write_usage_csv

from .conftest import END_AT

CURRENT_MONTH = "2025-11-01"  # END_AT is 2025-11-28 12:00 UTC: 28 of November's 30 days


def test_month_to_date_prorates_only_the_month_of_today():
    today = date(2025, 11, 28)
    assert month_to_date(3000, date(2025, 11, 1), today) == 2800  # 3000 × 28 / 30
    assert month_to_date(1000, date(2025, 11, 1), today) == 933  # 933.3, rounded down
    assert month_to_date(3000, date(2025, 10, 1), today) == 3000
    assert month_to_date(3000, date(2024, 11, 1), today) == 3000  # same month, other year
    assert month_to_date(3100, date(2025, 12, 1), date(2025, 12, 31)) == 3100  # last day: whole


def test_current_month_holds_only_the_days_so_far(company):
    # The same company with "now" at the end of November draws the same numbers (same months,
    # same order), so its November rows are the whole-month figures.
    whole = dataclasses.replace(company, end_at=datetime(2025, 11, 30, 23, tzinfo=UTC))
    full = {
        r["account_id"]: r["api_calls"] for r in usage_rows(whole) if r["month"] == CURRENT_MONTH
    }
    rows = usage_rows(company)

    current = [r for r in rows if r["month"] == CURRENT_MONTH]
    assert current
    for row in current:
        assert row["api_calls"] == full[row["account_id"]] * 28 // 30
    assert any(row["api_calls"] < full[row["account_id"]] for row in current)
    earlier = [r for r in rows if r["month"] < CURRENT_MONTH]
    assert earlier == [r for r in usage_rows(whole) if r["month"] < CURRENT_MONTH]


def test_no_usage_after_the_current_month(company, tmp_path):
    path = tmp_path / "usage.csv"
    write_usage_csv(company, path)
    with path.open(encoding="utf-8") as handle:
        months = {row["month"] for row in csv.DictReader(handle)}
    assert max(months) == CURRENT_MONTH == END_AT.date().replace(day=1).isoformat()

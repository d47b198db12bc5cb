"""GET /api/v1/metrics/coverage/ and /coverage/forecast/ on the hand-built companies of
tests/coverage_data.py (numbers worked in tests/metrics/test_metrics_coverage.py)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.coverage_data import at, coverage_company, growing_company

URL = "/api/v1/metrics/coverage/"
FORECAST_URL = "/api/v1/metrics/coverage/forecast/"


@pytest.fixture
def company(settings_row):
    return coverage_company()


@pytest.fixture
def growing(settings_row, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: at(2016, 7, 15))
    return growing_company()


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _text(value):
    return "" if value is None else str(value)


def test_url_names():
    assert reverse("api:metrics-coverage") == URL
    assert reverse("api:metrics-coverage-forecast") == FORECAST_URL


def test_february_coverage(analyst_client, company):
    response = analyst_client.get(URL, {"month": "2016-02"})
    assert response.status_code == 200
    data = response.json()
    assert (data["month"], data["business_days"], data["tickets_per_engineer_day"]) == (
        "2016-02",
        20,
        10,
    )
    rows = {row["product"]: row for row in data["rows"]}
    assert list(rows) == ["A", "B", "C", "Enterprise", "Unassigned"]
    assert rows["A"] == {
        "product": "A",
        "tickets": 300,
        "capacity_per_engineer": "200.00",
        "required_engineers": "1.50",
        "assigned_engineers": "1.50",  # Ann 1 + Bob 1/2
        "assigned_capacity": "300.00",
        "coverage_ratio": "1.0000",
        "over_capacity": False,
    }
    assert rows["Enterprise"] == {
        "product": "Enterprise",
        "tickets": 60,  # the enterprise customer's tickets, whatever their product
        "capacity_per_engineer": "100.00",  # 200 × 0.5
        "required_engineers": "0.60",
        "assigned_engineers": "0.50",
        "assigned_capacity": "50.00",
        "coverage_ratio": "1.2000",
        "over_capacity": True,
    }
    assert rows["C"]["coverage_ratio"] is None and rows["C"]["over_capacity"] is True
    assert rows["Unassigned"]["over_capacity"] is False
    assert rows["Unassigned"]["coverage_ratio"] is None


def test_coverage_csv_equals_json(analyst_client, company):
    data = analyst_client.get(URL, {"month": "2016-02"}).json()
    rows = _csv(analyst_client.get(URL, {"month": "2016-02", "format": "csv"}))
    assert len(rows) == 5
    for csv_row, json_row in zip(rows, data["rows"], strict=True):
        assert csv_row == {k: _text(v) for k, v in json_row.items()}


def test_coverage_query_count(analyst_client, company, django_assert_num_queries):
    # session/token auth (1) + the cache key (settings, data version) + settings, products, members, tickets
    # (the coverage page's 12-month trend: metrics/cached.py)
    with django_assert_num_queries(7):
        assert analyst_client.get(URL, {"month": "2016-02"}).status_code == 200


def test_the_default_month_is_the_last_complete_one(analyst_client, company, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: at(2016, 3, 5))
    assert analyst_client.get(URL).json()["month"] == "2016-02"


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"month": "2016-2"}, "month"),
        ({"month": "2099-01"}, "month"),
        ({"product": "A"}, "product"),
    ],
)
def test_coverage_bad_parameter_is_a_400_naming_it(analyst_client, company, params, name):
    response = analyst_client.get(URL, params)
    assert response.status_code == 400
    assert list(response.json()) == [name]


def test_forecast(analyst_client, growing):
    response = analyst_client.get(FORECAST_URL, {"months": 4})
    assert response.status_code == 200
    data = response.json()
    assert (data["months"], data["currency"]) == (4, "USD")
    a, b = data["groups"]
    assert a["product"] == "A"
    assert a["history"][0] == {"month": "2016-01", "tickets": 50}
    assert a["history"][-1] == {"month": "2016-06", "tickets": 150}
    # 50 + 20x at x = 9 → 230 tickets; 230 / 200 = 1.15 engineers against Ann's 1.
    assert a["forecast"][-1] == {
        "month": "2016-10",
        "projected_tickets": "230.00",
        "required_engineers": "1.15",
        "assigned_engineers": "1.00",
        "hires_needed": 1,
    }
    assert a["first_over_capacity_month"] == "2016-10"
    assert a["hire_monthly_cost"] == "6000.00"
    assert a["reason"] == ""
    assert b["first_over_capacity_month"] == "2016-07"
    assert b["hire_monthly_cost"] == "7333.33"
    assert (data["total_hires_needed"], data["total_monthly_cost"]) == (2, "13333.33")


def test_forecast_default_is_6_months(analyst_client, growing):
    a = analyst_client.get(FORECAST_URL).json()["groups"][0]
    assert [p["month"] for p in a["forecast"]] == [
        "2016-07",
        "2016-08",
        "2016-09",
        "2016-10",
        "2016-11",
        "2016-12",
    ]


def test_forecast_short_history_says_why(analyst_client, company, monkeypatch):
    # The first synced ticket is January 2016; on Mar 5 only January and February are complete.
    monkeypatch.setattr(timezone, "now", lambda: at(2016, 3, 5))
    a = analyst_client.get(FORECAST_URL).json()["groups"][0]
    assert a["forecast"] == [] and a["first_over_capacity_month"] is None
    assert a["reason"] == "only 2 complete months of history; a forecast needs at least 3"


def test_forecast_csv_equals_json(analyst_client, growing):
    data = analyst_client.get(FORECAST_URL, {"months": 4}).json()
    rows = _csv(analyst_client.get(FORECAST_URL, {"months": 4, "format": "csv"}))
    expected = [
        {
            "product": group["product"],
            **{k: _text(v) for k, v in point.items()},
            "first_over_capacity_month": _text(group["first_over_capacity_month"]),
            "hire_monthly_cost": _text(group["hire_monthly_cost"]),
            "reason": group["reason"],
        }
        for group in data["groups"]
        for point in group["forecast"]
    ]
    assert len(rows) == 8  # 2 groups × 4 months
    assert rows == expected


def test_forecast_query_count(analyst_client, growing, django_assert_num_queries):
    # token auth (1) + the cache key (settings, data version) + settings, first ticket, products, members, tickets
    with django_assert_num_queries(8):
        assert analyst_client.get(FORECAST_URL).status_code == 200


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"months": "0"}, "months"),
        ({"months": "25"}, "months"),
        ({"months": "x"}, "months"),
        ({"month": "2016-01"}, "month"),
    ],
)
def test_forecast_bad_parameter_is_a_400_naming_it(analyst_client, growing, params, name):
    response = analyst_client.get(FORECAST_URL, params)
    assert response.status_code == 400
    assert list(response.json()) == [name]

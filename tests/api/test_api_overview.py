"""GET /api/v1/metrics/overview/ on the company of tests/overview_data.py (worked there)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.overview_data import MONTH, NOW, overview_company

URL = "/api/v1/metrics/overview/"
CSV_HEADER = ["key", "question", "label", "value", "previous", "change", "unit", "period", "link"]


@pytest.fixture
def company(settings_row, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return overview_company()


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _text(value):
    return "" if value is None else str(value)


def test_url_name():
    assert reverse("api:metrics-overview") == URL


def test_needs_sign_in(anon_client, db):
    assert anon_client.get(URL).status_code in (401, 403)


def test_april_headlines(analyst_client, company):
    response = analyst_client.get(URL, {"month": MONTH})
    assert response.status_code == 200
    data = response.json()
    assert (data["month"], data["currency"], data["has_data"]) == ("2016-04", "USD", True)
    assert data["window"] == {"start": "2016-02", "end": "2016-04"}
    assert data["previous_window"] == {"start": "2016-01", "end": "2016-03"}
    rows = {row["key"]: row for row in data["rows"]}
    figures = {key: (row["value"], row["previous"], row["change"]) for key, row in rows.items()}
    assert figures == {
        "support_active_share": ("0.6667", "0.5000", "0.3330"),
        "cost_per_ticket": ("25.00", "50.00", "-0.5000"),
        "unprofitable_customers": (2, 1, "1.0000"),
        "groups_over_capacity": (1, 0, None),
        "median_first_reply": ("720.0", "1440.0", "-0.5000"),
        "top_feature_request": ("1500.00", "1000.00", "0.5000"),
        "top_bug": ("150.00", None, None),
        "customers_contacted": (3, 2, "0.5000"),
    }
    cost = rows["cost_per_ticket"]
    assert cost == {
        "key": "cost_per_ticket",
        "question": "What does support cost?",
        "label": "Cost per ticket",
        "value": "25.00",
        "previous": "50.00",
        "change": "-0.5000",
        "against": "Mar 2016",
        "higher_is_worse": True,
        "unit": "money",
        "period": "Apr 2016",
        "link": "/cost/?month=2016-04",
        "reading": "Team cost 100.00 USD over 4 tickets created in Apr 2016.",
        "note": "",
    }


def test_csv_equals_json(analyst_client, company):
    data = analyst_client.get(URL, {"month": MONTH}).json()
    response = analyst_client.get(URL, {"month": MONTH, "format": "csv"})
    rows = _csv(response)
    assert response.content.decode().splitlines()[0] == ",".join(CSV_HEADER)
    assert rows == [{name: _text(row[name]) for name in CSV_HEADER} for row in data["rows"]]


def test_default_month_is_the_last_complete_one(analyst_client, company):
    assert analyst_client.get(URL).json()["month"] == "2016-04"


def test_query_count_is_pinned(analyst_client, company, django_assert_num_queries):
    # the token (with its user), the cache key (settings, data version; the test settings'
    # cache never holds an entry) and the metric's 50
    with django_assert_num_queries(53):
        assert analyst_client.get(URL, {"month": MONTH}).status_code == 200


@pytest.mark.parametrize(
    ("params", "name", "words"),
    [
        ({"month": "April"}, "month", "month must look like 2024-01"),
        ({"month": "2016-06"}, "month", "Jun 2016 has not started yet"),
        ({"month": "2015-12"}, "month", "there is no data before Jan 2016"),
        ({"start": "2016-01"}, "start", "Unknown parameter"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(analyst_client, company, params, name, words):
    response = analyst_client.get(URL, params)
    assert response.status_code == 400
    assert words in " ".join(response.json()[name])
    csv_response = analyst_client.get(URL, {**params, "format": "csv"})
    assert csv_response.status_code == 400
    assert csv_response.content.decode().splitlines()[0] == "parameter,error"


def test_empty_database_has_no_data_and_no_rows(analyst_client, settings_row, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    data = analyst_client.get(URL).json()
    assert (data["has_data"], data["rows"]) == (False, [])

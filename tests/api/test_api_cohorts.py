"""GET /api/v1/metrics/cohorts/: the hand-built cohorts of tests/cohorts_data.py over the API."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.cohorts_data import at, first_30_company, window_company

URL = "/api/v1/metrics/cohorts/"
Q1 = {"start": "2026-01", "end": "2026-03"}


@pytest.fixture
def company(settings_row):
    return window_company()


@pytest.fixture
def december_1(monkeypatch):
    """The API's clock on Dec 1, 2026, noon UTC."""
    monkeypatch.setattr(timezone, "now", lambda: at(2026, 12, 1, 12))


def test_url_name():
    assert reverse("api:metrics-cohorts") == URL


def test_window_cohorts(analyst_client, company):
    response = analyst_client.get(URL, Q1)
    assert response.status_code == 200
    # Worked in tests/metrics/test_metrics_cohorts.py::test_window_cohorts
    assert response.json() == {
        "start": "2026-01",
        "end": "2026-03",
        "variant": "window",
        "active_threshold": 500,
        "retention_months": 3,
        "retention_on": "2026-07-01",
        "customers_without_signup_date": 1,  # H
        "support": {
            "customers": 3,
            # (500 + 1,500 + 0) / 3
            "avg_monthly_api_calls": "666.67",
            "active_customers": 1,
            "active_avg_monthly_api_calls": "1500.00",
            "paid_conversion_rate": "1.0000",
            # A of A and C
            "retention_rate": "0.5000",
        },
        "no_support": {
            "customers": 3,
            # (501 + 100 + 0) / 3
            "avg_monthly_api_calls": "200.33",
            "active_customers": 1,
            "active_avg_monthly_api_calls": "501.00",
            "paid_conversion_rate": "0.3333",
            "retention_rate": "1.0000",
        },
    }


def test_first_30_days_variant(analyst_client, settings_row):
    first_30_company()
    body = analyst_client.get(
        URL, {"start": "2026-06", "end": "2026-08", "variant": "first_30_days"}
    ).json()
    assert body["variant"] == "first_30_days"
    assert body["retention_on"] is None
    # Worked in tests/metrics/test_metrics_cohorts.py::test_first_30_days_variant
    assert body["support"] == {
        "customers": 1,
        "avg_monthly_api_calls": "600.00",
        "active_customers": 1,
        "active_avg_monthly_api_calls": "600.00",
        "paid_conversion_rate": "1.0000",
        "retention_rate": None,
    }
    assert body["no_support"] == {
        "customers": 2,
        "avg_monthly_api_calls": "250.00",
        "active_customers": 0,
        "active_avg_monthly_api_calls": None,
        "paid_conversion_rate": "0.5000",
        "retention_rate": None,
    }


def test_the_default_window_is_the_last_3_complete_months(analyst_client, company, december_1):
    body = analyst_client.get(URL).json()
    assert (body["start"], body["end"], body["variant"]) == ("2026-09", "2026-11", "window")
    # 3 months after November: Mar 1, 2027, still to come
    assert body["retention_on"] == "2027-03-01"
    assert body["support"]["retention_rate"] is None
    assert body["no_support"]["retention_rate"] is None
    # Nobody filed a ticket in Sep–Nov; A–G (not F: it signed up in April, still before the
    # window's end, so it is in too) all existed: A, B, C, D, E, F, G = 7
    assert body["support"]["customers"] == 0
    assert body["no_support"]["customers"] == 7


def test_the_first_30_default_window_waits_for_the_follow_up(analyst_client, company, december_1):
    body = analyst_client.get(URL, {"variant": "first_30_days"}).json()
    # Sep signups are followed until Jan 1, 2027: the latest complete window ends in August.
    assert (body["start"], body["end"]) == ("2026-06", "2026-08")


def test_csv_has_the_same_numbers_as_json(analyst_client, company):
    body = analyst_client.get(URL, Q1).json()
    response = analyst_client.get(URL, {**Q1, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    reader = csv.DictReader(io.StringIO(response.content.decode()))
    assert reader.fieldnames == [
        "cohort",
        "start",
        "end",
        "variant",
        "active_threshold",
        "customers",
        "avg_monthly_api_calls",
        "active_customers",
        "active_avg_monthly_api_calls",
        "paid_conversion_rate",
        "retention_rate",
    ]
    rows = list(reader)
    assert [row["cohort"] for row in rows] == ["support", "no_support"]
    for row in rows:
        expected = {
            "start": body["start"],
            "end": body["end"],
            "variant": body["variant"],
            "active_threshold": body["active_threshold"],
            **body[row["cohort"]],
        }
        assert {key: value for key, value in row.items() if key != "cohort"} == {
            key: "" if value is None else str(value) for key, value in expected.items()
        }


def test_csv_of_the_first_30_variant_has_empty_retention(analyst_client, settings_row):
    first_30_company()
    response = analyst_client.get(
        URL, {"start": "2026-06", "end": "2026-08", "variant": "first_30_days", "format": "csv"}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["cohort"], row["customers"], row["retention_rate"]) for row in rows] == [
        ("support", "1", ""),
        ("no_support", "2", ""),
    ]


@pytest.mark.parametrize("variant", ["weekly", "WINDOW", "first_30"])
def test_an_unknown_variant_is_a_400_naming_it(analyst_client, settings_row, variant):
    response = analyst_client.get(URL, {"variant": variant})
    assert response.status_code == 400
    assert response.json() == {
        "variant": [f"Unknown variant {variant!r}; use window or first_30_days."]
    }


def test_an_empty_variant_is_the_default_like_every_empty_parameter(analyst_client, company):
    # ?variant= reads as no variant, as ?start=&end= read as no window (DRF's query rules)
    response = analyst_client.get(URL, {**Q1, "variant": ""})
    assert response.status_code == 200
    assert response.json()["variant"] == "window"


def test_an_unknown_parameter_is_a_400_naming_it(analyst_client, settings_row):
    response = analyst_client.get(URL, {**Q1, "cohort": "support"})
    assert response.status_code == 400
    assert list(response.json()) == ["cohort"]
    assert "Unknown parameter" in response.json()["cohort"][0]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"start": "2026-13", "end": "2026-03"}, "start"),
        ({"start": "2026-01"}, "end"),
        ({"start": "2026-03", "end": "2026-01"}, "end"),
    ],
)
def test_a_bad_window_is_a_400_naming_it(analyst_client, settings_row, params, name):
    response = analyst_client.get(URL, params)
    assert response.status_code == 400
    assert list(response.json()) == [name]


def test_a_window_that_has_not_ended_is_a_400(analyst_client, settings_row, december_1):
    response = analyst_client.get(URL, {"start": "2026-10", "end": "2026-12"})
    assert response.status_code == 400
    (message,) = response.json()["end"]
    assert message.startswith("Dec 2026 has not ended yet") and "Nov 2026" in message


def test_a_first_30_window_still_followed_is_a_400(analyst_client, settings_row, december_1):
    response = analyst_client.get(
        URL, {"start": "2026-07", "end": "2026-09", "variant": "first_30_days"}
    )
    assert response.status_code == 400
    (message,) = response.json()["end"]
    assert "complete on Jan 1, 2027" in message and "ends Aug 2026" in message


def test_a_refused_csv_request_says_why_in_csv(analyst_client, settings_row):
    response = analyst_client.get(URL, {"variant": "weekly", "format": "csv"})
    assert response.status_code == 400
    lines = response.content.decode().splitlines()
    assert lines[0] == "parameter,error" and lines[1].startswith("variant,")


def test_anonymous_is_refused(anon_client, settings_row):
    assert anon_client.get(URL, Q1).status_code in (401, 403)


def test_query_count(analyst_client, company, django_assert_num_queries):
    # token + user, the cache key (settings, data version), settings, the grouped cohort query, customers without a signup date
    with django_assert_num_queries(6):
        assert analyst_client.get(URL, Q1).status_code == 200
    with django_assert_num_queries(6):
        assert analyst_client.get(URL, {**Q1, "format": "csv"}).status_code == 200


def test_query_count_of_the_default_window(
    analyst_client, company, december_1, django_assert_num_queries
):
    # the same 6, and the settings once more: MetricView cuts its default window before the
    # variant is known, and the metric then picks the variant's own
    with django_assert_num_queries(7):
        assert analyst_client.get(URL).status_code == 200

"""GET /api/v1/metrics/feature-requests/ (+ /tickets/, /customers/), on the company of
tests/feature_requests_data.py (default window Sep–Nov 2026; churn 0 → LTV = MRR × 60)."""

from __future__ import annotations

import csv
import io

import pytest

from tests.feature_requests_data import NOW, feature_request_company

URL = "/api/v1/metrics/feature-requests/"
TICKETS = "/api/v1/metrics/feature-requests/tickets/"
CUSTOMERS = "/api/v1/metrics/feature-requests/customers/"


@pytest.fixture
def company(db, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return feature_request_company()


def _csv(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _as_csv_text(rows: list[dict]) -> list[dict]:
    """JSON rows as the CSV writes them: every value a string, null as ""."""
    return [{k: "" if v is None else str(v) for k, v in row.items()} for row in rows]


def test_the_list(analyst_client, company):
    body = analyst_client.get(URL).json()

    assert body["start"] == "2026-09" and body["end"] == "2026-11"
    assert body["currency"] == "USD"
    # nobody stopped paying in Dec 2025 – Nov 2026: churn 0, the lifetime is the cap
    assert body["ltv"] == {
        "churn_rate": "0.0000",
        "lifetime_months": "60.00",
        "cap_months": 60,
        "months_measured": 12,
    }
    assert body["patterns"] == ["Requesting integration for (?P<name>.+)"]
    assert body["skipped_patterns"] == []
    assert body["rows"] == [
        # Acme ×2, Globex, Initech (EUR: counted, not summed); 11,940 + 3,000 = 14,940
        {
            "name": "salesforce",
            "label": "Salesforce",
            "tickets": 4,
            "customers": 3,
            "ltv_sum": "14940.00",
            "mrr_sum": "249.00",
            "realized_revenue_sum": "498.00",
            "other_currency_customers": 1,
            "unlinked_tickets": 0,
        },
        {
            "name": "hubspot",
            "label": "HubSpot",
            "tickets": 1,
            "customers": 1,
            "ltv_sum": "11940.00",  # Acme: 199.00 × 60
            "mrr_sum": "199.00",
            "realized_revenue_sum": "398.00",
            "other_currency_customers": 0,
            "unlinked_tickets": 0,
        },
        {
            "name": "zapier",
            "label": "Zapier",
            "tickets": 1,
            "customers": 0,
            "ltv_sum": "0.00",
            "mrr_sum": "0.00",
            "realized_revenue_sum": "0.00",
            "other_currency_customers": 0,
            "unlinked_tickets": 1,
        },
    ]


def test_a_skipped_pattern_is_reported(analyst_client, company):
    from supportops.models import MetricSettings

    MetricSettings.objects.filter(pk=1).update(
        feature_request_patterns=["Feature: (.+)", "Requesting integration for (?P<name>.+)"]
    )
    body = analyst_client.get(URL).json()
    assert body["skipped_patterns"] == [
        {"pattern": "Feature: (.+)", "reason": "has no named group (?P<name>…): skipped"}
    ]
    assert [row["name"] for row in body["rows"]] == ["salesforce", "hubspot", "zapier"]


def test_list_csv_equals_json(analyst_client, company):
    rows = analyst_client.get(URL, {"start": "2026-09", "end": "2026-11"}).json()["rows"]
    response = analyst_client.get(URL, {"start": "2026-09", "end": "2026-11", "format": "csv"})
    assert _csv(response) == _as_csv_text(rows)


def test_list_query_count(analyst_client, company, django_assert_num_queries):
    # token, the cache key (settings, data version), settings, the LTV basis, candidate subjects, customers
    with django_assert_num_queries(7):
        assert analyst_client.get(URL, {"start": "2026-09", "end": "2026-11"}).status_code == 200
    # the default window is cut in the reporting time zone: the settings once more
    with django_assert_num_queries(8):
        assert analyst_client.get(URL).status_code == 200


def test_tickets_of_one_name_paginated(analyst_client, company, django_assert_num_queries):
    # token, the cache key (settings, data version), settings (default window), settings, LTV basis, candidates, customers
    with django_assert_num_queries(8):
        body = analyst_client.get(TICKETS, {"name": "SalesForce", "page_size": 3}).json()

    assert (body["name"], body["label"], body["count"]) == ("salesforce", "Salesforce", 4)
    assert (body["page"], body["page_size"], body["start"], body["end"]) == (
        1,
        3,
        "2026-09",
        "2026-11",
    )
    assert body["previous"] is None
    assert body["next"] == (
        "http://testserver/api/v1/metrics/feature-requests/tickets/"
        "?name=SalesForce&page=2&page_size=3"
    )
    # newest first: Initech Nov 12, Globex Oct 20, Acme Oct 9
    assert [(t["customer"], t["subject"]) for t in body["rows"]] == [
        ("Initech", "Requesting integration for Salesforce "),
        ("Globex", "Requesting integration for “SalesForce”"),
        ("Acme", "requesting integration for salesforce"),
    ]
    first = body["rows"][0]
    assert set(first) == {
        "id",
        "source",
        "external_id",
        "subject",
        "customer_id",
        "customer",
        "created_at",
    }
    assert first["created_at"] == "2026-11-12T00:00:00Z"
    assert first["customer_id"] == company["initech"].id

    second = analyst_client.get(body["next"]).json()
    assert [t["customer"] for t in second["rows"]] == ["Acme"]
    assert second["next"] is None and second["previous"] is not None


def test_tickets_csv_equals_json_and_holds_every_page(analyst_client, company):
    params = {"name": "salesforce", "page_size": 500}
    rows = analyst_client.get(TICKETS, params).json()["rows"]
    assert len(rows) == 4
    csv_rows = _csv(analyst_client.get(TICKETS, {"name": "salesforce", "format": "csv"}))
    assert csv_rows == _as_csv_text(rows)
    # the CSV is the whole list even when a page is asked for
    csv_page = {"name": "salesforce", "page_size": 2, "format": "csv"}
    assert _csv(analyst_client.get(TICKETS, csv_page)) == _as_csv_text(rows)


def test_customers_of_one_name(analyst_client, company):
    body = analyst_client.get(CUSTOMERS, {"name": "salesforce"}).json()

    assert (body["count"], body["currency"], body["next"]) == (3, "USD", None)
    assert body["rows"] == [
        {
            "id": company["acme"].id,
            "name": "Acme",
            "currency": "USD",
            "tickets": 2,
            "mrr": "199.00",
            "ltv": "11940.00",
            "realized_revenue": "398.00",
            "in_sums": True,
        },
        {
            "id": company["globex"].id,
            "name": "Globex",
            "currency": "USD",
            "tickets": 1,
            "mrr": "50.00",
            "ltv": "3000.00",
            "realized_revenue": "100.00",
            "in_sums": True,
        },
        {
            "id": company["initech"].id,
            "name": "Initech",
            "currency": "EUR",
            "tickets": 1,
            "mrr": "80.00",
            "ltv": "4800.00",  # 80 × 60, in EUR: not in the USD sums
            "realized_revenue": "80.00",
            "in_sums": False,
        },
    ]
    paged = analyst_client.get(CUSTOMERS, {"name": "salesforce", "page": 2, "page_size": 2})
    assert [c["name"] for c in paged.json()["rows"]] == ["Initech"]


def test_customers_csv_equals_json(analyst_client, company):
    params = {"name": "salesforce"}
    rows = analyst_client.get(CUSTOMERS, params).json()["rows"]
    assert _csv(analyst_client.get(CUSTOMERS, {**params, "format": "csv"})) == _as_csv_text(rows)


def test_an_unknown_name_is_a_400_saying_so(analyst_client, company):
    response = analyst_client.get(TICKETS, {"name": "Jira"})
    assert response.status_code == 400
    assert response.json() == {"name": ["No feature request called “Jira” in Sep–Nov 2026."]}


@pytest.mark.parametrize(
    ("url", "params", "param"),
    [
        (URL, {"start": "2026-13", "end": "2026-11"}, "start"),
        (URL, {"start": "2026-09"}, "end"),
        (URL, {"month": "2026-09"}, "month"),
        (URL, {"start": "2026-11", "end": "2027-01"}, "end"),  # not started yet
        (TICKETS, {}, "name"),
        (TICKETS, {"name": "salesforce", "page_size": 501}, "page_size"),
        (TICKETS, {"name": "salesforce", "sort": "x"}, "sort"),
        (CUSTOMERS, {"name": ""}, "name"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(analyst_client, company, url, params, param):
    response = analyst_client.get(url, params)
    assert response.status_code == 400
    assert list(response.json()) == [param]


def test_not_started_says_so(analyst_client, company):
    response = analyst_client.get(URL, {"start": "2026-11", "end": "2027-01"})
    assert response.json() == {
        "end": ["Jan 2027 has not started yet; the latest month is 2026-12."]
    }


def test_anonymous_is_refused(anon_client, db):
    for url in (URL, TICKETS, CUSTOMERS):
        assert anon_client.get(url).status_code == 401

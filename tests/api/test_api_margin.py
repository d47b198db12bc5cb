"""GET /api/v1/metrics/support-vs-revenue/: values, filter, pages, CSV of every row, refusals."""

import csv
import io

import pytest

from tests.support_cost_builders import margin_company

URL = "/api/v1/metrics/support-vs-revenue/"
WINDOW = {"start": "2016-01", "end": "2016-02"}


@pytest.fixture
def company(settings_row):
    return margin_company()


def _row(customer, plan, cost, revenue, margin, ratio, unprofitable, other=0):
    return {
        "customer_id": customer.pk,
        "customer": customer.name,
        "plan": plan,
        "support_cost": cost,
        "revenue": revenue,
        "margin": margin,
        "cost_to_revenue": ratio,
        "unprofitable": unprofitable,
        "other_currency_invoices": other,
    }


def test_worst_margin_first(analyst_client, company):
    body = analyst_client.get(URL, WINDOW).json()
    # Bloom: 75.00 of cost (January 3 of 4 replies), no revenue; Acme: 25.00 + 50.00 of cost
    # against 50.00 paid (75 / 50 = 1.5); Cargo: 200.00 paid in USD, no cost.
    assert body == {
        "start": "2016-01",
        "end": "2016-02",
        "currency": "USD",
        "in_progress": False,
        "skipped_other_currency": 2,  # Cargo's 30 EUR, Euro's 70 EUR
        "unprofitable_customers": 2,
        "count": 3,
        "page": 1,
        "page_size": 50,
        "next": None,
        "previous": None,
        "rows": [
            _row(company["bloom"], "No plan", "75.00", "0.00", "-75.00", None, True),
            _row(company["acme"], "Pro", "75.00", "50.00", "-25.00", "1.5000", True),
            _row(company["cargo"], "No plan", "0.00", "200.00", "200.00", "0.0000", False, 1),
        ],
    }


def test_only_the_unprofitable(analyst_client, company):
    body = analyst_client.get(URL, {**WINDOW, "unprofitable": "true"}).json()
    assert [row["customer"] for row in body["rows"]] == ["Bloom", "Acme"]
    assert (body["count"], body["unprofitable_customers"]) == (2, 2)


def test_pages(analyst_client, company):
    first = analyst_client.get(URL, {**WINDOW, "page_size": 2}).json()
    assert [row["customer"] for row in first["rows"]] == ["Bloom", "Acme"]
    assert first["count"] == 3 and first["previous"] is None
    assert first["next"].startswith("http://testserver/api/v1/metrics/support-vs-revenue/?")
    assert "page=2" in first["next"] and "page_size=2" in first["next"]
    second = analyst_client.get(first["next"]).json()
    assert [row["customer"] for row in second["rows"]] == ["Cargo"]
    assert second["next"] is None and "page=" not in second["previous"]


def test_csv_holds_every_row_of_the_json(analyst_client, company):
    body = analyst_client.get(URL, {**WINDOW, "page_size": 500}).json()
    response = analyst_client.get(URL, {**WINDOW, "page_size": 1, "format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    # the whole list, whatever the page: a download never stops at a page
    assert rows == [
        {k: "" if v is None else str(v) for k, v in row.items()} for row in body["rows"]
    ]
    assert len(rows) == 3


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"unprofitable": "maybe"}, "unprofitable"),
        ({"page_size": "501"}, "page_size"),
        ({"page": "0"}, "page"),
        ({"start": "2016-01"}, "end"),
        ({"start": "2016-03", "end": "2016-01"}, "end"),
        ({"start": "2999-01", "end": "2999-02"}, "end"),
        ({"customer": "1"}, "customer"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(analyst_client, settings_row, params, name):
    response = analyst_client.get(URL, params)
    assert response.status_code == 400
    assert list(response.json()) == [name]


def test_query_count(analyst_client, company, django_assert_num_queries):
    # token + user, the cache key (settings, data version), settings, team costs (settings, members, expenses), the margin statement
    # (allocation, revenue, the page, counts), the plans of the page's rows
    with django_assert_num_queries(9):
        assert analyst_client.get(URL, {"start": "2015-01", "end": "2016-12"}).status_code == 200

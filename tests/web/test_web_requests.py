"""The feature-requests page and one request's drill-down, on the company of
tests/feature_requests_data.py (default window Sep–Nov 2026; churn 0 → LTV = MRR × 60)."""

from __future__ import annotations

import json
import re

import pytest

from tests.feature_requests_data import NOW, feature_request_company

PAGE = "/feature-requests/"
DETAIL = "/feature-requests/request/"


@pytest.fixture
def company(signed_in, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return feature_request_company()


def _cells(html: str, attribute: str, value: str) -> dict[str, str]:
    """{data-figure: text} of the table row whose `attribute` is `value`."""
    row = re.search(rf'<tr {attribute}="{re.escape(value)}">(.*?)</tr>', html, re.S).group(1)
    return {
        key: re.sub(r"<[^>]+>", "", text).split()[0]
        for key, text in re.findall(r'data-figure="([a-z_]+)">(.*?)</td>', row, re.S)
    }


def test_the_page_shows_what_the_api_returns(signed_in, company):
    html = signed_in.get(PAGE).content.decode()
    api = signed_in.get("/api/v1/metrics/feature-requests/").json()

    assert "Feature requests · Sep–Nov 2026" in html
    chart = re.search(r'id="feature-requests-figure"[^>]*>(.*?)</script>', html, re.S).group(1)
    title = json.loads(chart)["layout"]["title"]["text"]
    assert title == "Ranked by LTV<br><sub>LTV = MRR × expected lifetime, USD</sub>"
    for row in api["rows"]:
        cells = _cells(html, "data-name", row["name"])
        assert cells == {
            "tickets": str(row["tickets"]),
            "customers": str(row["customers"]),
            "ltv_sum": f"{float(row['ltv_sum']):,.2f}",
            "mrr_sum": f"{float(row['mrr_sum']):,.2f}",
            "realized_revenue_sum": f"{float(row['realized_revenue_sum']):,.2f}",
        }
    # by hand: Salesforce 4 tickets, 3 customers, 14,940.00 LTV (Acme 11,940 + Globex 3,000)
    assert _cells(html, "data-name", "salesforce")["ltv_sum"] == "14,940.00"
    # the cards: 3 things, 6 tickets, 3 customers (Acme, Globex, Initech), 60 months
    assert re.search(r'data-figure="things">3<', html)
    assert re.search(r'data-figure="tickets">6<', html)
    assert re.search(r'data-figure="customers">3<', html)
    assert "60.0 <span" in html and "capped at 60 months" in html
    # each name opens its drill-down, keeping the window
    assert (
        'href="/feature-requests/request/?name=salesforce&amp;start=2026-09&amp;end=2026-11"'
        in html
    )
    assert "/api/v1/metrics/feature-requests/?start=2026-09&amp;end=2026-11&amp;format=csv" in html
    assert "Definition: Feature requests" in html and "Definition: LTV and realized revenue" in html


def test_page_query_budget(signed_in, company, django_assert_num_queries):
    # session, user, data freshness, the cache key (settings, data version), settings, LTV basis, candidate subjects, customers
    with django_assert_num_queries(9):
        assert signed_in.get(PAGE).status_code == 200


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-13", "end": "2026-11"}, "start: month must be between 01 and 12"),
        ({"start": "2026-09"}, "end: give both start and end, or neither"),
        ({"start": "2026-11", "end": "2027-02"}, "Feb 2027 has not started yet"),
    ],
)
def test_a_bad_window_is_a_400_keeping_what_was_typed(signed_in, company, params, message):
    response = signed_in.get(PAGE, params)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert f'value="{params["start"]}"' in html


def test_the_drill_down_shows_customers_and_tickets_as_the_api(signed_in, company):
    params = {"name": "salesforce", "start": "2026-09", "end": "2026-11"}
    html = signed_in.get(DETAIL, params).content.decode()
    customers = signed_in.get("/api/v1/metrics/feature-requests/customers/", params).json()
    tickets = signed_in.get("/api/v1/metrics/feature-requests/tickets/", params).json()

    assert "“Salesforce” · Sep–Nov 2026" in html
    for customer in customers["rows"]:
        assert _cells(html, "data-customer", str(customer["id"])) == {
            "tickets": str(customer["tickets"]),
            "ltv": f"{float(customer['ltv']):,.2f}",
            "mrr": f"{float(customer['mrr']):,.2f}",
            "realized_revenue": f"{float(customer['realized_revenue']):,.2f}",
        }
        assert f'href="/customers/{customer["id"]}/"' in html
    assert "Billed in EUR: not in the USD sums" in html  # Initech
    ids = re.findall(r'<tr data-ticket="(\d+)">', html)
    assert ids == [str(ticket["id"]) for ticket in tickets["rows"]]
    # the cards: 4 tickets, 3 customers, 14,940.00 LTV, 249.00 MRR, 498.00 realized
    for figure, value in (
        ("tickets", "4"),
        ("customers", "3"),
        ("ltv_sum", "14,940.00"),
        ("mrr_sum", "249.00"),
        ("realized_revenue_sum", "498.00"),
    ):
        assert re.search(rf'data-figure="{figure}">{value}[ <]', html), figure


def test_drill_down_query_budget(signed_in, company, django_assert_num_queries):
    # session, user, data freshness, the cache key (settings, data version), settings, LTV basis, candidates, customers
    with django_assert_num_queries(9):
        assert signed_in.get(DETAIL, {"name": "“SalesForce”"}).status_code == 200


def test_an_unknown_name_is_a_400_saying_so(signed_in, company):
    response = signed_in.get(DETAIL, {"name": "Jira", "start": "2026-09", "end": "2026-11"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "no feature request called “Jira” in Sep–Nov 2026" in html
    assert 'href="/feature-requests/?start=2026-09&amp;end=2026-11"' in html


def test_the_customer_page_shows_ltv_and_realized_revenue(signed_in, company):
    html = signed_in.get(f"/customers/{company['acme'].id}/").content.decode()
    # 199.00 × 60 months = 11,940.00; paid invoices 199.00 + 199.00 = 398.00 (the open one not)
    assert re.search(r'data-figure="ltv">11,940.00 <span class="unit">USD', html)
    assert re.search(r'data-figure="realized_revenue">398.00 <span class="unit">USD', html)
    assert "MRR × 60.0 months of expected lifetime (the cap)" in html
    assert "paid invoices, all time" in html


def test_the_drill_down_pages_tickets_by_50(signed_in, company):
    from datetime import UTC, datetime, timedelta

    from supportops.models import Ticket

    start = datetime(2026, 10, 1, tzinfo=UTC)
    Ticket.objects.bulk_create(
        Ticket(
            source="zendesk",
            external_id=f"zoho{n}",
            subject="Requesting integration for Zoho",
            created_at=start + timedelta(hours=n),
            updated_at=start + timedelta(hours=n),
        )
        for n in range(51)
    )
    first = signed_in.get(DETAIL, {"name": "zoho"}).content.decode()
    second = signed_in.get(DETAIL, {"name": "zoho", "page": 2}).content.decode()

    # 51 tickets: 50 on page 1, the oldest one alone on page 2
    assert len(re.findall(r"<tr data-ticket=", first)) == 50
    assert "Page 1 of 2" in first and 'rel="next"' in first
    assert re.findall(r"<code>(zoho\d+)</code>", second) == ["zoho0"]
    assert signed_in.get(DETAIL, {"name": "zoho", "page": "x"}).status_code == 400

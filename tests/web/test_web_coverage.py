"""The coverage page (/coverage/): the API's numbers, the forecast, the 400 page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.coverage_data import at, coverage_company, growing_company

URL = "/coverage/"


@pytest.fixture
def company(signed_in):
    return coverage_company()


def _cells(html: str, product: str, table: str = "coverage-table") -> dict[str, str]:
    body = html.split(f'class="data-table {table}"', 1)[1].split("</table>", 1)[0]
    row = body.split(f'data-product="{product}"', 1)[1].split("</tr>", 1)[0]
    return dict(re.findall(r'data-figure="([^"]+)">(.*?)</td>', row))


def test_url_name():
    assert reverse("dashboard-coverage") == URL


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_page_shows_the_api_numbers(signed_in, company):
    response = signed_in.get(URL, {"month": "2016-02"})
    assert response.status_code == 200
    html = response.content.decode()
    api = signed_in.get("/api/v1/metrics/coverage/", {"month": "2016-02"}).json()
    for row in api["rows"]:
        cells = _cells(html, row["product"])
        assert cells["tickets"] == f"{row['tickets']:,}"
        assert cells["required"] == row["required_engineers"]
        ratio = row["coverage_ratio"]
        assert cells["coverage"] == ("—" if ratio is None else f"{float(ratio) * 100:.1f}%")
        if row["product"] != "Unassigned":
            assert cells["assigned"] == row["assigned_engineers"]
    # A 1.5 / 1.5 engineers at 100.0%; Enterprise 120.0% and C (nobody) over capacity.
    assert _cells(html, "Enterprise")["coverage"] == "120.0%"
    assert 'data-figure="over-count">2<' in html
    assert "20 business days" in html
    assert html.count('class="badge badge-over"') == 2
    assert "/api/v1/metrics/coverage/?month=2016-02&amp;format=csv" in html
    assert 'id="coverage-figure"' in html


def test_the_forecast(signed_in, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: at(2016, 7, 15))
    growing_company()
    html = signed_in.get(URL).content.decode()
    a = _cells(html, "A", "forecast-table")
    # 6 months from July: A is over in October (230 > 200), 1 hire at 6,000.00 a month.
    assert "Oct 2016" in a["first-over"]
    assert (a["hires"], a["hire-cost"]) == ("1", "6,000.00")
    b = _cells(html, "B", "forecast-table")
    assert "Jul 2016" in b["first-over"]
    assert 'data-figure="total-hires">2<' in html
    assert 'data-figure="total-cost">13,333.33<' in html


def test_a_short_history_says_why(signed_in, company, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: at(2016, 3, 5))
    html = signed_in.get(URL).content.decode()
    assert "No forecast: only 2 complete months of history; a forecast needs at least 3." in html


def test_query_count(signed_in, company, django_assert_num_queries):
    # session + user (2); the cache key (settings, data version); coverage: settings, products, tickets, members;
    # forecast: settings, first ticket, products, tickets, members; the frame's freshness (1)
    with django_assert_num_queries(14):
        assert signed_in.get(URL, {"month": "2016-02"}).status_code == 200


@pytest.mark.parametrize("text", ["2016-2", "2099-01"])
def test_a_bad_month_is_a_400_keeping_what_was_typed(signed_in, company, text):
    response = signed_in.get(URL, {"month": text})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Cannot show that month" in html
    assert f'value="{text}"' in html

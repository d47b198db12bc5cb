"""The support cohorts page (/cohorts/): the API's numbers, the variant switch, refusals."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.cohorts_data import at, customer, first_30_company, window_company

URL = "/cohorts/"
Q1 = {"start": "2026-01", "end": "2026-03"}
CAVEAT = (
    "This is correlation, not causation: customers who talk to support may differ in other "
    "ways (size, plan, engagement)."
)


@pytest.fixture
def company(signed_in):
    return window_company()


@pytest.fixture
def december_1(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: at(2026, 12, 1, 12))


def _figures(html: str, name: str) -> list[str]:
    """The two cohorts' values of one figure, support first, as the page prints them."""
    return re.findall(rf'data-figure="{name}">([^<]*)<', html)


def test_url_name():
    assert reverse("dashboard-cohorts") == URL


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_page_shows_the_api_numbers(signed_in, company):
    html = signed_in.get(URL, Q1).content.decode()
    api = signed_in.get("/api/v1/metrics/cohorts/", Q1).json()  # the same session

    def page_value(raw: str | None, kind: str) -> str:
        if raw is None:
            return "—"
        if kind == "rate":  # 0.3333 → 33.33%
            return f"{float(raw) * 100:.2f}%"
        if kind == "calls":  # 1500.00 → 1,500.00
            return f"{float(raw):,.2f}"
        return f"{raw:,}"

    kinds = {
        "customers": "count",
        "avg_monthly_api_calls": "calls",
        "active_customers": "count",
        "active_avg_monthly_api_calls": "calls",
        "paid_conversion_rate": "rate",
        "retention_rate": "rate",
    }
    for name, kind in kinds.items():
        expected = [page_value(api[cohort][name], kind) for cohort in ("support", "no_support")]
        assert _figures(html, name) == expected, name
    # the worked values themselves (tests/metrics/test_metrics_cohorts.py::test_window_cohorts)
    assert _figures(html, "avg_monthly_api_calls") == ["666.67", "200.33"]
    assert _figures(html, "retention_rate") == ["50.00%", "100.00%"]
    # the counts behind the rates
    assert "1 of 2" in html  # A retained of A and C
    assert "3 of 3" in html  # support conversion


def test_the_page_says_what_it_compares_and_what_it_cannot(signed_in, company):
    html = signed_in.get(URL, Q1).content.decode()
    assert CAVEAT in html
    assert "Support cohorts · Jan–Mar 2026" in html
    assert "between Jan 1, 2026 and Mar 31, 2026" in html
    # H has no signup date
    assert "1 customer left out of both cohorts: no linked system reports when it signed up" in html
    assert "Definition: Support cohorts" in html  # docs/metrics.md, one click away
    assert 'name="start" value="2026-01"' in html and 'name="end" value="2026-03"' in html
    assert (
        'href="/api/v1/metrics/cohorts/?start=2026-01&amp;end=2026-03&amp;variant=window&amp;format=csv"'
        in html
    )
    assert 'id="cohort-rates-figure"' in html and 'id="cohort-usage-figure"' in html
    assert '<script src="/static/vendor/plotly.min.js"></script>' in html


def test_every_customer_with_a_signup_date_says_so(signed_in):
    customer("Dated", at(2026, 1, 1))
    html = signed_in.get(URL, Q1).content.decode()
    assert "No customer is left out: every one has a signup date." in html


def test_retention_not_known_yet_links_to_a_window_where_it_is(signed_in, company, december_1):
    html = signed_in.get(URL).content.decode()  # Sep–Nov 2026
    assert "Support cohorts · Sep–Nov 2026" in html
    assert "Retention is measured on Mar 1, 2027" in html
    assert _figures(html, "retention_rate") == ["—", "—"]
    # 3 months after August is Dec 1, 2026: Jun–Aug is the latest with retention known
    assert 'href="/cohorts/?start=2026-06&amp;end=2026-08">Show Jun–Aug 2026</a>' in html
    assert 'max="2026-11"' in html  # the picker offers complete months only


def test_the_variant_switch_keeps_the_window_where_it_can(signed_in, company, december_1):
    html = signed_in.get(URL, Q1).content.decode()
    # Jan–Mar is complete for both comparisons: the other variant's link keeps it
    assert 'href="/cohorts/?variant=first_30_days&amp;start=2026-01&amp;end=2026-03"' in html
    assert 'href="/cohorts/?start=2026-01&amp;end=2026-03" aria-current="page"' in html

    html = signed_in.get(URL, {"start": "2026-09", "end": "2026-11"}).content.decode()
    # Sep–Nov is still being followed for first 30 days: its link falls back to its default
    assert 'href="/cohorts/?variant=first_30_days">' in html


def test_the_first_30_days_page(signed_in, december_1):
    first_30_company()
    response = signed_in.get(URL, {"variant": "first_30_days"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Support cohorts · Jun–Aug 2026" in html
    assert "filed a ticket within 30 days of signing up" in html
    assert _figures(html, "customers") == ["1", "2"]
    assert _figures(html, "avg_monthly_api_calls") == ["600.00", "250.00"]
    assert _figures(html, "paid_conversion_rate") == ["100.00%", "50.00%"]
    assert _figures(html, "retention_rate") == []  # not reported in this variant
    assert 'type="hidden" name="variant" value="first_30_days"' in html  # kept by the picker
    assert CAVEAT in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"variant": "weekly"}, "variant: unknown &#x27;weekly&#x27;; use window or first_30_days"),
        ({"start": "2026-13", "end": "2026-03"}, "start: month must be between 01 and 12"),
        ({"start": "2026-01"}, "end: give both start and end, or neither"),
        ({"start": "2026-10", "end": "2026-12"}, "Dec 2026 has not ended yet"),
    ],
)
def test_bad_input_is_a_clear_400(signed_in, december_1, params, message):
    response = signed_in.get(URL, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and "Cannot show these cohorts" in html
    assert message in html
    # what was typed stays in the boxes
    if "start" in params:
        assert f'name="start" value="{params["start"]}"' in html


def test_an_unfinished_window_links_to_the_latest(signed_in, december_1):
    html = signed_in.get(URL, {"start": "2026-10", "end": "2026-12"}).content.decode()
    assert 'href="/cohorts/?start=2026-09&amp;end=2026-11">Show Sep–Nov 2026' in html


def test_query_count(signed_in, company, django_assert_num_queries):
    # session, user, the cache key (settings, data version), settings, the grouped cohort
    # query, customers without a signup date, the frame's data freshness
    with django_assert_num_queries(8):
        assert signed_in.get(URL, Q1).status_code == 200

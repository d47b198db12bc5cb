"""The cost page's lower half: where the cost goes and support cost vs revenue, with the same
numbers as the API."""

import re

import pytest

from tests.support_cost_builders import (
    at,
    customer,
    margin_company,
    replies,
    team_cost_per_month,
    ticket,
)


@pytest.fixture
def thirds(db):
    """Team cost 100.00 a month; January 2016: one reply each on a chat, email and web ticket."""
    team_cost_per_month("100")
    for channel in ("chat", "email", "web"):
        replies(ticket(None, at(2016, 1, 5), channel=channel), at(2016, 1, 6))


def _row(html: str, attribute: str, value) -> str:
    match = re.search(rf'<tr {attribute}="{value}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, f"no row {attribute}={value}"
    return match.group(1)


def _figure(row_html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', row_html)
    assert match, name
    return match.group(1)


def _money(text: str) -> str:
    return text.replace(",", "")


def test_the_allocation_matches_the_api(signed_in, thirds):
    html = signed_in.get("/cost/", {"month": "2016-01"}).content.decode()
    api = signed_in.get("/api/v1/metrics/cost/allocation/", {"month": "2016-01"}).json()
    assert "Where the cost goes · Jan 2016" in html
    for row in api["rows"]:  # chat 33.34, email 33.33, web 33.33
        assert (
            _money(_figure(_row(html, "data-key", row["key"]), "allocated_cost"))
            == (row["allocated_cost"])
        )
    assert _figure(_row(html, "data-key", "chat"), "allocated_cost") == "33.34"
    assert (
        'href="/api/v1/metrics/cost/allocation/?month=2016-01&amp;by=channel&amp;basis=replies'
        '&amp;format=csv"' in html
    )
    assert 'data-plotly-figure="allocation-figure"' in html
    assert "definition: cost allocation" in html.lower()


def test_the_switches_keep_the_month_and_the_other_choice(signed_in, thirds):
    html = signed_in.get("/cost/", {"month": "2016-01", "by": "plan", "basis": "tickets"}).content
    html = html.decode()
    assert 'href="?month=2016-01&amp;by=bucket&amp;basis=tickets#where-the-cost-goes"' in html
    assert 'href="?month=2016-01&amp;by=plan&amp;basis=replies#where-the-cost-goes"' in html
    assert re.search(r'<a href="[^"]*by=plan[^"]*" aria-current="true">Plan</a>', html)
    # every ticket is unlinked, so on no plan: the whole 100.00
    assert _figure(_row(html, "data-key", "No plan"), "allocated_cost") == "100.00"


def test_a_month_without_replies_says_nothing_is_allocated(signed_in, db):
    team_cost_per_month("100")
    ticket(None, at(2016, 1, 5), channel="email")
    html = signed_in.get("/cost/", {"month": "2016-01"}).content.decode()
    assert "No agent public replies in Jan 2016: the team cost is not allocated." in html
    assert 'data-plotly-figure="allocation-figure"' not in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"by": "product"}, "by: use channel, bucket, plan, not &#x27;product&#x27;"),
        ({"by": "customer"}, "by: use channel, bucket, plan, not &#x27;customer&#x27;"),
        ({"basis": "minutes"}, "basis: use replies or tickets, not &#x27;minutes&#x27;"),
    ],
)
def test_a_bad_choice_is_a_400_that_keeps_the_month(signed_in, thirds, params, message):
    response = signed_in.get("/cost/", {"month": "2016-01", **params})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"Cannot show that allocation: {message}." in html
    assert 'name="month" value="2016-01"' in html
    assert '<a href="?month=2016-01">Show Jan 2016 by channel</a>' in html


def test_support_cost_vs_revenue_matches_the_api(signed_in, db):
    company = margin_company()
    html = signed_in.get("/cost/", {"month": "2016-02"}).content.decode()
    # the 3 months ending with Feb 2016 from the first with data (Jan 2016): Jan–Feb 2016
    assert "Support cost vs revenue · Jan–Feb 2016" in html
    api = signed_in.get(
        "/api/v1/metrics/support-vs-revenue/", {"start": "2016-01", "end": "2016-02"}
    ).json()
    for row in api["rows"]:
        shown = _row(html, "data-customer", row["customer_id"])
        for name in ("support_cost", "revenue", "margin"):
            assert _money(_figure(shown, name)) == row[name]
    bloom = _row(html, "data-customer", company["bloom"].pk)
    assert _figure(bloom, "margin") == "-75.00"
    assert f'<tr data-customer="{company["bloom"].pk}" class="is-unprofitable">' in html
    assert "no revenue" in bloom  # cost ÷ revenue has no value
    assert "1.50×" in _row(html, "data-customer", company["acme"].pk)  # 75.00 / 50.00
    cargo = _row(html, "data-customer", company["cargo"].pk)
    assert f'<tr data-customer="{company["cargo"].pk}">' in html  # profitable
    assert "+ 1 invoice in another currency, not counted" in cargo
    assert '<strong data-figure="unprofitable">2</strong> of 3 customers' in html
    assert "2 invoices paid in another currency than USD left out." in html
    assert (
        'href="/api/v1/metrics/support-vs-revenue/?start=2016-01&amp;end=2016-02&amp;format=csv"'
        in html
    )
    assert "definition: support cost vs revenue" in html.lower()


def test_only_the_twenty_worst_margins_are_shown(signed_in, db):
    team_cost_per_month("100")
    for n in range(25):
        replies(ticket(customer(f"Customer {n:02d}"), at(2016, 1, 5)), at(2016, 1, 6))
    html = signed_in.get("/cost/", {"month": "2016-01"}).content.decode()
    assert html.count("<tr data-customer=") == 20
    assert '<strong data-figure="unprofitable">25</strong> of 25 customers cost more' in html
    assert "The 20 worst margins:" in html


def test_query_budget_with_margin_rows(signed_in, db, django_assert_num_queries):
    margin_company()
    # session, user, the cache key (settings, data version), settings, ticket months, members, expenses, tickets, interactions; where
    # the cost goes: tickets and replies per group; support cost vs revenue: the margin
    # statement (the 20 worst and the counts), the plans of those rows; data freshness
    with django_assert_num_queries(15):
        assert signed_in.get("/cost/", {"month": "2016-02"}).status_code == 200

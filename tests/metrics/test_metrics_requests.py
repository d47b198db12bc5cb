"""Feature requests (DESIGN.md §4), on the company in tests/feature_requests_data.py."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from metrics.periods import Month, Window
from metrics.request_patterns import literal_prefix, match_request, request_name
from metrics.request_results import FeatureRequestRow, PatternProblem
from metrics.requests import UnknownRequest, feature_request_detail, feature_requests
from supportops.models import MetricSettings
from tests.factories import ticket_create
from tests.feature_requests_data import NOW, feature_request_company

pytestmark = pytest.mark.django_db

WINDOW = Window(Month(2026, 9), Month(2026, 11))


@pytest.fixture
def company(db):
    return feature_request_company()


def test_rows_merge_spellings_and_weigh_customers(company):
    result = feature_requests(window=WINDOW, now=NOW)

    assert result.currency == "USD"
    assert result.basis.lifetime_months == Decimal("60.00")  # churn 0 → the cap
    assert result.rows == (
        # "Salesforce" (quotes trimmed), salesforce, “SalesForce”, "Salesforce " → one name.
        # 4 tickets: Acme 2, Globex 1, Initech 1 → 3 customers, Acme counted once.
        # LTV: Acme 199 × 60 = 11,940 + Globex 50 × 60 = 3,000 = 14,940.00
        # MRR 199 + 50 = 249.00; realized 398 + 100 = 498.00
        # Initech bills in EUR: counted as a customer, left out of the USD sums.
        FeatureRequestRow(
            name="salesforce",
            label="Salesforce",  # 2 of the 4 spell it so
            tickets=4,
            customers=3,
            ltv_sum=Decimal("14940.00"),
            mrr_sum=Decimal("249.00"),
            realized_revenue_sum=Decimal("498.00"),
            other_currency_customers=1,
        ),
        # Acme alone: 11,940.00 LTV, 199.00 MRR, 398.00 realized (its open invoice is not)
        FeatureRequestRow(
            "hubspot", "HubSpot", 1, 1, Decimal("11940.00"), Decimal("199.00"), Decimal("398.00")
        ),
        # nobody's ticket: a ticket, no customer, nothing to sum
        FeatureRequestRow("zapier", "Zapier", 1, 0, Decimal("0"), Decimal("0"), Decimal("0"), 0, 1),
    )
    assert result.patterns == (r"Requesting integration for (?P<name>.+)",)
    assert result.skipped_patterns == ()


def test_ties_in_ltv_go_to_more_tickets_then_the_name(db):
    for n, subject in enumerate(("for Zeta", "for Alpha", "for Mid", "for Mid")):
        ticket_create(None, f"x{n}", datetime(2026, 10, 1, tzinfo=UTC), subject=subject)
    MetricSettings.objects.create(pk=1, feature_request_patterns=[r"for (?P<name>\w+)"])

    rows = feature_requests(window=WINDOW, now=NOW).rows

    # all LTV 0: Mid has 2 tickets, then Alpha before Zeta
    assert [(row.name, row.tickets) for row in rows] == [("mid", 2), ("alpha", 1), ("zeta", 1)]


def test_a_pattern_without_a_name_group_is_skipped_and_said(company):
    settings = MetricSettings.load()
    settings.feature_request_patterns = [
        r"Feature request: (.+)",
        r"Requesting integration for (?P<name>.+)",
        r"broken [",
    ]
    settings.save()

    result = feature_requests(window=WINDOW, now=NOW)

    assert [row.name for row in result.rows] == ["salesforce", "hubspot", "zapier"]
    assert result.skipped_patterns[0] == PatternProblem(
        r"Feature request: (.+)", "has no named group (?P<name>…): skipped"
    )
    assert result.skipped_patterns[1].pattern == "broken ["
    assert result.skipped_patterns[1].reason.startswith("not a valid regular expression")


def test_a_pattern_with_no_literal_start_reads_every_subject(company):
    settings = MetricSettings.load()
    settings.feature_request_patterns = [r"(?:please add|requesting integration for) (?P<name>.+)"]
    settings.save()
    ticket_create(None, "p1", datetime(2026, 10, 3, tzinfo=UTC), subject="Please ADD Slack")

    rows = feature_requests(window=WINDOW, now=NOW).rows

    assert {row.name: row.tickets for row in rows} == {
        "salesforce": 4,
        "hubspot": 1,
        "zapier": 1,
        "slack": 1,
    }


def test_an_empty_window_or_no_pattern_has_no_rows(company):
    assert feature_requests(window=Window(Month(2026, 1), Month(2026, 2)), now=NOW).rows == ()
    MetricSettings.objects.filter(pk=1).update(feature_request_patterns=[])
    assert feature_requests(window=WINDOW, now=NOW).rows == ()


def test_four_queries_whatever_the_tickets(company, django_assert_num_queries):
    # settings, the LTV basis, the candidate subjects, the customers behind them
    with django_assert_num_queries(4):
        feature_requests(window=WINDOW, now=NOW)


def test_detail_lists_tickets_newest_first_and_each_customer_once(
    company, django_assert_num_queries
):
    with django_assert_num_queries(4):
        detail = feature_request_detail(name="  “SALESFORCE”", window=WINDOW, now=NOW)

    assert detail.row.tickets == 4
    # Nov 12 Initech, Oct 20 Globex, Oct 9 Acme, Sep 5 Acme
    assert [(t.customer, t.created_at.date().isoformat()) for t in detail.tickets] == [
        ("Initech", "2026-11-12"),
        ("Globex", "2026-10-20"),
        ("Acme", "2026-10-09"),
        ("Acme", "2026-09-05"),
    ]
    assert detail.tickets[-1].subject == 'Requesting integration for "Salesforce"'
    # LTV first among the USD customers; EUR Initech after them, outside the sums
    assert [
        (c.name, c.tickets, c.ltv, c.mrr, c.realized_revenue, c.currency, c.in_sums)
        for c in detail.customers
    ] == [
        ("Acme", 2, Decimal("11940.00"), Decimal("199.00"), Decimal("398.00"), "USD", True),
        ("Globex", 1, Decimal("3000.00"), Decimal("50.00"), Decimal("100.00"), "USD", True),
        ("Initech", 1, Decimal("4800.00"), Decimal("80.00"), Decimal("80.00"), "EUR", False),
    ]


def test_detail_of_an_unknown_name_says_so(company):
    with pytest.raises(UnknownRequest, match="no feature request called “Jira” in Sep–Nov 2026"):
        feature_request_detail(name="Jira", window=WINDOW, now=NOW)


@pytest.mark.parametrize(
    ("typed", "key"),
    [('"Salesforce"', "salesforce"), ("  ‘SalesForce’ ", "salesforce"), ("Straße", "strasse")],
)
def test_names_are_trimmed_of_quotes_and_case_folded(typed, key):
    assert request_name(typed) == key


def test_a_name_of_only_quotes_is_no_request():
    patterns = [re.compile(r"Requesting integration for (?P<name>.+)", re.IGNORECASE)]
    assert match_request(patterns, 'Requesting integration for ""') is None
    assert match_request(patterns, "Re: REQUESTING integration for “Jira”") == ("jira", "Jira")


@pytest.mark.parametrize(
    ("pattern", "prefix"),
    [
        (r"Requesting integration for (?P<name>.+)", "Requesting integration for "),
        (r"^\[Request\] (?P<name>.+)", "[Request] "),
        (r"Adds? (?P<name>.+)", "Add"),  # the "s" is optional: not part of every match
        (r"a|b(?P<name>x)", ""),  # an alternative at the top: no common start
        (r"Ünïcode (?P<name>.+)", ""),  # SQLite's LIKE folds only ASCII
    ],
)
def test_literal_prefix(pattern, prefix):
    assert literal_prefix(re.compile(pattern, re.IGNORECASE)) == prefix


def test_the_chart_ranks_by_ltv_and_names_both_amounts():
    from metrics.figures.requests import feature_requests_figure

    rows = [
        FeatureRequestRow(f"n{i}", f"Thing {i}", 1, 1, Decimal(100 - i), Decimal(1), Decimal(2))
        for i in range(20)
    ]
    figure = feature_requests_figure(rows, currency="USD", top=15).to_plotly_json()
    bar = figure["data"][0]

    assert list(bar["y"]) == [f"n{i}" for i in range(15)]  # the top 15, largest first
    assert list(bar["x"])[:2] == [100.0, 99.0]
    assert figure["layout"]["yaxis"]["autorange"] == "reversed"  # largest on top
    assert figure["layout"]["title"]["text"] == (
        "Ranked by LTV<br><sub>LTV = MRR × expected lifetime, USD · the top 15 of 20</sub>"
    )
    assert "Realized revenue (paid invoices)" in bar["hovertemplate"]
    assert list(bar["customdata"][0]) == ["Thing 0", 1, 1, 1.0, 2.0]

"""The Overview's headlines on the company of tests/overview_data.py (worked there by hand)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from metrics.cost import MonthUnavailable
from metrics.overview import overview
from metrics.overview_results import (
    BUILD_NEXT,
    COSTS,
    CUSTOMERS,
    PAYS_OFF,
    RUNNING,
    STAFFED,
)
from metrics.periods import Month, Window
from supportops.models import Customer, MetricSettings
from tests.overview_data import FEATURE, NOW, SIGNED_UP, overview_company
from tests.support_cost_builders import at, invoice, replies, ticket

APRIL = Month(2016, 4)


@pytest.fixture
def company(db):
    return overview_company()


def _headlines(result):
    return {headline.key: headline for headline in result.headlines}


def test_windows_are_the_3_months_ending_with_the_month_and_the_month_before(company):
    result = overview(month=APRIL, now=NOW)
    assert result.window == Window(Month(2016, 2), APRIL)
    assert result.previous_window == Window(Month(2016, 1), Month(2016, 3))
    assert result.has_data and not result.in_progress
    assert [question for question, _ in result.questions] == [
        PAYS_OFF,
        COSTS,
        STAFFED,
        RUNNING,
        BUILD_NEXT,
        CUSTOMERS,
    ]


def test_cost_per_ticket_against_the_month_before(company):
    cost = _headlines(overview(month=APRIL, now=NOW))["cost_per_ticket"]
    assert (cost.value, cost.previous) == (Decimal("25.00"), Decimal("50.00"))
    assert (cost.change.ratio, cost.change.against) == (Decimal("-0.500"), "Mar 2016")
    assert cost.change.judgement == "better"
    assert cost.link == "/cost/?month=2016-04"
    assert cost.period == "Apr 2016"
    assert cost.reading == "Team cost 100.00 USD over 4 tickets created in Apr 2016."


def test_unprofitable_customers_over_the_windows(company):
    margin = _headlines(overview(month=APRIL, now=NOW))["unprofitable_customers"]
    assert (margin.value, margin.previous) == (2, 1)
    assert (margin.change.ratio, margin.change.against) == (Decimal("1.000"), "Jan–Mar 2016")
    assert margin.change.judgement == "worse"
    assert margin.link == "/cost/?month=2016-04#support-vs-revenue"
    assert "115.00 USD more support cost than revenue over Feb–Apr 2016" in margin.reading


def test_support_cohort_active_share_and_customers_who_wrote_in(company):
    headlines = _headlines(overview(month=APRIL, now=NOW))
    pays = headlines["support_active_share"]
    assert (pays.value, pays.previous) == (Decimal("0.6667"), Decimal("0.5000"))
    assert pays.change.ratio == Decimal("0.333")
    assert pays.link == "/cohorts/?start=2016-02&end=2016-04"
    assert "66.7% of the 3 customers who wrote in were active, against 0.0% of the 1" in (
        pays.reading
    )
    contacted = headlines["customers_contacted"]
    assert (contacted.value, contacted.previous, contacted.change.ratio) == (
        3,
        2,
        Decimal("0.500"),
    )


def test_groups_over_capacity_from_none(company):
    coverage = _headlines(overview(month=APRIL, now=NOW))["groups_over_capacity"]
    assert (coverage.value, coverage.previous) == (1, 0)
    assert coverage.change.ratio is None  # nothing to divide by, the 0 is still shown
    assert coverage.change.against == "Mar 2016"
    assert coverage.link == "/coverage/?month=2016-04"
    assert coverage.reading == "API had more tickets than its engineers can handle in Apr 2016."


def test_median_first_reply_from_support_ops(company):
    ops = _headlines(overview(month=APRIL, now=NOW))["median_first_reply"]
    assert (ops.value, ops.previous) == (Decimal("720.0"), Decimal("1440.0"))
    assert (ops.change.ratio, ops.change.judgement) == (Decimal("-0.500"), "better")
    assert ops.link == "/support-ops/?month=2016-04"
    assert ops.reading == "4 tickets created and 0 solved; 7 open at the end of Apr 2016."


def test_top_feature_request_and_top_bug(company):
    headlines = _headlines(overview(month=APRIL, now=NOW))
    request = headlines["top_feature_request"]
    assert request.label == "Top feature request: Salesforce"
    assert (request.value, request.previous, request.change.ratio) == (
        Decimal("1500.00"),
        Decimal("1000.00"),
        Decimal("0.500"),
    )
    assert request.link == "/feature-requests/request/?name=salesforce&start=2016-02&end=2016-04"
    bug = headlines["top_bug"]
    assert bug.label == "Top bug by MRR affected: Export times out"
    assert (bug.value, bug.previous, bug.change.ratio) == (Decimal("150.00"), None, None)
    key = f"problem%3Azendesk%3A{company['problem'].external_id}"
    assert bug.link == f"/bugs/group/?key={key}&start=2016-02&end=2016-04"
    assert "75.00 USD of support cost" in bug.reading


def test_the_month_in_progress_has_no_cohorts_yet(company):
    result = overview(month=Month(2016, 5), now=NOW)
    assert result.in_progress
    headlines = _headlines(result)
    assert headlines["support_active_share"].value is None
    assert "has not" in headlines["support_active_share"].note
    # April's 4 tickets against May's days so far (1–14): nothing in May yet
    assert headlines["cost_per_ticket"].value is None
    assert headlines["cost_per_ticket"].previous == Decimal("25.00")


def test_months_outside_the_data_are_refused(company):
    with pytest.raises(MonthUnavailable, match="has not started") as late:
        overview(month=Month(2016, 6), now=NOW)
    assert late.value.nearest == Month(2016, 5)
    with pytest.raises(MonthUnavailable, match="no data before Jan 2016") as early:
        overview(month=Month(2015, 12), now=NOW)
    assert early.value.nearest == Month(2016, 1)


def test_no_ticket_yet_is_no_data_not_zeros(db):
    MetricSettings.load()
    result = overview(month=Month(2016, 4), now=NOW)
    assert not result.has_data and result.headlines == ()


def test_query_count_is_bounded(company, django_assert_num_queries):
    with django_assert_num_queries(50):
        overview(month=APRIL, now=NOW)


def test_query_count_does_not_grow_with_the_data(company, django_assert_num_queries):
    """More customers, tickets, replies, requests, bugs and invoices: the same queries."""
    for n in range(5):
        who = Customer.objects.create(name=f"More {n}", mrr_minor=1000, signed_up_at=SIGNED_UP)
        for month in (1, 2, 3, 4):
            subject = FEATURE.format(f"Thing {n}")
            replies(ticket(who, at(2016, month, 12), subject=subject, tags=["bug"]),
                    at(2016, month, 13))  # fmt: skip
            invoice(who, 500, at(2016, month, 14))
    with django_assert_num_queries(50):
        overview(month=APRIL, now=NOW)

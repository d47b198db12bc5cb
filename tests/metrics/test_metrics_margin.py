"""Support cost vs revenue (DESIGN.md §4) over a hand-made two-month window."""

from decimal import Decimal

import pytest

from metrics.allocation import cost_allocation
from metrics.margin import support_margin
from metrics.periods import Month, Window
from tests.support_cost_builders import (
    at,
    customer,
    margin_company,
    replies,
    team_cost_per_month,
    ticket,
)

WINDOW = Window(Month(2016, 1), Month(2016, 2))
LATER = at(2017, 1, 1)


@pytest.fixture
def company(reporting):
    return margin_company()


def test_worst_margin_first_with_hand_computed_costs(company):
    result = support_margin(window=WINDOW, now=LATER)
    # January: 4 replies, Acme 1 → 25.00, Bloom 3 → 75.00.
    # February: 2 replies, Acme 1 → 50.00, unlinked 1 → 50.00 (nobody's row).
    # Acme: cost 75.00, revenue 50.00 → margin −25.00, cost/revenue 1.5, unprofitable.
    # Bloom: cost 75.00, revenue 0 → margin −75.00, no ratio, unprofitable (free).
    # Cargo: cost 0, revenue 200.00 (its EUR invoice left out) → margin 200.00, ratio 0.
    assert [
        (row.customer, row.plan, row.support_cost, row.revenue, row.margin, row.cost_to_revenue)
        for row in result.rows
    ] == [
        ("Bloom", "No plan", Decimal("75.00"), Decimal("0.00"), Decimal("-75.00"), None),
        ("Acme", "Pro", Decimal("75.00"), Decimal("50.00"), Decimal("-25.00"), Decimal("1.5")),
        ("Cargo", "No plan", Decimal("0.00"), Decimal("200.00"), Decimal("200.00"), Decimal(0)),
    ]
    assert [row.unprofitable for row in result.rows] == [True, True, False]
    assert [row.other_currency_invoices for row in result.rows] == [0, 0, 1]  # Cargo's EUR
    assert result.unprofitable_count == 2
    # Cargo's 30 EUR and Euro's 70 EUR: left out and counted; Euro and Quiet have no row.
    assert result.skipped_other_currency == 2
    assert result.currency == "USD"


def test_support_cost_is_the_sum_of_the_monthly_allocations_by_customer(company):
    result = support_margin(window=WINDOW, now=LATER)
    for row in result.rows:
        monthly = [
            cost_allocation(month=month, by="customer", basis="replies", now=LATER)
            for month in WINDOW.months
        ]
        allocated = sum(
            (r.allocated_cost for m in monthly for r in m.rows if r.key == str(row.customer_id)),
            Decimal(0),
        )
        assert row.support_cost == allocated


def test_largest_remainder_per_month_then_summed(reporting):
    team_cost_per_month("100")
    a, b, c = customer("A"), customer("B"), customer("C")
    for owner in (a, b, c):
        replies(ticket(owner, at(2016, 1, 2)), at(2016, 1, 3), at(2016, 2, 3))
    result = support_margin(window=WINDOW, now=LATER)
    # each month 33.34 (A, first key in order), 33.33, 33.33: A 66.68, B and C 66.66
    costs = {row.customer: row.support_cost for row in result.rows}
    assert costs == {"A": Decimal("66.68"), "B": Decimal("66.66"), "C": Decimal("66.66")}
    assert sum(costs.values()) == Decimal("200.00")


def test_a_month_not_started_is_refused(reporting):
    from metrics.cost import MonthUnavailable

    with pytest.raises(MonthUnavailable):
        support_margin(window=Window(Month(2016, 1), Month(2016, 3)), now=at(2016, 2, 10))


def test_query_count_does_not_grow_with_the_window(company, django_assert_num_queries):
    # settings, team costs (settings, members, expenses), the margin statement (allocation,
    # revenue, order, counts), the plans of the rows at the window's end
    with django_assert_num_queries(6):
        support_margin(window=WINDOW, now=LATER)
    with django_assert_num_queries(6):
        support_margin(window=Window(Month(2015, 1), Month(2016, 12)), now=LATER)

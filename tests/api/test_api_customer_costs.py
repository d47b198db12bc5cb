"""Support cost to date against the allocation API, and in the customer detail API.

The company and its hand-worked figures: tests/metrics/test_customer_costs.py.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from metrics.customer_costs import customer_cost_to_date, customer_costs_refresh, month_costs
from supportops.customers import customers_merge
from supportops.models import CustomerCostState, Expense
from tests.metrics.test_customer_costs import MONTHS, NOW, company

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(settings_row, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return company()


def _api_months(client, customer) -> dict:
    """What metrics/cost/allocation/?by=customer gives the customer, month by month."""
    found = {}
    for month in MONTHS:
        body = client.get(
            "/api/v1/metrics/cost/allocation/", {"by": "customer", "month": str(month)}
        ).json()
        for row in body["rows"]:
            if row["key"] == str(customer.pk) and row["allocated_cost"] is not None:
                found[month.first_date] = Decimal(row["allocated_cost"])
    return found


def _to_date(customer) -> Decimal:
    return customer_cost_to_date(customer.pk, now=NOW).amount


def _cents(by_month: dict) -> dict:
    return {day: int(amount * 100) for day, amount in by_month.items()}


def test_it_equals_the_allocation_api_month_by_month(analyst_client, books):
    customer_costs_refresh(now=NOW)
    for name, expected in (("a", "89.99"), ("b", "83.34"), ("c", "123.34")):
        customer = books[name]
        by_month = _api_months(analyst_client, customer)
        assert _cents(by_month) == month_costs(customer.pk)
        assert sum(by_month.values()) == _to_date(customer) == Decimal(expected)


def test_after_a_merge_and_a_cost_edit_it_still_equals_the_api(analyst_client, books):
    a, b, c = books["a"], books["b"], books["c"]
    customer_costs_refresh(now=NOW)
    customers_merge(target=a, others=[c])
    assert customer_cost_to_date(a.pk, now=NOW).stale  # the merge moved the data version
    customer_costs_refresh(now=NOW)
    assert (_to_date(a), _to_date(b)) == (Decimal("213.34"), Decimal("83.33"))
    Expense.objects.filter(pk=books["expense"].pk).update(monthly_amount=Decimal("33.33"))
    Expense.objects.get(pk=books["expense"].pk).save()  # as the admin saves it
    customer_costs_refresh(now=NOW)
    for customer in (a, b):
        by_month = _api_months(analyst_client, customer)
        assert _cents(by_month) == month_costs(customer.pk)
        assert sum(by_month.values()) == _to_date(customer)
    # 3,333 cents a month (A now has C's tickets). January A 2, B 1: 2,222 and 1,111 exactly.
    # February A 1, B 2, unlinked 3: 555 r 3, 1,111 r 0, 1,666 r 3, the cent to the unlinked
    # (tie on remainder, larger weight) → A 555. March A 5, B 1: 2,777 r 3, 555 r 3, the cent
    # to A (weight 5) → 2,778. April 33.33 × 14 / 30 = 15.55, all A's. A = 7,110.
    assert _to_date(a) == Decimal("71.10")


def test_the_detail_api_shows_it(analyst_client, books, django_assert_num_queries):
    customer_costs_refresh(now=NOW)
    url = f"/api/v1/customers/{books['a'].pk}/"
    # token, customer, identities, LTV basis (settings, churn counts), support cost
    with django_assert_num_queries(6):
        body = analyst_client.get(url).json()
    assert body["support_cost_to_date"] == {
        "amount": "89.99",
        "currency": "USD",
        "as_of": "2016-04-15T12:00:00Z",
        "stale": False,
    }
    listed = analyst_client.get("/api/v1/customers/").json()["results"]
    assert "support_cost_to_date" not in listed[0]


def test_a_stale_figure_asks_for_a_refresh(
    analyst_client, books, django_capture_on_commit_callbacks, settings
):
    url = f"/api/v1/customers/{books['a'].pk}/"
    with django_capture_on_commit_callbacks() as callbacks:
        body = analyst_client.get(url).json()
    assert body["support_cost_to_date"]["stale"] is True
    assert body["support_cost_to_date"]["amount"] is None
    assert len(callbacks) == 1
    callbacks[0]()  # the broker is eager in the tests: the task runs here
    assert CustomerCostState.objects.get().refreshed_at == NOW
    assert analyst_client.get(url).json()["support_cost_to_date"]["amount"] == "89.99"

"""Support cost to date: every customer's allocated cents per month, stored by one refresh.

The company (team cost 100.00 a month from January 2016; now 15 April 2016 12:00 UTC, so April
covers 1–14 April: 100 × 14 / 30 = 46.67). Customer ids are fixed so the code-point tie order
is visible: "12" < "30" < "7" (B, C, A), where numeric order would be A, B, C.

January (10,000 cents): A 1, B 1, C 1 reply → 3,333 r 1 each, 1 cent left, all tied (remainder
and weight): B ("12") gets it → A 3,333, B 3,334, C 3,333.
February: A 1, B 2, unlinked 3 (of 6) → A 1,666 r 4, B 3,333 r 2, unlinked 5,000 r 0; 9,999, the
cent left to A → A 1,667, B 3,333, unlinked 5,000 (not stored: no customer).
March: A 1, B 1, C 4 (of 6) → 1,666 r 4, 1,666 r 4, 6,666 r 4; 9,998, 2 left, all remainders
tied: the larger weight C first, then B before A ("12" < "7") → A 1,666, B 1,667, C 6,667.
April (4,667 cents): A 1, C 1 → 2,333 r 1 each; 1 left, tied: C ("30" < "7") → A 2,333, C 2,334.
To date: A 3,333 + 1,667 + 1,666 + 2,333 = 89.99; B 3,334 + 3,333 + 1,667 = 83.34;
C 3,333 + 6,667 + 2,334 = 123.34.

C merged into A: January A 2, B 1 → 6,666 r 2, 3,333 r 1, the cent to A → 6,667, 3,333; February
as before; March A 5, B 1 → 8,333 r 2, 1,666 r 4, the cent to B → 8,333, 1,667; April A 4,667.
A = 6,667 + 1,667 + 8,333 + 4,667 = 213.34; B = 3,333 + 3,333 + 1,667 = 83.33 (one cent less:
its January remainder now loses; tests/api/test_api_customer_costs.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from metrics.customer_costs import (
    customer_cost_to_date,
    customer_costs_refresh,
    first_cost_month,
    month_costs,
)
from metrics.periods import Month
from supportops.data_version import data_changed, data_version
from supportops.models import Customer, CustomerCostState, CustomerMonthCost, Expense
from tests.support_cost_builders import at, replies, ticket

NOW = datetime(2016, 4, 15, 12, tzinfo=UTC)
MONTHS = [Month(2016, m) for m in (1, 2, 3, 4)]


def company() -> dict:
    expense = Expense.objects.create(
        name="Team", kind="overhead", monthly_amount=Decimal("100"), start_date=date(2016, 1, 1)
    )
    a = Customer.objects.create(id=7, name="Acme")
    b = Customer.objects.create(id=12, name="Bloom")
    c = Customer.objects.create(id=30, name="Cargo")
    replies(ticket(a, at(2016, 1, 2)), at(2016, 1, 3), at(2016, 2, 3), at(2016, 3, 3))
    replies(ticket(a, at(2016, 4, 1)), at(2016, 4, 10))
    replies(ticket(a, at(2016, 4, 1)), at(2016, 4, 15, 1))  # today: not yet covered
    replies(ticket(a, at(2016, 1, 2), is_deleted=True), at(2016, 1, 4))  # a deleted ticket
    replies(ticket(a, at(2016, 1, 2)), at(2016, 1, 5), role="customer")  # not an agent
    replies(ticket(a, at(2016, 1, 2)), at(2016, 1, 5), public=False)  # an internal note
    replies(ticket(b, at(2016, 1, 2)), at(2016, 1, 3), at(2016, 2, 4), at(2016, 2, 5))
    replies(ticket(b, at(2016, 3, 2)), at(2016, 3, 4))
    replies(ticket(c, at(2016, 1, 2)), at(2016, 1, 3))
    replies(ticket(c, at(2016, 3, 2)), *(at(2016, 3, d) for d in (3, 4, 5, 6)), at(2016, 4, 14))
    replies(ticket(None, at(2016, 2, 2)), at(2016, 2, 3), at(2016, 2, 4), at(2016, 2, 5))
    return {"a": a, "b": b, "c": c, "expense": expense}


@pytest.fixture
def books(reporting):
    return company()


def _to_date(customer) -> Decimal:
    return customer_cost_to_date(customer.pk, now=NOW).amount


def test_first_cost_month_is_the_earliest_start(books, member):
    assert first_cost_month() == Month(2016, 1)
    member("12000", start=date(2015, 11, 20))
    assert first_cost_month() == Month(2015, 11)


def test_the_hand_worked_months(books):
    outcome = customer_costs_refresh(now=NOW)
    assert outcome.refreshed and outcome.months == 4
    assert (outcome.written, outcome.removed) == (10, 0)
    a, b, c = books["a"], books["b"], books["c"]
    assert month_costs(a.pk) == {
        date(2016, 1, 1): 3333,
        date(2016, 2, 1): 1667,
        date(2016, 3, 1): 1666,
        date(2016, 4, 1): 2333,
    }
    assert month_costs(b.pk) == {
        date(2016, 1, 1): 3334,
        date(2016, 2, 1): 3333,
        date(2016, 3, 1): 1667,
    }
    assert month_costs(c.pk) == {
        date(2016, 1, 1): 3333,
        date(2016, 3, 1): 6667,
        date(2016, 4, 1): 2334,
    }
    assert (_to_date(a), _to_date(b), _to_date(c)) == (
        Decimal("89.99"),
        Decimal("83.34"),
        Decimal("123.34"),
    )
    cost = customer_cost_to_date(a.pk, now=NOW)
    assert cost.as_of == NOW and cost.currency == "USD" and not cost.stale
    assert customer_cost_to_date(Customer.objects.create(name="Quiet").pk, now=NOW).amount == 0


def test_a_cost_edit_makes_it_stale_until_refreshed(books):
    customer_costs_refresh(now=NOW)
    expense = books["expense"]
    expense.monthly_amount = Decimal("200")
    expense.save()
    stale = customer_cost_to_date(books["a"].pk, now=NOW)
    assert stale.stale and stale.amount == Decimal("89.99")  # the old rows, marked stale
    assert customer_costs_refresh(now=NOW).refreshed
    # 20,000 cents. January: 6,666 r 2 each, 2 left → B, C ("12", "30"): A 6,666. February:
    # A 3,333 r 2, B 6,666 r 4, unlinked 10,000: the cent to B: A 3,333. March: 3,333 r 2,
    # 3,333 r 2, 13,333 r 2, the cent to C (weight 4): A 3,333. April 200 × 14 / 30 = 93.33:
    # 4,666 r 1 each, the cent to C: A 4,666. A = 17,998.
    assert _to_date(books["a"]) == Decimal("179.98")


def test_nothing_happens_while_version_and_day_stand(books, django_assert_num_queries):
    customer_costs_refresh(now=NOW)
    with django_assert_num_queries(5):  # savepoint, lock the state, version, settings, release
        outcome = customer_costs_refresh(now=NOW + timedelta(hours=1))
    assert not outcome.refreshed
    # the next day the month in progress covers one more day: due again
    tomorrow = NOW + timedelta(days=1)
    assert customer_cost_to_date(books["a"].pk, now=tomorrow).stale
    assert customer_costs_refresh(now=tomorrow).refreshed


def test_a_change_during_the_refresh_leaves_it_stale(books, monkeypatch):
    import metrics.customer_costs as module

    real = module.spans_to_date

    def spans_then_change(**kwargs):
        spans = real(**kwargs)
        data_changed()  # a sync finishing while the refresh computes
        return spans

    monkeypatch.setattr(module, "spans_to_date", spans_then_change)
    customer_costs_refresh(now=NOW)
    state = CustomerCostState.objects.get()
    assert state.data_version == data_version() - 1
    cost = customer_cost_to_date(books["a"].pk, now=NOW)
    assert cost.stale and cost.amount == Decimal("89.99")


def test_never_computed_is_stale_with_no_figure(books):
    cost = customer_cost_to_date(books["a"].pk, now=NOW)
    assert cost.amount is None and cost.stale and cost.as_of is None


def test_the_refresh_writes_only_the_rows_that_differ(books):
    customer_costs_refresh(now=NOW)
    b = books["b"]
    CustomerMonthCost.objects.create(customer=b, month=date(2015, 1, 1), cost_cents=99)
    CustomerMonthCost.objects.filter(customer=b, month=date(2016, 2, 1)).update(cost_cents=1)
    data_changed()
    outcome = customer_costs_refresh(now=NOW)
    # the stray row goes, February's wrong cents are replaced, the 9 others stay as they were
    assert (outcome.written, outcome.removed) == (1, 2)
    assert not CustomerMonthCost.objects.filter(month=date(2015, 1, 1)).exists()
    assert month_costs(b.pk)[date(2016, 2, 1)] == 3333
    assert CustomerMonthCost.objects.count() == 10
    data_changed()
    nothing_new = customer_costs_refresh(now=NOW)
    assert nothing_new.refreshed and (nothing_new.written, nothing_new.removed) == (0, 0)


def test_without_cost_inputs_nothing_is_stored(reporting):
    Customer.objects.create(id=7, name="Acme")
    replies(ticket(Customer.objects.get(), at(2016, 1, 2)), at(2016, 1, 3))
    outcome = customer_costs_refresh(now=NOW)
    assert outcome.refreshed and outcome.months == 0 and not CustomerMonthCost.objects.exists()
    assert customer_cost_to_date(7, now=NOW).amount == 0


def test_the_read_is_one_query(books, django_assert_num_queries):
    customer_costs_refresh(now=NOW)
    with django_assert_num_queries(1):
        customer_cost_to_date(books["a"].pk, now=NOW)


LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_the_task_refreshes_and_warms_the_overview(books, monkeypatch):
    from metrics.overview_cache import overview_key
    from metrics.tasks import refresh_derived

    monkeypatch.setattr(timezone, "now", lambda: NOW)
    with override_settings(CACHES=LOCAL):
        cache.clear()
        result = refresh_derived.delay().get()
        assert result["customer_costs_refreshed"] and result["overview_month"] == "2016-03"
        assert cache.get(overview_key(month=Month(2016, 3), now=NOW)) is not None
        assert not refresh_derived.delay().get()["customer_costs_refreshed"]
        cache.clear()
    assert _to_date(books["a"]) == Decimal("89.99")

"""Support cost vs revenue computed in the database (metrics/margin_sql.py): the largest
remainder exactly as metrics.allocation.largest_remainder shares it, the page and the counts."""

import random
from collections import defaultdict
from datetime import UTC
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from metrics.allocation import UNLINKED, largest_remainder, reply_counts, window_spans
from metrics.margin import support_margin
from metrics.periods import Month, Window
from supportops.models import Customer
from tests.support_cost_builders import (
    at,
    customer,
    invoice,
    margin_company,
    replies,
    team_cost_per_month,
    ticket,
)

JANUARY = Window(Month(2016, 1), Month(2016, 1))
WINDOW = Window(Month(2016, 1), Month(2016, 3))
LATER = at(2017, 1, 1)


def _customer(pk: int, name: str) -> Customer:
    return Customer.objects.create(pk=pk, name=name, mrr_minor=0, currency="usd")


def test_leftover_cents_go_to_the_keys_first_in_code_point_order(reporting):
    # January: 1.02 over four tickets of one reply each (customers 9, 10, 100 and an unlinked
    # one): 25 cents each, 2 cents left, every remainder 2 of 4 and every count 1, so the keys
    # decide, as text: "10" < "100" < "9" < "unlinked". By number, 9 and 10 would get them.
    team_cost_per_month("1.02")
    nine, ten, hundred = _customer(9, "Nine"), _customer(10, "Ten"), _customer(100, "hundred")
    for owner in (nine, ten, hundred, None):
        replies(ticket(owner, at(2016, 1, 2)), at(2016, 1, 3))
    result = support_margin(window=JANUARY, now=LATER)
    # Ten and hundred: −0.26 each, tied, so by name in code-point order ("T" < "h", where a
    # linguistic collation puts "hundred" first); Nine −0.25; the unlinked 0.25 has no row.
    assert [(row.customer_id, row.support_cost, row.margin) for row in result.rows] == [
        (10, Decimal("0.26"), Decimal("-0.26")),
        (100, Decimal("0.26"), Decimal("-0.26")),
        (9, Decimal("0.25"), Decimal("-0.25")),
    ]
    assert (result.customers, result.count, result.unprofitable_count) == (3, 3, 3)
    assert result.unprofitable_margin == Decimal("-0.77")


def test_a_tied_remainder_goes_to_the_larger_count_before_the_key(reporting):
    # 1.00 over customer 9 (3 replies), 10 (1) and 11 (4): 100 × 3/8 = 37 r 4, × 1/8 = 12 r 4,
    # × 4/8 = 50 r 0; 1 cent left, 9 and 10 tied on remainder 4 → 9, the larger count (by key,
    # "10" would have it): 9 0.38, 10 0.12, 11 0.50.
    team_cost_per_month("1")
    owners = {pk: _customer(pk, f"C{pk}") for pk in (9, 10, 11)}
    for pk, count in ((9, 3), (10, 1), (11, 4)):
        replies(ticket(owners[pk], at(2016, 1, 2)), *(at(2016, 1, 3, h) for h in range(count)))
    result = support_margin(window=JANUARY, now=LATER)
    costs = {row.customer_id: row.support_cost for row in result.rows}
    assert costs == {9: Decimal("0.38"), 10: Decimal("0.12"), 11: Decimal("0.50")}


def _random_company(seed: int) -> None:
    """Customers whose ids cross digit counts (9/10, 99/100, 999/1000), a few replies each per
    month on live, deleted and unlinked tickets, invoices in two currencies."""
    rng = random.Random(seed)
    team_cost_per_month("1234.57")
    ids = [*range(1, 13), *range(95, 106), *range(997, 1003)]
    owners = [_customer(pk, rng.choice(["Acme", "Bloom", "Cargo", f"Co {pk}"])) for pk in ids]
    for owner in [*owners, None, None]:
        for month in (1, 2, 3):
            count = rng.choice([0, 1, 1, 2, 2, 3, 5])
            if count:
                days = [
                    at(2016, month, rng.randint(2, 27), rng.randint(0, 23)) for _ in range(count)
                ]
                replies(ticket(owner, at(2016, month, 1), is_deleted=rng.random() < 0.1), *days)
            if owner is not None and rng.random() < 0.3:
                amount = rng.choice([0, 500, 12345, 40000, 99999])
                invoice(owner, amount, at(2016, month, 15), currency=rng.choice(["usd", "eur"]))
        if owner is not None and rng.random() < 0.2:  # a non-agent and a private message
            on = ticket(owner, at(2016, 1, 1))
            replies(on, at(2016, 1, 5), role="end_user")
            replies(on, at(2016, 1, 6), public=False)


def _python_costs(window: Window) -> dict[int, Decimal]:
    """The allocation the way it was computed before it moved into the database."""
    spans = window_spans(window=window, tz=UTC, now=LATER)
    counts = reply_counts(spans, group={"customer": F("ticket__customer_id")})
    costs = defaultdict(Decimal)
    for i, span in enumerate(spans):
        weights = {
            UNLINKED if key is None else str(key): n[i] for (key,), n in counts.items() if n[i]
        }
        for key, cost in largest_remainder(span.team_cost, weights).items():
            if key != UNLINKED:
                costs[int(key)] += cost
    return costs


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_allocation_in_sql_equals_largest_remainder_in_python(reporting, seed):
    _random_company(seed)
    expected = _python_costs(WINDOW)
    result = support_margin(window=WINDOW, now=LATER)
    got = {row.customer_id: row.support_cost for row in result.rows if row.support_cost}
    assert got == {pk: cost for pk, cost in expected.items() if cost}
    assert len(got) > 10  # the fixture is not degenerate
    # worst margin first, then name, then id; margin = revenue − support cost
    keys = [(row.margin, row.customer, row.customer_id) for row in result.rows]
    assert keys == sorted(keys)
    assert all(row.margin == row.revenue - row.support_cost for row in result.rows)
    assert result.unprofitable_count == sum(row.unprofitable for row in result.rows)
    assert result.customers == result.count == len(result.rows)


def test_pages_and_counts_come_from_the_database(reporting):
    margin_company()
    window = Window(Month(2016, 1), Month(2016, 2))
    whole = support_margin(window=window, now=LATER)
    assert [row.customer for row in whole.rows] == ["Bloom", "Acme", "Cargo"]
    page = support_margin(window=window, now=LATER, offset=1, limit=1)
    assert page.rows == whole.rows[1:2]
    assert (page.customers, page.count, page.unprofitable_count) == (3, 3, 2)
    assert page.unprofitable_margin == Decimal("-100.00")  # Bloom −75.00, Acme −25.00
    assert page.skipped_other_currency == 2
    unprofitable = support_margin(window=window, now=LATER, unprofitable_only=True, offset=1)
    assert [row.customer for row in unprofitable.rows] == ["Acme"]
    assert (unprofitable.customers, unprofitable.count) == (3, 2)
    beyond = support_margin(window=window, now=LATER, offset=10, limit=5)
    assert beyond.rows == () and (beyond.count, beyond.skipped_other_currency) == (3, 2)


def test_no_row_asked_for_skips_the_plans(reporting):
    margin_company()
    window = Window(Month(2016, 1), Month(2016, 2))
    with CaptureQueriesContext(connection) as some:
        support_margin(window=window, now=LATER, limit=1)
    with CaptureQueriesContext(connection) as none:
        result = support_margin(window=window, now=LATER, limit=0)
    assert len(none) == len(some) - 1  # the plans of the rows returned
    assert (result.rows, result.count, result.unprofitable_count) == ((), 3, 2)


def test_a_zero_decimal_currency_is_counted_in_whole_units(reporting):
    # JPY has no minor unit: 500 paid is 500.00 against 100.00 of support cost.
    reporting(currency="JPY")
    team_cost_per_month("100")
    owner = customer("Yen", currency="jpy")
    replies(ticket(owner, at(2016, 1, 2)), at(2016, 1, 3))
    invoice(owner, 500, at(2016, 1, 10), currency="jpy")
    row = support_margin(window=JANUARY, now=LATER).rows[0]
    assert (row.support_cost, row.revenue, row.margin) == (
        Decimal("100.00"),
        Decimal("500"),
        Decimal("400.00"),
    )
    assert row.unprofitable is False

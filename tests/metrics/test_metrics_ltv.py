"""LTV basis (monthly churn, expected lifetime), LTV and realized revenue (DESIGN.md §4 "LTV").

Today is 2026-12-01, so the 12 complete months measured are Dec 2025 … Nov 2026.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from metrics.ltv import LtvBasis, ltv_basis, ltv_of, realized_revenue_minor
from supportops.models import Customer, Invoice, MetricSettings, Subscription

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)
_ids = itertools.count(1)


def paying_customer(name, *, started_at=LONG_AGO, ended_at=None, mrr=19900) -> Customer:
    customer = Customer.objects.create(name=name, mrr_minor=0 if ended_at else mrr)
    Subscription.objects.create(
        source="stripe",
        external_id=f"sub_{next(_ids)}",
        customer=customer,
        status="canceled" if ended_at else "active",
        list_mrr_minor=mrr,
        mrr_minor=0 if ended_at else mrr,
        started_at=started_at,
        ended_at=ended_at,
    )
    return customer


def invoice(customer, *, status, paid, currency="usd") -> Invoice:
    return Invoice.objects.create(
        source="stripe",
        external_id=f"in_{next(_ids)}",
        customer=customer,
        status=status,
        amount_due_minor=paid,
        amount_paid_minor=paid,
        currency=currency,
        created_at=LONG_AGO,
    )


@pytest.fixture
def settings_row(db):
    return MetricSettings.load()


def test_one_customer_of_four_stopping_in_june(settings_row):
    for name in ("A", "B", "C"):
        paying_customer(name)
    paying_customer("D", ended_at=datetime(2026, 6, 15, tzinfo=UTC))

    basis = ltv_basis(now=NOW)

    # Dec 2025 – May 2026: 4 paying at the start, 0 stopped → 0 (6 months)
    # Jun 2026: 4 paying at the start, 1 stopped → 0.25
    # Jul – Nov 2026: 3 paying, 0 stopped → 0 (5 months)
    # mean = 0.25 / 12 = 0.0208333…; lifetime = 1 / that = 48 months (below the cap of 60)
    assert basis == LtvBasis(
        churn_rate=Decimal("0.020833"),
        lifetime_months=Decimal("48.00"),
        cap_months=60,
        months_measured=12,
    )
    assert not basis.capped


def test_the_mean_covers_only_months_with_paying_customers_and_can_fall_below_the_cap(
    settings_row,
):
    # Both start paying on 10 Sep 2026: nobody pays at the start of Dec 2025 … Sep 2026.
    paying_customer("A", started_at=datetime(2026, 9, 10, tzinfo=UTC))
    paying_customer(
        "B",
        started_at=datetime(2026, 9, 10, tzinfo=UTC),
        ended_at=datetime(2026, 11, 20, tzinfo=UTC),
    )

    basis = ltv_basis(now=NOW)

    # Oct: 2 paying, 0 stopped → 0; Nov: 2 paying, 1 stopped → 0.5; mean over 2 months = 0.25
    # lifetime = 1 / 0.25 = 4 months, well below the cap of 60
    assert (basis.churn_rate, basis.lifetime_months, basis.months_measured) == (
        Decimal("0.250000"),
        Decimal("4.00"),
        2,
    )


def test_no_churn_gives_the_cap(settings_row):
    paying_customer("A")
    settings_row.ltv_cap_months = 36
    settings_row.save()

    basis = ltv_basis(now=NOW)

    # 12 months of 1 paying, 0 stopped: churn 0 → the lifetime is the cap, 36
    assert basis == LtvBasis(Decimal("0.000000"), Decimal("36.00"), 36, 12)
    assert basis.capped


def test_low_churn_is_capped_too(settings_row):
    for index in range(9):
        paying_customer(f"C{index}")
    paying_customer("Gone", ended_at=datetime(2026, 3, 5, tzinfo=UTC))

    basis = ltv_basis(now=NOW)

    # Mar 2026: 1 of 10 stopped → 0.1; every other month 0 → mean = 0.1 / 12 = 0.008333…
    # 1 / 0.008333 = 120 months > cap 60 → 60
    assert (basis.churn_rate, basis.lifetime_months) == (Decimal("0.008333"), Decimal("60.00"))


def test_no_paying_customer_ever_gives_the_cap_and_no_rate(settings_row):
    Customer.objects.create(name="Free")

    assert ltv_basis(now=NOW) == LtvBasis(None, Decimal("60.00"), 60, 0)


def test_months_are_cut_in_the_reporting_time_zone(settings_row):
    settings_row.reporting_timezone = "America/New_York"
    settings_row.save()
    paying_customer("A")
    # 02:00 UTC on 1 Nov is 22:00 on 31 Oct in New York: it stops paying in October there
    paying_customer("B", ended_at=datetime(2026, 11, 1, 2, tzinfo=UTC))

    basis = ltv_basis(now=NOW)

    # Oct (New York): 2 paying at its start, 1 stopped → 0.5; the 11 other months 0
    # (Nov: only A pays at its start) → mean 0.5 / 12 = 0.041667; lifetime 24 months
    assert (basis.churn_rate, basis.lifetime_months) == (Decimal("0.041667"), Decimal("24.00"))


def test_ltv_is_mrr_times_lifetime():
    basis = LtvBasis(Decimal("0.020833"), Decimal("48.00"), 60, 12)

    # 199.00 × 48 = 9,552.00; 33.33 × 48 = 1,599.84; 0 MRR → 0
    assert ltv_of(Decimal("199.00"), basis) == Decimal("9552.00")
    assert ltv_of(Decimal("33.33"), basis) == Decimal("1599.84")
    assert ltv_of(Decimal("0"), basis) == Decimal("0.00")


def test_the_basis_is_two_queries(settings_row, django_assert_num_queries):
    paying_customer("A")
    with django_assert_num_queries(2):  # settings, the 24 counts
        ltv_basis(now=NOW)


def test_realized_revenue_counts_paid_invoices_in_the_customers_currency_only():
    acme = Customer.objects.create(name="Acme", currency="usd")
    invoice(acme, status="paid", paid=10000)
    invoice(acme, status="paid", paid=5050)
    invoice(acme, status="open", paid=3000)  # partly paid, not paid: left out
    invoice(acme, status="void", paid=0)
    invoice(acme, status="paid", paid=7000, currency="eur")  # another currency: left out
    Customer.objects.create(name="Nothing paid")

    totals = dict(
        Customer.objects.annotate(paid=realized_revenue_minor()).values_list("name", "paid")
    )

    # 10,000 + 5,050 = 15,050 cents = 150.50 USD
    assert totals == {"Acme": 15050, "Nothing paid": 0}

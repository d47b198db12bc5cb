"""Product coverage and the hiring forecast (DESIGN.md §4) on small hand-built companies."""

from __future__ import annotations

from decimal import Decimal

import pytest

from metrics.business_days import business_days
from metrics.cost import MonthUnavailable
from metrics.coverage import coverage_for_month, hiring_forecast
from metrics.periods import Month
from supportops.models import MetricSettings, Product
from tests.coverage_data import at, coverage_company, engineer, growing_company, tickets

# --- business days ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("month", "country", "days"),
    [
        (Month(2016, 2), "US", 20),  # 21 weekdays − Washington's Birthday (Feb 15)
        (Month(2016, 1), "US", 19),  # 21 weekdays − New Year's Day − MLK Day (Jan 18)
        (Month(2016, 5), "US", 21),  # 22 weekdays − Memorial Day (May 30)
        (Month(2016, 5), "GB", 20),  # 22 weekdays − early May (May 2) − spring (May 30) bank hols
        (Month(2016, 7), "US", 20),  # 21 weekdays − Independence Day (Jul 4)
        (Month(2016, 10), "US", 20),  # 21 weekdays − Columbus Day (Oct 10)
    ],
)
def test_business_days(month, country, days):
    assert business_days(month, country) == days


def test_unknown_country_counts_weekdays_only():
    assert business_days(Month(2016, 2), "ZZ") == 21


# --- coverage of a month ---------------------------------------------------------------------


@pytest.fixture
def company(reporting):
    return coverage_company()


def _rows(result):
    return {row.product: row for row in result.rows}


def test_february_coverage(company):
    result = coverage_for_month(month=Month(2016, 2), now=at(2016, 12))
    assert result.business_days == 20
    assert result.tickets_per_engineer_day == 10
    rows = _rows(result)
    assert list(rows) == ["A", "B", "C", "Enterprise", "Unassigned"]

    # A: 300 tickets (enterprise ones moved out); Ann 1 + Bob 0.5 = 1.5 FTE; 1.5 × 200 = 300.
    a = rows["A"]
    assert (a.tickets, a.capacity_per_engineer) == (300, Decimal("200.00"))
    assert a.required_engineers == Decimal("1.50")  # 300 / 200
    assert a.assigned_engineers == Decimal("1.50")
    assert a.assigned_capacity == Decimal("300.00")
    assert a.coverage_ratio == Decimal("1.0000")
    assert a.over_capacity is False  # 300 is not more than 300

    # B: Cat 0.5 × override 300 = 150; Dan 15/29 × 200 = 103.448…; 50 / 253.448… = 0.19728
    b = rows["B"]
    assert b.tickets == 50
    assert b.required_engineers == Decimal("0.25")  # 50 / 200
    assert b.assigned_engineers == Decimal("1.02")  # 0.5 + 15/29 = 1.0172
    assert b.assigned_capacity == Decimal("253.45")
    assert b.coverage_ratio == Decimal("0.1973")
    assert b.over_capacity is False

    # C: 20 tickets and nobody assigned: over capacity, no ratio.
    c = rows["C"]
    assert (c.tickets, c.assigned_engineers, c.assigned_capacity) == (20, 0, 0)
    assert c.required_engineers == Decimal("0.10")
    assert c.coverage_ratio is None
    assert c.over_capacity is True

    # Enterprise: 20 + 40 tickets; capacity 200 × 0.5 = 100; Bob's half: 0.5 × 100 = 50.
    e = rows["Enterprise"]
    assert (e.tickets, e.capacity_per_engineer) == (60, Decimal("100.00"))
    assert e.required_engineers == Decimal("0.60")  # 60 / 100
    assert e.assigned_engineers == Decimal("0.50")
    assert e.assigned_capacity == Decimal("50.00")
    assert e.coverage_ratio == Decimal("1.2000")  # 60 / 50
    assert e.over_capacity is True

    # Unassigned: 10 + 5 tickets; nobody covers it and it is never flagged.
    u = rows["Unassigned"]
    assert u.tickets == 15
    assert u.required_engineers == Decimal("0.08")  # 15 / 200 = 0.075, half up
    assert (u.assigned_engineers, u.coverage_ratio, u.over_capacity) == (0, None, False)


def test_january_capacity_is_190(company):
    rows = _rows(coverage_for_month(month=Month(2016, 1), now=at(2016, 12)))
    # 19 business days × 10 = 190; Ed (until Jan 31) is back: A = Ann 1 + Bob 0.5 + Ed 1.
    assert rows["A"].capacity_per_engineer == Decimal("190.00")
    assert rows["A"].tickets == 190
    assert rows["A"].required_engineers == Decimal("1.00")
    assert rows["A"].assigned_engineers == Decimal("2.50")
    assert rows["A"].assigned_capacity == Decimal("475.00")  # 2.5 × 190
    # Dan had not started: B is Cat's 0.5 × 300 alone.
    assert rows["B"].assigned_capacity == Decimal("150.00")


def test_holiday_country_from_settings(company):
    MetricSettings.objects.filter(pk=1).update(holiday_country="GB")
    result = coverage_for_month(month=Month(2016, 5), now=at(2016, 12))
    assert result.business_days == 20  # 22 weekdays − 2 bank holidays
    assert _rows(result)["A"].capacity_per_engineer == Decimal("200.00")


def test_no_enterprise_group_keeps_tickets_in_their_product(company):
    Product.objects.filter(is_enterprise_group=True).update(is_enterprise_group=False)
    rows = _rows(coverage_for_month(month=Month(2016, 2), now=at(2016, 12)))
    assert rows["A"].tickets == 320  # 300 + the enterprise customer's 20
    assert rows["Enterprise"].tickets == 0
    assert rows["Unassigned"].tickets == 55  # 10 + 5 + the enterprise customer's 40
    assert rows["Enterprise"].capacity_per_engineer == Decimal("200.00")  # no factor


def test_month_not_started(company):
    with pytest.raises(MonthUnavailable):
        coverage_for_month(month=Month(2017, 1), now=at(2016, 12))


# --- hiring forecast -------------------------------------------------------------------------


@pytest.fixture
def growing(reporting):
    return growing_company()


def test_forecast_on_a_linear_series(growing):
    result = hiring_forecast(months=4, now=at(2016, 7, 15))
    a, b = result.groups
    assert a.product == "A"
    assert [(str(p.month), p.tickets) for p in a.history] == [
        ("2016-01", 50),
        ("2016-02", 70),
        ("2016-03", 90),
        ("2016-04", 110),
        ("2016-05", 130),
        ("2016-06", 150),
    ]
    # Line 50 + 20x for x = 0..5; July is x = 6 → 170, then 190, 210, 230.
    # Capacity: Jul 20 days → 200, Aug 23 → 230, Sep 21 → 210, Oct 20 → 200; Ann is 1 FTE.
    assert [
        (str(p.month), p.projected_tickets, p.required_engineers, p.hires_needed)
        for p in a.forecast
    ] == [
        ("2016-07", Decimal("170.00"), Decimal("0.85"), 0),
        ("2016-08", Decimal("190.00"), Decimal("0.83"), 0),  # 190 / 230
        ("2016-09", Decimal("210.00"), Decimal("1.00"), 0),  # exactly full, not over
        ("2016-10", Decimal("230.00"), Decimal("1.15"), 1),  # ceil(1.15 − 1)
    ]
    assert all(p.assigned_engineers == 1 for p in a.forecast)
    assert a.first_over_capacity_month == Month(2016, 10)  # 230 > 200
    assert a.hires_needed == 1
    assert a.hire_monthly_cost == Decimal("6000.00")  # Ann's (60,000 + 12,000) / 12

    # B: flat 10, nobody covers it: over from July; 10 / 200 = 0.05 → 1 hire.
    assert [p.projected_tickets for p in b.forecast] == [Decimal("10.00")] * 4
    assert b.first_over_capacity_month == Month(2016, 7)
    assert b.hires_needed == 1
    # Nobody covers B: all current members, FTE-weighted: (1 × 6,000 + 0.5 × 10,000) / 1.5
    assert b.hire_monthly_cost == Decimal("7333.33")
    assert result.total_hires_needed == 2
    assert result.total_monthly_cost == Decimal("13333.33")  # 6,000 + 7,333.33


def test_projection_never_below_zero(reporting):
    c = Product.objects.create(name="C")
    for month, count in enumerate([60, 40, 20], start=4):  # Apr–Jun: −20 a month
        tickets(count, at(2016, month), product=c)
    (group,) = hiring_forecast(months=3, now=at(2016, 7, 15)).groups
    # x = 3, 4, 5 → 0, −20, −40 → 0, 0, 0
    assert [p.projected_tickets for p in group.forecast] == [Decimal("0.00")] * 3
    assert group.first_over_capacity_month is None
    assert group.hires_needed == 0


def test_short_history_is_refused_with_a_reason(reporting):
    a = Product.objects.create(name="A")
    tickets(10, at(2016, 5), product=a)  # the first synced ticket: May 2016
    tickets(12, at(2016, 6), product=a)
    (group,) = hiring_forecast(months=6, now=at(2016, 7, 15)).groups
    assert [(str(p.month), p.tickets) for p in group.history] == [("2016-05", 10), ("2016-06", 12)]
    assert group.forecast == ()
    assert group.reason == "only 2 complete months of history; a forecast needs at least 3"
    assert group.first_over_capacity_month is None


def test_forecast_counts_a_capacity_override(reporting):
    d = Product.objects.create(name="D")
    for month in range(4, 7):  # Apr–Jun: a flat 300 tickets
        tickets(300, at(2016, month), product=d)
    engineer("Fay", [d], override=400)  # 1 FTE handling 400 tickets a month
    (group,) = hiring_forecast(months=1, now=at(2016, 7, 15)).groups
    (july,) = group.forecast
    # Required 300 / 200 = 1.50 engineers against 1 FTE, but Fay's capacity is 400 ≥ 300:
    # the gap in default-capacity engineers is (300 − 400) / 200 < 0 → no hire, not over.
    assert (july.required_engineers, july.assigned_engineers) == (Decimal("1.50"), 1)
    assert july.assigned_capacity == Decimal("400.00")
    assert (july.hires_needed, july.over_capacity) == (0, False)
    assert group.first_over_capacity_month is None

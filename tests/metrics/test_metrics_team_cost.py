"""Team cost (DESIGN.md §4), every figure worked by hand in the comments."""

from datetime import UTC, date, datetime
from decimal import Decimal

from metrics.cost import cost_for_month, team_cost
from metrics.periods import Month

JAN_2016 = Month(2016, 1)  # 31 days
NOW = datetime(2017, 1, 1, tzinfo=UTC)


def test_design_example_team_cost_and_cost_per_ticket(reporting, member, expense, many_tickets):
    # Salaries + benefits + tools = 700,000 a year:
    #   Ann 300,000 + 60,000 = 360,000; Bob 220,000 + 60,000 = 280,000; tools 5,000 × 12 = 60,000
    #   360,000 + 280,000 + 60,000 = 700,000.
    member("300000", "60000", name="Ann")
    member("220000", "60000", name="Bob")
    expense("5000.00", name="Tools")
    # January 2016: 640,000 / 12 + 5,000 = 53,333.333… + 5,000 = 58,333.333… → 58,333.33
    assert team_cost(month=JAN_2016, tz=UTC) == Decimal("58333.33")

    # 1,380 tickets created in January: 58,333.333… / 1,380 = 42.2705… → 42.27
    many_tickets(datetime(2016, 1, 1 + i % 31, i % 24, tzinfo=UTC) for i in range(1380))
    result = cost_for_month(month=JAN_2016, now=NOW)
    assert result.team_cost == Decimal("58333.33")
    assert result.tickets == 1380
    assert result.cost_per_ticket == Decimal("42.27")
    assert str(result.cost_per_ticket) == "42.27"
    assert result.currency == "USD"


def test_member_starting_mid_month_is_prorated(db, member):
    # Starts Jan 17: days 17…31 = 15 of 31. 62,000 / 12 × 15/31 = 930,000 / 372 = 2,500.00
    member("62000", start=date(2016, 1, 17))
    assert team_cost(month=JAN_2016, tz=UTC) == Decimal("2500.00")


def test_member_leaving_mid_month_counts_the_last_day(db, member):
    # Last day Jan 10: days 1…10 = 10 of 31. 37,200 / 12 × 10/31 = 3,100 × 10/31 = 1,000.00
    member("37200", end=date(2016, 1, 10))
    assert team_cost(month=JAN_2016, tz=UTC) == Decimal("1000.00")


def test_member_employed_a_single_day(db, member):
    # Start = end = Jan 31: 1 day of 31. 37,200 / 12 / 31 = 100.00
    member("37200", start=date(2016, 1, 31), end=date(2016, 1, 31))
    assert team_cost(month=JAN_2016, tz=UTC) == Decimal("100.00")


def test_half_time_member(db, member):
    # (120,000 + 24,000) / 12 × 0.5 = 12,000 × 0.5 = 6,000.00
    member("120000", "24000", fte="0.5")
    assert team_cost(month=JAN_2016, tz=UTC) == Decimal("6000.00")


def test_members_outside_the_month_cost_nothing(db, member):
    member("120000", end=date(2015, 12, 31), name="Left in December")
    member("120000", start=date(2016, 2, 1), name="Starts in February")
    assert team_cost(month=JAN_2016, tz=UTC) == Decimal("0.00")


def test_expense_with_an_end_date(db, expense):
    # 3,100 a month, last active Jan 20: 3,100 × 20/31 = 2,000.00; it costs nothing in February.
    expense("3100", end=date(2016, 1, 20))
    assert team_cost(month=JAN_2016, tz=UTC) == Decimal("2000.00")
    assert team_cost(month=Month(2016, 2), tz=UTC) == Decimal("0.00")


def test_expense_starting_late_in_a_leap_february(db, expense):
    # February 2016 has 29 days; from Feb 20: days 20…29 = 10. 2,900 × 10/29 = 1,000.00
    expense("2900", start=date(2016, 2, 20))
    assert team_cost(month=Month(2016, 2), tz=UTC) == Decimal("1000.00")


def test_rounding_happens_once_at_the_end(db, member):
    # Three members of 1,000/yr: 83.333… each. Rounded each: 3 × 83.33 = 249.99;
    # summed at full precision: 3 × 1,000 / 12 = 250.00.
    for name in "ABC":
        member("1000", name=name)
    assert team_cost(month=JAN_2016, tz=UTC) == Decimal("250.00")


def test_half_a_cent_rounds_up(db, expense):
    # April 2016 has 30 days; 0.01 a month from Apr 16: days 16…30 = 15 → 0.01 × 15/30 = 0.005,
    # which ROUND_HALF_UP makes 0.01 (banker's rounding would give 0.00).
    expense("0.01", start=date(2016, 4, 16))
    assert team_cost(month=Month(2016, 4), tz=UTC) == Decimal("0.01")


def test_members_and_expenses_add_up(db, member, expense):
    # 6,000 (half-time 144,000) + 2,500 (from Jan 17) + 2,000 (expense to Jan 20) = 10,500.00
    member("120000", "24000", fte="0.5", name="Half")
    member("62000", start=date(2016, 1, 17), name="New")
    expense("3100", end=date(2016, 1, 20))
    assert team_cost(month=JAN_2016, tz=UTC) == Decimal("10500.00")

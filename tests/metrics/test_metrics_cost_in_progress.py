"""The month in progress, the months on offer and the changes the cost page shows (DESIGN §4).

Every expected figure is worked by hand in the comment beside it.
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from metrics.cost import MonthUnavailable, cost_for_month, cost_overview
from metrics.periods import Month

JAN_2016 = Month(2016, 1)


def at(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def ann(member):
    return member("37200", name="Ann")  # 37,200 / 12 = 3,100.00 a month


def test_the_month_in_progress_covers_the_days_before_today(reporting, ann, ticket, message):
    ticket(at(2016, 1, 10))
    ticket(at(2016, 1, 16, 8))  # today: not counted yet
    message(at(2016, 1, 15, 23, 59), role="agent")
    message(at(2016, 1, 16, 0, 1), role="agent")  # today
    result = cost_for_month(month=JAN_2016, now=at(2016, 1, 16, 12))
    assert result.in_progress
    assert result.days_covered == 15 and str(result.through_date) == "2016-01-15"
    # 3,100 × 15 / 31 = 1,500.00
    assert result.team_cost == Decimal("1500.00")
    assert result.tickets == 1 and result.cost_per_ticket == Decimal("1500.00")
    assert result.replies == 1


def test_yesterday_is_taken_in_the_reporting_timezone(reporting, ann, ticket):
    reporting(tz="America/New_York")
    ticket(at(2016, 1, 15, 4))  # Jan 14 23:00 in New York: counted
    ticket(at(2016, 1, 15, 6))  # Jan 15 01:00 in New York: today there, not counted
    # Jan 16 03:00 UTC is Jan 15 22:00 in New York: Jan 1-14 have ended.
    result = cost_for_month(month=JAN_2016, now=at(2016, 1, 16, 3))
    assert result.days_covered == 14
    # 3,100 × 14 / 31 = 1,400.00
    assert result.team_cost == Decimal("1400.00")
    assert result.tickets == 1


def test_on_the_first_of_the_month_nothing_has_ended_yet(reporting, ann, ticket):
    ticket(at(2016, 2, 1, 9))
    result = cost_for_month(month=Month(2016, 2), now=at(2016, 2, 1, 10))
    assert result.in_progress and result.days_covered == 0
    assert result.team_cost == Decimal("0.00")
    assert result.tickets == 0 and result.cost_per_ticket is None


def test_a_whole_month_is_not_in_progress(reporting, ann):
    result = cost_for_month(month=JAN_2016, now=at(2016, 2, 1, 0, 0, 1))
    assert not result.in_progress and result.days_covered == 31
    assert result.team_cost == Decimal("3100.00")


def test_months_on_offer_run_from_the_first_ticket_to_the_month_in_progress(reporting, ticket):
    ticket(at(2015, 12, 3))
    now = at(2016, 1, 16, 12)
    with pytest.raises(MonthUnavailable, match="Feb 2016 has not started yet") as future:
        cost_overview(month=Month(2016, 2), now=now)
    assert future.value.nearest == JAN_2016
    with pytest.raises(MonthUnavailable, match="no data before Dec 2015") as early:
        cost_overview(month=Month(2015, 11), now=now)
    assert early.value.nearest == Month(2015, 12)
    overview = cost_overview(month=JAN_2016, now=now)
    assert (overview.first_month, overview.current_month) == (Month(2015, 12), JAN_2016)
    assert overview.has_previous and not overview.has_next
    # The trend starts at the first month with data, not 12 months back.
    assert [str(result.month) for result in overview.trend] == ["2015-12", "2016-01"]


def test_default_is_the_latest_complete_month(reporting, ticket):
    ticket(at(2015, 12, 3))
    ticket(at(2016, 1, 3))
    assert cost_overview(month=None, now=at(2016, 1, 16)).month == Month(2015, 12)


def test_default_is_the_month_in_progress_when_it_holds_the_first_ticket(reporting, ticket):
    ticket(at(2016, 1, 3))
    overview = cost_overview(month=None, now=at(2016, 1, 16))
    assert overview.month == JAN_2016 and overview.current.in_progress
    assert overview.previous is None and not overview.changes["tickets"].against


def test_changes_against_the_month_before(reporting, ann, ticket):
    for day in (3, 10, 20):
        ticket(at(2015, 12, day))
    for day in (2, 5, 9, 11):
        ticket(at(2016, 1, day))
    overview = cost_overview(month=JAN_2016, now=at(2016, 2, 10))
    changes = overview.changes
    # 4 tickets against 3: +33.3 %
    assert changes["tickets"].ratio == Decimal("0.333")
    assert changes["tickets"].against == "Dec 2015"
    assert changes["tickets"].judgement == ""  # more tickets is neither good nor bad
    # 3,100 both months: unchanged
    assert changes["team_cost"].ratio == Decimal("0.000")
    assert changes["team_cost"].direction == "flat"
    # 3,100 / 4 = 775.00 against 3,100 / 3 = 1,033.33: 775 / 1,033.33 − 1 = −0.25 → better
    assert changes["cost_per_ticket"].ratio == Decimal("-0.250")
    assert changes["cost_per_ticket"].judgement == "better"
    # no replies in either month: nothing to compare
    assert changes["cost_per_reply"].ratio is None


def test_a_month_in_progress_compares_its_totals_with_the_same_days_before(reporting, ann, ticket):
    for day in (3, 10, 20):
        ticket(at(2015, 12, day))
    for day in (2, 5, 9):
        ticket(at(2016, 1, day))
    overview = cost_overview(month=JAN_2016, now=at(2016, 1, 16, 12))
    changes = overview.changes
    # Jan 1-15: 3 tickets; Dec 1-15: 2 → +50 %
    assert overview.previous_to_date.tickets == 2
    assert changes["tickets"].ratio == Decimal("0.500")
    assert changes["tickets"].against == "Dec 1–15"
    # 3,100 × 15/31 = 1,500.00 both: unchanged
    assert changes["team_cost"].ratio == Decimal("0.000")
    # per ticket: 1,500 / 3 = 500.00 against all of December, 3,100 / 3 = 1,033.33:
    # 500 / 1,033.33 − 1 = −0.51613 → −0.516
    assert overview.current.cost_per_ticket == Decimal("500.00")
    assert changes["cost_per_ticket"].ratio == Decimal("-0.516")
    assert changes["cost_per_ticket"].against == "Dec 2015"


def test_overview_query_count(reporting, ann, ticket, django_assert_num_queries):
    ticket(at(2015, 12, 3))
    ticket(at(2016, 1, 3))
    # settings, ticket months, members, expenses, tickets, interactions (to-date window included)
    with django_assert_num_queries(6):
        cost_overview(month=JAN_2016, now=at(2016, 1, 16, 12))

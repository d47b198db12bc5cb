"""Tickets, replies, interactions and open days behind the per-unit costs (DESIGN.md §4)."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from metrics.cost import MonthUnavailable, cost_for_month, cost_trend
from metrics.periods import Month

JAN_2016 = Month(2016, 1)
LATER = datetime(2017, 1, 1, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")


def at(*args, tz=UTC):
    return datetime(*args, tzinfo=tz)


def test_tickets_created_in_the_month_deleted_excluded(reporting, ticket, expense):
    expense("3100")  # a full month: 3,100.00
    ticket(at(2016, 1, 1))  # first instant of January
    ticket(at(2016, 1, 31, 23, 59))
    ticket(at(2016, 1, 15), source="intercom")  # every source and channel counts
    ticket(at(2015, 12, 31, 23, 59))  # December
    ticket(at(2016, 2, 1))  # first instant of February
    ticket(at(2016, 1, 10), is_deleted=True)
    result = cost_for_month(month=JAN_2016, now=LATER)
    assert result.tickets == 3
    # 3,100 / 3 = 1,033.333… → 1,033.33
    assert result.cost_per_ticket == Decimal("1033.33")


def test_month_without_tickets_or_messages_has_no_per_unit_costs(reporting, expense):
    expense("3100")
    result = cost_for_month(month=JAN_2016, now=LATER)
    assert result.team_cost == Decimal("3100.00")
    assert (result.tickets, result.replies, result.interactions) == (0, 0, 0)
    assert result.open_days == Decimal("0.00")
    assert result.cost_per_ticket is None
    assert result.cost_per_reply is None
    assert result.cost_per_interaction is None
    assert result.cost_per_open_day is None


def test_replies_vs_interactions_vs_internal_notes(reporting, ticket, message, expense):
    expense("3100")
    live = ticket(at(2016, 1, 1))
    deleted = ticket(at(2016, 1, 1), is_deleted=True)
    message(at(2016, 1, 5), ticket=live, role="agent")  # reply + interaction
    message(at(2016, 1, 6), ticket=live, role="customer")  # interaction
    message(at(2016, 1, 7), ticket=live, role="agent", public=False)  # internal note: neither
    message(at(2016, 1, 8), ticket=live, role="system")  # system message: neither
    message(at(2015, 12, 31, 23), ticket=live, role="agent")  # December
    message(at(2016, 2, 1), ticket=live, role="agent")  # February
    message(at(2016, 1, 5), ticket=deleted, role="agent")  # deleted ticket: neither
    message(at(2016, 1, 5), ticket=deleted, role="customer")  # deleted ticket: neither
    message(at(2016, 1, 9), role="agent")  # no ticket: reply + interaction
    message(at(2016, 1, 9), role="customer")  # no ticket: interaction
    message(at(2016, 1, 9), role="agent", public=False)  # no ticket, internal: neither
    result = cost_for_month(month=JAN_2016, now=LATER)
    assert result.replies == 2
    assert result.interactions == 4
    assert result.cost_per_reply == Decimal("1550.00")  # 3,100 / 2
    assert result.cost_per_interaction == Decimal("775.00")  # 3,100 / 4


def _open_days_tickets(ticket):
    ticket(at(2016, 1, 1), at(2016, 1, 11, 12))  # solved mid-month: Jan 1 → Jan 11 12:00 = 10.5
    ticket(at(2016, 1, 21))  # unsolved: Jan 21 → Feb 1 = 11
    ticket(at(2015, 12, 25), at(2016, 1, 3, 6))  # from December: Jan 1 → Jan 3 06:00 = 2.25
    ticket(at(2015, 12, 20), at(2015, 12, 30))  # solved before January: 0
    ticket(at(2016, 1, 1), is_deleted=True)  # deleted: not counted
    ticket(at(2015, 12, 1))  # unsolved since December: the whole month, 31
    ticket(at(2016, 1, 15), at(2016, 2, 10))  # solved in February: Jan 15 → Feb 1 = 17
    ticket(at(2016, 2, 3))  # created in February: 0


def test_open_days_of_a_past_month(reporting, ticket, expense):
    expense("3100")
    _open_days_tickets(ticket)
    result = cost_for_month(month=JAN_2016, now=LATER)
    # 10.5 + 11 + 2.25 + 0 + 31 + 17 = 71.75
    assert result.open_days == Decimal("71.75")
    # 3,100 / 71.75 = 43.2055… → 43.21
    assert result.cost_per_open_day == Decimal("43.21")


def test_open_days_of_the_current_month_stop_at_the_start_of_today(reporting, ticket):
    _open_days_tickets(ticket)
    now = at(2016, 1, 16, 12)
    result = cost_for_month(month=JAN_2016, now=now)
    # The month in progress covers Jan 1-15 (through yesterday): cut at Jan 16 00:00.
    # Jan 1 → Jan 11 12:00 = 10.5; created Jan 21: not yet; Jan 1 → Jan 3 06:00 = 2.25;
    # Jan 1 → Jan 16 00:00 = 15; Jan 15 → Jan 16 00:00 = 1.  10.5 + 2.25 + 15 + 1 = 28.75
    assert result.open_days == Decimal("28.75")
    assert result.in_progress and result.days_covered == 15


def test_a_month_that_has_not_started_is_refused(reporting, ticket):
    ticket(at(2015, 12, 1))
    with pytest.raises(MonthUnavailable, match="Feb 2016 has not started yet"):
        cost_for_month(month=Month(2016, 2), now=at(2016, 1, 16))


def test_fractional_open_days_keep_full_precision_until_the_end(reporting, ticket, expense):
    expense("3100")
    # Jan 1 00:00 → Jan 1 08:00 = 1/3 day, three times: 1.00 day in all (not 3 × 0.33 = 0.99)
    for _ in range(3):
        ticket(at(2016, 1, 1), at(2016, 1, 1, 8))
    result = cost_for_month(month=JAN_2016, now=LATER)
    assert result.open_days == Decimal("1.00")
    assert result.cost_per_open_day == Decimal("3100.00")


def test_reporting_timezone_moves_tickets_across_the_month_boundary(reporting, ticket, message):
    reporting(tz="America/New_York")  # UTC-5 in winter
    ticket(at(2016, 2, 1, 3))  # Jan 31 22:00 in New York: January
    ticket(at(2016, 1, 1, 3))  # Dec 31 22:00 in New York: December
    ticket(at(2016, 1, 15))  # January either way
    message(at(2016, 2, 1, 4, 59), role="agent")  # Jan 31 23:59 in New York: January
    message(at(2016, 1, 1, 4, 59), role="agent")  # Dec 31 23:59 in New York: December
    january = cost_for_month(month=JAN_2016, now=LATER)
    assert january.tickets == 2
    assert january.replies == 1
    december = cost_for_month(month=Month(2015, 12), now=LATER)
    assert december.tickets == 1
    assert december.replies == 1

    reporting(tz="UTC")
    assert cost_for_month(month=JAN_2016, now=LATER).tickets == 2  # Jan 1 03:00 and Jan 15
    assert cost_for_month(month=Month(2016, 2), now=LATER).tickets == 1


def test_open_days_follow_the_reporting_timezone(reporting, ticket):
    ticket(at(2016, 1, 11, 5))  # Jan 11 00:00 in New York, never solved
    reporting(tz="America/New_York")
    # January in New York ends Feb 1 05:00 UTC: Jan 11 05:00 → Feb 1 05:00 = 21 days
    assert cost_for_month(month=JAN_2016, now=LATER).open_days == Decimal("21.00")
    reporting(tz="UTC")
    # January in UTC ends Feb 1 00:00: 20 days 19 hours = 20.7916… → 20.79
    assert cost_for_month(month=JAN_2016, now=LATER).open_days == Decimal("20.79")


def test_trend_is_oldest_first_and_uses_a_fixed_number_of_queries(
    reporting, ticket, message, expense, member, django_assert_num_queries
):
    expense("3100")
    member("37200", name="Ann")
    ticket(at(2015, 12, 15))
    message(at(2016, 1, 15), role="agent")
    ticket(at(2016, 2, 10), at(2016, 2, 11))
    # settings, members, expenses, one aggregate over tickets, one over interactions
    with django_assert_num_queries(5):
        results = cost_trend(end_month=Month(2016, 2), months=12, now=LATER)
    assert [str(r.month) for r in results][0] == "2015-03"
    assert [str(r.month) for r in results][-1] == "2016-02"
    by_month = {str(r.month): r for r in results}
    assert by_month["2015-12"].tickets == 1
    assert by_month["2016-01"].tickets == 0
    assert by_month["2016-01"].replies == 1
    assert by_month["2016-02"].tickets == 1
    # December ticket, never solved: open Dec 15 → Jan 1 = 17 days; all 31 of January;
    # all 29 of February, plus the February ticket's day: 30.
    assert by_month["2015-12"].open_days == Decimal("17.00")
    assert by_month["2016-01"].open_days == Decimal("31.00")
    assert by_month["2016-02"].open_days == Decimal("30.00")
    # Ann (37,200/yr = 3,100/month) + the 3,100 expense in every month
    assert {r.team_cost for r in results} == {Decimal("6200.00")}
    # February: 6,200 / 1 ticket
    assert by_month["2016-02"].cost_per_ticket == Decimal("6200.00")
    # January: 6,200 / 1 reply
    assert by_month["2016-01"].cost_per_reply == Decimal("6200.00")
    with django_assert_num_queries(5):
        cost_trend(end_month=Month(2016, 2), months=1, now=LATER)

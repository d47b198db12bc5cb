"""Cost allocation (DESIGN.md §4) on hand-made months: rounding, buckets, plans, the bases."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from metrics.allocation import cost_allocation, largest_remainder
from metrics.cost import MonthUnavailable
from metrics.periods import Month
from tests.support_cost_builders import (
    at,
    customer,
    plan,
    replies,
    subscription,
    team_cost_per_month,
    ticket,
)

JAN = Month(2016, 1)
LATER = at(2017, 1, 1)


def _rows(result):
    return {row.key: row for row in result.rows}


def _costs(result):
    return {row.key: row.allocated_cost for row in result.rows}


def test_largest_remainder_gives_left_over_cents_to_the_largest_remainders():
    # 10.00 = 1,000 cents over weights 1 and 2: 333.33… and 666.66… cents; the whole cents add
    # up to 999, and the one left goes to b, whose remainder (.66…) is the larger.
    assert largest_remainder(Decimal("10.00"), {"a": 1, "b": 2}) == {
        "a": Decimal("3.33"),
        "b": Decimal("6.67"),
    }
    # equal remainders: the larger weight first, before the alphabet. 0.02 over 1 and 3:
    # 0.5 and 1.5 cents; whole 0 + 1, one cent left, both remainders .5: b weighs more → b
    assert largest_remainder(Decimal("0.02"), {"a": 1, "b": 3}) == {
        "a": Decimal("0.00"),
        "b": Decimal("0.02"),
    }
    assert largest_remainder(Decimal("5.00"), {"a": 0}) == {}
    assert largest_remainder(Decimal("5.00"), {}) == {}


def test_a_third_each_rounds_by_largest_remainder_ties_alphabetical(reporting):
    team_cost_per_month("100")
    for channel in ("web", "email", "chat"):
        replies(ticket(None, at(2016, 1, 5), channel=channel), at(2016, 1, 6))
    result = cost_allocation(month=JAN, by="channel", basis="replies", now=LATER)
    # 10,000 cents / 3 = 3,333 r 1 each: 9,999 cents, one left over; all tied (remainder 1,
    # weight 1), so the first key in alphabetical order, "chat", gets it.
    assert _costs(result) == {
        "chat": Decimal("33.34"),
        "email": Decimal("33.33"),
        "web": Decimal("33.33"),
    }
    assert sum(_costs(result).values()) == result.team_cost == Decimal("100.00")
    assert [row.key for row in result.rows] == ["chat", "email", "web"]  # largest cost first
    chat = _rows(result)["chat"]
    assert (chat.label, chat.tickets, chat.replies) == ("Chat", 1, 1)
    assert chat.share == Decimal(1) / 3
    assert chat.cost_per_ticket == Decimal("33.34")  # one ticket created in January
    assert result.allocated and result.note == ""


def test_replies_count_agent_public_ones_in_the_month_of_live_tickets(reporting):
    team_cost_per_month("90")
    email = ticket(None, at(2015, 12, 20), channel="email")  # created before January
    replies(email, at(2016, 1, 2), at(2016, 1, 3))  # two replies in January count
    replies(email, at(2015, 12, 21), at(2016, 2, 1))  # December and February do not
    replies(email, at(2016, 1, 4), role="customer")  # the customer's message does not
    replies(email, at(2016, 1, 4), public=False)  # an internal note does not
    web = ticket(None, at(2016, 1, 10), channel="web")
    replies(web, at(2016, 1, 11))
    gone = ticket(None, at(2016, 1, 10), channel="web", is_deleted=True)
    replies(gone, at(2016, 1, 11), at(2016, 1, 12))  # a deleted ticket's replies do not
    result = cost_allocation(month=JAN, by="channel", basis="replies", now=LATER)
    assert (result.replies, result.tickets) == (3, 1)
    # email 2 of 3 replies: 60.00; web 1 of 3: 30.00
    assert _costs(result) == {"email": Decimal("60.00"), "web": Decimal("30.00")}
    email_row = _rows(result)["email"]
    assert (email_row.tickets, email_row.cost_per_ticket) == (0, None)  # created in December

    # On the ticket basis, only web's ticket was created in January: all 90.00.
    by_tickets = cost_allocation(month=JAN, by="channel", basis="tickets", now=LATER)
    assert _costs(by_tickets) == {"email": Decimal("0.00"), "web": Decimal("90.00")}
    assert _rows(by_tickets)["web"].cost_per_ticket == Decimal("90.00")


def test_a_month_without_replies_allocates_nothing_and_says_so(reporting):
    team_cost_per_month("100")
    ticket(None, at(2016, 1, 5), channel="email")  # a ticket, never answered
    result = cost_allocation(month=JAN, by="channel", basis="replies", now=LATER)
    assert result.allocated is False
    assert result.note == "No agent public replies in Jan 2016: the team cost is not allocated."
    assert result.team_cost == Decimal("100.00")
    (row,) = result.rows
    assert (row.key, row.tickets, row.replies) == ("email", 1, 0)
    assert (row.share, row.allocated_cost, row.cost_per_ticket) == (None, None, None)
    # the ticket basis has a ticket to share over
    assert _costs(cost_allocation(month=JAN, by="channel", basis="tickets", now=LATER)) == {
        "email": Decimal("100.00")
    }


def test_buckets_are_read_at_the_end_of_the_month(reporting):
    team_cost_per_month("120")
    pro = plan("Pro")
    paying = customer("Paying Co")
    subscription(paying, plan_row=pro, started_at=at(2015, 1, 1))
    leaving = customer("Leaving Co")  # its subscription ended on Jan 15: free at the end
    subscription(leaving, plan_row=pro, started_at=at(2015, 1, 1), ended_at=at(2016, 1, 15))
    never = customer("Free Co")
    for owner in (paying, leaving, never, None):
        ticket(owner, at(2016, 1, 5))
    ticket(leaving, at(2015, 12, 5))  # December, when it was still paying
    result = cost_allocation(month=JAN, by="bucket", basis="tickets", now=LATER)
    # 4 tickets: paying 1 → 30.00; free 2 (Leaving Co, Free Co) → 60.00; unlinked 1 → 30.00
    assert _costs(result) == {
        "free": Decimal("60.00"),
        "paying": Decimal("30.00"),
        "unlinked": Decimal("30.00"),
    }
    assert [row.label for row in result.rows] == ["Free", "Paying", "Unlinked"]
    december = cost_allocation(month=Month(2015, 12), by="bucket", basis="tickets", now=LATER)
    assert _costs(december) == {"paying": Decimal("120.00")}  # it paid at the end of December


def test_plans_of_paying_subscriptions_else_no_plan(reporting):
    team_cost_per_month("100")
    pro, basic = plan("Pro"), plan("Basic")
    big = customer("Big")
    subscription(big, plan_row=basic, started_at=at(2015, 1, 1), list_mrr=1000)
    subscription(big, plan_row=pro, started_at=at(2015, 6, 1), list_mrr=9000)  # the larger
    ended = customer("Ended")
    subscription(ended, plan_row=pro, started_at=at(2015, 1, 1), ended_at=at(2016, 1, 20))
    replies(ticket(big, at(2016, 1, 5)), at(2016, 1, 6), at(2016, 1, 7), at(2016, 1, 8))
    replies(ticket(ended, at(2016, 1, 5)), at(2016, 1, 6))
    replies(ticket(None, at(2016, 1, 5)), at(2016, 1, 6))
    result = cost_allocation(month=JAN, by="plan", basis="replies", now=LATER)
    # 5 replies: Pro (Big's larger subscription) 3 → 60.00; No plan (Ended, unlinked) 2 → 40.00
    assert _costs(result) == {"Pro": Decimal("60.00"), "No plan": Decimal("40.00")}
    assert _rows(result)["No plan"].tickets == 2


def test_by_customer_one_row_each_and_one_for_unlinked(reporting):
    team_cost_per_month("10")
    acme, zeta = customer("Acme"), customer("Zeta")
    replies(ticket(acme, at(2016, 1, 5)), at(2016, 1, 6))
    replies(ticket(zeta, at(2016, 1, 5)), at(2016, 1, 6), at(2016, 1, 7))
    ticket(None, at(2016, 1, 5))  # unlinked, no replies: a row with nothing allocated
    result = cost_allocation(month=JAN, by="customer", basis="replies", now=LATER)
    rows = _rows(result)
    # 1,000 cents over 1 and 2: 333 r 1, 666 r 2: the cent left goes to Zeta → 3.33, 6.67
    assert (rows[str(zeta.pk)].label, rows[str(zeta.pk)].allocated_cost) == (
        "Zeta",
        Decimal("6.67"),
    )
    assert (rows[str(acme.pk)].label, rows[str(acme.pk)].allocated_cost) == (
        "Acme",
        Decimal("3.33"),
    )
    assert rows["unlinked"].label == "No customer (unlinked)"
    assert rows["unlinked"].allocated_cost == Decimal("0.00")
    assert sum(_costs(result).values()) == Decimal("10.00")


def test_the_month_in_progress_covers_its_days_through_yesterday(reporting):
    team_cost_per_month("3100")
    email = ticket(None, at(2016, 1, 5), channel="email")
    replies(email, at(2016, 1, 15, 23, 59))
    web = ticket(None, at(2016, 1, 5), channel="web")
    replies(web, at(2016, 1, 16, 1))  # today: not counted yet
    result = cost_allocation(month=JAN, by="channel", basis="replies", now=at(2016, 1, 16, 12))
    # 3,100 × 15 / 31 = 1,500.00, all on email's one reply
    assert result.in_progress and result.days_covered == 15
    assert _costs(result) == {"email": Decimal("1500.00"), "web": Decimal("0.00")}


def test_on_the_first_nothing_has_ended_so_nothing_is_allocated(reporting):
    team_cost_per_month("3100")
    replies(ticket(None, at(2016, 1, 1, 1)), at(2016, 1, 1, 2))
    result = cost_allocation(month=JAN, by="channel", basis="replies", now=at(2016, 1, 1, 12))
    assert not result.allocated
    assert (
        result.note
        == "Jan 2016 has just begun: no day of it has ended, so nothing is allocated yet."
    )


def test_months_are_cut_in_the_reporting_time_zone(reporting):
    reporting(tz="America/New_York")
    team_cost_per_month("100")
    # Feb 1 03:00 UTC is Jan 31 22:00 in New York
    replies(ticket(None, datetime(2016, 2, 1, 3, tzinfo=UTC), channel="chat"), at(2016, 2, 1, 4))
    result = cost_allocation(month=JAN, by="channel", basis="replies", now=LATER)
    assert _costs(result) == {"chat": Decimal("100.00")}


def test_a_month_not_started_is_refused(reporting):
    with pytest.raises(MonthUnavailable, match="has not started yet"):
        cost_allocation(month=Month(2016, 3), by="channel", basis="replies", now=at(2016, 1, 16))


def test_query_count(reporting, django_assert_num_queries):
    team_cost_per_month("100")
    replies(ticket(customer("Acme"), at(2016, 1, 5)), at(2016, 1, 6))
    # settings, the month's team cost (settings, members, expenses), tickets per group,
    # replies per group
    for by in ("channel", "bucket", "plan", "customer"):
        with django_assert_num_queries(6):
            cost_allocation(month=JAN, by=by, basis="replies", now=LATER)

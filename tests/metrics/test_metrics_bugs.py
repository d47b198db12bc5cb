"""Bug impact (DESIGN.md §4) over a hand-made two-month window."""

from decimal import Decimal

import pytest

from metrics.bug_tickets import BadBugKey, bug_group_tickets
from metrics.bugs import bug_impact
from metrics.cost import MonthUnavailable
from metrics.periods import Month, Window
from tests.support_cost_builders import at, bug_company

WINDOW = Window(Month(2016, 1), Month(2016, 2))
LATER = at(2017, 1, 1)


@pytest.fixture
def bugs(reporting):
    return bug_company()


def _rows(result):
    return {row.key: row for row in result.rows}


def test_groups_tickets_customers_revenue_and_support_cost(bugs):
    result = bug_impact(window=WINDOW, now=LATER)
    p, p2 = bugs["p"].external_id, bugs["p2"].external_id
    assert [row.key for row in result.rows] == [
        f"problem:zendesk:{p}",  # MRR 150.00
        f"problem:zendesk:{p2}",  # 100.00
        f"problem:intercom:{p}",  # 50.00
        "tag:bug",  # 0.00, 2 tickets
        "tag:bug-sync",  # 0.00, 1 ticket
    ]
    rows = _rows(result)
    problem = rows[f"problem:zendesk:{p}"]
    # p, i1, i2 (not the one before W, not the deleted one); Acme and Bloom: 150.00 MRR;
    # ARR 12 × 150 = 1,800.00; LTV 150 × 24 = 3,600.00; support cost January 100 × 2/8 = 25.00
    # (p, i1) + February 100 × 2/5 = 40.00 (i2) = 65.00
    assert (problem.kind, problem.title, problem.tickets, problem.customers) == (
        "problem",
        "Export times out",
        3,
        2,
    )
    assert (problem.mrr, problem.arr, problem.ltv_sum, problem.support_cost) == (
        Decimal("150.00"),
        Decimal("1800.00"),
        Decimal("3600.00"),
        Decimal("65.00"),
    )
    older = rows[f"problem:zendesk:{p2}"]  # its problem ticket is from December: only i3
    assert (older.title, older.tickets, older.customers, older.mrr) == (
        "Login loops",
        1,
        1,
        Decimal("100.00"),
    )
    assert older.support_cost == Decimal("0.00")
    other_source = rows[f"problem:intercom:{p}"]  # no such problem ticket synced
    assert (other_source.title, other_source.tickets, other_source.mrr) == (
        f"Problem {p}",
        1,
        Decimal("50.00"),
    )
    bug = rows["tag:bug"]
    # t1 (Cargo, EUR: no MRR) and t2 (no customer; "BUG" matches); not i2, which is the
    # problem's. Support cost: January 100 × 2/8 = 25.00, February 100 × 1/5 = 20.00 → 45.00
    assert (bug.kind, bug.title, bug.tickets, bug.customers) == ("tag", "bug", 2, 1)
    assert (bug.mrr, bug.arr, bug.ltv_sum, bug.support_cost) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("45.00"),
    )
    sync = rows["tag:bug-sync"]  # t1 alone: January 100 × 2/8
    assert (sync.tickets, sync.customers, sync.support_cost) == (1, 1, Decimal("25.00"))
    assert result.customers_other_currency == 1  # Cargo
    assert result.bug_tags == ("bug", "bug-sync")
    assert (result.lifetime_months, result.cap_months, result.churn_rate) == (
        Decimal("24.00"),
        24,
        None,
    )


def test_query_count_does_not_grow_with_the_window(bugs, django_assert_num_queries):
    # settings, team costs (settings, members, expenses), LTV basis, replies per month (all
    # and per tag), problem groups' tickets, their replies, tag groups' tickets, problem
    # subjects
    with django_assert_num_queries(10):
        bug_impact(window=WINDOW, now=LATER)
    with django_assert_num_queries(10):
        bug_impact(window=Window(Month(2015, 1), Month(2016, 12)), now=LATER)


def test_a_group_tickets_newest_first_one_page_at_a_time(bugs):
    key = f"problem:zendesk:{bugs['p'].external_id}"
    first = bug_group_tickets(key=key, window=WINDOW, now=LATER, page=1, page_size=2)
    assert (first.title, first.kind, first.count, first.has_next, first.num_pages) == (
        "Export times out",
        "problem",
        3,
        True,
        2,
    )
    assert [row.id for row in first.rows] == [bugs["i2"].pk, bugs["i1"].pk]
    second = bug_group_tickets(key=key, window=WINDOW, now=LATER, page=2, page_size=2)
    assert [row.id for row in second.rows] == [bugs["p"].pk]
    assert not second.has_next
    row = second.rows[0]
    assert (row.customer, row.subject, row.created_at) == (
        "Acme",
        "Export times out",
        at(2016, 1, 5),
    )


def test_a_tag_group_tickets(bugs):
    listed = bug_group_tickets(key="tag:BUG", window=WINDOW, now=LATER, page_size=None)
    assert listed.key == "tag:bug"
    assert [row.id for row in listed.rows] == [bugs["t2"].pk, bugs["t1"].pk]
    assert listed.rows[0].customer is None


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("bug", "starts with problem: or tag:"),
        ("problem:zendesk", "problem:<source>:<ticket id>"),
        ("tag:feature", "'feature' is not a bug tag (the bug tags: bug, bug-sync)"),
    ],
)
def test_a_bad_key_is_refused(bugs, key, message):
    with pytest.raises(BadBugKey, match=message.replace("(", r"\(").replace(")", r"\)")):
        bug_group_tickets(key=key, window=WINDOW, now=LATER)


def test_a_window_not_started_is_refused(bugs):
    with pytest.raises(MonthUnavailable):
        bug_impact(window=Window(Month(2017, 1), Month(2017, 2)), now=LATER)
    with pytest.raises(MonthUnavailable):
        bug_group_tickets(key="tag:bug", window=Window(Month(2017, 1), Month(2017, 2)), now=LATER)

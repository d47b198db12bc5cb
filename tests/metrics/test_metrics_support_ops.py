"""Support operations (DESIGN.md §4) on the hand-built March 2016 of tests/support_ops_data.py.

The tickets, in minutes from creation (M = March 2016, UTC):
  T1 Bolt  Api     email  Mar 2 10:00, solved +1440; note +10 (internal), agent +30m20s,
                          customer +5; vendor first 30, full 1440, reopens 0
  T2 Bolt  Api     email  Mar 5 09:00, solved +240; agent +45 and +120; vendor 40 / 240, reopens 1
  T3 Cora  Billing chat   Mar 10, open; a customer message only (no agent reply)
  T4 Acme  Api     web    Feb 20, solved Mar 1 (+14400: Feb 2016 has 29 days); agent +60;
                          enterprise customer → Enterprise group; reopens 2, no vendor times
  T5 —     —       email  Jan 15, open (Unassigned, No plan)
  T6 Bolt  Billing chat   Feb 25, solved Apr 2: open at the end of March
  T7 deleted (Api, email, created and solved in March): never counts
  T8 Cora  Billing chat   Mar 20 12:00, solved +120; agent +15, internal note +30; vendor first 15
  T9 solved in February, T10 created in April: out of scope
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from metrics.cost import MonthUnavailable
from metrics.periods import Month
from metrics.support_ops import BadGrouping, support_ops
from tests.support_ops_data import support_month

NOW = datetime(2016, 12, 1, tzinfo=UTC)
MARCH = Month(2016, 3)
FIELDS = (
    "created",
    "solved",
    "backlog_end",
    "median_first_reply_minutes",
    "vendor_median_first_reply_minutes",
    "median_resolution_minutes",
    "vendor_median_resolution_minutes",
    "one_touch_rate",
    "reopens",
)


@pytest.fixture
def march(reporting):
    return support_month()


def _table(result):
    return {row.key: tuple(getattr(row, f) for f in FIELDS) for row in result.rows}


def _d(text):
    return None if text is None else Decimal(text)


def test_by_product(march):
    result = support_ops(month=MARCH, by="product", now=NOW)
    assert _table(result) == {
        # T1, T2. First replies 30.33 and 45: even count → (30.33 + 45) / 2 = 37.67 → 37.7;
        # vendor (30 + 40) / 2 = 35.0. Resolution (1440 + 240) / 2 = 840.0 both ways.
        # One-touch: T1 (its internal note is no reply), not T2 (two replies) → 1/2.
        "Api": (2, 2, 0, _d("37.7"), _d("35.0"), _d("840.0"), _d("840.0"), _d("0.5000"), 1),
        # T3 and T8 created, T8 solved; T3 and T6 open at the end. T3 has no agent reply: out of
        # the median (15 from T8 alone) but in the backlog. No vendor resolution, no reopens.
        "Billing": (2, 1, 2, _d("15.0"), _d("15.0"), _d("120.0"), None, _d("1.0000"), None),
        # T4 (an Api ticket of an enterprise customer), created in February.
        "Enterprise": (0, 1, 0, None, None, _d("14400.0"), None, _d("1.0000"), 2),
        "Unassigned": (0, 0, 1, None, None, None, None, None, None),  # T5
    }
    rows = {row.key: row for row in result.rows}
    assert rows["Enterprise"].is_enterprise and rows["Unassigned"].is_unassigned
    assert (rows["Billing"].replied, rows["Billing"].vendor_resolved) == (1, 0)


def test_total_ranks_every_ticket_not_the_groups_medians(march):
    total = support_ops(month=MARCH, by="product", now=NOW).total
    # Created T1 T2 T3 T8; solved T1 T2 T4 T8; open at the end T3 T5 T6.
    # First replies 15, 30.33, 45 (odd: the middle one) → 30.3 (the groups' medians 37.7 and
    # 15.0 would give 26.4); vendor 15, 30, 40 → 30.0.
    # Resolutions 120, 240, 1440, 14400 → (240 + 1440) / 2 = 840.0; vendor 240, 1440 → 840.0.
    # One-touch T1 T4 T8 of 4; reopens 0 + 1 + 2 (T8 gives none).
    assert (total.key, *(getattr(total, f) for f in FIELDS)) == (
        "Total", 4, 4, 3, _d("30.3"), _d("30.0"), _d("840.0"), _d("840.0"), _d("0.7500"), 3,
    )  # fmt: skip
    assert (total.replied, total.vendor_replied, total.vendor_resolved, total.reopened) == (
        3,
        3,
        2,
        2,
    )


def test_by_channel(march):
    result = support_ops(month=MARCH, by="channel", now=NOW)
    assert [(row.key, row.label) for row in result.rows] == [
        ("chat", "Chat"),
        ("email", "Email"),
        ("web", "Web"),
    ]
    table = _table(result)
    assert table["email"][:3] == (2, 2, 1)  # T1 T2 (T7 deleted), T5 open
    assert table["chat"][:3] == (2, 1, 2)  # T3 T8, T8, T3 T6
    assert table["web"] == (0, 1, 0, None, None, _d("14400.0"), None, _d("1.0000"), 2)


def test_by_plan_reads_the_plan_at_the_end_of_the_month(march):
    result = support_ops(month=MARCH, by="plan", now=NOW)
    table = _table(result)
    # Bolt moved from Basic to Plus on Mar 15: all its tickets count under Plus.
    assert list(table) == ["Plus", "Pro", "No plan"]
    assert table["Plus"][:3] == (2, 2, 1)  # T1 T2, T1 T2, T6
    assert table["Pro"][:3] == (0, 1, 0)  # T4 (Acme)
    assert table["No plan"][:3] == (2, 1, 2)  # Cora's T3 T8, T8; T3 and unlinked T5
    assert table["Plus"][3:5] == (_d("37.7"), _d("35.0"))


def test_deleted_ticket_never_counts(march):
    march["t7"].is_deleted = False
    march["t7"].save()
    api = support_ops(month=MARCH, by="product", now=NOW).rows[0]
    # With T7 live: 3 created and solved, its 1-minute reply the new smallest first reply.
    assert (api.key, api.created, api.solved, api.median_first_reply_minutes) == (
        "Api",
        3,
        3,
        Decimal("30.3"),
    )


def test_backlog_at_the_end_of_the_month(march):
    february = support_ops(month=Month(2016, 2), by="product", now=NOW)
    # At the end of February: T4 and T6 (created Feb 20/25, solved in March/April), T5.
    assert february.total.backlog_end == 3
    assert (february.total.created, february.total.solved) == (3, 1)  # T4 T6 T9; T9


def test_empty_month_lists_every_product_with_nothing(reporting, django_assert_num_queries):
    support_month()
    with django_assert_num_queries(3):  # settings, products, the figures
        result = support_ops(month=Month(2015, 6), by="product", now=NOW)
    assert [row.key for row in result.rows] == ["Api", "Billing", "Enterprise", "Unassigned"]
    assert all(row.created == row.solved == row.backlog_end == 0 for row in result.rows)
    assert result.total.median_first_reply_minutes is None and result.total.one_touch_rate is None


def test_query_count_by_channel(march, django_assert_num_queries):
    with django_assert_num_queries(2):  # settings, the figures: no products
        support_ops(month=MARCH, by="channel", now=NOW)


def test_refuses_an_unknown_grouping_and_a_month_not_started(reporting):
    with pytest.raises(BadGrouping, match="by must be one of product, channel, plan, not 'team'"):
        support_ops(month=MARCH, by="team", now=NOW)
    with pytest.raises(MonthUnavailable, match="Jan 2017 has not started yet"):
        support_ops(month=Month(2017, 1), by="product", now=NOW)


def test_month_in_progress(march):
    result = support_ops(month=MARCH, by="channel", now=datetime(2016, 3, 25, tzinfo=UTC))
    assert result.in_progress and result.current_month == MARCH

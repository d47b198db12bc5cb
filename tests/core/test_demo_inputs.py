"""The demo's cost inputs tell a story inside the 12-month chart: hire, tool, leaver, raise.

Expected costs are worked by hand from supportops.demo's tables. Monthly cost of a member is
(salary + benefits) / 12 × FTE; the base team comes to 63,041.67 a month and the base expenses
to 6,360.00, so 69,401.67 before anything happens.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from metrics.cost import cost_trend, team_cost
from metrics.periods import Month
from supportops.demo import demo_inputs_load, story_dates
from supportops.models import Expense, TeamMember

pytestmark = pytest.mark.django_db

TODAY = date(2025, 11, 28)
START = date(2020, 1, 1)

BEFORE = Decimal("69401.67")  # 63,041.67 team + 6,360.00 expenses
HIRED = Decimal("77318.33")  # + Noor Haddad (78,000 + 17,000) / 12 = 7,916.67
TOOL = Decimal("77918.33")  # + Conversation QA reviews 600.00
LEFT = Decimal("70210.00")  # − Jonas Weber (76,000 + 16,500) / 12 = 7,708.33
# August has 31 days: Tomás at (82,000 + 18,000) / 12 for the 1st–15th and at
# (91,000 + 20,000) / 12 = 9,250 for the 16th–31st: 8,333.33 × 15/31 + 9,250 × 16/31
# = 273,000 / 31 = 8,806.45, in place of 8,333.33.
RAISE_MONTH = Decimal("70683.12")
RAISED = Decimal("71126.67")  # 70,210.00 − 8,333.33 + 9,250.00


def cost(year: int, month: int) -> Decimal:
    return team_cost(month=Month(year, month), tz=UTC)


def test_story_dates_count_back_from_the_month_of_today():
    story = story_dates(today=TODAY)
    assert story.hire_date == date(2025, 3, 1)
    assert story.tool_date == date(2025, 5, 1)
    assert story.leaver_end_date == date(2025, 6, 30)
    assert story.raise_date == date(2025, 8, 16)
    across_new_year = story_dates(today=date(2026, 2, 1))
    assert across_new_year.hire_date == date(2025, 6, 1)
    assert across_new_year.leaver_end_date == date(2025, 9, 30)
    assert across_new_year.raise_date == date(2025, 11, 16)


def test_team_cost_before_and_after_each_event():
    demo_inputs_load(start_date=START, today=TODAY)

    assert cost(2025, 2) == BEFORE
    assert cost(2025, 3) == HIRED
    assert cost(2025, 5) == TOOL
    assert cost(2025, 6) == TOOL  # Jonas works to June 30
    assert cost(2025, 7) == LEFT
    assert cost(2025, 8) == RAISE_MONTH
    assert cost(2025, 9) == RAISED


def test_the_12_month_chart_shows_the_whole_story():
    demo_inputs_load(start_date=START, today=TODAY)
    # The dashboard's chart ends with the last complete month, October.
    trend = cost_trend(end_month=Month(2025, 10), months=12, now=datetime(2025, 11, 28, tzinfo=UTC))

    assert [r.team_cost for r in trend] == [
        *[BEFORE] * 4,  # Nov–Feb
        *[HIRED] * 2,  # Mar–Apr
        *[TOOL] * 2,  # May–Jun
        LEFT,  # Jul
        RAISE_MONTH,  # Aug
        *[RAISED] * 2,  # Sep–Oct
    ]


def test_a_raise_is_two_rows_told_apart_by_role():
    demo_inputs_load(start_date=START, today=TODAY)

    rows = TeamMember.objects.filter(name="Tomás Ortega").order_by("start_date")
    assert [(r.role, r.annual_salary, r.start_date, r.end_date) for r in rows] == [
        ("Support Engineer", 82000, START, date(2025, 8, 15)),
        ("Senior Support Engineer", 91000, date(2025, 8, 16), None),
    ]
    assert TeamMember.objects.get(name="Jonas Weber").end_date == date(2025, 6, 30)
    assert TeamMember.objects.get(name="Noor Haddad").start_date == date(2025, 3, 1)
    assert Expense.objects.get(name="Conversation QA reviews").start_date == date(2025, 5, 1)


def test_loading_again_changes_nothing_even_on_a_later_day():
    demo_inputs_load(start_date=START, today=TODAY)
    before = list(TeamMember.objects.values_list()), list(Expense.objects.values_list())

    demo_inputs_load(start_date=START, today=TODAY)
    demo_inputs_load(start_date=START, today=date(2026, 1, 10))

    after = list(TeamMember.objects.values_list()), list(Expense.objects.values_list())
    assert after == before
    assert TeamMember.objects.count() == 10  # 8 + the hire + Tomás after his raise


def test_demo_seed_passes_today_and_refuses_a_start_after_the_story():
    call_command("demo_seed", "--password", "pw", "--today", "2025-11-28", stdout=StringIO())
    assert cost(2025, 8) == RAISE_MONTH

    with pytest.raises(CommandError, match="before 2025-03-01"):
        call_command(
            "demo_seed", "--start-date", "2025-03-01", "--today", "2025-11-28", stdout=StringIO()
        )

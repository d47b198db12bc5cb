"""The allocation and bug impact charts, from hand-made results (no database)."""

from decimal import Decimal

from metrics.allocation_results import AllocationResult, AllocationRow
from metrics.bug_results import BugGroup, BugImpact
from metrics.figures.allocation import allocation_figure
from metrics.figures.bugs import bug_impact_figure
from metrics.figures.theme import TEMPLATE
from metrics.periods import Month, Window


def _allocation(rows, allocated=True):
    return AllocationResult(
        month=Month(2016, 1),
        by="channel",
        basis="replies",
        currency="USD",
        team_cost=Decimal("100.00"),
        tickets=3,
        replies=3,
        allocated=allocated,
        note="",
        rows=tuple(rows),
    )


def _row(key, cost, share):
    return AllocationRow(key, key.title(), 1, 1, share, cost, cost)


def test_allocation_bars_largest_on_top_with_their_share():
    fig = allocation_figure(
        _allocation(
            [
                _row("email", Decimal("60.00"), Decimal("0.6")),
                _row("web", Decimal("40.00"), Decimal("0.4")),
            ]
        )
    )
    (bars,) = fig.data
    assert (bars.orientation, list(bars.y), list(bars.x)) == ("h", ["Email", "Web"], [60.0, 40.0])
    assert list(bars.text) == ["60%", "40%"]
    assert fig.layout.yaxis.autorange == "reversed"  # the first row (largest) on top
    assert fig.layout.title.text == "Team cost by channel (USD)"
    assert fig.layout.template.layout.font.family == TEMPLATE.layout.font.family


def test_allocation_chart_keeps_the_top_groups_and_says_so():
    rows = [_row(f"g{n:02d}", Decimal(20 - n), Decimal("0.05")) for n in range(20)]
    fig = allocation_figure(_allocation(rows), top=15)
    assert len(fig.data[0].y) == 15
    assert fig.layout.title.text == "Team cost by channel, top 15 (USD)"
    # nothing allocated: no bars
    empty = [AllocationRow("email", "Email", 1, 0, None, None, None)]
    assert len(allocation_figure(_allocation(empty, allocated=False)).data[0].y) == 0


def _group(key, kind, title, mrr):
    mrr = Decimal(mrr)
    return BugGroup(key, kind, title, 2, 1, mrr, mrr * 12, mrr * 24, Decimal("5.00"))


def test_bug_bars_ranked_by_mrr_problems_and_tags_apart():
    result = BugImpact(
        window=Window(Month(2016, 1), Month(2016, 2)),
        currency="USD",
        bug_tags=("bug",),
        churn_rate=None,
        lifetime_months=Decimal("24.00"),
        cap_months=24,
        customers_other_currency=0,
        rows=(
            _group(
                "problem:zendesk:100",
                "problem",
                "Export times out on every large account",
                "150.00",
            ),
            _group("tag:bug", "tag", "bug", "90.00"),
            _group("problem:zendesk:200", "problem", "Login loops", "50.00"),
        ),
    )
    fig = bug_impact_figure(result)
    problems, tags = fig.data
    assert (problems.name, tags.name) == ("Problem ticket", "Bug tag")
    assert list(problems.y) == ["Export times out on e… #100", "Login loops #200"]
    assert list(problems.x) == [150.0, 50.0] and list(tags.y) == ["tag: bug"]
    # categories listed bottom to top: the largest MRR ends on top
    assert list(fig.layout.yaxis.categoryarray) == [
        "Login loops #200",
        "tag: bug",
        "Export times out on e… #100",
    ]

from decimal import Decimal

import plotly.graph_objects as go

from metrics.figures.cost import cost_per_ticket_figure
from metrics.figures.theme import TEMPLATE
from metrics.periods import Month
from metrics.results import CostResult


def _result(month, cost_per_ticket, tickets):
    return CostResult(
        month=month,
        currency="USD",
        team_cost=Decimal("58333.33"),
        tickets=tickets,
        cost_per_ticket=cost_per_ticket,
        replies=0,
        cost_per_reply=None,
        interactions=0,
        cost_per_interaction=None,
        open_days=Decimal("0.00"),
        cost_per_open_day=None,
    )


def test_cost_per_ticket_figure():
    results = [
        _result(Month(2015, 12), None, 0),
        _result(Month(2016, 1), Decimal("42.27"), 1380),
    ]
    fig = cost_per_ticket_figure(results)
    assert isinstance(fig, go.Figure)
    (trace,) = fig.data
    assert list(trace.x) == ["Dec 2015", "Jan 2016"]
    assert list(trace.y) == [None, 42.27]  # a month without tickets is a gap
    assert "USD" in fig.layout.title.text
    assert fig.layout.template.layout.font.family == TEMPLATE.layout.font.family
    assert '"Jan 2016"' in fig.to_json()


def test_empty_figure_does_not_fail():
    assert cost_per_ticket_figure([]).data[0].x == ()


def test_figures_do_not_import_django():
    import ast
    import pathlib

    import metrics.figures

    for path in pathlib.Path(metrics.figures.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not [n for n in names if n.split(".")[0] == "django"], path

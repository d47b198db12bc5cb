"""The customer page's activity chart, filled into a figure built once, is exactly the figure
plotly builds and validates for those months (metrics/figures/customers.py)."""

from __future__ import annotations

import json

from metrics.customers import CustomerMonth
from metrics.figures.customers import customer_activity_chart, customer_activity_figure
from metrics.periods import Month


def _months(values: list[tuple[int, int]]) -> list[CustomerMonth]:
    return [
        CustomerMonth(month=Month(2025, 12).shift(n), api_calls=api_calls, tickets=tickets)
        for n, (tickets, api_calls) in enumerate(values)
    ]


def test_chart_equals_plotly_s_own_build_for_the_same_months():
    months = _months([(0, 0), (3, 1_250_000), (41, 7), (0, 0), (12, 98_765_432_100)] * 2 + [(1, 2)])
    chart = customer_activity_chart(months)
    assert chart == json.loads(customer_activity_figure(months).to_json())
    tickets, api_calls = chart["data"]
    assert tickets["x"] == api_calls["x"] == [m.month.label for m in months]
    assert len(tickets["x"]) == 11 and tickets["x"][0] == Month(2025, 12).label
    assert tickets["y"][:3] == [0, 3, 41] and api_calls["y"][:3] == [0, 1_250_000, 7]


def test_a_page_s_chart_does_not_leak_into_the_next():
    first = customer_activity_chart(_months([(5, 50), (6, 60)]))
    first["data"][0]["y"].append(999)
    first["layout"]["title"] = "changed"
    second = customer_activity_chart(_months([(1, 10)]))
    assert second == json.loads(customer_activity_figure(_months([(1, 10)])).to_json())
    assert second["data"][0]["y"] == [1] and second["data"][1]["y"] == [10]


def test_no_months_is_an_empty_chart():
    chart = customer_activity_chart([])
    assert [trace["y"] for trace in chart["data"]] == [[], []]
    assert chart == json.loads(customer_activity_figure([]).to_json())

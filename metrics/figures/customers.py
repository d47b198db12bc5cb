"""Customer charts."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from .theme import ACCENT, COLORWAY, themed

if TYPE_CHECKING:  # the result type only: figures never import Django at run time
    from ..customers import CustomerMonth


def customer_activity_figure(months: Sequence[CustomerMonth]) -> go.Figure:
    """Tickets created (bars, left axis) and API calls (line, right axis) per month."""
    labels = [item.month.label for item in months]
    fig = go.Figure(
        [
            go.Bar(
                x=labels,
                y=[item.tickets for item in months],
                name="Tickets",
                marker={"color": COLORWAY[2]},
                hovertemplate="%{y:,} tickets<extra></extra>",
            ),
            # On the overlaying right axis, so the line draws above the bars.
            go.Scatter(
                x=labels,
                y=[item.api_calls for item in months],
                name="API calls",
                mode="lines+markers",
                line={"color": ACCENT, "width": 2},
                marker={"size": 7},
                yaxis="y2",
                hovertemplate="%{y:,} API calls<extra></extra>",
            ),
        ]
    )
    fig.update_layout(
        title="API calls and tickets per month",
        xaxis={"type": "category"},
        yaxis={"title": {"text": "Tickets"}, "tickformat": ",d", "automargin": True},
        yaxis2={
            "title": {"text": "API calls"},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "rangemode": "tozero",
            "tickmode": "auto",
            "tickformat": ",d",
            "automargin": True,
        },
    )
    return themed(fig)


@functools.cache
def _activity_skeleton() -> str:
    """The activity figure with no months, as Plotly's JSON: traces, layout and theme."""
    return customer_activity_figure([]).to_json()


def customer_activity_chart(months: Sequence[CustomerMonth]) -> dict:
    """`customer_activity_figure(months)` as the page embeds it (Plotly's JSON, parsed).

    Building and validating the figure costs plotly ~25-100 ms, on every customer page, for a
    figure whose only per-customer part is its two traces' x and y: so the figure is built once
    per process without months and each page fills in its arrays.
    tests/metrics/test_metrics_customer_chart.py holds this equal to the full build.
    """
    chart = json.loads(_activity_skeleton())
    tickets, api_calls = chart["data"]
    labels = [item.month.label for item in months]
    tickets["x"], tickets["y"] = labels, [item.tickets for item in months]
    api_calls["x"], api_calls["y"] = list(labels), [item.api_calls for item in months]
    return chart

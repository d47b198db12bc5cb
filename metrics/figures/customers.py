"""Customer charts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from .theme import ACCENT, COLORWAY, themed

if TYPE_CHECKING:  # the result type only: figures never import Django at run time
    from ..customers import CustomerMonth


def customer_activity_figure(months: Sequence[CustomerMonth]) -> go.Figure:
    """API calls (line, left axis) and tickets created (bars, right axis) per month."""
    labels = [item.month.label for item in months]
    fig = go.Figure(
        [
            go.Bar(
                x=labels,
                y=[item.tickets for item in months],
                name="Tickets",
                marker={"color": COLORWAY[2]},
                yaxis="y2",
                hovertemplate="%{y:,} tickets<extra></extra>",
            ),
            go.Scatter(
                x=labels,
                y=[item.api_calls for item in months],
                name="API calls",
                mode="lines+markers",
                line={"color": ACCENT, "width": 2},
                marker={"size": 7},
                hovertemplate="%{y:,} API calls<extra></extra>",
            ),
        ]
    )
    fig.update_layout(
        title="API calls and tickets per month",
        xaxis={"type": "category"},
        yaxis={"title": {"text": "API calls"}, "tickformat": ","},
        yaxis2={
            "title": {"text": "Tickets"},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "rangemode": "tozero",
            "tickformat": ",d",
        },
        showlegend=True,
    )
    return themed(fig)

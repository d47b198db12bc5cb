"""Coverage chart: tickets per product group per month against the capacity assigned to it."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from ..coverage_results import CoverageResult
from .theme import COLORWAY, MUTED, themed

OVER = "#dc2626"
PALETTE = [color for color in COLORWAY if color != OVER]  # red means over capacity


def coverage_figure(results: Sequence[CoverageResult]) -> go.Figure:
    """Bars: tickets of each group by month; dashed lines: its assigned capacity (same colour).

    A month over capacity is a hatched bar with a red outline. Unassigned is grey, with no
    capacity line (nobody covers it).
    """
    labels = [result.month.label for result in results]
    names = [row.product for row in results[0].rows] if results else []
    fig = go.Figure()
    for index, name in enumerate(names):
        rows = [result.rows[index] for result in results]
        unassigned = rows[0].is_unassigned
        color = MUTED if unassigned else PALETTE[index % len(PALETTE)]
        over = [row.over_capacity for row in rows]
        fig.add_trace(
            go.Bar(
                x=labels,
                y=[row.tickets for row in rows],
                name=name,
                legendgroup=name,
                marker={
                    "color": color,
                    "opacity": 0.55 if unassigned else 0.85,
                    "pattern": {
                        "shape": ["x" if o else "" for o in over],
                        "fgcolor": "white",
                        "fillmode": "overlay",
                    },
                    "line": {"color": [OVER if o else color for o in over], "width": 2},
                },
                customdata=[
                    [float(row.assigned_capacity), " · over capacity" if row.over_capacity else ""]
                    for row in rows
                ],
                hovertemplate=(
                    f"{name}: %{{y:,}} tickets"
                    + ("" if unassigned else ", capacity %{customdata[0]:,.0f}")
                    + "%{customdata[1]}<extra></extra>"
                ),
            )
        )
        if not unassigned:
            fig.add_trace(
                go.Scatter(
                    x=labels,
                    y=[float(row.assigned_capacity) for row in rows],
                    name=f"{name} capacity",
                    legendgroup=name,
                    showlegend=False,
                    mode="lines+markers",
                    line={"color": color, "width": 2, "dash": "dash"},
                    marker={"size": 5},
                    hovertemplate=f"{name} assigned capacity: %{{y:,.0f}}<extra></extra>",
                )
            )
    fig.add_trace(
        go.Bar(
            x=[None],
            y=[None],
            name="Over capacity",
            marker={
                "color": "white",
                "pattern": {"shape": "x", "fgcolor": OVER},
                "line": {"color": OVER, "width": 2},
            },
            hoverinfo="skip",
        )
    )
    fig.update_layout(
        title="Tickets vs assigned capacity",
        barmode="group",
        yaxis={"title": {"text": "tickets"}, "tickformat": ",d", "rangemode": "tozero"},
        xaxis={"type": "category"},
        legend={"orientation": "h", "y": -0.15},
    )
    return themed(fig)

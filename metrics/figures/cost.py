"""Cost charts."""

from collections.abc import Sequence

import plotly.graph_objects as go

from ..results import CostResult
from .theme import ACCENT, themed


def _label(result: CostResult) -> str:
    return f"{result.month.label} (to date)" if result.in_progress else result.month.label


def cost_per_ticket_figure(results: Sequence[CostResult]) -> go.Figure:
    """Cost per ticket by month, oldest first; a month without tickets is a gap, not a 0.

    The month in progress is drawn hollow and labelled "to date": its figures cover only the
    days that have ended.
    """
    currency = results[0].currency if results else ""
    fig = go.Figure(
        go.Scatter(
            x=[_label(result) for result in results],
            y=[
                None if result.cost_per_ticket is None else float(result.cost_per_ticket)
                for result in results
            ],
            customdata=[
                [
                    result.tickets,
                    float(result.team_cost),
                    f" ({result.days_covered} days so far)" if result.in_progress else "",
                ]
                for result in results
            ],
            mode="lines+markers",
            line={"color": ACCENT, "width": 2},
            marker={
                "size": 7,
                "color": ["white" if result.in_progress else ACCENT for result in results],
                "line": {"color": ACCENT, "width": 2},
            },
            name="Cost per ticket",
            hovertemplate=(
                f"%{{y:,.2f}} {currency} per ticket<br>"
                f"%{{customdata[0]:,}} tickets, team cost %{{customdata[1]:,.2f}} {currency}"
                "%{customdata[2]}<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        title=f"Cost per ticket ({currency})" if currency else "Cost per ticket",
        yaxis={"title": {"text": currency}, "tickformat": ",.2f"},
        xaxis={"type": "category"},
        showlegend=False,
    )
    return themed(fig)

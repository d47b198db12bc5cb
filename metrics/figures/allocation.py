"""Where the cost goes: a month's allocated team cost per group, as ranked horizontal bars."""

from __future__ import annotations

import plotly.graph_objects as go

from ..allocation_results import AllocationResult
from .theme import ACCENT, themed

TOP = 15
LABEL_CHARS = 28
GROUP_NAMES = {"channel": "channel", "bucket": "bucket", "plan": "plan", "customer": "customer"}


def short(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def allocation_figure(result: AllocationResult, *, top: int = TOP) -> go.Figure:
    """Allocated cost per group, largest on top (the first `top` groups); empty when nothing
    was allocated. Hover: share of the basis, tickets and replies."""
    rows = [row for row in result.rows if row.allocated_cost is not None][:top]
    basis = "replies" if result.basis == "replies" else "tickets"
    fig = go.Figure(
        go.Bar(
            orientation="h",
            y=[short(row.label) for row in rows],
            x=[float(row.allocated_cost) for row in rows],
            marker={"color": ACCENT},
            customdata=[
                [float(row.share * 100), row.tickets, row.replies, row.label] for row in rows
            ],
            text=[f"{row.share * 100:.0f}%" for row in rows],
            textposition="auto",
            hovertemplate=(
                f"%{{customdata[3]}}<br>%{{x:,.2f}} {result.currency}: "
                f"%{{customdata[0]:.1f}}% of {basis}<br>"
                "%{customdata[1]:,} tickets, %{customdata[2]:,} replies<extra></extra>"
            ),
        )
    )
    shown = "" if len(result.rows) <= top else f", top {top}"
    fig.update_layout(
        title=f"Team cost by {GROUP_NAMES.get(result.by, result.by)}{shown} ({result.currency})",
        xaxis={"title": {"text": result.currency}, "tickformat": ",.0f", "rangemode": "tozero"},
        yaxis={"type": "category", "autorange": "reversed", "automargin": True},
        hovermode="closest",
        showlegend=False,
        height=max(260, 40 * len(rows) + 130),
        margin={"l": 16, "r": 24, "t": 56, "b": 48},
    )
    return themed(fig)

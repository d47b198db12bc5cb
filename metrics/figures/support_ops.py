"""Support operations charts: the month's ticket flow per group, and first reply recomputed
against the vendor's."""

from __future__ import annotations

import plotly.graph_objects as go

from ..support_ops_results import SupportOpsResult
from .theme import ACCENT, COLORWAY, MUTED, themed


def _labels(result: SupportOpsResult) -> list[str]:
    return [row.label for row in result.rows]


def support_ops_volume_figure(result: SupportOpsResult) -> go.Figure:
    """Grouped bars per group: created and solved in the month, open at its end."""
    fig = go.Figure()
    for name, field, color in (
        ("Created", "created", ACCENT),
        ("Solved", "solved", COLORWAY[1]),
        ("Backlog at month end", "backlog_end", COLORWAY[2]),
    ):
        fig.add_trace(
            go.Bar(
                x=_labels(result),
                y=[getattr(row, field) for row in result.rows],
                name=name,
                marker={"color": color},
                hovertemplate=f"{name}: %{{y:,}}<extra></extra>",
            )
        )
    fig.update_layout(
        title=f"Tickets by {result.by} · {result.month.label}",
        barmode="group",
        yaxis={"title": {"text": "tickets"}, "tickformat": ",d", "rangemode": "tozero"},
        xaxis={"type": "category"},
        legend={"orientation": "h", "y": -0.2},
    )
    return themed(fig)


def _minutes(value) -> float | None:
    return None if value is None else float(value)


def support_ops_first_reply_figure(result: SupportOpsResult) -> go.Figure:
    """Median first reply per group: ours (a dot) inside the vendor's (a ring). A gap is the
    two ways of counting disagreeing; a missing marker, no value."""
    labels = _labels(result)
    fig = go.Figure()
    for name, field, marker in (
        ("Recomputed", "median_first_reply_minutes", {"color": ACCENT, "size": 11}),
        (
            "Vendor",
            "vendor_median_first_reply_minutes",
            # a ring around our dot: a white fill would hide it where the two agree
            {"symbol": "circle-open", "color": MUTED, "size": 17, "line": {"width": 2}},
        ),
    ):
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=[_minutes(getattr(row, field)) for row in result.rows],
                name=name,
                mode="markers",
                marker=marker,
                hovertemplate=f"{name}: %{{y:,.1f}} min<extra></extra>",
            )
        )
    fig.update_layout(
        title="Median first reply (min)",
        yaxis={"title": {"text": "minutes"}, "rangemode": "tozero"},
        xaxis={"type": "category"},
        legend={"orientation": "h", "y": -0.2},
    )
    return themed(fig)

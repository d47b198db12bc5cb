"""The exec report's charts, drawn from the report's stored data (metrics/report/builder.py),
so a resend or the archive draws exactly what was sent. Static images: no hover, no legend
clicks, sizes fixed by the caller; the alt text carries every number for readers without
images (and for mail clients that block them)."""

from __future__ import annotations

from decimal import Decimal

import plotly.graph_objects as go

from .coverage import OVER
from .theme import ACCENT, MUTED, themed


def _num(text: str | None) -> float | None:
    # Plotly draws floats; the figures themselves stay Decimal strings in the data and the alt.
    return None if text is None else float(Decimal(text))


def _static(fig: go.Figure, title: str) -> go.Figure:
    fig = themed(fig)
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 15}},
        margin={"l": 56, "r": 56, "t": 48, "b": 56},
        legend={"orientation": "h", "y": -0.22, "x": 0},
        hovermode=False,
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    return fig


def cost_trend_figure(rows: list[dict], currency: str) -> go.Figure:
    """Tickets (bars, left axis) and cost per ticket (line, right axis) by month."""
    # "Dec<br>2025": two short lines read flat; rotated labels get clipped at this width
    labels = [row["label"].replace(" ", "<br>") for row in rows]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=labels,
            y=[row["tickets"] for row in rows],
            name="Tickets",
            marker={"color": MUTED, "opacity": 0.45},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=[_num(row["cost_per_ticket"]) for row in rows],
            name=f"Cost per ticket ({currency})",
            mode="lines+markers",
            line={"color": ACCENT, "width": 3},
            marker={"size": 7, "color": ACCENT},
            yaxis="y2",
        )
    )
    fig = _static(fig, "Tickets and cost per ticket, last 12 months")
    fig.update_layout(
        xaxis={"type": "category", "tickangle": 0, "automargin": True},
        yaxis={"title": {"text": "Tickets"}, "tickformat": ",d", "rangemode": "tozero"},
        yaxis2={
            "title": {"text": currency},
            "overlaying": "y",
            "side": "right",
            "tickformat": ",.0f",
            "rangemode": "tozero",
            "showgrid": False,
        },
    )
    return fig


def cost_trend_alt(rows: list[dict], currency: str) -> str:
    parts = [
        f"{row['label']}: {row['tickets']:,} tickets, "
        + (
            "no cost per ticket"
            if row["cost_per_ticket"] is None
            else f"{Decimal(row['cost_per_ticket']):,.2f} {currency} per ticket"
        )
        for row in rows
    ]
    return "Tickets and cost per ticket by month. " + "; ".join(parts) + "."


def coverage_figure(rows: list[dict], month_label: str) -> go.Figure:
    """Per product group, a horizontal bar of tickets (red when over capacity) with a tick at
    the capacity assigned (none for Unassigned: nobody covers it). Horizontal, so product
    names read in full at email width."""
    rows = list(reversed(rows))  # Plotly draws the first category at the bottom
    products = [row["product"] for row in rows]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=products,
            x=[row["tickets"] for row in rows],
            orientation="h",
            name="Tickets",
            marker={"color": [OVER if row["over_capacity"] else ACCENT for row in rows]},
        )
    )
    covered = [row for row in rows if row["product"] != "Unassigned"]
    fig.add_trace(
        go.Scatter(
            y=[row["product"] for row in covered],
            x=[_num(row["assigned_capacity"]) for row in covered],
            name="Assigned capacity",
            mode="markers",
            marker={"symbol": "line-ns", "size": 22, "line": {"width": 3, "color": "#111827"}},
        )
    )
    fig = _static(fig, f"Tickets against capacity per product, {month_label}")
    fig.update_layout(
        yaxis={"type": "category", "automargin": True},
        xaxis={"tickformat": ",d", "rangemode": "tozero"},
        bargap=0.35,
    )
    return fig


def coverage_alt(rows: list[dict], month_label: str) -> str:
    parts = [
        f"{row['product']}: {row['tickets']:,} tickets, capacity "
        f"{Decimal(row['assigned_capacity']):,.0f}"
        + (" (over capacity)" if row["over_capacity"] else "")
        for row in rows
    ]
    return f"Tickets against capacity per product in {month_label}. " + "; ".join(parts) + "."

"""Bug impact: groups ranked by the MRR of the customers they hit, as horizontal bars."""

from __future__ import annotations

import plotly.graph_objects as go

from ..bug_results import PROBLEM, BugImpact
from .allocation import short
from .theme import ACCENT, COLORWAY, themed

TOP = 15
NAMES = {PROBLEM: "Problem ticket", "tag": "Bug tag"}
COLORS = {PROBLEM: ACCENT, "tag": COLORWAY[2]}


def bug_label(key: str, kind: str, title: str) -> str:
    """A chart label unique per group: problems carry their ticket id, tags say so."""
    if kind == PROBLEM:
        return f"{short(title, 22)} #{key.rsplit(':', 1)[-1]}"
    return f"tag: {short(title, 22)}"


def bug_impact_figure(result: BugImpact, *, top: int = TOP) -> go.Figure:
    """The `top` groups by MRR affected, largest on top, problems and tags in two colours.
    Hover: tickets, customers, ARR, LTV and support cost."""
    rows = list(result.rows[:top])
    order = [bug_label(row.key, row.kind, row.title) for row in rows]
    currency = result.currency
    traces = []
    for kind in (PROBLEM, "tag"):
        mine = [row for row in rows if row.kind == kind]
        if not mine:
            continue
        traces.append(
            go.Bar(
                name=NAMES[kind],
                orientation="h",
                y=[bug_label(row.key, row.kind, row.title) for row in mine],
                x=[float(row.mrr) for row in mine],
                marker={"color": COLORS[kind]},
                customdata=[
                    [
                        row.title,
                        row.tickets,
                        row.customers,
                        float(row.arr),
                        float(row.ltv_sum),
                        float(row.support_cost),
                    ]
                    for row in mine
                ],
                hovertemplate=(
                    f"%{{customdata[0]}}<br>MRR %{{x:,.2f}} {currency} · ARR "
                    f"%{{customdata[3]:,.2f}} · LTV %{{customdata[4]:,.2f}}<br>"
                    "%{customdata[1]:,} tickets, %{customdata[2]:,} customers · support cost "
                    f"%{{customdata[5]:,.2f}} {currency}<extra></extra>"
                ),
            )
        )
    shown = "" if len(result.rows) <= top else f" (top {top})"
    fig = go.Figure(traces)
    fig.update_layout(
        title=f"MRR hit per bug{shown} ({currency})",
        xaxis={"tickformat": ",.0f"},
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": order[::-1],
            "automargin": True,
        },
        barmode="overlay",
        hovermode="closest",
        height=max(280, 36 * len(rows) + 150),
        margin={"l": 16, "r": 24, "t": 56, "b": 48},
        legend={"orientation": "h", "x": 0, "y": -0.08 if len(rows) > 6 else -0.18},
    )
    return themed(fig)

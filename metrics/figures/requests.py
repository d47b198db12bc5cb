"""The feature-request chart: requested things ranked by the LTV of the customers asking."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from ..request_results import FeatureRequestRow
from .theme import ACCENT, themed

TOP = 15
LABEL_CHARS = 20
BAR_HEIGHT = 30


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else f"{label[: LABEL_CHARS - 1]}…"


def feature_requests_figure(
    rows: Sequence[FeatureRequestRow], *, currency: str, top: int = TOP
) -> go.Figure:
    """Horizontal bars of the `top` rows (already ranked by LTV sum), the largest on top.

    The bars are LTV (MRR × expected lifetime), the title says so; the hover adds tickets,
    customers, MRR and realized revenue (paid invoices), so neither is mistaken for the other.
    """
    shown = list(rows[:top])
    keys = [row.name for row in shown]  # unique, unlike shortened labels
    fig = go.Figure(
        go.Bar(
            orientation="h",
            x=[float(row.ltv_sum) for row in shown],
            y=keys,
            customdata=[
                [
                    row.label,
                    row.tickets,
                    row.customers,
                    float(row.mrr_sum),
                    float(row.realized_revenue_sum),
                ]
                for row in shown
            ],
            marker={"color": ACCENT},
            texttemplate="%{x:.3~s}",  # 189k, 2.25M: short enough for a phone
            textposition="outside",
            cliponaxis=False,
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>"
                f"LTV of the customers asking: %{{x:,.2f}} {currency}<br>"
                "%{customdata[1]:,} tickets, %{customdata[2]:,} customers<br>"
                f"MRR now: %{{customdata[3]:,.2f}} {currency}<br>"
                f"Realized revenue (paid invoices): %{{customdata[4]:,.2f}} {currency}"
                "<extra></extra>"
            ),
        )
    )
    more = f" · the top {top} of {len(rows)}" if len(rows) > top else ""
    widest = max((float(row.ltv_sum) for row in shown), default=0.0)
    fig.update_layout(
        # Two short lines: the title must fit a phone, where Plotly does not wrap it.
        title=f"Ranked by LTV<br><sub>LTV = MRR × expected lifetime, {currency}{more}</sub>",
        height=max(280, 110 + BAR_HEIGHT * len(shown)),
        hovermode="closest",
        showlegend=False,
        margin={"l": 8, "r": 16, "t": 72, "b": 40},
        xaxis={
            "title": {"text": f"LTV sum ({currency})"},
            "tickformat": "~s",
            "showgrid": True,
            # room for the value printed after the longest bar
            "range": [0, widest * 1.22 if widest else 1],
        },
        yaxis={
            "type": "category",
            "autorange": "reversed",
            "tickmode": "array",
            "tickvals": keys,
            "ticktext": [_short(row.label) for row in shown],
            "rangemode": "normal",
        },
    )
    return themed(fig)

"""Support cohort charts: the two cohorts side by side, rates in one chart, API calls in another."""

from __future__ import annotations

from decimal import Decimal

import plotly.graph_objects as go

from ..cohort_results import WINDOW, Cohort, CohortsResult
from .theme import ACCENT, COLORWAY, MUTED, themed

SUPPORT_COLOR = ACCENT
NO_SUPPORT_COLOR = COLORWAY[2]
NAMES = {"support": "Contacted support", "no_support": "No support contact"}


def _percent(value: Decimal | None) -> float | None:
    return None if value is None else float(value * 100)


def _bar_labels(values: list[float | None], fmt: str) -> list[str]:
    return ["n/a" if value is None else fmt.format(value) for value in values]


def _bars(name: str, color: str, x: list[str], y: list[float | None], fmt: str, counts):
    return go.Bar(
        name=name,
        x=x,
        y=y,
        marker={"color": color},
        text=_bar_labels(y, fmt),
        textposition="outside",
        cliponaxis=False,
        customdata=counts,
        hovertemplate=f"{name}: %{{text}} (%{{customdata}})<extra></extra>",
    )


def _rate_counts(cohort: Cohort, result: CohortsResult) -> list[str]:
    counts = [
        f"{cohort.active_customers:,} of {cohort.customers:,}",
        f"{cohort.converted:,} of {cohort.customers:,}",
    ]
    if result.variant == WINDOW:
        if cohort.retained is None:
            counts.append(f"{cohort.paying_at_start:,} paying at the start; not measured yet")
        else:
            counts.append(f"{cohort.retained:,} of {cohort.paying_at_start:,}")
    return counts


def cohort_rates_figure(result: CohortsResult) -> go.Figure:
    """Active share, paid conversion and (window variant) retention, as %, per cohort."""
    x = ["Active", "Paid<br>conversion"]
    if result.variant == WINDOW:
        x.append(f"Retention<br>after {result.retention_months} mo")
    traces = []
    for key, color in (("support", SUPPORT_COLOR), ("no_support", NO_SUPPORT_COLOR)):
        cohort: Cohort = getattr(result, key)
        y = [
            _percent(cohort.active_share),
            _percent(cohort.paid_conversion_rate),
        ]
        if result.variant == WINDOW:
            y.append(_percent(cohort.retention_rate))
        traces.append(_bars(NAMES[key], color, x, y, "{:.1f}%", _rate_counts(cohort, result)))
    fig = go.Figure(traces)
    if result.variant == WINDOW and not result.retention_known:
        fig.add_annotation(
            x=x[-1],
            y=8,
            text=f"known on<br>{result.retention_on:%b} {result.retention_on.day}, "
            f"{result.retention_on.year}",
            showarrow=False,
            font={"color": MUTED, "size": 12},
        )
    fig.update_layout(
        # (never the word "share" in a chart: the browser test reads it as a cloud button)
        title=(
            "Active, converted, retained (%)"
            if result.variant == WINDOW
            else "Active and converted (%)"
        ),
        barmode="group",
        yaxis={"ticksuffix": "%", "range": [0, 110]},
        xaxis={"type": "category"},
        legend={"orientation": "h", "y": -0.18, "x": 0},
        hovermode="closest",
    )
    return themed(fig)


def cohort_usage_figure(result: CohortsResult) -> go.Figure:
    """Mean monthly API calls of all customers and of the active ones, per cohort."""
    x = ["All customers", f"Active (> {result.active_threshold:,}/month)"]
    traces = []
    for key, color in (("support", SUPPORT_COLOR), ("no_support", NO_SUPPORT_COLOR)):
        cohort: Cohort = getattr(result, key)
        y = [
            None if value is None else float(value)
            for value in (cohort.avg_monthly_api_calls, cohort.active_avg_monthly_api_calls)
        ]
        counts = [f"{cohort.customers:,} customers", f"{cohort.active_customers:,} customers"]
        traces.append(_bars(NAMES[key], color, x, y, "{:,.0f}", counts))
    fig = go.Figure(traces)
    top = max((bar for trace in traces for bar in trace.y if bar is not None), default=0)
    fig.update_layout(
        title="Mean monthly API calls, by cohort",
        barmode="group",
        # headroom for the labels above the bars; a scale of 0–10 when every bar is 0
        yaxis={"tickformat": ",.0f", "range": [0, max(top * 1.15, 10)]},
        xaxis={"type": "category"},
        legend={"orientation": "h", "y": -0.18, "x": 0},
        hovermode="closest",
    )
    return themed(fig)

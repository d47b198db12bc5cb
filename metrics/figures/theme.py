"""The house look: one Plotly template every chart uses, on the web and in the emailed report."""

import plotly.graph_objects as go

INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#e4e7eb"
ACCENT = "#2563eb"
COLORWAY = [ACCENT, "#0f9d76", "#d97706", "#dc2626", "#7c3aed", "#0891b2"]
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font={"family": FONT, "size": 13, "color": INK},
        title={"font": {"size": 16, "color": INK}, "x": 0, "xanchor": "left"},
        colorway=COLORWAY,
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin={"l": 64, "r": 24, "t": 56, "b": 48},
        hovermode="x unified",
        hoverlabel={"font": {"family": FONT}},
        xaxis={
            "showgrid": False,
            "linecolor": GRID,
            "tickcolor": GRID,
            "color": MUTED,
            "automargin": True,
        },
        yaxis={
            "gridcolor": GRID,
            "zeroline": False,
            "color": MUTED,
            "rangemode": "tozero",
            "automargin": True,
        },
        legend={"orientation": "h", "y": -0.2},
    )
)


def themed(fig: go.Figure) -> go.Figure:
    """Apply the house template to `fig` and return it."""
    fig.update_layout(template=TEMPLATE)
    return fig

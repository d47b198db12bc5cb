"""Plotly figure builders: a result in, a `go.Figure` out. No Django here (STYLE.md habit 3)."""

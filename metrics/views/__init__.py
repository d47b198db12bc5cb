"""Dashboards, one module per page. A view parses the request, makes one call into metrics
and renders; metrics/urls.py routes to them."""

from .cost import cost_dashboard
from .customers import (
    customer_detail_view,
    customer_list_csv_view,
    customer_list_view,
    customer_unmatched_view,
)

__all__ = [
    "cost_dashboard",
    "customer_detail_view",
    "customer_list_csv_view",
    "customer_list_view",
    "customer_unmatched_view",
]

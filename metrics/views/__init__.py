"""Dashboards, one module per page. A view parses the request, makes one call into metrics
and renders; metrics/urls.py routes to them."""

from .bugs import bug_group_page, bugs_dashboard
from .cohorts import cohorts_dashboard
from .cost import cost_dashboard
from .coverage import coverage_dashboard
from .customers import (
    customer_detail_view,
    customer_list_csv_view,
    customer_list_view,
    customer_unmatched_view,
)
from .overview import overview_dashboard
from .reports import report_archive_view, report_chart_view, report_list_view, report_pdf_view
from .requests import feature_request_page, feature_requests_dashboard
from .support_ops import support_ops_dashboard

__all__ = [
    "bug_group_page",
    "bugs_dashboard",
    "cohorts_dashboard",
    "cost_dashboard",
    "coverage_dashboard",
    "customer_detail_view",
    "customer_list_csv_view",
    "customer_list_view",
    "customer_unmatched_view",
    "feature_request_page",
    "feature_requests_dashboard",
    "overview_dashboard",
    "report_archive_view",
    "report_chart_view",
    "report_list_view",
    "report_pdf_view",
    "support_ops_dashboard",
]

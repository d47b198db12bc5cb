"""The metric endpoints. No `app_name`: `supportops/urls.py` puts them in the `api` namespace
beside the core's endpoints, all under /api/v1/."""

from django.urls import path

from .allocation import CostAllocationMetricView as Allocation
from .bugs import BugImpactMetricView as BugImpact
from .bugs import BugTicketsMetricView as BugTickets
from .cohorts import CohortsMetricView
from .cost import CostMetricView
from .coverage import CoverageForecastMetricView as Forecast
from .coverage import CoverageMetricView as Coverage
from .margin import SupportMarginMetricView as Margin
from .overview import OverviewMetricView as Overview
from .requests import FeatureRequestCustomersMetricView as RequestCustomers
from .requests import FeatureRequestsMetricView as Requests
from .requests import FeatureRequestTicketsMetricView as RequestTickets
from .support_ops import SupportOpsMetricView as SupportOps
from .ticket_mrr import TicketMrrMetricView as TicketMrr
from .timeline import CustomerTimelineView

urlpatterns = [
    path("metrics/overview/", Overview.as_view(), name="metrics-overview"),
    path("metrics/cost/", CostMetricView.as_view(), name="metrics-cost"),
    path("metrics/cost/allocation/", Allocation.as_view(), name="metrics-cost-allocation"),
    path("metrics/support-vs-revenue/", Margin.as_view(), name="metrics-support-vs-revenue"),
    path("metrics/bug-impact/", BugImpact.as_view(), name="metrics-bug-impact"),
    path("metrics/bug-impact/tickets/", BugTickets.as_view(), name="metrics-bug-tickets"),
    path("metrics/cohorts/", CohortsMetricView.as_view(), name="metrics-cohorts"),
    path("metrics/coverage/", Coverage.as_view(), name="metrics-coverage"),
    path("metrics/coverage/forecast/", Forecast.as_view(), name="metrics-coverage-forecast"),
    path("metrics/feature-requests/", Requests.as_view(), name="metrics-feature-requests"),
    path("metrics/support-ops/", SupportOps.as_view(), name="metrics-support-ops"),
    path("metrics/ticket-mrr/", TicketMrr.as_view(), name="metrics-ticket-mrr"),
    path(
        "metrics/feature-requests/tickets/",
        RequestTickets.as_view(),
        name="metrics-feature-request-tickets",
    ),
    path(
        "metrics/feature-requests/customers/",
        RequestCustomers.as_view(),
        name="metrics-feature-request-customers",
    ),
    path(
        "customers/<int:customer_id>/timeline/",
        CustomerTimelineView.as_view(),
        name="customer-timeline",
    ),
]

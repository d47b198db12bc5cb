from django.urls import path

from . import views

urlpatterns = [
    path("", views.overview_dashboard, name="dashboard-overview"),
    path("cost/", views.cost_dashboard, name="dashboard-cost"),
    path("cohorts/", views.cohorts_dashboard, name="dashboard-cohorts"),
    path("coverage/", views.coverage_dashboard, name="dashboard-coverage"),
    path("support-ops/", views.support_ops_dashboard, name="dashboard-support-ops"),
    path("feature-requests/", views.feature_requests_dashboard, name="dashboard-feature-requests"),
    path("feature-requests/request/", views.feature_request_page, name="dashboard-feature-request"),
    path("bugs/", views.bugs_dashboard, name="dashboard-bugs"),
    path("bugs/group/", views.bug_group_page, name="dashboard-bug-group"),
    path("customers/", views.customer_list_view, name="customers"),
    path("customers/unmatched/", views.customer_unmatched_view, name="customers-unmatched"),
    path("customers/export.csv", views.customer_list_csv_view, name="customers-csv"),
    path("customers/<int:customer_id>/", views.customer_detail_view, name="customer-detail"),
    path("reports/", views.report_list_view, name="report-list"),
    path("reports/<str:month>/", views.report_archive_view, name="report-archive"),
    path("reports/<str:month>/report.pdf", views.report_pdf_view, name="report-pdf"),
    path(
        "reports/<str:month>/charts/<slug:name>.png", views.report_chart_view, name="report-chart"
    ),
]

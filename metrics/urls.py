from django.urls import path

from . import views

urlpatterns = [
    path("", views.cost_dashboard, name="dashboard-cost"),
    path("customers/", views.customer_list_view, name="customers"),
    path("customers/unmatched/", views.customer_unmatched_view, name="customers-unmatched"),
    path("customers/export.csv", views.customer_list_csv_view, name="customers-csv"),
    path("customers/<int:customer_id>/", views.customer_detail_view, name="customer-detail"),
]

"""The metric endpoints. No `app_name`: `supportops/urls.py` puts them in the `api` namespace
beside the core's endpoints, all under /api/v1/."""

from django.urls import path

from .cost import CostMetricView

urlpatterns = [
    path("metrics/cost/", CostMetricView.as_view(), name="metrics-cost"),
]

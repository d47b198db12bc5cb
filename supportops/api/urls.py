"""The core's REST API. `supportops/urls.py` mounts it at /api/v1/, in the `api` namespace with
the metric endpoints (`metrics/api/`). Every endpoint but the token one needs a signed-in user."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from .auth import token_view
from .costs import ExpenseViewSet, TeamMemberViewSet
from .customers import CustomerViewSet
from .docs import ApiDocsView
from .products import ProductRemapViewSet, ProductRuleViewSet, ProductViewSet
from .settings import MetricSettingsView

router = DefaultRouter()
router.register("team-members", TeamMemberViewSet, basename="team-member")
router.register("expenses", ExpenseViewSet, basename="expense")
router.register("customers", CustomerViewSet, basename="customer")
router.register("products", ProductViewSet, basename="product")
router.register("product-rules", ProductRuleViewSet, basename="product-rule")
router.register("product-remaps", ProductRemapViewSet, basename="product-remap")

urlpatterns = [
    path("auth/token/", token_view, name="token"),
    path(
        "schema/",
        SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]),
        name="schema",
    ),
    path("docs/", ApiDocsView.as_view(), name="docs"),
    path("settings/", MetricSettingsView.as_view(), name="settings"),
    *router.urls,
]

"""The metric settings (one row, `MetricSettings`) over the API: read for signed-in users,
PATCH with `supportops.change_metricsettings` (staff) or a superuser. Validation is the model's own (`full_clean`), so messages match admin's."""

from django.db import transaction
from rest_framework import generics, serializers

from supportops.billing import customer_billing_refresh
from supportops.models import MetricSettings

from .permissions import ModelPermissionsOrReadOnly
from .validation import FullCleanMixin

SETTINGS_FIELDS = [
    "reporting_timezone",
    "currency",
    "active_usage_threshold",
    "tickets_per_engineer_day",
    "enterprise_capacity_factor",
    "holiday_country",
    "enterprise_plan_pattern",
    "feature_request_patterns",
    "bug_tags",
    "ltv_cap_months",
    "retention_months",
]


class MetricSettingsSerializer(FullCleanMixin, serializers.ModelSerializer):
    class Meta:
        model = MetricSettings
        fields = SETTINGS_FIELDS


class MetricSettingsView(generics.RetrieveUpdateAPIView):
    """The metric settings: everyone signed in can read; PATCH needs the change permission."""

    queryset = MetricSettings.objects.all()  # the model whose permissions guard a PATCH

    serializer_class = MetricSettingsSerializer
    permission_classes = [ModelPermissionsOrReadOnly]
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        settings = MetricSettings.load()
        self.check_object_permissions(self.request, settings)
        return settings

    def perform_update(self, serializer):
        """A new Enterprise plan pattern re-derives every billed customer's flag at once."""
        before = serializer.instance.enterprise_plan_pattern
        with transaction.atomic():
            settings = serializer.save()
            if settings.enterprise_plan_pattern != before:
                customer_billing_refresh(enterprise_pattern=settings.enterprise_plan_pattern)

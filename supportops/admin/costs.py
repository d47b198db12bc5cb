from django.contrib import admin
from django.db.models import Subquery, Value
from django.db.models.functions import Coalesce

from supportops.models import Expense, MetricSettings, TeamMember

from .base import BaseAdmin
from .display import major_money


def _with_reporting_currency(queryset):
    """Cost inputs are in the reporting currency of MetricSettings (one subquery, no N+1)."""
    currency = MetricSettings.objects.filter(pk=1).values("currency")[:1]
    default = MetricSettings._meta.get_field("currency").default
    return queryset.annotate(cost_currency=Coalesce(Subquery(currency), Value(default)))


@admin.register(TeamMember)
class TeamMemberAdmin(BaseAdmin):
    list_display = ["name", "role", "salary", "benefits", "fte", "start_date", "end_date"]
    list_filter = ["role", "products"]
    search_fields = ["name", "role"]
    filter_horizontal = ["products"]

    salary = major_money("annual_salary", "Annual salary", currency="cost_currency")
    benefits = major_money("annual_benefits", "Annual benefits", currency="cost_currency")

    def get_queryset(self, request):
        return _with_reporting_currency(super().get_queryset(request))


@admin.register(Expense)
class ExpenseAdmin(BaseAdmin):
    list_display = ["name", "kind", "monthly", "start_date", "end_date"]
    list_filter = ["kind"]
    search_fields = ["name"]

    monthly = major_money("monthly_amount", "Monthly amount", currency="cost_currency")

    def get_queryset(self, request):
        return _with_reporting_currency(super().get_queryset(request))


@admin.register(MetricSettings)
class MetricSettingsAdmin(BaseAdmin):
    list_display = ["__str__", "reporting_timezone", "currency", "active_usage_threshold"]

    def has_add_permission(self, request):
        return not MetricSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

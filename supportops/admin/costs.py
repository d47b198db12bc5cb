from django.contrib import admin

from supportops.models import Expense, MetricSettings, Product, ProductRule, TeamMember


@admin.register(TeamMember)
class TeamMemberAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "role",
        "annual_salary",
        "annual_benefits",
        "fte",
        "start_date",
        "end_date",
    ]
    list_filter = ["role", "products"]
    search_fields = ["name", "role"]
    filter_horizontal = ["products"]


@admin.register(Expense)
class ExpenseAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "monthly_amount", "start_date", "end_date"]
    list_filter = ["kind"]
    search_fields = ["name"]


class ProductRuleInline(admin.TabularInline):
    model = ProductRule
    extra = 1


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "is_enterprise_group"]
    inlines = [ProductRuleInline]


@admin.register(MetricSettings)
class MetricSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reporting_timezone", "currency", "active_usage_threshold"]

    def has_add_permission(self, request):
        return not MetricSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

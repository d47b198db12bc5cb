"""GET /api/v1/metrics/coverage/ and /coverage/forecast/: product coverage and the hiring
forecast (DESIGN.md §4)."""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from ..cached import coverage_for_month_cached, hiring_forecast_cached
from ..cost import MonthUnavailable
from .base import MetricView
from .fields import MonthField, money_field, ratio_field
from .params import MetricQuery, MonthQuery

MAX_FORECAST_MONTHS = 24


def engineers_field(**kwargs) -> serializers.DecimalField:
    """Engineers (FTE) as decimal strings with two places."""
    return serializers.DecimalField(max_digits=12, decimal_places=2, **kwargs)


class CoverageRowSerializer(serializers.Serializer):
    product = serializers.CharField(help_text='A product, the Enterprise group, or "Unassigned".')
    tickets = serializers.IntegerField()
    capacity_per_engineer = money_field(help_text="Tickets a full-time engineer handles in M.")
    required_engineers = engineers_field(allow_null=True)
    assigned_engineers = engineers_field()
    assigned_capacity = money_field(help_text="Σ assigned share × that member's capacity.")
    coverage_ratio = ratio_field(allow_null=True, help_text="Tickets / assigned capacity.")
    over_capacity = serializers.BooleanField()


class CoverageResultSerializer(serializers.Serializer):
    month = MonthField()
    business_days = serializers.IntegerField()
    tickets_per_engineer_day = serializers.IntegerField()
    rows = CoverageRowSerializer(many=True)


class CoverageMetricView(MetricView):
    """Tickets per product group in a month against the engineers assigned to it.

    Tickets of enterprise customers count under the Enterprise group whatever their product;
    tickets with no product under "Unassigned" (nobody covers it, never over capacity).
    `coverage_ratio` is null when nobody is assigned. `?format=csv` gives the rows.
    """

    query_class = MonthQuery
    result_class = CoverageResultSerializer

    def compute(self, *, query, now):
        try:
            return coverage_for_month_cached(month=query["month"], now=now)
        except MonthUnavailable as exc:
            raise ValidationError({"month": [f"{exc}."]}) from None


class ForecastQuery(MetricQuery):
    months = serializers.IntegerField(
        required=False,
        default=6,
        min_value=1,
        max_value=MAX_FORECAST_MONTHS,
        help_text="Months to forecast from the current one on, 1 to 24 (default 6).",
    )


class HistorySerializer(serializers.Serializer):
    month = MonthField()
    tickets = serializers.IntegerField()


class ForecastPointSerializer(serializers.Serializer):
    month = MonthField()
    projected_tickets = money_field()
    required_engineers = engineers_field(allow_null=True)
    assigned_engineers = engineers_field()
    hires_needed = serializers.IntegerField()


class GroupForecastSerializer(serializers.Serializer):
    product = serializers.CharField()
    history = HistorySerializer(many=True)
    forecast = ForecastPointSerializer(many=True)
    first_over_capacity_month = MonthField(allow_null=True)
    hires_needed = serializers.IntegerField(help_text="The most hires any forecast month needs.")
    hire_monthly_cost = money_field(allow_null=True)
    reason = serializers.CharField(help_text="Why there is no forecast; empty when there is one.")


class ForecastResultSerializer(serializers.Serializer):
    months = serializers.IntegerField()
    currency = serializers.CharField()
    groups = GroupForecastSerializer(many=True)
    total_hires_needed = serializers.IntegerField()
    total_monthly_cost = money_field()


class CoverageForecastMetricView(MetricView):
    """Per product group: a least-squares projection of tickets and the hires it needs.

    `?format=csv` gives one row per group and forecast month (a group without a forecast: one
    row with its reason).
    """

    query_class = ForecastQuery
    result_class = ForecastResultSerializer
    csv_header = [
        "product",
        "month",
        "projected_tickets",
        "required_engineers",
        "assigned_engineers",
        "hires_needed",
        "first_over_capacity_month",
        "hire_monthly_cost",
        "reason",
    ]

    def compute(self, *, query, now):
        return hiring_forecast_cached(months=query["months"], now=now)

    def csv_rows(self, data):
        rows = []
        for group in data["groups"]:
            common = {
                "product": group["product"],
                "first_over_capacity_month": group["first_over_capacity_month"],
                "hire_monthly_cost": group["hire_monthly_cost"],
                "reason": group["reason"],
            }
            if not group["forecast"]:
                rows.append(common)
            rows += [{**common, **point} for point in group["forecast"]]
        return rows

"""GET /api/v1/metrics/cost/: a month's team cost and what it buys (DESIGN.md §4)."""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from ..cached import cost_for_month_cached
from ..cost import MonthUnavailable
from .base import MetricView
from .fields import MonthField, money_field
from .params import MetricQuery


class CostQuerySerializer(MetricQuery):
    month = MonthField(help_text="Calendar month in the reporting time zone, YYYY-MM.")


class CostResultSerializer(serializers.Serializer):
    month = MonthField()
    currency = serializers.CharField()
    team_cost = money_field()
    tickets = serializers.IntegerField()
    cost_per_ticket = money_field(allow_null=True)
    replies = serializers.IntegerField()
    cost_per_reply = money_field(allow_null=True)
    interactions = serializers.IntegerField()
    cost_per_interaction = money_field(allow_null=True)
    open_days = money_field(help_text="Days tickets were open in the month, fractional.")
    cost_per_open_day = money_field(allow_null=True)
    in_progress = serializers.BooleanField(
        help_text="The month is under way: figures cover its days through yesterday."
    )
    days_covered = serializers.IntegerField(help_text="Days of the month the figures cover.")


class CostMetricView(MetricView):
    """Team cost of a month and the cost per ticket, reply, interaction and open day.

    Money is a decimal string with two places; a per-unit cost is null when there was
    nothing to divide by. The month in progress covers the days through yesterday (reporting
    time zone); a month that has not started is refused with 400. `?format=csv` gives the
    same figures as one CSV row.
    """

    query_class = CostQuerySerializer
    result_class = CostResultSerializer

    def compute(self, *, query, now):
        try:
            return cost_for_month_cached(month=query["month"], now=now)
        except MonthUnavailable as exc:
            raise ValidationError({"month": [f"{exc}."]}) from None

    def csv_rows(self, data):
        return [data]

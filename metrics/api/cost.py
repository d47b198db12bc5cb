"""GET /api/v1/metrics/cost/: a month's team cost and what it buys (DESIGN.md §4)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..cost import cost_for_month
from .fields import MonthField, money_field


class CostQuerySerializer(serializers.Serializer):
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


class CostMetricView(APIView):
    """Team cost of a month and the cost per ticket, reply, interaction and open day.

    Money is a decimal string with two places; a per-unit cost is null when there was
    nothing to divide by.
    """

    @extend_schema(parameters=[CostQuerySerializer], responses=CostResultSerializer)
    def get(self, request):
        query = CostQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = cost_for_month(month=query.validated_data["month"], now=timezone.now())
        return Response(CostResultSerializer(result).data)

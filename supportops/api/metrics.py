"""Metrics over the API: the same functions and results the dashboards use."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from metrics.cost import cost_for_month
from metrics.periods import BadPeriod, Month


@extend_schema_field({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "example": "2016-01"})
class MonthField(serializers.Field):
    default_error_messages = {
        "required": "Give the month as YYYY-MM, e.g. ?month=2024-01.",
        "null": "Give the month as YYYY-MM, e.g. ?month=2024-01.",
    }

    def to_internal_value(self, data):
        try:
            return Month.parse(data)
        except BadPeriod as exc:
            raise serializers.ValidationError(str(exc)) from None

    def to_representation(self, value):
        return str(value)


def _money(**kwargs):
    return serializers.DecimalField(max_digits=20, decimal_places=2, **kwargs)


class CostQuerySerializer(serializers.Serializer):
    month = MonthField(help_text="Calendar month in the reporting time zone, YYYY-MM.")


class CostResultSerializer(serializers.Serializer):
    month = MonthField()
    currency = serializers.CharField()
    team_cost = _money()
    tickets = serializers.IntegerField()
    cost_per_ticket = _money(allow_null=True)
    replies = serializers.IntegerField()
    cost_per_reply = _money(allow_null=True)
    interactions = serializers.IntegerField()
    cost_per_interaction = _money(allow_null=True)
    open_days = _money(help_text="Days tickets were open in the month, fractional.")
    cost_per_open_day = _money(allow_null=True)


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

"""Serializer fields shared by the metric endpoints: months, money, rates and ratios."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..periods import BadPeriod, Month


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


def money_field(**kwargs) -> serializers.DecimalField:
    """Money as a decimal string with two places (results are already quantized to cents)."""
    return serializers.DecimalField(max_digits=20, decimal_places=2, **kwargs)


def ratio_field(**kwargs) -> serializers.DecimalField:
    """Rates and shares (0 to 1) and ratios (can exceed 1) as decimal strings with four places."""
    return serializers.DecimalField(max_digits=20, decimal_places=4, **kwargs)


def calls_field(**kwargs) -> serializers.DecimalField:
    """Average API calls as decimal strings with two places."""
    return serializers.DecimalField(max_digits=24, decimal_places=2, **kwargs)

"""GET /api/v1/metrics/overview/: the Overview's headlines for a month, the numbers the landing
page shows (issue #8)."""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from ..cost import MonthUnavailable
from ..overview_cache import overview_cached
from ..overview_results import COUNT, MINUTES, MONEY
from .base import MetricView
from .fields import MonthField, ratio_field
from .params import MonthQuery


def _figure(value, unit: str) -> str | int | None:
    """Money with two places, minutes with one, shares with four (as decimal strings), counts
    as integers."""
    if value is None:
        return None
    if unit == COUNT:
        return int(value)
    if unit == MINUTES:
        return f"{value:.1f}"
    return f"{value:.2f}" if unit == MONEY else f"{value:.4f}"


class WindowSerializer(serializers.Serializer):
    start = MonthField()
    end = MonthField()


class HeadlineSerializer(serializers.Serializer):
    key = serializers.CharField()
    question = serializers.CharField()
    label = serializers.CharField()
    value = serializers.SerializerMethodField(
        help_text="Money as a string with 2 places, minutes with 1, shares with 4, counts as "
        "integers; null when there is nothing to show (`note` says why)."
    )
    previous = serializers.SerializerMethodField(help_text="The same figure, the period before.")
    change = ratio_field(
        source="change.ratio", allow_null=True, help_text="value / previous − 1 (null: none)."
    )
    against = serializers.CharField(source="change.against", help_text='"Mar 2016", a window…')
    higher_is_worse = serializers.BooleanField(source="change.higher_is_worse")
    unit = serializers.CharField(help_text="money, count, share or minutes.")
    period = serializers.CharField(help_text="What `value` covers: a month or a window.")
    link = serializers.CharField(help_text="The page answering the question, same period.")
    reading = serializers.CharField()
    note = serializers.CharField()

    def get_value(self, headline) -> str | int | None:
        return _figure(headline.value, headline.unit)

    def get_previous(self, headline) -> str | int | None:
        return _figure(headline.previous, headline.unit)


class OverviewResultSerializer(serializers.Serializer):
    month = MonthField()
    window = WindowSerializer(help_text="The 3 months ending with `month`.")
    previous_window = WindowSerializer()
    currency = serializers.CharField()
    has_data = serializers.BooleanField(help_text="False before the first ticket is synced.")
    rows = HeadlineSerializer(many=True, source="headlines")


class OverviewMetricView(MetricView):
    """One headline per question for the month (default: the last complete one), each with
    the same figure of the month before, or of the 3 months ending the month before for the
    figures over a window (the 3 months ending with `month`), and the page it links to.

    `?format=csv` gives one row per headline.
    """

    query_class = MonthQuery
    result_class = OverviewResultSerializer
    csv_header = [
        "key",
        "question",
        "label",
        "value",
        "previous",
        "change",
        "unit",
        "period",
        "link",
    ]

    def compute(self, *, query, now):
        try:
            return overview_cached(month=query["month"], now=now)
        except MonthUnavailable as exc:
            raise ValidationError({"month": [f"{exc}."]}) from None

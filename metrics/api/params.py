"""Query parameters every metric endpoint reads the same way (issue 7's conventions).

A month is `month=YYYY-MM`; a window `start=YYYY-MM&end=YYYY-MM`, both included, by default the
last 3 complete months; `format=csv` picks CSV. Any other parameter, or a bad value, is a 400
whose message names it, so a typo never silently returns the default answer.
"""

from __future__ import annotations

from rest_framework import serializers

from ..periods import BadPeriod, Window
from .fields import MonthField

# Understood by every endpoint: DRF's format override, and (on paginated lists) the page.
COMMON_PARAMS = frozenset({"format"})
MAX_PAGE_SIZE = 500


class MetricQuery(serializers.Serializer):
    """Refuses parameters it does not know, naming them."""

    extra_params: frozenset[str] = frozenset()

    def to_internal_value(self, data):
        known = set(self.fields) | COMMON_PARAMS | self.extra_params
        unknown = sorted(set(data) - known)
        if unknown:
            raise serializers.ValidationError(
                {
                    name: [f"Unknown parameter; this endpoint takes {', '.join(sorted(known))}."]
                    for name in unknown
                }
            )
        return super().to_internal_value(data)


class MonthQuery(MetricQuery):
    month = MonthField(
        required=False, help_text="Calendar month in the reporting time zone, YYYY-MM."
    )


class WindowQuery(MetricQuery):
    start = MonthField(required=False, help_text="First month, YYYY-MM (default: 3 months ago).")
    end = MonthField(required=False, help_text="Last month, YYYY-MM, included.")

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if (start is None) != (end is None):
            missing = "end" if end is None else "start"
            raise serializers.ValidationError({missing: ["Give both start and end, or neither."]})
        if start is not None:
            try:
                attrs["window"] = Window(start, end)
            except BadPeriod as exc:
                raise serializers.ValidationError({"end": [f"{exc}."]}) from None
        return attrs


class PageQuery(MetricQuery):
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=50
    )


class WindowPageQuery(WindowQuery, PageQuery):
    pass

"""GET /api/v1/metrics/cohorts/: customers who talked to support against those who did not
(DESIGN.md §4 "Support cohorts")."""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from ..cached import support_cohorts_cached
from ..cohort_results import VARIANTS, WINDOW
from ..cohorts import WindowUnavailable
from .base import MetricView
from .fields import MonthField, calls_field, ratio_field
from .params import WindowQuery

COHORTS = ("support", "no_support")


class CohortsQuerySerializer(WindowQuery):
    variant = serializers.ChoiceField(
        choices=VARIANTS,
        required=False,
        default=WINDOW,
        help_text="`window` (default): a ticket created in the window or none. "
        "`first_30_days`: customers who signed up in the window, by a ticket within 30 days "
        "of signup.",
        error_messages={
            "invalid_choice": f"Unknown variant {{input!r}}; use {' or '.join(VARIANTS)}.",
        },
    )


class CohortSerializer(serializers.Serializer):
    customers = serializers.IntegerField()
    avg_monthly_api_calls = calls_field(
        allow_null=True, help_text="Mean over customers of their mean monthly API calls."
    )
    active_customers = serializers.IntegerField(
        help_text="Customers whose mean monthly API calls exceed active_threshold."
    )
    active_avg_monthly_api_calls = calls_field(allow_null=True)
    paid_conversion_rate = ratio_field(allow_null=True)
    retention_rate = ratio_field(
        allow_null=True,
        help_text="Of those paying at the start of the window, the share paying at "
        "retention_on; null while that is in the future, and in the first_30_days variant.",
    )


class CohortsResultSerializer(serializers.Serializer):
    start = MonthField(source="window.start")
    end = MonthField(source="window.end")
    variant = serializers.CharField()
    active_threshold = serializers.IntegerField()
    retention_months = serializers.IntegerField()
    retention_on = serializers.DateField(
        allow_null=True,
        help_text="Retention is measured at the start of this day (reporting time zone): "
        "retention_months after the window. Null in the first_30_days variant.",
    )
    customers_without_signup_date = serializers.IntegerField(
        help_text="Left out of both cohorts: no source reports when they signed up."
    )
    support = CohortSerializer(
        help_text="Customers with a ticket (in the window, or within 30 days of signup)."
    )
    no_support = CohortSerializer()


class CohortsMetricView(MetricView):
    """Support cohorts: customers with a ticket against customers without, over a window.

    API calls are decimal strings with two places, rates with four; null where there is
    nothing to divide by. A window is offered once its figures cannot change: it must have
    ended (the first_30_days variant: also each customer's 90 days and 3 months after its
    signup month), else 400. The default window is the latest 3 such months. `?format=csv`
    gives two rows, cohort = support and no_support, with the same numbers.
    """

    query_class = CohortsQuerySerializer
    result_class = CohortsResultSerializer
    csv_header = [
        "cohort",
        "start",
        "end",
        "variant",
        "active_threshold",
        "customers",
        "avg_monthly_api_calls",
        "active_customers",
        "active_avg_monthly_api_calls",
        "paid_conversion_rate",
        "retention_rate",
    ]

    def compute(self, *, query, now):
        # The default window depends on the variant, so only an asked-for window is passed.
        window = query["window"] if "start" in query else None
        try:
            return support_cohorts_cached(window=window, variant=query["variant"], now=now)
        except WindowUnavailable as exc:
            raise ValidationError({"end": [f"{exc}."]}) from None

    def csv_rows(self, data):
        shared = {key: data[key] for key in ("start", "end", "variant", "active_threshold")}
        return [{"cohort": name, **shared, **data[name]} for name in COHORTS]

"""GET /api/v1/metrics/support-ops/: a month's support operations by product, channel or plan
(DESIGN.md §4 "Support operations")."""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from ..cached import support_ops_cached
from ..cost import MonthUnavailable
from ..support_ops_results import BY_PRODUCT, GROUPINGS
from .base import MetricView
from .fields import MonthField, ratio_field
from .params import MonthQuery


def minutes_field(**kwargs) -> serializers.DecimalField:
    """Median minutes as decimal strings with one place (rounded half up); null without data."""
    return serializers.DecimalField(max_digits=20, decimal_places=1, allow_null=True, **kwargs)


class SupportOpsQuery(MonthQuery):
    by = serializers.ChoiceField(
        choices=GROUPINGS,
        required=False,
        default=BY_PRODUCT,
        help_text="Group by product (default; enterprise customers' tickets in the Enterprise "
        "group, no product: Unassigned), channel, or plan (of the customer's paying "
        "subscription at the end of the month, else No plan).",
        error_messages={"invalid_choice": f"Use one of {', '.join(GROUPINGS)}, not {{input!r}}."},
    )


class SupportOpsRowSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text='Product name ("Unassigned": none), channel ("(none)": none), plan name '
        '("No plan"), or "Total".'
    )
    label = serializers.CharField()
    created = serializers.IntegerField(help_text="Tickets created in the month.")
    solved = serializers.IntegerField(help_text="Tickets solved in the month.")
    backlog_end = serializers.IntegerField(
        help_text="Created before the month's end and not solved by then."
    )
    median_first_reply_minutes = minutes_field(
        help_text="Of tickets created in the month: first agent public reply − creation. "
        "Tickets without an agent reply are left out."
    )
    vendor_median_first_reply_minutes = minutes_field(
        help_text="The same tickets' vendor value (Zendesk reply_time_in_minutes.calendar, "
        "Intercom time_to_admin_reply), where given."
    )
    median_resolution_minutes = minutes_field(
        help_text="Of tickets solved in the month: solved − created."
    )
    vendor_median_resolution_minutes = minutes_field(
        help_text="The same tickets' vendor full-resolution value, where given."
    )
    one_touch_rate = ratio_field(
        allow_null=True,
        help_text="Share of tickets solved in the month with exactly one agent public reply.",
    )
    reopens = serializers.IntegerField(
        allow_null=True,
        help_text="Σ the vendor's reopen count over tickets solved in the month; null if none "
        "of them has one.",
    )


class SupportOpsResultSerializer(serializers.Serializer):
    month = MonthField()
    by = serializers.CharField()
    in_progress = serializers.BooleanField(
        help_text="The month is under way: counts so far, the backlog as of now."
    )
    rows = SupportOpsRowSerializer(many=True)
    total = SupportOpsRowSerializer(
        help_text="Over every ticket: its medians rank all tickets, not the groups' medians."
    )


class SupportOpsMetricView(MetricView):
    """Tickets created, solved and open at the month's end; median first reply and resolution,
    recomputed from the messages beside the vendor's own values; one-touch rate and reopens.

    Medians are in minutes with one decimal place; with an even count, the mean of the two
    middle values. Deleted tickets never count. The default month is the last complete one; a
    month not started is a 400. `?format=csv` gives the rows and then the total, marked by
    `is_total`.
    """

    query_class = SupportOpsQuery
    result_class = SupportOpsResultSerializer
    csv_header = [*SupportOpsRowSerializer().fields, "is_total"]

    def compute(self, *, query, now):
        try:
            return support_ops_cached(month=query["month"], by=query["by"], now=now)
        except MonthUnavailable as exc:
            raise ValidationError({"month": [f"{exc}."]}) from None

    def csv_rows(self, data):
        rows = [{**row, "is_total": False} for row in data["rows"]]
        return [*rows, {**data["total"], "is_total": True}]

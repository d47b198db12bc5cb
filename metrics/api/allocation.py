"""GET /api/v1/metrics/cost/allocation/: where a month's team cost goes (DESIGN.md §4
"Cost allocation")."""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from ..allocation_results import BASES, BASIS_REPLIES, BY_CHANNEL, GROUPINGS
from ..cached import cost_allocation_cached
from ..cost import MonthUnavailable
from .base import MetricView
from .fields import MonthField, money_field, ratio_field
from .params import MonthQuery


def _choice(choices, default, help_text):
    return serializers.ChoiceField(
        choices=choices,
        required=False,
        default=default,
        help_text=help_text,
        error_messages={"invalid_choice": f"Use one of {', '.join(choices)}, not {{input!r}}."},
    )


class AllocationQuerySerializer(MonthQuery):
    by = _choice(
        GROUPINGS,
        BY_CHANNEL,
        "Group by channel (default), bucket (paying, free, unlinked at the end of the month), "
        "plan (of the paying subscription at the end of the month, else No plan) or customer.",
    )
    basis = _choice(
        BASES,
        BASIS_REPLIES,
        "Share the cost by agent public replies in the month (default) or tickets created in it.",
    )


class AllocationRowSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text="Channel, bucket (paying/free/unlinked), plan name, or customer id "
        "(`unlinked` for tickets of no customer)."
    )
    label = serializers.CharField()
    tickets = serializers.IntegerField(help_text="Created in the month, deleted excluded.")
    replies = serializers.IntegerField(help_text="Agent public replies in the month.")
    share = ratio_field(allow_null=True, help_text="Of the basis total; null when not allocated.")
    allocated_cost = money_field(
        allow_null=True, help_text="The rows add up to team_cost; null when not allocated."
    )
    cost_per_ticket = money_field(
        allow_null=True, help_text="allocated_cost / tickets; null without tickets."
    )


class AllocationResultSerializer(serializers.Serializer):
    month = MonthField()
    by = serializers.CharField()
    basis = serializers.CharField()
    currency = serializers.CharField()
    team_cost = money_field()
    in_progress = serializers.BooleanField(
        help_text="The month is under way: cost and counts cover its days through yesterday."
    )
    days_covered = serializers.IntegerField()
    tickets = serializers.IntegerField(help_text="Total over the rows.")
    replies = serializers.IntegerField(help_text="Total over the rows.")
    allocated = serializers.BooleanField(
        help_text="False when the basis total is 0: nothing is allocated (see note)."
    )
    note = serializers.CharField(allow_blank=True)
    rows = AllocationRowSerializer(many=True)


class CostAllocationMetricView(MetricView):
    """A month's team cost shared out over its tickets, by channel, bucket, plan or customer.

    A ticket's share is its agent public replies in the month (basis=replies, default) or 1 if
    it was created in the month (basis=tickets), over the month's total; a group gets team cost
    × its share, rounded by largest remainder so the rows add up to team_cost to the cent.
    When the basis total is 0, `allocated` is false, the costs are null and `note` says why.
    The default month is the last complete one; the month in progress covers its days through
    yesterday; one not started is a 400. `?format=csv` gives the rows.
    """

    query_class = AllocationQuerySerializer
    result_class = AllocationResultSerializer
    csv_header = list(AllocationRowSerializer().fields)

    def compute(self, *, query, now):
        try:
            return cost_allocation_cached(
                month=query["month"], by=query["by"], basis=query["basis"], now=now
            )
        except MonthUnavailable as exc:
            raise ValidationError({"month": [f"{exc}."]}) from None

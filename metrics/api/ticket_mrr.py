"""GET /api/v1/metrics/ticket-mrr/?month=: MRR of the customers who filed tickets in a month."""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from ..cost import MonthUnavailable
from ..ticket_mrr import ticket_customer_mrr
from .base import MetricView
from .fields import MonthField, money_field
from .params import MonthQuery


class TicketMrrSerializer(serializers.Serializer):
    month = MonthField()
    currency = serializers.CharField()
    at = serializers.DateTimeField(help_text="The instant the MRR is read at: the month's end.")
    customers = serializers.IntegerField(help_text="Distinct customers with a ticket in M.")
    paying_customers = serializers.IntegerField()
    mrr = money_field(help_text="Σ their MRR at `at`, in the reporting currency.")
    other_currency_customers = serializers.IntegerField()
    in_progress = serializers.BooleanField()


class TicketMrrMetricView(MetricView):
    """MRR at the end of month M of the customers who filed a ticket created in M (the month
    in progress: MRR now). `?format=csv` gives the one row."""

    query_class = MonthQuery
    result_class = TicketMrrSerializer

    def compute(self, *, query, now):
        try:
            return ticket_customer_mrr(month=query["month"], now=now)
        except MonthUnavailable as exc:
            raise ValidationError({"month": [f"{exc}."]}) from None

    def csv_rows(self, data):
        return [data]

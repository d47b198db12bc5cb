"""GET /api/v1/metrics/feature-requests/ and its drill-downs: what customers ask for, weighed by
what they are worth (DESIGN.md §4 "Feature requests", "LTV")."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from ..cached import feature_request_detail_cached, feature_requests_cached
from ..periods import BadPeriod
from ..requests import UnknownRequest
from .base import MetricView
from .fields import MonthField, money_field, ratio_field
from .paging import paginate
from .params import WindowPageQuery, WindowQuery

ROW_FIELDS = [
    "name",
    "label",
    "tickets",
    "customers",
    "ltv_sum",
    "mrr_sum",
    "realized_revenue_sum",
    "other_currency_customers",
    "unlinked_tickets",
]


class LtvBasisSerializer(serializers.Serializer):
    churn_rate = ratio_field(
        allow_null=True,
        help_text="Monthly: mean over the 12 complete months before today that had paying "
        "customers at their start of (stopped paying ÷ paying at the start); null when none had.",
    )
    lifetime_months = money_field(help_text="1 ÷ churn_rate, capped at cap_months.")
    cap_months = serializers.IntegerField()
    months_measured = serializers.IntegerField(
        help_text="Of the 12 months, those with paying customers at their start."
    )


class FeatureRequestRowSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Trimmed of spaces and quotes, case-folded: the key.")
    label = serializers.CharField(help_text="The most frequent spelling as typed.")
    tickets = serializers.IntegerField()
    customers = serializers.IntegerField(help_text="Distinct customers behind the tickets.")
    ltv_sum = money_field(help_text="Σ of those customers' LTV (MRR × lifetime_months).")
    mrr_sum = money_field(help_text="Σ of their current MRR.")
    realized_revenue_sum = money_field(help_text="Σ of their paid invoices, all time.")
    other_currency_customers = serializers.IntegerField(
        help_text="Customers billed in another currency than `currency`: not in the sums."
    )
    unlinked_tickets = serializers.IntegerField(help_text="Tickets linked to no customer.")


class PatternProblemSerializer(serializers.Serializer):
    pattern = serializers.CharField()
    reason = serializers.CharField()


class FeatureRequestsResultSerializer(serializers.Serializer):
    start = MonthField(source="window.start")
    end = MonthField(source="window.end")
    currency = serializers.CharField(help_text="The reporting currency of every sum.")
    ltv = LtvBasisSerializer(source="basis")
    patterns = serializers.ListField(child=serializers.CharField())
    skipped_patterns = PatternProblemSerializer(many=True)
    rows = FeatureRequestRowSerializer(many=True)


def _window_or_400(call):
    try:
        return call()
    except BadPeriod as exc:
        raise ValidationError({"end": [f"{exc}."]}) from None


class FeatureRequestsMetricView(MetricView):
    """Requested things of a window: tickets, distinct customers, their LTV, MRR and realized
    revenue, ranked by LTV sum (then tickets, then name).

    A ticket created in the window (deleted ones excluded) asks for the `name` group of the
    first configured pattern its subject matches. Money is in the reporting currency, decimal
    strings with two places; customers billed in another currency are counted, not summed.
    Patterns that cannot be used (no `name` group, invalid) are listed in skipped_patterns.
    `?format=csv` gives the rows.
    """

    query_class = WindowQuery
    result_class = FeatureRequestsResultSerializer
    csv_header = ROW_FIELDS

    def compute(self, *, query, now):
        return _window_or_400(lambda: feature_requests_cached(window=query["window"], now=now))


class FeatureRequestQuery(WindowPageQuery):
    name = serializers.CharField(
        help_text="A requested thing, as the list names it (any case; quotes are trimmed).",
        error_messages={
            "required": "Give the requested thing, e.g. ?name=salesforce.",
            "blank": "Give the requested thing, e.g. ?name=salesforce.",
        },
    )


class RequestTicketSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.CharField()
    external_id = serializers.CharField()
    subject = serializers.CharField()
    customer_id = serializers.IntegerField(allow_null=True)
    customer = serializers.CharField(allow_null=True, help_text="The customer's name.")
    created_at = serializers.DateTimeField()


class RequestPageSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    start = MonthField()
    end = MonthField()
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class RequestTicketsResultSerializer(RequestPageSerializer):
    rows = RequestTicketSerializer(many=True)


def _detail(query, now):
    try:
        return _window_or_400(
            lambda: feature_request_detail_cached(
                name=query["name"], window=query["window"], now=now
            )
        )
    except UnknownRequest as exc:
        raise ValidationError({"name": [f"{str(exc)[0].upper()}{str(exc)[1:]}."]}) from None


def _page(request, query, detail, rows) -> dict:
    return {
        "name": detail.row.name,
        "label": detail.row.label,
        "start": detail.window.start,
        "end": detail.window.end,
        "currency": detail.currency,
        **paginate(request, rows, page=query["page"], page_size=query["page_size"]),
    }


class FeatureRequestTicketsMetricView(MetricView):
    """The tickets behind one requested thing in a window, newest first, paginated
    (`page`, `page_size` ≤ 500). A name no ticket of the window asks for is a 400 naming it.
    `?format=csv` gives every one of them."""

    query_class = FeatureRequestQuery
    result_class = RequestTicketsResultSerializer
    csv_header = list(RequestTicketSerializer().fields)

    def compute(self, *, query, now):
        detail = _detail(query, now)
        return _page(self.request, query, detail, detail.tickets)


class RequestCustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    currency = serializers.CharField()
    tickets = serializers.IntegerField(help_text="Its tickets for this thing in the window.")
    mrr = money_field()
    ltv = money_field(help_text="MRR × lifetime_months.")
    realized_revenue = money_field(help_text="Σ of its paid invoices, all time.")
    in_sums = serializers.BooleanField(
        help_text="Billed in the reporting currency, so counted in the list's sums."
    )


class RequestCustomersResultSerializer(RequestPageSerializer):
    currency = serializers.CharField(help_text="The reporting currency of the list's sums.")
    rows = RequestCustomerSerializer(many=True)


class FeatureRequestCustomersMetricView(MetricView):
    """The customers behind one requested thing in a window, reporting-currency customers first,
    then by LTV, paginated (`page`, `page_size` ≤ 500). Money in each customer's currency.
    `?format=csv` gives every one of them."""

    query_class = FeatureRequestQuery
    result_class = RequestCustomersResultSerializer
    csv_header = list(RequestCustomerSerializer().fields)

    def compute(self, *, query, now):
        detail = _detail(query, now)
        return _page(self.request, query, detail, detail.customers)

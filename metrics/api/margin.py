"""GET /api/v1/metrics/support-vs-revenue/: support cost against revenue per customer
(DESIGN.md §4 "Support cost vs revenue")."""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from ..cached import support_margin_cached
from ..cost import MonthUnavailable
from .base import MetricView
from .fields import MonthField, money_field, ratio_field
from .paging import page_links, wants_csv
from .params import WindowPageQuery


class MarginQuerySerializer(WindowPageQuery):
    unprofitable = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: only the customers whose support cost exceeds their revenue.",
    )


class MarginRowSerializer(serializers.Serializer):
    customer_id = serializers.IntegerField()
    customer = serializers.CharField(help_text="The customer's name.")
    plan = serializers.CharField(
        help_text="Plan of its paying subscription at the end of the window, else No plan."
    )
    support_cost = money_field(help_text="Σ over the months of its allocated cost (replies).")
    revenue = money_field(help_text="Σ paid on its invoices paid in the window.")
    margin = money_field(help_text="revenue − support_cost.")
    cost_to_revenue = ratio_field(allow_null=True, help_text="Null when revenue is 0.")
    unprofitable = serializers.BooleanField(help_text="support_cost > revenue.")
    other_currency_invoices = serializers.IntegerField(
        help_text="Its invoices paid in the window in another currency: not in revenue."
    )


class MarginResultSerializer(serializers.Serializer):
    start = MonthField(source="window.start")
    end = MonthField(source="window.end")
    currency = serializers.CharField(help_text="The reporting currency of every amount.")
    in_progress = serializers.BooleanField(
        help_text="The window ends with the month in progress, counted through yesterday."
    )
    skipped_other_currency = serializers.IntegerField(
        help_text="Invoices paid in the window in another currency: left out of revenue."
    )
    unprofitable_customers = serializers.IntegerField(
        help_text="Customers whose support cost exceeds their revenue (whatever the filter)."
    )
    count = serializers.IntegerField(help_text="Rows in the whole list (after the filter).")
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    rows = MarginRowSerializer(many=True)


class SupportMarginMetricView(MetricView):
    """Per customer over a window: support cost (its allocated cost, reply basis, summed over
    the months), revenue (invoices paid in the window, reporting currency), margin and
    cost-to-revenue; worst margin first. Customers with neither cost nor revenue are left
    out; invoices in another currency are counted in skipped_other_currency.

    Paginated (`page`, `page_size` ≤ 500). `?format=csv` gives the whole list, every page.
    """

    query_class = MarginQuerySerializer
    result_class = MarginResultSerializer
    csv_header = list(MarginRowSerializer().fields)

    def compute(self, *, query, now):
        """One page from the database (the whole list for a CSV), with its counts."""
        everything = wants_csv(self.request)
        page, page_size = (1, None) if everything else (query["page"], query["page_size"])
        offset = (page - 1) * (page_size or 0)
        try:
            result = support_margin_cached(
                window=query["window"],
                now=now,
                unprofitable_only=query["unprofitable"],
                offset=offset,
                limit=page_size,
            )
        except MonthUnavailable as exc:
            raise ValidationError({"end": [f"{exc}."]}) from None
        has_next = page_size is not None and offset + page_size < result.count
        following, before = page_links(self.request, page=page, has_next=has_next)
        return {
            "window": result.window,
            "currency": result.currency,
            "in_progress": result.in_progress,
            "skipped_other_currency": result.skipped_other_currency,
            "unprofitable_customers": result.unprofitable_count,
            "count": result.count,
            "page": page,
            "page_size": result.count if everything else page_size,
            "next": following,
            "previous": before,
            "rows": list(result.rows),
        }

"""GET /api/v1/metrics/bug-impact/ and /bug-impact/tickets/: what each bug costs in customers,
revenue at stake and support (DESIGN.md §4 "Bug impact")."""

from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from ..bug_tickets import BadBugKey
from ..cached import bug_group_tickets_cached, bug_impact_cached
from ..cost import MonthUnavailable
from .base import MetricView
from .fields import MonthField, money_field, ratio_field
from .paging import page_links, wants_csv
from .params import WindowPageQuery, WindowQuery


def _window_or_400(call):
    try:
        return call()
    except MonthUnavailable as exc:
        raise ValidationError({"end": [f"{exc}."]}) from None


class BugGroupSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="problem:<source>:<ticket id> or tag:<tag>.")
    kind = serializers.ChoiceField(choices=["problem", "tag"])
    title = serializers.CharField(help_text="The problem ticket's subject, or the tag.")
    tickets = serializers.IntegerField(help_text="The group's tickets created in the window.")
    customers = serializers.IntegerField(help_text="Distinct customers of those tickets.")
    mrr = money_field(help_text="Their current MRR (customers billed in `currency`).")
    arr = money_field(help_text="12 × mrr.")
    ltv_sum = money_field(help_text="mrr × lifetime_months.")
    support_cost = money_field(
        help_text="Σ over the tickets and months of team cost × replies / all replies."
    )


class BugImpactResultSerializer(serializers.Serializer):
    start = MonthField(source="window.start")
    end = MonthField(source="window.end")
    currency = serializers.CharField()
    in_progress = serializers.BooleanField(
        help_text="The window ends with the month in progress, counted through yesterday."
    )
    bug_tags = serializers.ListField(child=serializers.CharField())
    churn_rate = ratio_field(allow_null=True, help_text="Monthly churn behind the LTV.")
    lifetime_months = money_field(help_text="Expected lifetime: 1 / churn_rate, capped.")
    cap_months = serializers.IntegerField()
    customers_other_currency = serializers.IntegerField(
        help_text="Affected customers billed in another currency: not in any mrr."
    )
    rows = BugGroupSerializer(many=True)


class BugImpactMetricView(MetricView):
    """Bug groups with a ticket created in the window, most MRR affected first.

    A group is a problem ticket with its linked incidents, or a bug tag (MetricSettings.bug_tags)
    on tickets linked to no problem; only its tickets created in the window count. Money in the
    reporting currency, decimal strings with two places. `?format=csv` gives the rows.
    """

    query_class = WindowQuery
    result_class = BugImpactResultSerializer
    csv_header = list(BugGroupSerializer().fields)

    def compute(self, *, query, now):
        return _window_or_400(lambda: bug_impact_cached(window=query["window"], now=now))


class BugTicketsQuerySerializer(WindowPageQuery):
    key = serializers.CharField(
        help_text="A group's key from /metrics/bug-impact/: problem:<source>:<id> or tag:<tag>.",
        error_messages={
            "required": "Give a group's key, e.g. ?key=tag:bug.",
            "blank": "Give a group's key, e.g. ?key=tag:bug.",
        },
    )


class BugTicketSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.CharField()
    external_id = serializers.CharField()
    subject = serializers.CharField(allow_blank=True)
    customer_id = serializers.IntegerField(allow_null=True)
    customer = serializers.CharField(allow_null=True, help_text="The customer's name.")
    channel = serializers.CharField(allow_blank=True)
    status = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class BugTicketsResultSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    start = MonthField(source="window.start")
    end = MonthField(source="window.end")
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    rows = BugTicketSerializer(many=True)


class BugTicketsMetricView(MetricView):
    """The tickets behind one bug group created in the window, newest first. Paginated
    (`page`, `page_size` ≤ 500); `?format=csv` gives every ticket of the group."""

    query_class = BugTicketsQuerySerializer
    result_class = BugTicketsResultSerializer
    csv_header = list(BugTicketSerializer().fields)

    def compute(self, *, query, now):
        everything = wants_csv(self.request)
        try:
            listed = _window_or_400(
                lambda: bug_group_tickets_cached(
                    key=query["key"],
                    window=query["window"],
                    now=now,
                    page=1 if everything else query["page"],
                    page_size=None if everything else query["page_size"],
                )
            )
        except BadBugKey as exc:
            raise ValidationError({"key": [f"{str(exc)[0].upper()}{str(exc)[1:]}."]}) from None
        following, before = page_links(self.request, page=listed.page, has_next=listed.has_next)
        return {
            "key": listed.key,
            "kind": listed.kind,
            "title": listed.title,
            "window": listed.window,
            "count": listed.count,
            "page": listed.page,
            "page_size": listed.page_size or listed.count,
            "next": following,
            "previous": before,
            "rows": listed.rows,
        }

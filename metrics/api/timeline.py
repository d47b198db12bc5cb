"""GET /api/v1/customers/{id}/timeline/: a customer's events across every system, newest first
(DESIGN.md §4 "Customer timeline", "Last contact"), paged in the database."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from supportops.models import Customer, MetricSettings

from ..timeline import (
    KINDS,
    SOURCES,
    BadTimelineFilter,
    TimelineFilters,
    all_events,
    timeline_page,
)
from .base import MetricView
from .fields import money_field
from .paging import page_links, wants_csv
from .params import PageQuery


class TimelineQuery(PageQuery):
    source = serializers.CharField(
        required=False,
        help_text=f"Only these systems, comma-separated: {', '.join(SOURCES)}.",
    )
    kind = serializers.CharField(
        required=False,
        help_text=f"Only these kinds of event, comma-separated: {', '.join(KINDS)}.",
    )

    def validate(self, attrs):
        try:
            attrs["filters"] = TimelineFilters.parse(
                {name: attrs.get(name, "") for name in ("source", "kind")}
            )
        except BadTimelineFilter as exc:
            raise ValidationError({exc.param: [f"{exc}."]}) from None
        return attrs


class TimelineEventSerializer(serializers.Serializer):
    occurred_at = serializers.DateTimeField(
        source="at",
        help_text="When it happened (UTC). Date-only events (an opportunity's close date, a "
        "usage month) happen at midnight of the reporting time zone.",
    )
    source = serializers.CharField(help_text=f"The system it comes from: {', '.join(SOURCES)}.")
    kind = serializers.CharField(
        help_text=f"One of {', '.join(KINDS)}; on the same instant the later kind comes first."
    )
    title = serializers.CharField()
    detail = serializers.CharField(help_text="Ticket number and channel, status, stage ...")
    amount = money_field(
        allow_null=True,
        help_text="Invoice amount, subscription MRR or opportunity amount, major units of "
        "`currency`; null for other kinds (and opportunities without an amount).",
    )
    currency = serializers.CharField(allow_null=True, help_text="Of `amount`; null without one.")
    link = serializers.URLField(
        allow_null=True,
        help_text="The record in its own system (a reply links to its ticket); null when the "
        "system gives no URL or its address is not configured.",
    )


class TimelineResultSerializer(serializers.Serializer):
    customer_id = serializers.IntegerField()
    last_contact_at = serializers.DateTimeField(
        allow_null=True,
        help_text="Latest public message, either side, any channel (internal notes and "
        "deleted tickets never count); null when there was none.",
    )
    count = serializers.IntegerField(help_text="Events matching the filters, all pages.")
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    events = TimelineEventSerializer(many=True)


class CustomerTimelineView(MetricView):
    """Every event of one customer, newest first: tickets and conversations opened, replied
    (public agent replies), solved; subscriptions started and canceled; invoices paid or
    failed; opportunities opened, won, lost; CRM tasks and events; monthly usage.

    Paginated (`page`, `page_size` ≤ 500). `source` and `kind` narrow it (one value or a
    comma-separated list); an unknown value is a 400 naming the parameter and the valid values.
    An unknown customer is a 404. `?format=csv` gives every matching event.
    """

    csv_header = list(TimelineEventSerializer().fields)

    @extend_schema(
        parameters=[
            TimelineQuery,
            OpenApiParameter("customer_id", int, OpenApiParameter.PATH),
        ],
        responses=TimelineResultSerializer,
    )
    def get(self, request, customer_id: int):
        query = TimelineQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        # Last contact as the sync keeps it (supportops/contact.py), the customer page's figure
        found = Customer.objects.filter(pk=customer_id).values_list("last_contact_at", flat=True)
        if not found:
            raise NotFound("No such customer.")
        tz = ZoneInfo(MetricSettings.load().reporting_timezone)
        filters = params["filters"]
        result = {"customer_id": customer_id, "last_contact_at": found[0]}
        if wants_csv(request):
            events = all_events(customer_id=customer_id, filters=filters, tz=tz)
            result |= {"count": len(events), "page": 1, "page_size": len(events), "events": events}
            result |= {"next": None, "previous": None}
        else:
            page = timeline_page(
                customer_id=customer_id,
                filters=filters,
                page=params["page"],
                page_size=params["page_size"],
                tz=tz,
            )
            following, before = page_links(request, page=page.number, has_next=page.has_next)
            result |= {
                "count": page.count,
                "page": page.number,
                "page_size": page.page_size,
                "next": following,
                "previous": before,
                "events": page.events,
            }
        return Response(TimelineResultSerializer(result, context={"request": request}).data)

    def csv_rows(self, data):
        return data.get("events", [])

"""Customers across systems, and the source records no customer claims yet.

The list orders and filters as the customers page does (supportops/customer_filters.py): on
columns of Customer with an index each, the id search an EXISTS, so a page is a count and a
page query whatever the order, plus its identities and the LTV basis.
"""

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action

from supportops.customer_cost import customer_cost_to_date, derived_refresh_request
from supportops.customer_filters import (
    ORDERINGS,
    BadFilter,
    BadSort,
    CustomerFilters,
    customers_filtered,
    ordering,
)
from supportops.identity import unmatched_identities
from supportops.ltv import ltv_basis, ltv_of, realized_revenue_minor
from supportops.models import Customer, CustomerIdentity
from supportops.money import minor_to_major


class IdentitySerializer(serializers.Serializer):
    source = serializers.CharField()
    external_id = serializers.CharField()


class CustomerSerializer(serializers.ModelSerializer):
    plan = serializers.SerializerMethodField()
    mrr = serializers.SerializerMethodField()
    ltv = serializers.SerializerMethodField(
        help_text="Current MRR × expected lifetime in months (supportops/ltv.py), major units."
    )
    realized_revenue = serializers.SerializerMethodField(
        help_text="Σ amount paid of its paid invoices in its currency, all time, major units."
    )
    identities = IdentitySerializer(many=True, read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "domains",
            "plan",
            "is_paying",
            "is_enterprise",
            "mrr",
            "ltv",
            "realized_revenue",
            "currency",
            "signed_up_at",
            "last_contact_at",
            "ticket_count",
            "identities",
        ]
        extra_kwargs = {
            "last_contact_at": {
                "help_text": "Latest public message either way, any channel (null: never)."
            },
            "ticket_count": {"help_text": "Tickets not deleted, all time."},
        }

    def get_plan(self, customer) -> str | None:
        return str(customer.plan) if customer.plan else None

    def get_mrr(self, customer) -> str:
        return str(minor_to_major(customer.mrr_minor, customer.currency))

    def get_ltv(self, customer) -> str:
        mrr = minor_to_major(customer.mrr_minor, customer.currency)
        return str(ltv_of(mrr, self.context["ltv_basis"]))

    def get_realized_revenue(self, customer) -> str:
        paid = minor_to_major(customer.realized_revenue_minor, customer.currency)
        return f"{paid:.2f}"


class SupportCostSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="Its allocated share of the team cost, every month from the first with a cost "
        "through the one in progress (DESIGN.md §4 cost allocation); null: not computed yet.",
    )
    currency = serializers.CharField(help_text="The reporting currency.")
    as_of = serializers.DateTimeField(allow_null=True, help_text="When it was computed.")
    stale = serializers.BooleanField(
        help_text="The data or the day moved on since: a refresh has been asked for."
    )


class CustomerDetailSerializer(CustomerSerializer):
    support_cost_to_date = serializers.SerializerMethodField()

    class Meta(CustomerSerializer.Meta):
        fields = [*CustomerSerializer.Meta.fields, "support_cost_to_date"]

    @extend_schema_field(SupportCostSerializer)
    def get_support_cost_to_date(self, customer) -> dict:
        """Stored rows (supportops/customer_cost.py): one query; stale ones ask for a refresh."""
        cost = customer_cost_to_date(customer.pk)
        if cost.stale and derived_refresh_request():
            cost = customer_cost_to_date(customer.pk)
        return SupportCostSerializer(cost).data


class UnmatchedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.CharField()
    external_id = serializers.CharField()
    name = serializers.CharField()
    domains = serializers.ListField(child=serializers.CharField())
    account_key = serializers.CharField()
    reason = serializers.CharField()


DEFAULT_ORDER = "name"


class CustomerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CustomerSerializer

    def get_serializer_class(self):
        if self.action == "retrieve":
            return CustomerDetailSerializer
        return super().get_serializer_class()

    def get_serializer_context(self):
        """One LTV basis (churn, lifetime) for every customer of the response: two queries."""
        context = super().get_serializer_context()
        if self.action in ("list", "retrieve"):
            context["ltv_basis"] = ltv_basis(now=timezone.now())
        return context

    def get_queryset(self):
        queryset = (
            Customer.objects.select_related("plan")
            .prefetch_related(
                Prefetch("identities", queryset=CustomerIdentity.objects.order_by("id"))
            )
            .annotate(realized_revenue_minor=realized_revenue_minor())
        )
        if self.action != "list":
            return queryset
        params = self.request.query_params
        try:
            order_by = ordering(params.get("order", "").strip() or DEFAULT_ORDER, param="order")
        except BadSort as exc:
            raise serializers.ValidationError({"order": [f"{exc}."]}) from None
        try:
            filters = CustomerFilters.parse(params)
        except BadFilter as exc:
            raise serializers.ValidationError({exc.param: [f"{exc}."]}) from None
        return customers_filtered(queryset, filters, now=timezone.now()).order_by(*order_by)

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="Name, domain or any source id"),
            OpenApiParameter(
                "order",
                str,
                enum=list(ORDERINGS),
                description="Sort (default name); never contacted sorts as the stalest. "
                "-ltv orders as -mrr: every customer's LTV is MRR × the same lifetime.",
            ),
            OpenApiParameter(
                "min_mrr",
                str,
                description="MRR at least this, in major units of each customer's currency.",
            ),
            OpenApiParameter(
                "stale_days",
                int,
                description="No public contact in the N days before now, or never (1–3650).",
            ),
            OpenApiParameter("plan", str, description="A plan's name, or none"),
            OpenApiParameter("paying", str, enum=["yes", "no"]),
            OpenApiParameter("enterprise", str, enum=["yes", "no"]),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=UnmatchedSerializer(many=True))
    @action(detail=False, serializer_class=UnmatchedSerializer)
    def unmatched(self, request):
        records = unmatched_identities()
        page = self.paginate_queryset(records)
        return self.get_paginated_response(UnmatchedSerializer(page, many=True).data)

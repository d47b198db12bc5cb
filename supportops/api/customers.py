"""Customers across systems, and the source records no customer claims yet."""

from django.db.models import Prefetch, Q
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action

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
            "identities",
        ]

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


class UnmatchedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.CharField()
    external_id = serializers.CharField()
    name = serializers.CharField()
    domains = serializers.ListField(child=serializers.CharField())
    account_key = serializers.CharField()
    reason = serializers.CharField()


class CustomerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CustomerSerializer

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
        search = self.request.query_params.get("search", "").strip()
        if search:
            queryset = queryset.filter(
                Q(name__icontains=search)
                | Q(domains__icontains=search)
                | Q(identities__external_id=search)
                | Q(identities__account_key=search)
            ).distinct()
        return queryset.order_by("name", "id")

    @extend_schema(
        parameters=[OpenApiParameter("search", str, description="Name, domain or any source id")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=UnmatchedSerializer(many=True))
    @action(detail=False, serializer_class=UnmatchedSerializer)
    def unmatched(self, request):
        records = unmatched_identities()
        page = self.paginate_queryset(records)
        return self.get_paginated_response(UnmatchedSerializer(page, many=True).data)

"""Customers across systems, and the source records no customer claims yet."""

from django.db.models import Prefetch, Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action

from supportops.identity import unmatched_identities
from supportops.models import Customer, CustomerIdentity
from supportops.money import minor_to_major


class IdentitySerializer(serializers.Serializer):
    source = serializers.CharField()
    external_id = serializers.CharField()


class CustomerSerializer(serializers.ModelSerializer):
    plan = serializers.SerializerMethodField()
    mrr = serializers.SerializerMethodField()
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
            "currency",
            "signed_up_at",
            "identities",
        ]

    def get_plan(self, customer) -> str | None:
        return str(customer.plan) if customer.plan else None

    def get_mrr(self, customer) -> str:
        return str(minor_to_major(customer.mrr_minor, customer.currency))


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

    def get_queryset(self):
        queryset = Customer.objects.select_related("plan").prefetch_related(
            Prefetch("identities", queryset=CustomerIdentity.objects.order_by("id"))
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

"""Products, the ticket→product rules and their re-map runs over the API (DESIGN.md §3).

Products: read for signed-in users, write with the model permissions. Rules: staff with the
rule permissions only (supportops/api/permissions.py). A rule names its product by name and
runs in `position` order (lower first, then id; first match wins). Writing a rule (or
deleting a product) re-maps the existing tickets in a background run
(supportops/product_remap.py); a rule write's response carries that run, and
`product-remaps/` shows every run's progress to anyone signed in.
"""

from django.db import transaction
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from supportops.models import Product, ProductRemap, ProductRule
from supportops.product_remap import remap_percent

from .permissions import ModelPermissions, ModelPermissionsOrReadOnly
from .validation import FullCleanMixin


class ProductSerializer(FullCleanMixin, serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "is_enterprise_group"]


class ProductRuleSerializer(FullCleanMixin, serializers.ModelSerializer):
    product = serializers.SlugRelatedField(slug_field="name", queryset=Product.objects.all())

    class Meta:
        model = ProductRule
        fields = ["id", "product", "kind", "field_id", "value", "position"]


class ProductRemapSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:product-remap-detail")
    percent = serializers.SerializerMethodField(
        help_text="tickets_done / tickets_total as a whole percent, rounded down (100 only "
        "when every ticket is done; 100 for a finished run over no tickets)."
    )

    class Meta:
        model = ProductRemap
        fields = [
            "id",
            "url",
            "status",
            "reason",
            "requested_at",
            "started_at",
            "finished_at",
            "tickets_total",
            "tickets_done",
            "tickets_changed",
            "percent",
            "error",
        ]

    def get_percent(self, remap) -> int:
        return remap_percent(remap)


class ProductRuleWriteSerializer(ProductRuleSerializer):
    remap = serializers.SerializerMethodField(
        help_text="The re-map of existing tickets this change queued (or joined, when one was "
        "already queued); with no task broker it has already run when the response is sent."
    )

    class Meta(ProductRuleSerializer.Meta):
        fields = [*ProductRuleSerializer.Meta.fields, "remap"]

    @extend_schema_field(ProductRemapSerializer(allow_null=True))
    def get_remap(self, rule):
        remap = getattr(rule, "_product_remap", None)
        return None if remap is None else ProductRemapSerializer(remap, context=self.context).data


def _remap_refreshed(instance) -> None:
    """After the commit the run may have started (or, eager, finished): show it as it is."""
    remap = getattr(instance, "_product_remap", None)
    if remap is not None:
        remap.refresh_from_db()


class ProductViewSet(viewsets.ModelViewSet):
    """Products (the Enterprise coverage group is one): everyone signed in can read; writes
    need the model permissions. Deleting one re-maps the tickets it had (its rules go with it)."""

    queryset = Product.objects.order_by("name", "id")
    serializer_class = ProductSerializer
    permission_classes = [ModelPermissionsOrReadOnly]

    @transaction.atomic
    def perform_destroy(self, instance):
        instance.delete()


class ProductRuleViewSet(viewsets.ModelViewSet):
    """Ticket→product rules, in the order they run: staff with the rule permissions. Every
    write re-maps the existing tickets; the response's `remap` is that run (see product-remaps/)."""

    queryset = ProductRule.objects.select_related("product").order_by("position", "id")
    permission_classes = [ModelPermissions]

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return ProductRuleWriteSerializer
        return ProductRuleSerializer

    def perform_create(self, serializer):
        with transaction.atomic():  # the run is sent once the rule is committed
            serializer.save()
        _remap_refreshed(serializer.instance)

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()
        _remap_refreshed(serializer.instance)

    @transaction.atomic
    def perform_destroy(self, instance):
        instance.delete()


class ProductRemapViewSet(viewsets.ReadOnlyModelViewSet):
    """Runs re-mapping existing tickets after a rule change, newest first, with their progress:
    anyone signed in can watch them."""

    queryset = ProductRemap.objects.order_by("-requested_at", "-id")
    serializer_class = ProductRemapSerializer

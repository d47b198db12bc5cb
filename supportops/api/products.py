"""Products and the ticket→product rules over the API (DESIGN.md §3).

Products: read for signed-in users, write for staff. Rules: staff only. A rule names its
product by name and runs in `position` order (lower first, then id; first match wins).
"""

from rest_framework import serializers, viewsets

from supportops.models import Product, ProductRule

from .permissions import IsStaff, IsStaffOrReadOnly
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


class ProductViewSet(viewsets.ModelViewSet):
    """Products (the Enterprise coverage group is one): everyone signed in can read; staff
    can change them."""

    queryset = Product.objects.order_by("name", "id")
    serializer_class = ProductSerializer
    permission_classes = [IsStaffOrReadOnly]


class ProductRuleViewSet(viewsets.ModelViewSet):
    """Ticket→product rules, in the order they run: staff only."""

    queryset = ProductRule.objects.select_related("product").order_by("position", "id")
    serializer_class = ProductRuleSerializer
    permission_classes = [IsStaff]

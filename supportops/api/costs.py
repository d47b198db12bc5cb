"""Cost inputs over the API: team members and expenses (DESIGN.md §3).

The models carry check constraints; the serializers check the same rules first so a bad
request is a 400 with a message on the field, never an IntegrityError.
"""

from rest_framework import serializers, viewsets

from supportops.models import Expense, Product, TeamMember
from supportops.models.costs import date_range_errors

from .permissions import ModelPermissionsOrReadOnly


def _constraint_message(model, name: str) -> str:
    """The message the model's own check constraint gives, so both say the same thing."""
    constraint = next(c for c in model._meta.constraints if c.name == name)
    return str(constraint.violation_error_message)


def _not_negative(message: str) -> dict:
    return {"error_messages": {"min_value": message}}


FTE_MESSAGE = _constraint_message(TeamMember, "member_fte_range")


class _DatedSerializer(serializers.ModelSerializer):
    end_before_start_message = ""

    def validate(self, attrs):
        def current(field):
            return attrs[field] if field in attrs else getattr(self.instance, field, None)

        if errors := date_range_errors(attrs):  # the models' clean(), as admin checks it
            raise serializers.ValidationError(errors)
        start_date, end_date = current("start_date"), current("end_date")
        if start_date and end_date and end_date < start_date:
            raise serializers.ValidationError({"end_date": [self.end_before_start_message]})
        return attrs


class TeamMemberSerializer(_DatedSerializer):
    end_before_start_message = _constraint_message(TeamMember, "member_end_after_start")
    products = serializers.SlugRelatedField(
        many=True,
        slug_field="name",
        queryset=Product.objects.all(),
        required=False,
        help_text="Names of the products covered (the Enterprise group is a product too).",
    )

    class Meta:
        model = TeamMember
        fields = [
            "id",
            "name",
            "role",
            "annual_salary",
            "annual_benefits",
            "fte",
            "start_date",
            "end_date",
            "products",
            "capacity_override",
        ]
        extra_kwargs = {
            "annual_salary": _not_negative("The annual salary cannot be negative."),
            "annual_benefits": _not_negative("The annual benefits cannot be negative."),
            "fte": {"error_messages": {"min_value": FTE_MESSAGE, "max_value": FTE_MESSAGE}},
        }


class ExpenseSerializer(_DatedSerializer):
    end_before_start_message = _constraint_message(Expense, "expense_end_after_start")

    class Meta:
        model = Expense
        fields = ["id", "name", "kind", "monthly_amount", "start_date", "end_date"]
        extra_kwargs = {
            "monthly_amount": _not_negative(
                _constraint_message(Expense, "expense_amount_not_negative")
            ),
        }


class TeamMemberViewSet(viewsets.ModelViewSet):
    """Team members: everyone signed in can read; writes follow the model permissions."""

    queryset = TeamMember.objects.prefetch_related("products").order_by("name", "id")
    serializer_class = TeamMemberSerializer
    permission_classes = [ModelPermissionsOrReadOnly]


class ExpenseViewSet(viewsets.ModelViewSet):
    """Tools, overhead and variable expenses: everyone signed in reads; writes need the
    model permissions (supportops/api/permissions.py)."""

    queryset = Expense.objects.order_by("name", "id")
    serializer_class = ExpenseSerializer
    permission_classes = [ModelPermissionsOrReadOnly]

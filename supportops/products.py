"""Which product a ticket is about, by the admin's ProductRules (first match wins)."""

from __future__ import annotations

from dataclasses import dataclass

from .models import ProductRule


@dataclass(frozen=True)
class Rule:
    kind: str
    field_id: str
    value: str
    product_id: int


def product_rules_load() -> list[Rule]:
    return [
        Rule(r.kind, r.field_id, r.value.strip().lower(), r.product_id)
        for r in ProductRule.objects.order_by("position", "id")
    ]


def product_for(*, rules: list[Rule], custom_fields: dict, tags: list, form_id: str) -> int | None:
    tag_set = {str(t).lower() for t in tags}
    for rule in rules:
        if rule.kind == ProductRule.Kind.FIELD:
            value = custom_fields.get(rule.field_id)
            values = value if isinstance(value, list) else [value]
            if any(v is not None and str(v).strip().lower() == rule.value for v in values):
                return rule.product_id
        elif rule.kind == ProductRule.Kind.TAG and rule.value in tag_set:
            return rule.product_id
        elif rule.kind == ProductRule.Kind.FORM and form_id and form_id == rule.value:
            return rule.product_id
    return None

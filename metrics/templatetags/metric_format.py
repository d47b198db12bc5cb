"""Template filters for metric figures: money, counts, "—" for a figure that has no value."""

from decimal import Decimal

from django import template

register = template.Library()

MISSING = "—"


@register.filter
def money(value: Decimal | None) -> str:
    """58333.33 → "58,333.33"; None → "—"."""
    return MISSING if value is None else f"{value:,.2f}"


@register.filter
def count(value: int | None) -> str:
    """1380 → "1,380"; None → "—"."""
    return MISSING if value is None else f"{value:,}"

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


@register.filter
def one_decimal(value: Decimal | None) -> str:
    """1234.56 → "1,234.6"; None → "—"."""
    return MISSING if value is None else f"{value:,.1f}"


@register.filter
def percent_abs(ratio: Decimal | None) -> str:
    """-0.123 → "12.3%" (the arrow beside it gives the sign); None → "—"."""
    return MISSING if ratio is None else f"{abs(ratio) * 100:,.1f}%"


# API-call averages read like money: two places, thousands separators (as the API gives them).
register.filter("calls", money)


@register.filter
def rate(value: Decimal | None) -> str:
    """0.4286 → "42.86%" (the API's four places, as a percentage); None → "—"."""
    return MISSING if value is None else f"{value * 100:.2f}%"

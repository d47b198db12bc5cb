"""Template filters for the cohorts page: API-call averages and rates as the API gives them."""

from decimal import Decimal

from django import template

register = template.Library()

MISSING = "—"


@register.filter
def calls(value: Decimal | None) -> str:
    """1234.5 → "1,234.50" (two places, as the API); None → "—"."""
    return MISSING if value is None else f"{value:,.2f}"


@register.filter
def rate(value: Decimal | None) -> str:
    """0.4286 → "42.86%" (the API's four places, as a percentage); None → "—"."""
    return MISSING if value is None else f"{value * 100:.2f}%"

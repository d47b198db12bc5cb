"""How the admin shows values: money as money, durations in whole seconds, counts grouped."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib import admin

from supportops.money import ZERO_DECIMAL, minor_to_major


def money(amount: Decimal | None, currency: str) -> str | None:
    """118000 USD → "118,000.00 USD" (no decimals for zero-decimal currencies)."""
    if amount is None:
        return None
    places = 0 if currency.lower() in ZERO_DECIMAL else 2
    return f"{amount:,.{places}f} {currency.upper()}"


def minor_money(field: str, description: str, *, currency: str = "currency"):
    """A display method showing the integer minor units in `field` as money in major units."""

    @admin.display(description=description, ordering=field)
    def show(model_admin, obj):
        amount = getattr(obj, field)
        if amount is None:
            return None
        code = getattr(obj, currency)
        return money(minor_to_major(amount, code), code)

    return show


def major_money(field: str, description: str, *, currency: str = "currency"):
    """A display method showing the decimal amount in `field` as money."""

    @admin.display(description=description, ordering=field)
    def show(model_admin, obj):
        return money(getattr(obj, field), getattr(obj, currency))

    return show


def count(field: str, description: str):
    """A display method showing the integer in `field` with thousands separators."""

    @admin.display(description=description, ordering=field)
    def show(model_admin, obj):
        value = getattr(obj, field)
        return None if value is None else f"{value:,}"

    return show


def duration(value: timedelta | None) -> str | None:
    """Rounded to whole seconds: "42 s" under a minute, else "1:02:03"."""
    if value is None:
        return None
    seconds = round(value.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    return str(timedelta(seconds=seconds))

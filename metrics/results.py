"""Typed results the metrics return (STYLE.md habit 3): no querysets leave `metrics/`.

Money is a `Decimal` quantized to cents (ROUND_HALF_UP) once, at the end; a per-unit figure is
`None` when its divisor is 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .periods import Month

CENT = Decimal("0.01")


def quantize_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def per_unit(total: Decimal, divisor: Decimal | int) -> Decimal | None:
    """`total / divisor` to the cent, or None when there is nothing to divide by."""
    if not divisor:
        return None
    return quantize_cents(total / Decimal(divisor))


@dataclass(frozen=True)
class CostResult:
    """Team cost of one month and what it buys (DESIGN.md §4)."""

    month: Month
    currency: str
    team_cost: Decimal
    tickets: int
    cost_per_ticket: Decimal | None
    replies: int
    cost_per_reply: Decimal | None
    interactions: int
    cost_per_interaction: Decimal | None
    open_days: Decimal
    cost_per_open_day: Decimal | None


@dataclass(frozen=True)
class CostOverview:
    """What the cost dashboard shows: the selected month and the trend ending with it."""

    month: Month
    current: CostResult
    trend: tuple[CostResult, ...]  # oldest first; the last one is `current`

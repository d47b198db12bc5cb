"""Typed results the metrics return (STYLE.md habit 3): no querysets leave `metrics/`.

Money is a `Decimal` quantized to cents (ROUND_HALF_UP) once, at the end; a per-unit figure is
`None` when its divisor is 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
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
    # The month in progress covers only its days before today (reporting time zone).
    in_progress: bool = False
    days_covered: int = 0
    through_date: date | None = None  # the last day covered


PERCENT = Decimal("0.001")


@dataclass(frozen=True)
class Change:
    """One figure against the same figure of an earlier period."""

    ratio: Decimal | None  # current / earlier − 1, to 0.1 %; None when there is no earlier value
    against: str  # "Oct 2025", "Nov 1–14"
    higher_is_worse: bool = False

    @property
    def direction(self) -> str:
        if self.ratio is None or self.ratio == 0:
            return "flat"
        return "up" if self.ratio > 0 else "down"

    @property
    def judgement(self) -> str:
        """ "worse" / "better" / "" (for figures where up is neither)."""
        if self.direction == "flat" or not self.higher_is_worse:
            return ""
        return "worse" if self.direction == "up" else "better"


def relative_change(current: Decimal | int | None, earlier: Decimal | int | None) -> Decimal | None:
    if current is None or not earlier:
        return None
    ratio = Decimal(current) / Decimal(earlier) - 1
    return ratio.quantize(PERCENT, rounding=ROUND_HALF_UP)


TOTALS = ("team_cost", "tickets", "replies", "interactions", "open_days")
PER_UNIT = ("cost_per_ticket", "cost_per_reply", "cost_per_interaction", "cost_per_open_day")


@dataclass(frozen=True)
class CostOverview:
    """What the cost dashboard shows: the selected month, the month before and the trend."""

    month: Month
    current: CostResult
    trend: tuple[CostResult, ...]  # oldest first; the last one is `current`
    previous: CostResult | None = None  # the whole month before; None before the first data
    previous_to_date: CostResult | None = None  # its first days, as many as `current` covers
    first_month: Month | None = None  # the earliest month on offer
    current_month: Month | None = None  # the month in progress, the latest on offer
    timezone: str = "UTC"  # the reporting time zone the months are cut in
    has_tickets: bool = True  # False before the first ticket is synced

    @property
    def changes(self) -> dict[str, Change]:
        """Each figure against the month before. Totals of a month in progress compare with
        the same days of the month before; per-unit costs with the whole month before."""
        changes = {}
        earlier_totals = self.previous_to_date if self.current.in_progress else self.previous
        for name in TOTALS:
            changes[name] = self._change(name, earlier_totals, higher_is_worse=False)
        for name in PER_UNIT:
            changes[name] = self._change(name, self.previous, higher_is_worse=True)
        return changes

    def _change(self, name: str, earlier: CostResult | None, *, higher_is_worse: bool) -> Change:
        """No change at all (against "") when there is nothing yet to compare."""
        nothing_yet = self.current.in_progress and self.current.days_covered == 0
        if earlier is None or nothing_yet or getattr(self.current, name) is None:
            return Change(None, "", higher_is_worse)
        against = earlier.month.label
        if earlier.in_progress:
            against = _days_label(earlier)
        return Change(
            relative_change(getattr(self.current, name), getattr(earlier, name)),
            against,
            higher_is_worse,
        )

    @property
    def has_previous(self) -> bool:
        return self.first_month is not None and self.month > self.first_month

    @property
    def has_next(self) -> bool:
        return self.current_month is not None and self.month < self.current_month


def _days_label(result: CostResult) -> str:
    """ "Nov 1–14" for the first days of a month."""
    month = result.month.label.split()[0]
    if result.days_covered <= 0:
        return f"{month} (no days yet)"
    if result.days_covered == 1:
        return f"{month} 1"
    return f"{month} 1–{result.days_covered}"

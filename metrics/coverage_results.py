"""Typed results of product coverage and the hiring forecast (DESIGN.md §4). No Django."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .periods import Month

UNASSIGNED = "Unassigned"


@dataclass(frozen=True)
class CoverageRow:
    """One group (a product, the Enterprise group, or Unassigned) in one month."""

    product: str
    tickets: int
    capacity_per_engineer: Decimal  # tickets a full-time engineer handles in the month
    required_engineers: Decimal | None  # tickets / capacity; None when capacity is 0
    assigned_engineers: Decimal  # Σ FTE share, prorated to days employed
    assigned_capacity: Decimal  # Σ share × that member's capacity
    coverage_ratio: Decimal | None  # tickets / assigned capacity; None when nobody is assigned
    over_capacity: bool
    is_enterprise: bool = False
    is_unassigned: bool = False


@dataclass(frozen=True)
class CoverageResult:
    month: Month
    business_days: int
    tickets_per_engineer_day: int
    rows: tuple[CoverageRow, ...]


@dataclass(frozen=True)
class HistoryPoint:
    month: Month
    tickets: int


@dataclass(frozen=True)
class ForecastPoint:
    month: Month
    projected_tickets: Decimal
    required_engineers: Decimal | None
    assigned_engineers: Decimal
    assigned_capacity: Decimal
    hires_needed: int
    over_capacity: bool


@dataclass(frozen=True)
class GroupForecast:
    product: str
    history: tuple[HistoryPoint, ...]
    forecast: tuple[ForecastPoint, ...]  # empty when there is too little history
    first_over_capacity_month: Month | None
    hires_needed: int  # the most hires any forecast month needs
    hire_monthly_cost: Decimal | None  # None when there are no current members at all
    reason: str = ""  # why there is no forecast


@dataclass(frozen=True)
class ForecastResult:
    months: int
    currency: str
    groups: tuple[GroupForecast, ...]
    total_hires_needed: int
    total_monthly_cost: Decimal


@dataclass(frozen=True)
class CoveragePage:
    """What the coverage page shows: a month, the months up to it, and the forecast."""

    month: Month
    current: CoverageResult
    trend: tuple[CoverageResult, ...]  # oldest first; the last one is `current`
    forecast: ForecastResult
    current_month: Month  # the month in progress, the latest on offer

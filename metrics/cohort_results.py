"""What the support cohorts metric returns (DESIGN.md §4 "Support cohorts").

Kept apart from metrics/cohorts.py, which queries the database, so the chart builder
(metrics/figures/cohorts.py) can use these types without importing Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .periods import Month, Window

WINDOW = "window"
FIRST_30_DAYS = "first_30_days"
VARIANTS = (WINDOW, FIRST_30_DAYS)
VARIANT_LABELS = {WINDOW: "Whole window", FIRST_30_DAYS: "First 30 days after signup"}

RATIO = Decimal("0.0001")
CALLS = Decimal("0.01")


def ratio(part: int, whole: int) -> Decimal | None:
    """`part / whole` to four places (ROUND_HALF_UP), or None when `whole` is 0."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATIO, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Cohort:
    """One side of the comparison: the customers with support contact, or those without."""

    customers: int
    avg_monthly_api_calls: Decimal | None  # to 0.01; None for an empty cohort
    active_customers: int  # mean monthly calls > the threshold
    active_avg_monthly_api_calls: Decimal | None  # the same mean, over the active ones only
    paid_conversion_rate: Decimal | None  # to 4 places; None for an empty cohort
    retention_rate: Decimal | None  # None: not known yet, nobody paying at the start, variant
    converted: int  # the customers behind paid_conversion_rate
    paying_at_start: int | None = None  # retention's base; None in the first-30-days variant
    retained: int | None = None  # still paying at the retention moment; None while unknown

    @property
    def active_share(self) -> Decimal | None:
        return ratio(self.active_customers, self.customers)


@dataclass(frozen=True)
class CohortsResult:
    """Customers who talked to support against those who did not, over one window."""

    window: Window
    variant: str  # WINDOW or FIRST_30_DAYS
    active_threshold: int  # API calls a month (mean) above which a customer is active
    support: Cohort
    no_support: Cohort
    customers_without_signup_date: int  # left out: no source reports when they signed up
    timezone: str  # the reporting time zone the months are cut in
    retention_months: int  # N: retention is measured N months after the window's end
    retention_on: date | None = None  # that moment (00:00 reporting time); None in the variant
    latest_end: dict[str, Month] = field(default_factory=dict)  # latest window end per variant
    retention_known_end: Month | None = None  # the latest window end whose retention is known

    @property
    def variant_label(self) -> str:
        return VARIANT_LABELS[self.variant]

    @property
    def retention_known(self) -> bool:
        return self.variant == WINDOW and self.support.retained is not None

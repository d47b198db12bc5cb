"""Typed results of support operations (DESIGN.md §4 "Support operations"). No Django."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .periods import Month

BY_PRODUCT, BY_CHANNEL, BY_PLAN = "product", "channel", "plan"
GROUPINGS = (BY_PRODUCT, BY_CHANNEL, BY_PLAN)
TOTAL = "Total"


@dataclass(frozen=True)
class SupportOpsRow:
    """One group (or the total) in month M.

    Minutes are medians rounded half up to one decimal place; with an even count the median is
    the mean of the two middle values. A median or rate is None where nothing feeds it.
    """

    key: str  # product name, channel ("(none)": no channel), plan name ("No plan"), or "Total"
    label: str
    created: int
    solved: int
    backlog_end: int
    median_first_reply_minutes: Decimal | None
    vendor_median_first_reply_minutes: Decimal | None
    median_resolution_minutes: Decimal | None
    vendor_median_resolution_minutes: Decimal | None
    one_touch_rate: Decimal | None  # of the tickets solved in M; None when none was
    reopens: int | None  # Σ the vendor's count over tickets solved in M; None: never given
    # What the medians stand on, so a page can say why recomputed and vendor values differ.
    replied: int = 0  # created in M with an agent public reply (feeds the recomputed median)
    vendor_replied: int = 0  # created in M with a vendor first-reply value
    vendor_resolved: int = 0  # solved in M with a vendor full-resolution value
    reopened: int = 0  # solved in M that the vendor saw reopened at least once
    is_enterprise: bool = False
    is_unassigned: bool = False


@dataclass(frozen=True)
class SupportOpsResult:
    month: Month
    by: str
    rows: tuple[SupportOpsRow, ...]
    total: SupportOpsRow  # medians over every ticket, not a median of the groups' medians
    in_progress: bool  # M is the month under way: counts so far, backlog as of now
    current_month: Month  # the latest month on offer

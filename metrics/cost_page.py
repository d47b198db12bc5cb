"""The cost page in one call: the month's cost overview, where its cost goes, and support cost
vs revenue over the 3 months ending with it.

The allocation and the margins reuse the overview's team costs (metrics.cost), so the page adds
four queries to the overview's: tickets and replies per group, the margin statement (its worst
MARGIN_ROWS rows and the counts), the plans of those rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from .allocation import allocate, month_span
from .allocation_results import (
    BASES,
    BY_BUCKET,
    BY_CHANNEL,
    BY_PLAN,
    AllocationResult,
    MarginResult,
)
from .cost import cost_overview
from .margin import margins
from .periods import Month, Window, last_n_months
from .results import CostOverview

PAGE_GROUPINGS = (BY_CHANNEL, BY_BUCKET, BY_PLAN)
MARGIN_MONTHS = 3
MARGIN_ROWS = 20  # the worst margins the page shows


class BadChoice(ValueError):
    """An allocation grouping or basis the page does not offer; `param` names the parameter."""

    def __init__(self, message: str, *, param: str):
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class CostPage:
    overview: CostOverview
    allocation: AllocationResult
    margin: MarginResult


def check_choices(*, by: str, basis: str) -> None:
    if by not in PAGE_GROUPINGS:
        raise BadChoice(f"by: use {', '.join(PAGE_GROUPINGS)}, not {by!r}", param="by")
    if basis not in BASES:
        raise BadChoice(f"basis: use {' or '.join(BASES)}, not {basis!r}", param="basis")


def cost_page(
    *, month: Month | None, by: str, basis: str, now: datetime, months: int = 12
) -> CostPage:
    """Everything the cost page shows. Raises BadChoice for a grouping or basis it does not
    offer, and what cost_overview raises for a month it does not offer.

    Support cost vs revenue covers the 3 months ending with the page's month, from the first
    month with data (the overview's first month) when that is later.
    """
    check_choices(by=by, basis=basis)
    overview = cost_overview(month=month, now=now, months=max(months, MARGIN_MONTHS))
    tz = ZoneInfo(overview.timezone)
    spans = {result.month: month_span(result, tz) for result in overview.trend}
    currency = overview.current.currency
    allocation = allocate(span=spans[overview.month], currency=currency, by=by, basis=basis)
    covered = [m for m in last_n_months(overview.month, MARGIN_MONTHS) if m in spans]
    margin = margins(
        spans=[spans[m] for m in covered],
        window=Window(covered[0], covered[-1]),
        currency=currency,
        limit=MARGIN_ROWS,
    )
    return CostPage(overview=overview, allocation=allocation, margin=margin)

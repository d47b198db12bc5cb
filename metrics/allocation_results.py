"""Results of cost allocation and of support cost vs revenue (DESIGN.md §4).

No Django in here, so the figure builders can take them (metrics/figures imports no Django).
Money is Decimal to the cent; a share or ratio is an unrounded Decimal (the API rounds it to
four places); `None` where there is nothing to divide by.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .periods import Month, Window

BY_CHANNEL, BY_BUCKET, BY_PLAN, BY_CUSTOMER = "channel", "bucket", "plan", "customer"
GROUPINGS = (BY_CHANNEL, BY_BUCKET, BY_PLAN, BY_CUSTOMER)
BASIS_REPLIES, BASIS_TICKETS = "replies", "tickets"
BASES = (BASIS_REPLIES, BASIS_TICKETS)


@dataclass(frozen=True)
class AllocationRow:
    key: str  # "email", "paying", a plan's name, a customer's id, "unlinked"
    label: str
    tickets: int  # created in the month, deleted excluded
    replies: int  # agent public replies in the month, on the group's tickets
    share: Decimal | None  # of the basis total; None when nothing was allocated
    allocated_cost: Decimal | None  # None when nothing was allocated
    cost_per_ticket: Decimal | None  # allocated cost / tickets; None without tickets


@dataclass(frozen=True)
class AllocationResult:
    month: Month
    by: str
    basis: str
    currency: str
    team_cost: Decimal
    tickets: int  # the totals over all rows
    replies: int
    allocated: bool  # False when the basis total is 0: nothing was shared out
    note: str  # why nothing was allocated ("" when it was)
    rows: tuple[AllocationRow, ...]  # largest allocated cost first
    in_progress: bool = False  # the month is under way: its days through yesterday
    days_covered: int = 0
    through_date: date | None = None

    @property
    def basis_total(self) -> int:
        return self.replies if self.basis == BASIS_REPLIES else self.tickets


@dataclass(frozen=True)
class MarginRow:
    customer_id: int
    customer: str
    plan: str  # the plan of its paying subscription at the end of the window, else "No plan"
    support_cost: Decimal
    revenue: Decimal
    margin: Decimal  # revenue − support cost
    cost_to_revenue: Decimal | None  # support cost / revenue; None when revenue is 0
    unprofitable: bool  # support cost > revenue
    other_currency_invoices: int = 0  # its invoices paid in the window in another currency


@dataclass(frozen=True)
class MarginResult:
    """The rows asked for (a page, or the whole list) and the counts of the whole list."""

    window: Window
    currency: str
    skipped_other_currency: int  # invoices paid in the window in another currency, left out
    rows: tuple[MarginRow, ...]  # worst margin first: the page asked for, or every row
    customers: int  # customers with support cost or revenue in the window (every one)
    count: int  # of those, the ones the filter keeps (all of them without a filter)
    unprofitable_count: int  # customers whose support cost exceeds their revenue
    unprofitable_margin: Decimal  # Σ margin of those (≤ 0)
    in_progress: bool = False  # the window ends with the month in progress (through yesterday)
    through_date: date | None = None  # the last day covered

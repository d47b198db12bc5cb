"""Results of bug impact (DESIGN.md §4 "Bug impact"). No Django in here, so the figure builders
can take them (metrics/figures imports no Django)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from .periods import Month, Window

PROBLEM, TAG = "problem", "tag"


@dataclass(frozen=True)
class BugGroup:
    key: str  # "problem:<source>:<external id>" or "tag:<tag>"
    kind: str  # PROBLEM or TAG
    title: str  # the problem ticket's subject, or the tag
    tickets: int  # created in the window, deleted excluded
    customers: int  # distinct customers of those tickets
    mrr: Decimal  # their current MRR, reporting currency
    arr: Decimal  # 12 × MRR
    ltv_sum: Decimal  # LTV of that MRR (MRR × expected lifetime)
    support_cost: Decimal  # allocated cost of the group's tickets, reply basis, months of W


@dataclass(frozen=True)
class BugImpact:
    window: Window
    currency: str
    bug_tags: tuple[str, ...]
    churn_rate: Decimal | None  # the LTV basis: monthly churn (None: none measured)
    lifetime_months: Decimal
    cap_months: int
    customers_other_currency: int  # affected customers billed in another currency: no MRR
    rows: tuple[BugGroup, ...]  # most MRR affected first
    in_progress: bool = False
    through_date: date | None = None
    current_month: Month | None = None  # the latest month on offer (in progress)


@dataclass(frozen=True)
class BugTicket:
    id: int
    source: str
    external_id: str
    subject: str
    customer_id: int | None
    customer: str | None
    channel: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class BugTickets:
    """One page of the tickets behind a group, newest first."""

    key: str
    kind: str
    title: str
    window: Window
    count: int  # all the group's tickets in the window
    page: int
    page_size: int | None  # None: every ticket on one page (CSV)
    rows: tuple[BugTicket, ...]
    current_month: Month | None = None  # the latest month on offer (in progress)

    @property
    def has_next(self) -> bool:
        return self.page_size is not None and self.page * self.page_size < self.count

    @property
    def num_pages(self) -> int:
        if not self.page_size:
            return 1
        return max(1, -(-self.count // self.page_size))


@dataclass(frozen=True)
class BugGroupDetail:
    """A group's page: its figures (None when it has no ticket in the window) and tickets."""

    impact: BugImpact
    group: BugGroup | None
    tickets: BugTickets

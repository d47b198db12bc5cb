"""What the Overview (the landing page) returns: one headline per question, each against the
period before (STYLE.md habit 3: a frozen result the page, the API and its CSV all read)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .periods import Month, Window
from .results import Change

# Units of a headline's value: how the page formats it and how the API writes it.
MONEY = "money"  # Decimal to the cent, reporting currency
COUNT = "count"  # int
SHARE = "share"  # Decimal 0..1 to four places
MINUTES = "minutes"  # Decimal to 0.1

# The questions, in the order the page shows them (README / issue #8).
PAYS_OFF = "Does support pay off?"
COSTS = "What does support cost?"
STAFFED = "Are we staffed right?"
RUNNING = "How is support running?"
BUILD_NEXT = "What should we build next?"
CUSTOMERS = "What happened with this customer?"
QUESTIONS = (PAYS_OFF, COSTS, STAFFED, RUNNING, BUILD_NEXT, CUSTOMERS)


@dataclass(frozen=True)
class Headline:
    key: str  # stable id: "cost_per_ticket", "top_feature_request", ...
    question: str  # one of QUESTIONS
    label: str  # "Cost per ticket", "Top feature request: Salesforce"
    value: Decimal | int | None  # None: nothing to show (`note` says why)
    previous: Decimal | int | None  # the same figure of the period before
    change: Change
    unit: str  # MONEY, COUNT, SHARE or MINUTES
    period: str  # what `value` covers: "Nov 2026" or "Sep–Nov 2026"
    link: str  # the page that answers the question, for the same month or window
    page: str  # that page's name, for "Open <page>"
    reading: str  # one plain-English sentence
    note: str = ""  # why there is no value, when there is none


@dataclass(frozen=True)
class OverviewResult:
    month: Month
    window: Window  # the 3 months ending with `month`, for the metrics that take a window
    previous_window: Window  # the 3 ending the month before
    currency: str
    headlines: tuple[Headline, ...]
    has_data: bool  # False before the first ticket is synced: the page says how to start
    first_month: Month | None  # the earliest month on offer (the first ticket's)
    current_month: Month  # the month in progress, the latest on offer
    timezone: str

    @property
    def questions(self) -> list[tuple[str, list[Headline]]]:
        """Headlines grouped by question, in QUESTIONS order (any other question last)."""
        order = {question: i for i, question in enumerate(QUESTIONS)}
        groups: dict[str, list[Headline]] = {}
        for headline in sorted(self.headlines, key=lambda h: order.get(h.question, len(order))):
            groups.setdefault(headline.question, []).append(headline)
        return list(groups.items())

    @property
    def previous_month(self) -> Month:
        return self.month.shift(-1)

    @property
    def in_progress(self) -> bool:
        return self.month == self.current_month

"""What the feature-request metric returns (metrics/requests.py), without Django, so the chart
builder (metrics/figures/requests.py) can take it as it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class PatternProblem:
    """A configured pattern the metric could not use, and why."""

    pattern: str
    reason: str


@dataclass(frozen=True)
class FeatureRequestRow:
    """One requested thing over a window. Money in the reporting currency, major units."""

    name: str  # the key: trimmed of spaces and quotes, case-folded ("salesforce")
    label: str  # the most frequent spelling as typed, trimmed ("Salesforce")
    tickets: int  # matching tickets created in the window, with or without a customer
    customers: int  # distinct customers behind them
    ltv_sum: Decimal  # Σ of those customers' LTV (each MRR × lifetime, to the cent)
    mrr_sum: Decimal  # Σ of their current MRR
    realized_revenue_sum: Decimal  # Σ of their paid invoices, all time
    other_currency_customers: int = 0  # customers billed in another currency: not in the sums
    unlinked_tickets: int = 0  # tickets linked to no customer (in `tickets`, not `customers`)


@dataclass(frozen=True)
class RequestTicket:
    id: int
    source: str
    external_id: str
    subject: str
    customer_id: int | None
    customer: str | None  # the customer's name
    created_at: datetime


@dataclass(frozen=True)
class RequestCustomer:
    """A customer behind one requested thing, money in its own currency."""

    id: int
    name: str
    currency: str  # upper case
    tickets: int  # its tickets for this thing in the window
    mrr: Decimal
    ltv: Decimal
    realized_revenue: Decimal
    in_sums: bool  # billed in the reporting currency, so counted in the row's sums

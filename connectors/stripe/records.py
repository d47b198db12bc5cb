"""Canonical billing records the Stripe normalizer produces (vendor-neutral, like ../records.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class PlanRecord:
    source: str
    external_id: str
    name: str
    product_name: str
    """Empty when the payload only names the product by id: the stored name is kept."""
    unit_amount_minor: int
    currency: str
    interval: str
    interval_count: int
    is_active: bool = True
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SubscriptionRecord:
    source: str
    external_id: str
    customer_external_id: str
    plan_external_id: str
    status: str
    quantity: int
    mrr_minor: int
    list_mrr_minor: int
    """MRR while live, whatever the status: what "paying at an instant" counts (DESIGN.md §4)."""
    currency: str
    started_at: datetime
    trial_end_at: datetime | None
    canceled_at: datetime | None
    ended_at: datetime | None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class InvoiceRecord:
    source: str
    external_id: str
    customer_external_id: str
    subscription_external_id: str
    status: str
    amount_due_minor: int
    amount_paid_minor: int
    currency: str
    created_at: datetime
    paid_at: datetime | None
    period_start_at: datetime | None
    period_end_at: datetime | None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ChargeRecord:
    source: str
    external_id: str
    customer_external_id: str
    invoice_external_id: str
    payment_intent_external_id: str
    amount_minor: int
    amount_captured_minor: int
    amount_refunded_minor: int
    currency: str
    status: str
    paid: bool
    refunded: bool
    disputed: bool
    failure_code: str
    failure_message: str
    created_at: datetime
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Deletion:
    """A `*.deleted` event: the object is gone at the vendor."""

    source: str
    kind: str  # customer | invoice | price
    external_id: str

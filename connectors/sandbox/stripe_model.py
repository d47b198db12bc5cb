"""Stripe objects of the sandbox as plain records, the price list, and id/period helpers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from .clock import epoch

VERSION = "2025-03-31.basil"
DAY = 86_400
TRIAL_DAYS = 14


@dataclass(frozen=True, slots=True)
class Price:
    id: str
    plan: str
    product_id: str
    product_name: str
    unit_amount: int
    interval: str
    created: int


PRICES = {
    p.id: p
    for p in (
        Price("price_free_monthly", "free", "prod_free", "Free", 0, "month", 1_577_836_800),
        Price("price_starter_monthly", "starter", "prod_starter", "Starter", 4900, "month", 1_577_836_800),
        Price("price_pro_monthly", "pro", "prod_pro", "Pro", 19900, "month", 1_577_836_800),
        Price("price_pro_yearly", "pro", "prod_pro", "Pro", 199000, "year", 1_577_836_900),
        Price("price_enterprise_monthly", "enterprise", "prod_enterprise", "Enterprise", 150000, "month", 1_577_837_000),
    )
}  # fmt: skip
COUPON = {"id": "LOYAL20", "percent_off": 20.0, "amount_off": None, "duration": "forever"}


@dataclass(slots=True)
class Item:
    id: str
    price_id: str
    quantity: int
    created: int


@dataclass(slots=True)
class StripeCustomer:
    id: str
    name: str
    email: str
    metadata: dict
    created: int
    seq: int
    deleted: bool = False


@dataclass(slots=True)
class StripeSubscription:
    id: str
    customer_id: str
    items: list[Item]
    status: str
    created: int
    anchor: int  # billing cycle anchor: end of trial, else start
    seq: int
    trial_end: int | None = None
    canceled_at: int | None = None
    ended_at: int | None = None
    coupon: bool = False


@dataclass(slots=True)
class StripeInvoice:
    id: str
    customer_id: str
    subscription_id: str
    amount: int
    status: str  # paid | open | uncollectible
    created: int
    period_start: int
    period_end: int
    lines: list[tuple[str, str, int, int]]  # (line id, price id, quantity, amount)
    seq: int
    paid_at: int | None = None
    attempted: bool = True


@dataclass(slots=True)
class StripeCharge:
    id: str
    customer_id: str
    invoice_id: str  # kept for the demo's own bookkeeping; basil charges do not render it
    amount: int
    status: str  # succeeded | failed
    created: int
    seq: int
    amount_refunded: int = 0
    disputed: bool = False


@dataclass(slots=True)
class StripeEvent:
    id: str
    type: str
    created: int
    obj: dict
    previous: dict | None
    seq: int


def digest(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest(), 16)


def stripe_id(prefix: str, text: str) -> str:
    return f"{prefix}_{hashlib.sha256(text.encode()).hexdigest()[:14]}"


def enterprise_quantity(account_id: str, seats: int) -> int:
    """Enterprise is sold in blocks of 50 seats (quantity > 1), a flat fee to one in four."""
    return max(1, seats // 50) if digest(account_id) % 4 else 1


def add_months(ts: int, months: int) -> int:
    at = datetime.fromtimestamp(ts, UTC)
    index = at.year * 12 + at.month - 1 + months
    year, month = divmod(index, 12)
    day = min(at.day, 28)
    return epoch(at.replace(year=year, month=month + 1, day=day))


def period_of(sub: StripeSubscription, at: int) -> tuple[int, int]:
    """The billing period of `sub` that contains `at` (monthly or yearly by its first item)."""
    step = 12 if PRICES[sub.items[0].price_id].interval == "year" else 1
    start, k = sub.anchor, 0
    while add_months(sub.anchor, (k + 1) * step) <= at:
        k += 1
        start = add_months(sub.anchor, k * step)
    return start, add_months(sub.anchor, (k + 1) * step)

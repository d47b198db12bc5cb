"""Stripe objects as the 2025-03-31.basil API renders them (shapes from stripe/openapi fixtures3).

Periods live on subscription items (a basil change); embedded lists use the list envelope and are
truncated with ``has_more`` past ``limit`` entries; discounts are ids unless expanded.
"""

from __future__ import annotations

from typing import Any

from .stripe_model import (
    COUPON,
    PRICES,
    StripeCharge,
    StripeCustomer,
    StripeInvoice,
    StripeSubscription,
    period_of,
    stripe_id,
)
from .stripe_state import StripeState

Json = dict[str, Any]


def envelope(url: str, data: list[Json], has_more: bool) -> Json:
    return {"object": "list", "url": url, "has_more": has_more, "data": data}


def customer(c: StripeCustomer) -> Json:
    if c.deleted:
        return {"id": c.id, "object": "customer", "deleted": True}
    return {
        "id": c.id,
        "object": "customer",
        "address": None,
        "balance": 0,
        "created": c.created,
        "currency": "usd",
        "default_source": None,
        "delinquent": False,
        "description": None,
        "email": c.email,
        "invoice_prefix": c.id[4:11].upper(),
        "invoice_settings": {"custom_fields": None, "default_payment_method": None},
        "livemode": False,
        "metadata": dict(c.metadata),
        "name": c.name,
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }


def product(product_id: str) -> Json:
    price = next(p for p in PRICES.values() if p.product_id == product_id)
    return {
        "id": product_id,
        "object": "product",
        "active": True,
        "created": price.created,
        "name": price.product_name,
        "metadata": {"plan": price.plan},
        "livemode": False,
        "type": "service",
    }


def price(price_id: str, *, expand_product: bool = False) -> Json:
    p = PRICES[price_id]
    return {
        "id": p.id,
        "object": "price",
        "active": True,
        "billing_scheme": "per_unit",
        "created": p.created,
        "currency": "usd",
        "livemode": False,
        "lookup_key": None,
        "metadata": {"plan": p.plan},
        "nickname": f"{p.product_name} {p.interval}ly",
        "product": product(p.product_id) if expand_product else p.product_id,
        "recurring": {
            "interval": p.interval,
            "interval_count": 1,
            "meter": None,
            "usage_type": "licensed",
        },
        "tax_behavior": "unspecified",
        "tiers_mode": None,
        "type": "recurring",
        "unit_amount": p.unit_amount,
        "unit_amount_decimal": str(p.unit_amount),
    }


def _plan(price_id: str) -> Json:
    p = PRICES[price_id]
    return {
        "id": p.id,
        "object": "plan",
        "active": True,
        "amount": p.unit_amount,
        "amount_decimal": str(p.unit_amount),
        "currency": "usd",
        "interval": p.interval,
        "interval_count": 1,
        "product": p.product_id,
        "usage_type": "licensed",
    }


def discount(s: StripeSubscription) -> Json:
    return {
        "id": stripe_id("di", s.id),
        "object": "discount",
        "coupon": {
            "object": "coupon",
            "created": s.created,
            "currency": None,
            "duration_in_months": None,
            "livemode": False,
            "max_redemptions": None,
            "metadata": {},
            "name": "Loyalty 20% off",
            "valid": True,
            **COUPON,
        },
        "customer": s.customer_id,
        "end": None,
        "promotion_code": None,
        "start": s.created,
        "subscription": s.id,
    }


def subscription_items(s: StripeSubscription, now: int) -> list[Json]:
    start, end = period_of(s, min(now, s.ended_at or now))
    return [
        {
            "id": i.id,
            "object": "subscription_item",
            "created": i.created,
            "current_period_start": start,
            "current_period_end": end,
            "discounts": [],
            "metadata": {},
            "plan": _plan(i.price_id),
            "price": price(i.price_id),
            "quantity": i.quantity,
            "subscription": s.id,
            "tax_rates": [],
        }
        for i in s.items
    ]


def subscription(
    s: StripeSubscription, now: int, *, expand_discounts: bool = False, items_limit: int = 10
) -> Json:
    items = subscription_items(s, now)
    discounts = ([discount(s)] if expand_discounts else [stripe_id("di", s.id)]) if s.coupon else []
    return {
        "id": s.id,
        "object": "subscription",
        "application": None,
        "billing_cycle_anchor": s.anchor,
        "cancel_at": None,
        "cancel_at_period_end": False,
        "canceled_at": s.canceled_at,
        "cancellation_details": {"comment": None, "feedback": None, "reason": None},
        "collection_method": "charge_automatically",
        "created": s.created,
        "currency": "usd",
        "customer": s.customer_id,
        "days_until_due": None,
        "default_payment_method": None,
        "description": None,
        "discounts": discounts,
        "ended_at": s.ended_at,
        "items": envelope(
            f"/v1/subscription_items?subscription={s.id}",
            items[:items_limit],
            len(items) > items_limit,
        ),
        "latest_invoice": None,
        "livemode": False,
        "metadata": {},
        "start_date": s.created,
        "status": s.status,
        "test_clock": None,
        "trial_end": s.trial_end,
        "trial_start": s.created if s.trial_end else None,
    }


def invoice(inv: StripeInvoice) -> Json:
    lines = [
        {
            "id": line_id,
            "object": "line_item",
            "amount": amount,
            "currency": "usd",
            "description": f"{quantity} × {PRICES[price_id].product_name}",
            "period": {"start": inv.period_start, "end": inv.period_end},
            "pricing": {
                "type": "price_details",
                "price_details": {"price": price_id, "product": PRICES[price_id].product_id},
                "unit_amount_decimal": str(PRICES[price_id].unit_amount),
            },
            "quantity": quantity,
            "subscription": inv.subscription_id,
        }
        for line_id, price_id, quantity, amount in inv.lines
    ]
    paid = inv.status == "paid"
    return {
        "id": inv.id,
        "object": "invoice",
        "account_country": "US",
        "amount_due": inv.amount,
        "amount_paid": inv.amount if paid else 0,
        "amount_remaining": 0 if paid else inv.amount,
        "attempt_count": 1 if inv.attempted else 0,
        "attempted": inv.attempted,
        "billing_reason": "subscription_cycle",
        "collection_method": "charge_automatically",
        "created": inv.created,
        "currency": "usd",
        "customer": inv.customer_id,
        "due_date": None,
        "effective_at": inv.created,
        "lines": envelope(f"/v1/invoices/{inv.id}/lines", lines, False),
        "livemode": False,
        "number": f"{inv.customer_id[4:11].upper()}-{inv.seq:04d}",
        "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": inv.subscription_id, "metadata": {}},
        },
        "period_end": inv.period_end,
        "period_start": inv.period_start,
        "status": inv.status,
        "status_transitions": {
            "finalized_at": inv.created,
            "marked_uncollectible_at": inv.created + 86400 * 20
            if inv.status == "uncollectible"
            else None,
            "paid_at": inv.paid_at,
            "voided_at": None,
        },
        "subtotal": inv.amount,
        "total": inv.amount,
    }


def charge(ch: StripeCharge) -> Json:
    ok = ch.status == "succeeded"
    return {
        "id": ch.id,
        "object": "charge",
        "amount": ch.amount,
        "amount_captured": ch.amount if ok else 0,
        "amount_refunded": ch.amount_refunded,
        "balance_transaction": stripe_id("txn", ch.id) if ok else None,
        "captured": ok,
        "created": ch.created,
        "currency": "usd",
        "customer": ch.customer_id,
        "disputed": ch.disputed,
        "failure_code": None if ok else "card_declined",
        "failure_message": None if ok else "Your card was declined.",
        "livemode": False,
        "metadata": {},
        "outcome": {"type": "authorized" if ok else "issuer_declined"},
        "paid": ok,
        "payment_intent": stripe_id("pi", ch.id),
        "refunded": ok and ch.amount_refunded == ch.amount,
        "status": ch.status,
    }


def dispute(ch: StripeCharge, at: int) -> Json:
    return {
        "id": stripe_id("dp", ch.id),
        "object": "dispute",
        "amount": ch.amount - ch.amount_refunded,
        "charge": ch.id,
        "created": at,
        "currency": "usd",
        "livemode": False,
        "payment_intent": stripe_id("pi", ch.id),
        "reason": "fraudulent",
        "status": "needs_response",
    }


def event_payload(state: StripeState, kind: str, obj: Any, at: int) -> Json:
    """An object as an event carries it: rendered when the event happened, never expanded."""
    if kind == "customer":
        return customer(obj)
    if kind == "subscription":
        return subscription(obj, at)
    if kind == "charge":
        return charge(obj)
    if kind == "dispute":
        return dispute(obj, at)
    return invoice(obj)

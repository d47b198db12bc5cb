"""MRR of one Stripe subscription, per DESIGN.md §3. Pure: a payload and `now` in, cents out.

The recurring price is normalised to a month (year / 12, week × 52 / 12, day × 365 / 12, divided
by `interval_count`), times quantity, minus recurring discounts (`forever`, and `repeating` until
the discount ends; `once` is not recurring). Exact Decimal arithmetic, rounded half-up to a whole
minor unit once at the end: that is the subscription's list MRR, what it carries while live.
Its current MRR is the list MRR while the status counts (`active`, `past_due`), else 0.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

COUNTING = frozenset({"active", "past_due"})
# interval → (numerator, denominator) of "one interval's amount per month"
PER_MONTH = {"day": (365, 12), "week": (52, 12), "month": (1, 1), "year": (1, 12)}


def item_monthly(item: dict) -> Decimal:
    """One item's undiscounted monthly amount in minor units (unrounded)."""
    price = item.get("price") or item.get("plan") or {}
    recurring = price.get("recurring") or {
        "interval": price.get("interval"),
        "interval_count": price.get("interval_count"),
        "usage_type": price.get("usage_type"),
    }
    if price.get("type", "recurring") != "recurring" or recurring.get("interval") is None:
        return Decimal(0)
    if recurring.get("usage_type") == "metered":
        return Decimal(0)  # billed on usage after the fact: no committed monthly amount
    amount = price.get("unit_amount_decimal") or price.get("amount_decimal")
    if amount is None:
        amount = price.get("unit_amount", price.get("amount"))
    if amount is None:
        return Decimal(0)  # tiered without tiers in the payload: unknown, counted as 0
    num, den = PER_MONTH[recurring["interval"]]
    count = int(recurring.get("interval_count") or 1)
    quantity = int(item.get("quantity") if item.get("quantity") is not None else 1)
    return Decimal(str(amount)) * quantity * num / (den * count)


def _coupon(discount) -> dict:
    if isinstance(discount, str):
        raise ValueError(f"discount {discount!r} is not expanded")
    coupon = discount.get("coupon") or (discount.get("source") or {}).get("coupon") or {}
    if isinstance(coupon, str):
        raise ValueError(f"coupon {coupon!r} is not expanded")
    return coupon


def recurring_discounts(sub: dict, *, now: int) -> list[dict]:
    """Coupons that still apply: `forever`, or `repeating` whose discount has not ended."""
    found = list(sub.get("discounts") or [])
    if not found and sub.get("discount"):  # versions before discounts[]
        found = [sub["discount"]]
    coupons = []
    for discount in found:
        coupon = _coupon(discount)
        duration = coupon.get("duration")
        end = discount.get("end") if isinstance(discount, dict) else None
        if duration == "forever" or (duration == "repeating" and (end is None or end > now)):
            coupons.append(coupon)
    return coupons


def subscription_mrr(sub: dict, items: list[dict], *, now: int) -> int:
    """Current MRR: the list MRR while the status counts, 0 otherwise."""
    return current_mrr(sub, subscription_list_mrr(sub, items, now=now))


def current_mrr(sub: dict, list_mrr: int) -> int:
    """What a subscription with this list MRR contributes now, by its status."""
    return list_mrr if sub.get("status") in COUNTING else 0


def subscription_list_mrr(sub: dict, items: list[dict], *, now: int) -> int:
    """The MRR the subscription carries while live, whatever its status (trialing, canceled...)."""
    total = sum((item_monthly(item) for item in items), Decimal(0))
    coupons = recurring_discounts(sub, now=now)
    for coupon in coupons:
        if coupon.get("percent_off") is not None:
            total = total * (100 - Decimal(str(coupon["percent_off"]))) / 100
    for coupon in coupons:
        if coupon.get("amount_off") is not None:
            # amount_off comes off every invoice: spread it over the months one invoice covers
            first = (items[0].get("price") or items[0].get("plan") or {}) if items else {}
            interval = (first.get("recurring") or first).get("interval") or "month"
            count = int((first.get("recurring") or first).get("interval_count") or 1)
            num, den = PER_MONTH[interval]
            total -= Decimal(coupon["amount_off"]) * num / (den * count)
    total = max(total, Decimal(0))
    return int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))

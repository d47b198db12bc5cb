"""MRR of one subscription (DESIGN.md §3), each case worked by hand in its comment."""

from __future__ import annotations

import pytest

from connectors.stripe import normalize
from connectors.stripe.mrr import subscription_mrr

NOW = 1_764_000_000


def price(amount, interval="month", count=1, usage="licensed"):
    return {
        "id": f"price_{amount}_{interval}",
        "object": "price",
        "type": "recurring",
        "currency": "usd",
        "product": "prod_x",
        "unit_amount": amount,
        "unit_amount_decimal": str(amount),
        "recurring": {"interval": interval, "interval_count": count, "usage_type": usage},
    }


def sub(*items, status="active", discounts=(), **fields):
    return {
        "id": "sub_1",
        "object": "subscription",
        "customer": "cus_1",
        "status": status,
        "currency": "usd",
        "created": NOW - 86400,
        "start_date": NOW - 86400,
        "discounts": list(discounts),
        "items": {
            "object": "list",
            "has_more": False,
            "data": [
                {"id": f"si_{n}", "price": p, "quantity": q} for n, (p, q) in enumerate(items)
            ],
        },
        **fields,
    }


def forever(percent=None, amount=None, duration="forever", end=None):
    coupon = {"percent_off": percent, "amount_off": amount, "duration": duration}
    return {"id": "di_1", "object": "discount", "coupon": coupon, "end": end}


def mrr(raw) -> int:
    return normalize.subscription(raw, now=NOW)[-1].mrr_minor


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # $1,990/year: 199000 / 12 = 16583.33 → 16583
        (sub((price(199000, "year"), 1)), 16583),
        # $49/month × 3 seats = 14700
        (sub((price(4900), 3)), 14700),
        # trialing contributes nothing
        (sub((price(19900), 1), status="trialing"), 0),
        # past_due still counts (Stripe's convention): 19900
        (sub((price(19900), 1), status="past_due"), 19900),
        # canceled (mid-month or not): 0 once canceled
        (sub((price(19900), 1), status="canceled", canceled_at=NOW - 3600, ended_at=NOW - 3600), 0),
        (sub((price(19900), 1), status="incomplete"), 0),
        (sub((price(19900), 1), status="unpaid"), 0),
        (sub((price(19900), 1), status="paused"), 0),
        # forever 20% off $199: 19900 × 0.8 = 15920
        (sub((price(19900), 1), discounts=[forever(20.0)]), 15920),
        # 20% off $1,990/yr, rounded once at the end: 16583.33 × 0.8 = 13266.67 → 13267
        # (rounding first would give 16583 × 0.8 = 13266.4 → 13266)
        (sub((price(199000, "year"), 1), discounts=[forever(20.0)]), 13267),
        # weekly $10: 1000 × 52 / 12 = 4333.33 → 4333
        (sub((price(1000, "week"), 1)), 4333),
        # daily $1: 100 × 365 / 12 = 3041.67 → 3042
        (sub((price(100, "day"), 1)), 3042),
        # every 3 months $300: 30000 / 3 = 10000
        (sub((price(30000, "month", 3), 1)), 10000),
        # half a cent rounds up: $0.06/year → 0.5 → 1
        (sub((price(6, "year"), 1)), 1),
        # two items: 4900 × 2 + 19900 = 29700
        (sub((price(4900), 2), (price(19900), 1)), 29700),
        # metered usage has no committed amount
        (sub((price(5, usage="metered"), 1)), 0),
        # a once coupon is not recurring; an ended repeating one no longer applies
        (sub((price(19900), 1), discounts=[forever(50.0, duration="once")]), 19900),
        (sub((price(19900), 1), discounts=[forever(50.0, "", "repeating", NOW - 1)]), 19900),
        # a live repeating one does: 19900 / 2 = 9950
        (sub((price(19900), 1), discounts=[forever(50.0, None, "repeating", NOW + 1)]), 9950),
        # $5 off each monthly invoice: 19900 − 500 = 19400
        (sub((price(19900), 1), discounts=[forever(amount=500)]), 19400),
        # $120 off a yearly invoice is $10/month: 16583.33 − 1000 = 15583.33 → 15583
        (sub((price(199000, "year"), 1), discounts=[forever(amount=12000)]), 15583),
        # a discount larger than the price floors at 0
        (sub((price(400), 1), discounts=[forever(amount=500)]), 0),
    ],
)
def test_subscription_mrr(raw, expected):
    assert mrr(raw) == expected


def test_legacy_singular_discount_and_plan_only_items():
    raw = sub((price(19900), 1))
    raw["items"]["data"][0] = {"id": "si_0", "quantity": 2, "plan": {"amount": 19900, "interval": "month", "interval_count": 1}}  # fmt: skip
    raw["discounts"], raw["discount"] = [], forever(20.0)
    # 19900 × 2 × 0.8 = 31840
    assert subscription_mrr(raw, raw["items"]["data"], now=NOW) == 31840


def test_unexpanded_discount_is_a_clear_error():
    from connectors.errors import MalformedResponse

    guarded = normalize.guarded("subscription", normalize.subscription)
    with pytest.raises(MalformedResponse, match="sub_1.*not expanded"):
        guarded(sub((price(19900), 1), discounts=["di_1"]), now=NOW)


@pytest.mark.parametrize(
    ("status", "current"),
    [("active", 15920), ("past_due", 15920), ("trialing", 0), ("canceled", 0), ("unpaid", 0)],
)
def test_list_mrr_is_what_the_subscription_carries_whatever_its_status(status, current):
    # forever 20% off $199 × 1: 15920 while live; current MRR only while the status counts
    record = normalize.subscription(
        sub((price(19900), 1), status=status, discounts=[forever(20.0)]), now=NOW
    )[-1]
    assert (record.list_mrr_minor, record.mrr_minor) == (15920, current)

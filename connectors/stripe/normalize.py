"""Stripe JSON → canonical records. Pure functions, tested on recorded-style payloads.

Fields we do not model are kept in `extra`. Payloads of older API versions (events keep the
version they were created in) are read too: top-level `plan`/`quantity`, singular `discount`,
`invoice.subscription`, `charge.invoice`.
"""

from __future__ import annotations

from datetime import datetime

from supportops.identity import email_domain

from ..normalizing import unix_time, vendor_guard
from ..normalizing import unmodelled as _rest
from ..records import AccountRecord
from .mrr import current_mrr, item_monthly, subscription_list_mrr
from .records import ChargeRecord, Deletion, InvoiceRecord, PlanRecord, SubscriptionRecord

SOURCE = "stripe"
guarded = vendor_guard("stripe")
CUSTOMER_FIELDS = {"id", "object", "name", "email", "deleted", "created"}
PRICE_FIELDS = {
    "id",
    "object",
    "nickname",
    "product",
    "unit_amount",
    "currency",
    "recurring",
    "active",
}
SUBSCRIPTION_FIELDS = {
    "id", "object", "customer", "status", "currency", "start_date", "created", "trial_end",
    "canceled_at", "ended_at",
}  # fmt: skip
INVOICE_FIELDS = {
    "id", "object", "customer", "status", "amount_due", "amount_paid", "currency", "created",
    "period_start", "period_end",
}  # fmt: skip
CHARGE_FIELDS = {
    "id", "object", "customer", "invoice", "payment_intent", "amount", "amount_captured",
    "amount_refunded", "currency", "status", "paid", "refunded", "disputed", "failure_code",
    "failure_message", "created",
}  # fmt: skip


def at(value) -> datetime | None:
    return None if value is None else unix_time(int(value))


def _id(value) -> str:
    """An id, whether the field holds it or an expanded object."""
    if isinstance(value, dict):
        return str(value["id"])
    return "" if value is None else str(value)


def customer(raw: dict) -> AccountRecord | Deletion:
    if raw.get("deleted"):
        return Deletion(SOURCE, "customer", _id(raw["id"]))
    email = (raw.get("email") or "").strip().lower()
    domain = email_domain(email)
    return AccountRecord(
        source=SOURCE,
        external_id=_id(raw["id"]),
        name=raw.get("name") or email or _id(raw["id"]),
        domains=(domain,) if domain else (),
        account_key=str((raw.get("metadata") or {}).get("account_id") or ""),
        extra=_rest(raw, CUSTOMER_FIELDS) | ({"email": email} if email else {}),
        source_created_at=at(raw.get("created")),
    )


def price(raw: dict) -> PlanRecord:
    product = raw.get("product")
    recurring = raw.get("recurring") or {}
    amount = raw.get("unit_amount")
    if amount is None and raw.get("unit_amount_decimal") is not None:
        amount = round(float(raw["unit_amount_decimal"]))
    return PlanRecord(
        source=SOURCE,
        external_id=_id(raw["id"]),
        name=raw.get("nickname") or "",
        product_name=(product.get("name") or "") if isinstance(product, dict) else "",
        unit_amount_minor=max(0, int(amount or 0)),
        currency=(raw.get("currency") or "usd").lower(),
        interval=recurring.get("interval") or "",
        interval_count=int(recurring.get("interval_count") or 1),
        is_active=bool(raw.get("active", True)),
        extra=_rest(raw, PRICE_FIELDS)
        | {"product": product if isinstance(product, dict) else _id(product)}
        | ({"recurring": recurring} if recurring else {}),
    )


def subscription_items(raw: dict) -> list[dict]:
    items = raw.get("items")
    if items is None:  # very old versions: a single top-level plan
        return [{"plan": raw["plan"], "quantity": raw.get("quantity")}] if raw.get("plan") else []
    if not isinstance(items, dict) or not isinstance(items.get("data"), list):
        raise ValueError("items is not a list object")
    return items["data"]


def subscription(raw: dict, *, now: int) -> list[PlanRecord | SubscriptionRecord]:
    items = subscription_items(raw)
    top = max(items, key=item_monthly, default={})
    plans = [price(item["price"]) for item in items if isinstance(item.get("price"), dict)]
    started_at = at(raw.get("start_date") or raw["created"])
    ended_at = at(raw.get("ended_at"))
    currency = raw.get("currency") or (top.get("price") or {}).get("currency") or "usd"
    list_mrr = subscription_list_mrr(raw, items, now=now)
    record = SubscriptionRecord(
        source=SOURCE,
        external_id=_id(raw["id"]),
        customer_external_id=_id(raw.get("customer")),
        plan_external_id=_id(top.get("price") or top.get("plan")),
        status=raw["status"],
        quantity=max(0, int(top.get("quantity") or 1)) if top else 1,
        mrr_minor=current_mrr(raw, list_mrr),
        list_mrr_minor=list_mrr,
        currency=currency.lower(),
        started_at=started_at,
        trial_end_at=at(raw.get("trial_end")),
        canceled_at=at(raw.get("canceled_at")),
        ended_at=max(ended_at, started_at) if ended_at else None,
        extra=_rest(raw, SUBSCRIPTION_FIELDS),
    )
    return [*plans, record]


def invoice_status(raw: dict) -> str:
    """paid | failed (uncollectible, or open after a failed attempt) | open | draft | void."""
    status = raw.get("status") or ""
    if status == "uncollectible" or (status == "open" and raw.get("attempted")):
        return "failed"
    return status


def invoice(raw: dict) -> InvoiceRecord:
    parent = (raw.get("parent") or {}).get("subscription_details") or {}
    subscription_id = _id(parent.get("subscription") or raw.get("subscription"))
    created_at = at(raw["created"])
    start, end = at(raw.get("period_start")), at(raw.get("period_end"))
    return InvoiceRecord(
        source=SOURCE,
        external_id=_id(raw["id"]),
        customer_external_id=_id(raw.get("customer")),
        subscription_external_id=subscription_id,
        status=invoice_status(raw),
        amount_due_minor=max(0, int(raw.get("amount_due") or 0)),
        amount_paid_minor=max(0, int(raw.get("amount_paid") or 0)),
        currency=(raw.get("currency") or "usd").lower(),
        created_at=created_at,
        paid_at=at((raw.get("status_transitions") or {}).get("paid_at")),
        period_start_at=start,
        period_end_at=max(end, start) if end and start else end,
        extra=_rest(raw, INVOICE_FIELDS),
    )


def _minor(raw: dict, name: str, *, required: bool = False) -> int:
    """An amount in minor units: a non-negative integer, never a string or a float."""
    value = raw[name] if required else raw.get(name)
    if value is None and not required:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} is {value!r}, not an amount in minor units")
    return value


def _flag(raw: dict, name: str) -> bool:
    value = raw.get(name)
    if value is not None and not isinstance(value, bool):
        raise ValueError(f"{name} is {value!r}, not true or false")
    return bool(value)


def charge(raw: dict) -> ChargeRecord:
    amount = _minor(raw, "amount", required=True)
    refunded = _minor(raw, "amount_refunded")
    if refunded > amount:
        raise ValueError(f"amount_refunded {refunded} exceeds amount {amount}")
    return ChargeRecord(
        source=SOURCE,
        external_id=_id(raw["id"]),
        customer_external_id=_id(raw.get("customer")),
        invoice_external_id=_id(raw.get("invoice")),  # absent since basil: stays blank
        payment_intent_external_id=_id(raw.get("payment_intent")),
        amount_minor=amount,
        amount_captured_minor=_minor(raw, "amount_captured"),
        amount_refunded_minor=refunded,
        currency=(raw.get("currency") or "usd").lower(),
        status=str(raw["status"]),
        paid=_flag(raw, "paid"),
        refunded=_flag(raw, "refunded"),
        disputed=_flag(raw, "disputed"),
        failure_code=raw.get("failure_code") or "",
        failure_message=raw.get("failure_message") or "",
        created_at=at(raw["created"]),
        extra=_rest(raw, CHARGE_FIELDS),
    )


def event(raw: dict, *, now: int) -> list:
    """The records one event carries (its object as of the event, deletions as Deletion)."""
    kind, obj = raw["type"], raw["data"]["object"]
    if kind == "customer.deleted":
        return [Deletion(SOURCE, "customer", _id(obj["id"]))]
    if kind == "invoice.deleted":
        return [Deletion(SOURCE, "invoice", _id(obj["id"]))]
    if kind == "price.deleted":
        return [Deletion(SOURCE, "price", _id(obj["id"]))]
    if kind.startswith("customer.subscription."):
        return subscription(obj, now=now)
    if kind.startswith("customer."):
        return [customer(obj)]
    if kind.startswith("invoice."):
        return [invoice(obj)]
    if kind.startswith("price."):
        return [price(obj)]
    if kind.startswith("charge."):  # a dispute event carries the charge once expanded
        return [charge(obj)] if obj.get("object") == "charge" else []
    return []

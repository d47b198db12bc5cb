"""Stripe billing derived from the synthetic Company: customers, prices, subscriptions, invoices
and their charges (declined when the invoice failed, a few refunded in full or in part).

Everything is deterministic in the company (ids and choices hash the account id), so one company
always bills the same way. Mutators change a subscription or customer and record the event Stripe
would send, with a payload rendered as of that moment.
"""

from __future__ import annotations

import threading
from datetime import datetime

from .clock import epoch
from .model import Company
from .stripe_model import (
    DAY,
    PRICES,
    TRIAL_DAYS,
    Item,
    StripeCharge,
    StripeCustomer,
    StripeEvent,
    StripeInvoice,
    StripeSubscription,
    digest,
    enterprise_quantity,
    period_of,
    stripe_id,
)


class StripeState:
    """All Stripe objects of one company, plus the event log; guard with ``lock``."""

    def __init__(self, company: Company, *, render_event) -> None:
        self.company = company
        self.lock = threading.RLock()
        self._render_event = render_event  # (state, kind, obj) -> payload dict, as of now
        self.customers: dict[str, StripeCustomer] = {}
        self.subscriptions: dict[str, StripeSubscription] = {}
        self.invoices: dict[str, StripeInvoice] = {}
        self.charges: dict[str, StripeCharge] = {}
        self.events: list[StripeEvent] = []
        self._seq = 0
        self._paid_charges = 0
        self._build()

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    # -- Generation ------------------------------------------------------------------------------

    def _build(self) -> None:
        end = epoch(self.company.end_at)
        history_from = epoch(self.company.start_at)
        for person in self.company.customers:
            h = digest(person.account_id)
            created = epoch(person.signed_up_at)
            metadata = {} if h % 10 == 0 else {"account_id": person.account_id}
            cus = StripeCustomer(
                stripe_id("cus", person.account_id),
                person.name,
                f"billing@{person.domain}",
                metadata,
                created,
                self.next_seq(),
            )
            self.customers[cus.id] = cus
            self._event("customer.created", created, "customer", cus)
            price_id = {
                "free": "price_free_monthly",
                "starter": "price_starter_monthly",
                "pro": "price_pro_yearly" if h % 4 == 1 else "price_pro_monthly",
                "enterprise": "price_enterprise_monthly",
            }[person.plan]
            quantity = 1
            if person.plan == "enterprise":
                quantity = enterprise_quantity(person.account_id, person.seats)
            paid = person.plan != "free"
            sub_key = f"sub:{person.account_id}"
            started = created
            trial = False
            if person.converted_at is not None:
                # Signed up free; upgrading ends the free subscription and starts a paid one,
                # half of them through a trial that ends the day they start paying.
                converted = epoch(person.converted_at)
                trial = h % 2 == 0
                started = converted - TRIAL_DAYS * DAY if trial else converted
                free = self._subscription(
                    f"{sub_key}:free", cus.id, "price_free_monthly", 1, created, coupon=False
                )
                free.status = "canceled"
                free.canceled_at = free.ended_at = started
                self.subscriptions[free.id] = free
                self._event("customer.subscription.created", created, "subscription", free)
                self._event("customer.subscription.deleted", started, "subscription", free)
            coupon = person.plan in ("starter", "pro") and h % 7 == 3
            sub = self._subscription(sub_key, cus.id, price_id, quantity, started, coupon=coupon)
            if trial:
                sub.trial_end = sub.anchor = epoch(person.converted_at)
            if person.churned_at is not None:
                sub.status = "canceled"
                sub.canceled_at = sub.ended_at = epoch(person.churned_at)
            elif paid and not person.converted_at and started > end - TRIAL_DAYS * DAY:
                sub.status, sub.trial_end = "trialing", started + TRIAL_DAYS * DAY
                sub.anchor = sub.trial_end
            elif paid and h % 17 == 5:
                sub.status = "past_due"
            elif paid and h % 29 == 7 and started > history_from and not person.converted_at:
                sub.status = "incomplete"
            self.subscriptions[sub.id] = sub
            self._event("customer.subscription.created", started, "subscription", sub)
            if paid and sub.status != "trialing":
                self._bill(sub, h, since=history_from, until=sub.ended_at or end)
            if sub.ended_at is not None:
                self._event("customer.subscription.deleted", sub.ended_at, "subscription", sub)

    def _subscription(
        self, key: str, customer_id: str, price_id: str, quantity: int, at: int, *, coupon: bool
    ) -> StripeSubscription:
        return StripeSubscription(
            id=stripe_id("sub", key),
            customer_id=customer_id,
            items=[Item(stripe_id("si", key), price_id, quantity, at)],
            status="active",
            created=at,
            anchor=at,
            seq=self.next_seq(),
            coupon=coupon,
        )

    def _bill(self, sub: StripeSubscription, h: int, *, since: int, until: int) -> None:
        periods = []
        start = sub.anchor
        while start < until:
            nxt = period_of(sub, start)[1]
            if start >= since:
                periods.append((start, nxt))
            start = nxt
        if sub.status == "incomplete":
            periods = periods[:1]
        for n, (start, stop) in enumerate(periods):
            last = n == len(periods) - 1
            key = f"in:{sub.id}:{start}"
            lines = [
                (stripe_id("il", f"{key}:{i.id}"), i.price_id, i.quantity, self.line_amount(sub, i))
                for i in sub.items
            ]
            inv = StripeInvoice(
                id=stripe_id("in", key),
                customer_id=sub.customer_id,
                subscription_id=sub.id,
                amount=sum(line[3] for line in lines),
                status="paid",
                created=start,
                period_start=start,
                period_end=stop,
                lines=lines,
                seq=self.next_seq(),
            )
            if last and sub.status in ("past_due", "incomplete"):
                inv.status = "open"
            elif digest(key) % 13 == 0 and not last:
                inv.status = "uncollectible"
            else:
                inv.paid_at = start + 3600
            self.invoices[inv.id] = inv
            self._event("invoice.finalized", inv.created, "invoice", inv)
            charge = StripeCharge(
                stripe_id("ch", key),
                sub.customer_id,
                inv.id,
                inv.amount,
                "succeeded" if inv.status == "paid" else "failed",
                start + 3600,
                self.next_seq(),
            )
            self.charges[charge.id] = charge
            kind = "invoice.paid" if inv.status == "paid" else "invoice.payment_failed"
            self._event(kind, charge.created, "invoice", inv)
            self._event(f"charge.{charge.status}", charge.created, "charge", charge)
            self._refund_some(charge)

    def _refund_some(self, charge: StripeCharge) -> None:
        """One paid charge in fifteen is refunded a few days later, every other one in part.

        Counted rather than hashed, so even a small company has both kinds."""
        if charge.status != "succeeded":
            return
        self._paid_charges += 1
        h = digest(f"refund:{charge.id}")
        at = charge.created + (2 + h % 9) * DAY
        if self._paid_charges % 15 != 7 or at > epoch(self.company.end_at):
            return
        partial = (self._paid_charges // 15) % 2 == 0 and charge.amount >= 4
        self._refund(charge, at, charge.amount // 4 if partial else None)

    def line_amount(self, sub: StripeSubscription, item: Item) -> int:
        amount = PRICES[item.price_id].unit_amount * item.quantity
        return round(amount * 0.8) if sub.coupon else amount

    # -- Events ----------------------------------------------------------------------------------

    def _event(self, type_: str, at: int, kind: str, obj, previous: dict | None = None) -> None:
        seq = self.next_seq()
        payload = self._render_event(self, kind, obj, at)
        self.events.append(
            StripeEvent(stripe_id("evt", f"{seq}:{type_}"), type_, at, payload, previous, seq)
        )

    # -- Mutators (tests and demo) ---------------------------------------------------------------

    def subscription_update(
        self,
        sub_id: str,
        *,
        at: datetime,
        status: str | None = None,
        quantity: int | None = None,
        price_id: str | None = None,
        coupon: bool | None = None,
    ) -> None:
        with self.lock:
            sub = self.subscriptions[sub_id]
            previous: dict = {}
            if status is not None and status != sub.status:
                previous["status"] = sub.status
                sub.status = status
            if quantity is not None or price_id is not None:
                previous["items"] = {"quantity": sub.items[0].quantity}
                sub.items[0].quantity = quantity or sub.items[0].quantity
                sub.items[0].price_id = price_id or sub.items[0].price_id
            if coupon is not None:
                previous["discounts"] = []
                sub.coupon = coupon
            self._event("customer.subscription.updated", epoch(at), "subscription", sub, previous)

    def subscription_add_item(self, sub_id: str, *, price_id: str, quantity: int, at: datetime):
        with self.lock:
            sub = self.subscriptions[sub_id]
            item_id = stripe_id("si", f"{sub_id}:{len(sub.items)}:{price_id}")
            sub.items.append(Item(item_id, price_id, quantity, epoch(at)))
            self._event("customer.subscription.updated", epoch(at), "subscription", sub, {})

    def subscription_cancel(self, sub_id: str, *, at: datetime) -> None:
        with self.lock:
            sub = self.subscriptions[sub_id]
            previous = {"status": sub.status, "canceled_at": None, "ended_at": None}
            sub.status = "canceled"
            sub.canceled_at = sub.ended_at = epoch(at)
            self._event("customer.subscription.deleted", epoch(at), "subscription", sub, previous)

    def customer_delete(self, cus_id: str, *, at: datetime) -> None:
        """Delete a customer: Stripe cancels its live subscriptions first, then deletes it."""
        with self.lock:
            for sub in list(self.subscriptions.values()):
                if sub.customer_id == cus_id and sub.ended_at is None:
                    self.subscription_cancel(sub.id, at=at)
            cus = self.customers[cus_id]
            cus.deleted = True
            self._event("customer.deleted", epoch(at), "customer", cus)

    def customer_update(self, cus_id: str, *, at: datetime, **changes) -> None:
        with self.lock:
            cus = self.customers[cus_id]
            previous = {name: getattr(cus, name) for name in changes}
            for name, value in changes.items():
                setattr(cus, name, value)
            self._event("customer.updated", epoch(at), "customer", cus, previous)

    def charge_refund(self, charge_id: str, *, at: datetime, amount: int | None = None) -> None:
        """Refund `amount` (default: what is left) of a succeeded charge: `charge.refunded`."""
        with self.lock:
            self._refund(self.charges[charge_id], epoch(at), amount)

    def _refund(self, charge: StripeCharge, at: int, amount: int | None) -> None:
        left = charge.amount - charge.amount_refunded
        amount = left if amount is None else amount
        if charge.status != "succeeded" or not 0 < amount <= left:
            raise ValueError(f"cannot refund {amount} of {charge.id} ({left} refundable)")
        previous = {
            "amount_refunded": charge.amount_refunded,
            "refunded": charge.amount_refunded == charge.amount,
        }
        charge.amount_refunded += amount
        self._event("charge.refunded", at, "charge", charge, previous)

    def charge_dispute(self, charge_id: str, *, at: datetime) -> None:
        """The cardholder disputes a succeeded charge: `charge.dispute.created` (a dispute)."""
        with self.lock:
            charge = self.charges[charge_id]
            charge.disputed = True
            self._event("charge.dispute.created", epoch(at), "dispute", charge)

    def customer_for_account(self, account_id: str) -> StripeCustomer:
        return self.customers[stripe_id("cus", account_id)]

    def subscription_for_account(self, account_id: str) -> StripeSubscription:
        return self.subscriptions[stripe_id("sub", f"sub:{account_id}")]

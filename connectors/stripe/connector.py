"""Stripe: customers, prices, subscriptions (with MRR), invoices and charges; later runs read
events."""

from __future__ import annotations

import time

from supportops.billing import billing_links_refresh, customer_billing_refresh
from supportops.models import SyncState
from supportops.signup import customer_signup_refresh

from ..base import Connector, Stream
from ..http import HttpClient
from . import normalize
from .client import STRIPE_LAUNCH, api_key, client, start_time, window_seconds
from .streams import events as events_reader
from .streams import list_all, sync_plan, windowed_list
from .upsert import records_write

SOURCE = "stripe"
LIST_STREAMS = ["prices", "customers", "subscriptions", "invoices", "charges"]
EVENT_TYPES = [
    "customer.created", "customer.updated", "customer.deleted",
    "customer.subscription.created", "customer.subscription.updated",
    "customer.subscription.deleted", "customer.subscription.paused",
    "customer.subscription.resumed",
    "invoice.created", "invoice.finalized", "invoice.updated", "invoice.paid",
    "invoice.payment_failed", "invoice.marked_uncollectible", "invoice.voided", "invoice.deleted",
    "price.created", "price.updated", "price.deleted",
    "charge.succeeded", "charge.failed", "charge.pending", "charge.captured", "charge.expired",
    "charge.refunded", "charge.updated", "charge.dispute.created",
]  # fmt: skip
clock = time.time  # the edge's "now"; tests point it at the sandbox clock


def is_configured() -> bool:
    return bool(api_key())


def expand_subscription(client: HttpClient, raw: dict) -> dict:
    """Fetch what a subscription payload left out: unexpanded discounts, truncated items."""
    if any(isinstance(d, str) for d in raw.get("discounts") or ()):
        raw = client.get_json(f"/v1/subscriptions/{raw['id']}", {"expand[0]": "discounts"})
    items = raw.get("items")
    if isinstance(items, dict) and items.get("has_more"):
        data = []
        for page, _ in list_all(client, "/v1/subscription_items", {"subscription": raw["id"]}):
            data.extend(page)
        raw = {**raw, "items": {**items, "data": data, "has_more": False}}
    return raw


def expand_event(client: HttpClient, event: dict) -> dict:
    """Complete what an event's object leaves out; a dispute event becomes its charge's state."""
    obj = event["data"]["object"]
    if obj.get("object") == "dispute":
        charge_id = normalize._id(obj.get("charge"))
        charge = client.get_json(f"/v1/charges/{charge_id}") if charge_id else {}
        return {**event, "data": {**event["data"], "object": charge}}
    if obj.get("object") != "subscription":
        return event
    expanded = expand_subscription(client, obj)
    return event if expanded is obj else {**event, "data": {**event["data"], "object": expanded}}


def _refresh() -> None:
    billing_links_refresh(source=SOURCE)
    customer_billing_refresh()
    customer_signup_refresh()


def streams() -> list[Stream]:
    now = int(clock())
    cursors = dict(SyncState.objects.filter(source=SOURCE).values_list("stream", "cursor"))
    plan = sync_plan(cursors=cursors, list_streams=LIST_STREAMS, now=now)
    window = window_seconds()

    def listing(path, params, normalizer, floor=lambda: STRIPE_LAUNCH, enrich=None):
        return windowed_list(
            path=path,
            params=params,
            normalize=normalizer,
            plan=plan,
            floor=floor,
            window=window,
            enrich=enrich,
        )

    subscription = normalize.guarded("subscription", normalize.subscription)
    event = normalize.guarded("event", normalize.event)
    return [
        Stream(
            name="prices",
            read=listing(
                "/v1/prices",
                {"expand[0]": "data.product"},
                normalize.guarded("price", normalize.price),
            ),
            write=records_write,
        ),
        Stream(
            name="customers",
            read=listing("/v1/customers", {}, normalize.guarded("customer", normalize.customer)),
            write=records_write,
        ),
        Stream(
            name="subscriptions",
            read=listing(
                "/v1/subscriptions",
                {"status": "all", "expand[0]": "data.discounts"},
                lambda raw: subscription(raw, now=now),
                enrich=expand_subscription,
            ),
            write=records_write,
        ),
        Stream(
            name="invoices",
            read=listing(
                "/v1/invoices",
                {},
                normalize.guarded("invoice", normalize.invoice),
                floor=start_time,
            ),
            write=records_write,
        ),
        Stream(
            name="charges",
            read=listing(
                "/v1/charges",
                {},
                normalize.guarded("charge", normalize.charge),
                floor=start_time,
            ),
            write=records_write,
        ),
        Stream(
            name="events",
            read=events_reader(
                types=EVENT_TYPES,
                normalize=lambda raw: event(raw, now=now),
                plan=plan,
                enrich=expand_event,
            ),
            write=records_write,
            after_run=_refresh,
        ),
    ]


CONNECTOR = Connector(
    source=SOURCE,
    label="Stripe",
    is_configured=is_configured,
    client=client,
    streams=streams,
    settings_help="STRIPE_API_KEY (and STRIPE_API_BASE to point at another server)",
)

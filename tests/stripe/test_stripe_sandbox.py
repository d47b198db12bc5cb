"""The Stripe sandbox's wire format: envelopes, paging, filters, events retention, errors."""

from __future__ import annotations

import pytest
import requests

from connectors.sandbox.stripe import DEFAULT_KEY
from connectors.sandbox.stripe_model import VERSION

HEADERS = {"Authorization": f"Bearer {DEFAULT_KEY}", "Stripe-Version": VERSION}


def get(server, path, **params):
    return requests.get(server.url + path, params=params, headers=HEADERS, timeout=5)


def walk(server, path, **params):
    pages = [get(server, path, **params).json()]
    while pages[-1]["has_more"]:
        pages.append(get(server, path, **params, starting_after=pages[-1]["data"][-1]["id"]).json())
    return pages, [item for page in pages for item in page["data"]]


def test_list_envelope_newest_first_with_default_limit(server):
    body = get(server, "/v1/customers").json()
    assert set(body) == {"object", "url", "has_more", "data"} and body["object"] == "list"
    assert body["url"] == "/v1/customers" and len(body["data"]) == 10 and body["has_more"]
    created = [c["created"] for c in body["data"]]
    assert created == sorted(created, reverse=True)


def test_paging_and_created_filters(server):
    state = server.stripe.state
    pages, rows = walk(server, "/v1/invoices", limit=7)
    assert len(rows) == len({r["id"] for r in rows}) == len(state.invoices)
    middle = sorted(i.created for i in state.invoices.values())[len(state.invoices) // 2]
    _, newer = walk(server, "/v1/invoices", limit=100, **{"created[gte]": middle})
    assert newer and all(r["created"] >= middle for r in newer)
    before = get(server, "/v1/invoices", limit=3, ending_before=rows[5]["id"]).json()
    assert [r["id"] for r in before["data"]] == [r["id"] for r in rows[2:5]]


@pytest.mark.parametrize("limit", ["0", "101", "x"])
def test_limit_bounds(server, limit):
    response = get(server, "/v1/customers", limit=limit)
    assert response.status_code == 400 and response.json()["error"]["param"] == "limit"


def test_canceled_subscriptions_need_status_all(server):
    state = server.stripe.state
    canceled = {s.id for s in state.subscriptions.values() if s.status == "canceled"}
    assert canceled
    _, default = walk(server, "/v1/subscriptions", limit=100)
    _, everything = walk(server, "/v1/subscriptions", limit=100, status="all")
    assert not canceled & {s["id"] for s in default}
    assert canceled <= {s["id"] for s in everything}
    item = everything[0]["items"]["data"][0]
    assert {"current_period_start", "current_period_end", "price", "quantity"} <= set(item)
    assert "current_period_start" not in everything[0]


def test_events_keep_thirty_days_and_filter_by_type(server, clock):
    _, events = walk(server, "/v1/events", limit=100)
    assert events and min(e["created"] for e in events) >= clock() - 30 * 86400
    _, paid = walk(server, "/v1/events", limit=100, **{"types[0]": "invoice.paid"})
    assert paid and {e["type"] for e in paid} == {"invoice.paid"}
    sub = next(s for s in server.stripe.state.subscriptions.values() if s.status == "active")
    server.stripe.state.subscription_cancel(sub.id, at=clock.now_at())
    newest = get(server, "/v1/events", limit=1).json()["data"][0]
    assert newest["type"] == "customer.subscription.deleted"
    assert newest["data"]["object"]["status"] == "canceled"
    assert newest["data"]["previous_attributes"]["status"] == "active"


def test_errors_use_stripe_bodies(server):
    no_key = requests.get(server.url + "/v1/customers", timeout=5)
    assert no_key.status_code == 401 and no_key.json()["error"]["type"] == "invalid_request_error"
    server.faults.add("charges", status=429, retry_after=None)
    limited = get(server, "/v1/charges")
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limit"
    assert limited.headers["Stripe-Should-Retry"] == "true"
    assert get(server, "/v1/nope").status_code == 404


def test_charges_mix_and_refund_events(server, clock):
    state = server.stripe.state
    _, charges = walk(server, "/v1/charges", limit=100)
    assert len(charges) == len(state.charges) and "invoice" not in charges[0]
    assert {c["status"] for c in charges} == {"succeeded", "failed"}
    assert {c["failure_code"] for c in charges if c["status"] == "failed"} == {"card_declined"}
    refunded = [c for c in charges if c["amount_refunded"]]
    assert any(c["refunded"] for c in refunded) and not all(c["refunded"] for c in refunded)
    paid = next(c for c in charges if c["status"] == "succeeded" and not c["amount_refunded"])
    state.charge_refund(paid["id"], at=clock.now_at(), amount=500)
    newest = get(server, "/v1/events", limit=1).json()["data"][0]
    assert newest["type"] == "charge.refunded"
    assert newest["data"]["object"]["amount_refunded"] == 500
    assert newest["data"]["previous_attributes"] == {"amount_refunded": 0, "refunded": False}
    one = get(server, f"/v1/charges/{paid['id']}").json()
    assert one["amount_refunded"] == 500 and not one["refunded"]
    with pytest.raises(ValueError):
        state.charge_refund(paid["id"], at=clock.now_at(), amount=paid["amount"])
    assert get(server, "/v1/charges/ch_nope").status_code == 404

"""Stripe payloads → canonical records: unknown fields kept, statuses mapped, versions mixed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.errors import MalformedResponse
from connectors.stripe import normalize
from connectors.stripe.records import Deletion


def test_customer_keeps_unknown_fields_and_reads_identity_hints():
    raw = {
        "id": "cus_1", "object": "customer", "name": "Acme", "email": "Billing@Acme.io",
        "metadata": {"account_id": "acct_0042"}, "invoice_prefix": "ABC", "brand_new": {"x": 1},
    }  # fmt: skip
    record = normalize.customer(raw)
    assert record.account_key == "acct_0042" and record.domains == ("acme.io",)
    assert record.extra["brand_new"] == {"x": 1} and record.extra["invoice_prefix"] == "ABC"
    assert record.source_created_at is None  # no `created` in this payload


def test_customer_carries_its_creation_time():
    record = normalize.customer({"id": "cus_1", "object": "customer", "created": 1_560_556_800})
    assert record.source_created_at == datetime(2019, 6, 15, tzinfo=UTC)
    assert "created" not in record.extra


def test_customer_without_metadata_or_with_freemail():
    record = normalize.customer({"id": "cus_2", "email": "joe@gmail.com", "metadata": {}})
    assert record.account_key == "" and record.domains == () and record.name == "joe@gmail.com"


def test_deleted_customer_is_a_deletion():
    assert normalize.customer({"id": "cus_3", "object": "customer", "deleted": True}) == Deletion(
        "stripe", "customer", "cus_3"
    )


def test_invoice_statuses_and_paid_at():
    base = {"id": "in_1", "customer": "cus_1", "created": 1_700_000_000, "amount_due": 4900,
            "period_start": 1_700_000_000, "period_end": 1_702_592_000, "future_field": True,
            "parent": {"subscription_details": {"subscription": "sub_1"}}}  # fmt: skip
    paid = normalize.invoice({**base, "status": "paid", "amount_paid": 4900,
                              "status_transitions": {"paid_at": 1_700_003_600}})  # fmt: skip
    assert paid.status == "paid" and paid.paid_at.timestamp() == 1_700_003_600
    assert paid.subscription_external_id == "sub_1" and paid.extra["future_field"] is True
    assert normalize.invoice({**base, "status": "uncollectible"}).status == "failed"
    assert normalize.invoice({**base, "status": "open", "attempted": True}).status == "failed"
    assert normalize.invoice({**base, "status": "open", "attempted": False}).status == "open"
    legacy = {**base, "parent": None, "subscription": "sub_old", "status": "paid"}
    assert normalize.invoice(legacy).subscription_external_id == "sub_old"


def test_event_types_map_to_records():
    deleted = {"type": "customer.deleted", "data": {"object": {"id": "cus_9", "object": "customer", "deleted": True}}}  # fmt: skip
    assert normalize.event(deleted, now=0) == [Deletion("stripe", "customer", "cus_9")]
    unknown = {"type": "payout.paid", "data": {"object": {"id": "po_1", "object": "payout"}}}
    assert normalize.event(unknown, now=0) == []


CHARGE = {  # VENDOR_APIS.md §2.2, the stripe/openapi fixture's charge
    "id": "ch_X", "object": "charge", "amount": 100, "amount_captured": 100, "amount_refunded": 0,
    "currency": "usd", "customer": "cus_X", "status": "succeeded", "paid": True, "captured": True,
    "refunded": False, "disputed": False, "failure_code": None, "failure_message": None,
    "payment_intent": "pi_X", "balance_transaction": "txn_X", "created": 1234567890,
    "outcome": {"type": "authorized"}, "metadata": {}, "livemode": False,
}  # fmt: skip


def test_charge_fixture_maps_to_a_record():
    record = normalize.charge(CHARGE)
    assert (record.external_id, record.customer_external_id, record.payment_intent_external_id) == (
        "ch_X", "cus_X", "pi_X"
    )  # fmt: skip
    assert (record.amount_minor, record.amount_captured_minor, record.amount_refunded_minor) == (
        100, 100, 0
    )  # fmt: skip
    assert record.status == "succeeded" and record.paid and not record.refunded
    assert record.failure_code == record.failure_message == "" and record.invoice_external_id == ""
    assert record.created_at.timestamp() == 1234567890
    assert record.extra["outcome"] == {"type": "authorized"} and "amount" not in record.extra
    legacy = normalize.charge({**CHARGE, "invoice": "in_old", "customer": {"id": "cus_Y"}})
    assert legacy.invoice_external_id == "in_old" and legacy.customer_external_id == "cus_Y"


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "100"},
        {"amount": -1},
        {"amount_refunded": 101},
        {"refunded": "false"},
        {"amount": None},
    ],
)
def test_malformed_charges_are_refused(change):
    with pytest.raises(MalformedResponse, match="stripe charge 'ch_X' is malformed"):
        normalize.guarded("charge", normalize.charge)({**CHARGE, **change})


def test_charge_events_and_unexpanded_disputes():
    refunded = {"type": "charge.refunded", "data": {"object": {**CHARGE, "amount_refunded": 100, "refunded": True}}}  # fmt: skip
    [record] = normalize.event(refunded, now=0)
    assert record.amount_refunded_minor == 100 and record.refunded
    dispute = {"type": "charge.dispute.created", "data": {"object": {"id": "dp_1", "object": "dispute", "charge": "ch_X"}}}  # fmt: skip
    assert normalize.event(dispute, now=0) == []

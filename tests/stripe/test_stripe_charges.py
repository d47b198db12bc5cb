"""Stripe charges: first pass in `created` windows, refunds and disputes through events, errors,
and charges following their customer through links and merges.

Expected values come from the sandbox's own objects (`stripe.charges`), not from its JSON, so
a rendering or normalizing slip cannot cancel itself out.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from supportops.customers import customers_merge, identity_link
from supportops.models import Charge, Customer, CustomerIdentity, Invoice, SyncState


def _ok(run):
    assert run.status == "succeeded", run.error
    return run


def _expected(ch) -> tuple:
    ok = ch.status == "succeeded"
    return (
        ch.customer_id,
        ch.amount,
        ch.amount if ok else 0,
        ch.amount_refunded,
        ch.status,
        ok,
        ok and ch.amount_refunded == ch.amount,
        ch.disputed,
        "" if ok else "card_declined",
        datetime.fromtimestamp(ch.created, UTC),
    )


def _stored() -> dict[str, tuple]:
    fields = ["customer_external_id", "amount_minor", "amount_captured_minor",
              "amount_refunded_minor", "status", "paid", "refunded", "disputed", "failure_code",
              "created_at"]  # fmt: skip
    return {row[0]: row[1:] for row in Charge.objects.values_list("external_id", *fields)}


def _fresh_paid_charge(stripe):
    return next(
        c for c in stripe.charges.values() if c.status == "succeeded" and not c.amount_refunded
    )


def test_first_sync_stores_every_charge_in_minor_units(stripe, sync, server):
    _ok(sync())
    assert _stored() == {ch.id: _expected(ch) for ch in stripe.charges.values()}
    # the sandbox's mix: declines, full and partial refunds, all arrive as they are
    rows = Charge.objects.all()
    assert rows.filter(status="failed").exists() and rows.filter(refunded=True).exists()
    assert rows.filter(refunded=False, amount_refunded_minor__gt=0).exists()
    assert not rows.filter(customer__isnull=True).exists()
    assert not rows.exclude(payment_intent_external_id__startswith="pi_").exists()
    assert not rows.exclude(invoice_external_id="").exists()  # basil charges name no invoice
    for row in rows.filter(status="succeeded")[:5]:  # same Customer as the invoices it pays
        invoice = Invoice.objects.filter(customer_external_id=row.customer_external_id).first()
        assert row.customer_id == invoice.customer_id
    requests = server.requests.matching("/v1/charges")
    assert requests and all(
        "created[gte]" in r.query and "created[lt]" in r.query for r in requests
    )
    assert SyncState.objects.get(source="stripe", stream="charges").cursor["complete"]


def test_start_date_limits_charge_history(stripe, sync, settings):
    created = sorted(c.created for c in stripe.charges.values())
    cutoff = created[len(created) // 2]
    settings.STRIPE_START_DATE = datetime.fromtimestamp(cutoff, UTC).isoformat()
    _ok(sync())
    kept = {c.id for c in stripe.charges.values() if c.created >= cutoff}
    assert set(Charge.objects.values_list("external_id", flat=True)) == kept


def test_pagination_across_small_pages(stripe, sync, server, settings, monkeypatch):
    monkeypatch.setattr("connectors.stripe.streams.PAGE", 3)
    settings.STRIPE_WINDOW_DAYS = 5000
    _ok(sync())
    charges = server.requests.matching("/v1/charges")
    paged = [r for r in charges if "starting_after" in r.query]
    assert len(paged) >= len(stripe.charges) // 3 - 1
    assert all(r.query["limit"] == "3" for r in charges)
    assert _stored() == {ch.id: _expected(ch) for ch in stripe.charges.values()}


def test_refund_after_first_sync_arrives_through_events(stripe, sync, server, clock):
    _ok(sync())
    charge = _fresh_paid_charge(stripe)
    clock.advance(3600)
    stripe.charge_refund(charge.id, at=clock.now_at(), amount=1000)
    clock.advance(120)
    server.requests.clear()
    _ok(sync())
    assert {r.path for r in server.requests} == {"/v1/events"}
    assert "charge.refunded" in server.requests.matching("/v1/events")[0].query.values()
    row = Charge.objects.get(external_id=charge.id)
    assert (row.amount_refunded_minor, row.refunded, row.paid) == (1000, False, True)

    clock.advance(3600)
    stripe.charge_refund(charge.id, at=clock.now_at())  # the rest
    clock.advance(120)
    _ok(sync())
    row.refresh_from_db()
    assert row.amount_refunded_minor == row.amount_minor == charge.amount and row.refunded
    assert _stored()[charge.id] == _expected(charge)


def test_dispute_event_refetches_its_charge(stripe, sync, server, clock):
    _ok(sync())
    charge = _fresh_paid_charge(stripe)
    clock.advance(3600)
    stripe.charge_dispute(charge.id, at=clock.now_at())
    clock.advance(120)
    server.requests.clear()
    _ok(sync())
    assert server.requests.matching(f"/v1/charges/{charge.id}")
    assert Charge.objects.get(external_id=charge.id).disputed
    assert Charge.objects.filter(disputed=True).count() == 1


def test_failed_charges_keep_failure_code_and_message(stripe, sync):
    _ok(sync())
    failed = [c for c in stripe.charges.values() if c.status == "failed"]
    assert failed
    rows = Charge.objects.filter(status="failed")
    assert sorted(rows.values_list("external_id", flat=True)) == sorted(c.id for c in failed)
    for row in rows:
        assert row.failure_code == "card_declined"
        assert row.failure_message == "Your card was declined."
        assert not row.paid and row.amount_captured_minor == 0 and row.amount_minor > 0
    for charge in failed:  # a declined charge is what failed its invoice
        assert Invoice.objects.get(external_id=charge.invoice_id).status == "failed"


@pytest.mark.parametrize("mode", ["missing_key", "wrong_types"])
def test_malformed_charge_page_fails_clearly_and_writes_nothing(
    stripe, sync, server, settings, mode
):
    settings.STRIPE_WINDOW_DAYS = 5000  # one window, one page
    server.faults.add("charges", "malformed", mode=mode)
    run = sync()
    assert run.status == "failed"
    assert "stripe page from /v1/charges has no 'data' list" in run.error
    assert not Charge.objects.exists()
    assert Invoice.objects.count() == len(stripe.invoices)  # earlier streams kept


def test_malformed_charge_record_names_it_and_writes_nothing(stripe, sync, settings, monkeypatch):
    from connectors.sandbox import stripe_json

    settings.STRIPE_WINDOW_DAYS = 5000
    bad = _fresh_paid_charge(stripe)
    render = stripe_json.charge

    def amount_as_text(ch):
        body = render(ch)
        return {**body, "amount": str(body["amount"])} if ch.id == bad.id else body

    monkeypatch.setattr(stripe_json, "charge", amount_as_text)
    run = sync()
    assert run.status == "failed"
    assert f"stripe charge '{bad.id}' is malformed" in run.error
    assert "amount is" in run.error
    assert not Charge.objects.exists()


def test_charges_follow_manual_links_and_merges(stripe, sync, clock):
    _ok(sync())
    payers = list(
        Charge.objects.values_list("customer_external_id", flat=True).distinct().order_by()
    )
    first, second = (
        CustomerIdentity.objects.get(source="stripe", external_id=e) for e in payers[:2]
    )
    keep, dup = first.customer, second.customer
    moving = set(Charge.objects.filter(customer=dup).values_list("pk", flat=True))
    assert moving and keep != dup

    customers_merge(target=keep, others=[dup])
    assert not Charge.objects.filter(customer_id=dup.pk).exists()
    assert moving <= set(Charge.objects.filter(customer=keep).values_list("pk", flat=True))

    elsewhere = Customer.objects.create(name="Elsewhere")
    second.refresh_from_db()
    identity_link(identity=second, customer=elsewhere)
    Charge.objects.update(customer=None)  # as if charges had arrived before their customers
    clock.advance(3600)
    _ok(sync())  # the after-run link refresh relinks them, keeping the manual link
    assert set(Charge.objects.filter(customer=elsewhere).values_list("pk", flat=True)) == moving
    assert not Charge.objects.filter(customer__isnull=True).exists()


def test_charges_stream_added_after_the_first_pass_is_backfilled(stripe, sync, server, clock):
    _ok(sync())
    # as if this deployment synced before charges existed
    Charge.objects.all().delete()
    SyncState.objects.filter(source="stripe", stream="charges").delete()
    before = SyncState.objects.get(source="stripe", stream="events").cursor["before"]
    clock.advance(3600)
    charge = _fresh_paid_charge(stripe)
    stripe.charge_refund(charge.id, at=clock.now_at())
    clock.advance(120)
    server.requests.clear()
    _ok(sync())
    lists = [r for r in server.requests.matching("/v1/charges")]
    assert lists and max(int(r.query["created[lt]"]) for r in lists) == before
    assert not server.requests.matching("/v1/invoices")  # only the new stream is listed
    assert _stored() == {ch.id: _expected(ch) for ch in stripe.charges.values()}
    server.requests.clear()
    clock.advance(3600)
    _ok(sync())
    assert not server.requests.matching("/v1/charges")

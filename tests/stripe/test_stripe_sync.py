"""Stripe sync end to end against the sandbox: first pass, events, deletions, resume."""

from __future__ import annotations

from datetime import timedelta

from supportops.models import Customer, CustomerIdentity, Invoice, Plan, Subscription, SyncState
from supportops.paying import customers_paying_at


def _ok(run):
    assert run.status == "succeeded", run.error
    return run


def test_first_sync_reads_every_list_in_created_windows(stripe, sync, server):
    run = _ok(sync())
    assert CustomerIdentity.objects.filter(source="stripe").count() == len(stripe.customers)
    assert Subscription.objects.count() == len(stripe.subscriptions)
    assert Invoice.objects.count() == len(stripe.invoices)
    assert Plan.objects.count() == 5
    assert run.counts["subscriptions"] >= len(stripe.subscriptions)  # + each item's price
    subs = server.requests.matching("/v1/subscriptions")
    assert subs and all(r.query["status"] == "all" for r in subs)
    assert all("created[gte]" in r.query and "created[lt]" in r.query for r in subs)
    # windows checkpoint and end where the pass began; events pick up from there
    state = dict(SyncState.objects.filter(source="stripe").values_list("stream", "cursor"))
    started = state["subscriptions"]["started"]
    assert started == int(server.clock()) and state["subscriptions"]["complete"]
    assert state["events"]["pass"] == started
    # every subscription is linked to a Customer; ~10% only via the email domain
    assert not Subscription.objects.filter(customer__isnull=True).exists()
    keyless = CustomerIdentity.objects.filter(source="stripe", account_key="")
    assert 0 < keyless.count() < len(stripe.customers) / 2
    assert all(i.match_method in ("created", "domain") for i in keyless)
    enterprise = Plan.objects.get(external_id="price_enterprise_monthly")
    assert enterprise.product_name == "Enterprise" and enterprise.unit_amount_minor == 150000


def test_pagination_across_small_pages(stripe, sync, server, settings, monkeypatch, snapshot):
    monkeypatch.setattr("connectors.stripe.streams.PAGE", 3)
    settings.STRIPE_WINDOW_DAYS = 5000
    _ok(sync())
    paged = [r for r in server.requests.matching("/v1/invoices") if "starting_after" in r.query]
    assert len(paged) >= len(stripe.invoices) // 3 - 1
    assert all(r.query["limit"] == "3" for r in server.requests.matching("/v1/invoices"))
    small = snapshot()
    assert len(small["invoices"]) == len(stripe.invoices)
    assert len(small["subscriptions"]) == len(stripe.subscriptions)


def test_later_syncs_read_events_only(stripe, sync, server, clock, company):
    _ok(sync())
    account = company.customers[3].account_id
    sub = stripe.subscription_for_account(account)
    clock.advance(3600)
    stripe.subscription_update(
        sub.id, at=clock.now_at(), quantity=3, price_id="price_starter_monthly"
    )
    clock.advance(120)
    server.requests.clear()
    _ok(sync())
    paths = {r.path for r in server.requests}
    assert paths <= {"/v1/events", f"/v1/subscriptions/{sub.id}"}, paths
    row = Subscription.objects.get(external_id=sub.id)
    assert row.quantity == 3 and row.plan.external_id == "price_starter_monthly"
    expected = 0 if row.status not in ("active", "past_due") else 3 * 4900
    if sub.coupon:
        expected = round(expected * 0.8)
    assert row.mrr_minor == expected
    assert Customer.objects.get(pk=row.customer_id).mrr_minor == expected


def test_deleted_customer_and_canceled_subscription(stripe, sync, clock, company):
    _ok(sync())
    paying = next(
        c for c in company.customers if c.plan == "pro" and c.churned_at is None
    ).account_id
    cus, sub = stripe.customer_for_account(paying), stripe.subscription_for_account(paying)
    live = Subscription.objects.get(external_id=sub.id)
    customer = live.customer
    assert customer.mrr_minor > 0 and customer.is_paying
    assert live.list_mrr_minor == live.mrr_minor
    paid_at = clock.now_at()
    clock.advance(3600)
    stripe.customer_delete(cus.id, at=clock.now_at())
    clock.advance(120)
    _ok(sync())
    identity = CustomerIdentity.objects.get(source="stripe", external_id=cus.id)
    assert identity.is_deleted and identity.name  # marked, not blanked
    row = Subscription.objects.get(external_id=sub.id)
    assert row.status == "canceled" and row.mrr_minor == 0
    assert (
        row.canceled_at
        == row.ended_at
        == clock.now_at().replace(microsecond=0) - timedelta(seconds=120)
    )
    customer.refresh_from_db()
    assert customer.mrr_minor == 0 and not customer.is_paying and customer.plan is None
    # what it paid while it ran is kept: paying before the cancellation, not after
    assert row.list_mrr_minor == live.list_mrr_minor
    before = Customer.objects.filter(customers_paying_at(paid_at), pk=customer.pk)
    after = Customer.objects.filter(customers_paying_at(clock.now_at()), pk=customer.pk)
    assert before.exists() and not after.exists()


def test_events_older_than_retention_fall_back_to_a_full_pass(stripe, sync, server, clock):
    _ok(sync())
    clock.advance(31 * 86400)
    server.requests.clear()
    _ok(sync())
    assert server.requests.matching("/v1/customers")
    assert server.requests.matching("/v1/subscriptions")
    state = SyncState.objects.get(source="stripe", stream="events").cursor
    assert state["pass"] == int(clock()) and state["before"] == int(clock()) - 60


def test_truncated_items_are_paged_through_subscription_items(stripe, sync, server, clock):
    server.stripe.items_embedded = 1
    sub = next(s for s in stripe.subscriptions.values() if s.status == "active" and not s.coupon)
    stripe.subscription_add_item(
        sub.id, price_id="price_starter_monthly", quantity=2, at=clock.now_at()
    )
    _ok(sync())
    assert server.requests.matching("/v1/subscription_items")
    row = Subscription.objects.get(external_id=sub.id)
    first = {"price_free_monthly": 0, "price_starter_monthly": 4900, "price_pro_monthly": 19900,
             "price_pro_yearly": 16583, "price_enterprise_monthly": 150000}[sub.items[0].price_id]  # fmt: skip
    assert row.mrr_minor == first * sub.items[0].quantity + 2 * 4900
    assert len(row.extra["items"]["data"]) == 2


def test_customer_attributes_follow_billing(stripe, sync, company):
    _ok(sync())
    for person in company.customers:
        sub = Subscription.objects.get(
            external_id=stripe.subscription_for_account(person.account_id).id
        )
        customer = sub.customer
        live = sub.status in ("active", "past_due")
        assert customer.mrr_minor == sub.mrr_minor
        assert customer.is_paying == (live and sub.mrr_minor > 0)
        assert customer.is_enterprise == (live and person.plan == "enterprise")
        assert customer.plan_id == (sub.plan_id if live else None)

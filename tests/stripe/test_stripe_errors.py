"""Stripe sync under failure: auth, rate limits, 5xx, bad bodies, a crash and its resume."""

from __future__ import annotations

from connectors.sandbox.stripe import DEFAULT_KEY
from supportops.models import (
    Charge,
    Customer,
    CustomerIdentity,
    Invoice,
    Subscription,
    SyncState,
)


def test_wrong_key_fails_clearly(stripe, sync, settings):
    settings.STRIPE_API_KEY = "sk_test_wrong"
    run = sync()
    assert run.status == "failed"
    assert "stripe refused our credentials (HTTP 401" in run.error
    assert "Invalid API Key" in run.error
    assert not CustomerIdentity.objects.exists()


def test_sandbox_insists_on_the_pinned_version(server):
    import requests

    headers = {"Authorization": f"Bearer {DEFAULT_KEY}", "Stripe-Version": "2022-11-15"}
    response = requests.get(server.url + "/v1/customers", headers=headers, timeout=5)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "Stripe-Version"


def test_rate_limit_then_success(stripe, sync, server):
    server.faults.add("customers", status=429, times=2, retry_after=0)
    run = sync()
    assert run.status == "succeeded", run.error
    assert CustomerIdentity.objects.count() == len(stripe.customers)
    assert not server.faults.pending


def test_server_errors_then_success(stripe, sync, server):
    server.faults.add("invoices", status=500, times=1)
    server.faults.add("subscriptions", status=503, times=2, retry_after=0)
    run = sync()
    assert run.status == "succeeded", run.error
    assert Invoice.objects.count() == len(stripe.invoices)
    assert Subscription.objects.count() == len(stripe.subscriptions)


def test_rate_limit_that_never_ends_fails_the_run(stripe, sync, server):
    server.faults.add("customers", status=429, times=50, retry_after=0)
    run = sync()
    assert run.status == "failed" and "rate limiting" in run.error


def test_truncated_body_fails_clearly_and_writes_nothing_of_that_page(stripe, sync, server):
    server.faults.add("subscriptions", "truncate", times=50)
    run = sync()
    assert run.status == "failed"
    assert "not valid JSON" in run.error and "/v1/subscriptions" in run.error
    assert CustomerIdentity.objects.count() == len(stripe.customers)  # earlier streams kept
    assert not Subscription.objects.exists()


def test_page_without_data_fails_clearly(stripe, sync, server):
    server.faults.add("invoices", "malformed", mode="missing_key")
    run = sync()
    assert run.status == "failed"
    assert "stripe page from /v1/invoices has no 'data' list" in run.error
    assert not Invoice.objects.exists()


def test_truncated_body_once_is_retried(stripe, sync, server):
    server.faults.add("customers", "truncate", times=1)
    assert sync().status == "succeeded"


def test_crash_mid_sync_then_resume_matches_a_clean_sync(
    stripe, sync, server, settings, monkeypatch, snapshot
):
    monkeypatch.setattr("connectors.stripe.streams.PAGE", 2)
    # Three pages a write: the first write commits, the crash on the fifth page lands in the
    # second, whose fourth page is read but never written.
    monkeypatch.setattr("connectors.stripe.streams.PAGES_PER_WRITE", 3)
    settings.STRIPE_WINDOW_DAYS = 5000  # few windows: the crash lands mid-window
    server.faults.add("invoices", "fail_after_pages", pages=4)
    crashed = sync()
    assert crashed.status == "failed"
    partial = Invoice.objects.count()
    assert 0 < partial < len(stripe.invoices)
    cursor = SyncState.objects.get(source="stripe", stream="invoices").cursor
    assert not cursor.get("complete")
    server.faults.clear()
    assert sync().status == "succeeded"
    resumed = snapshot()

    for model in (Charge, Invoice, Subscription, CustomerIdentity, Customer, SyncState):
        model.objects.all().delete()
    assert sync().status == "succeeded"
    assert snapshot() == resumed

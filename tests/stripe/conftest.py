"""A small fixed company behind an in-process sandbox, and a Stripe connector pointed at it.

The connector's clock is the sandbox's manual clock, so "now", event retention and the event
lag all agree; tests move time with ``clock.advance``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from connectors import registry
from connectors.sandbox import ManualClock, SandboxServer, build_company
from connectors.sandbox.model import Company
from connectors.sandbox.stripe_state import StripeState
from connectors.sync import sync_source
from supportops.models import Charge, CustomerIdentity, Invoice, Plan, Subscription, SyncRun

END_AT = datetime(2025, 11, 28, 12, tzinfo=UTC)
KEY = "sk_test_sandbox"


@pytest.fixture
def company() -> Company:
    return build_company(seed=1, customers=20, months=6, end_at=END_AT)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(END_AT + timedelta(hours=1))


@pytest.fixture
def server(company: Company, clock: ManualClock) -> Iterator[SandboxServer]:
    with SandboxServer(company, clock=clock) as running:
        yield running


@pytest.fixture
def stripe(server: SandboxServer, settings, monkeypatch, db) -> StripeState:
    settings.STRIPE_API_BASE = server.url
    settings.STRIPE_API_KEY = KEY
    settings.STRIPE_START_DATE = ""
    settings.CONNECTOR_MAX_RETRIES = 3
    monkeypatch.setitem(registry.CONNECTORS, "stripe", "connectors.stripe.connector")
    monkeypatch.setattr("connectors.stripe.connector.clock", server.clock)
    return server.stripe.state


@pytest.fixture
def sync(stripe):
    """Run one Stripe sync the way the scheduler does."""

    def run(**kwargs) -> SyncRun:
        return sync_source(source="stripe", **kwargs)

    return run


@pytest.fixture
def snapshot():
    return billing_snapshot


def billing_snapshot() -> dict[str, list[tuple]]:
    """Every billing row by external ids, free of database ids and sync times."""
    return {
        "identities": sorted(
            CustomerIdentity.objects.filter(source="stripe").values_list(
                "external_id", "account_key", "domains", "is_deleted", "customer__name"
            )
        ),
        "plans": sorted(
            Plan.objects.values_list("external_id", "product_name", "unit_amount_minor")
        ),
        "subscriptions": sorted(
            Subscription.objects.values_list(
                "external_id",
                "customer__name",
                "plan__external_id",
                "status",
                "quantity",
                "mrr_minor",
                "started_at",
                "canceled_at",
                "ended_at",
            )
        ),  # fmt: skip
        "invoices": sorted(
            Invoice.objects.values_list(
                "external_id",
                "customer__name",
                "subscription_external_id",
                "status",
                "amount_due_minor",
                "amount_paid_minor",
                "paid_at",
            )
        ),  # fmt: skip
        "charges": sorted(
            Charge.objects.values_list(
                "external_id",
                "customer__name",
                "status",
                "amount_minor",
                "amount_refunded_minor",
                "refunded",
                "failure_code",
                "created_at",
            )
        ),  # fmt: skip
    }

"""A small fixed company behind an in-process HTTPS Salesforce sandbox, and the connector
pointed at it: settings, the sandbox CA in REQUESTS_CA_BUNDLE, and the sandbox's manual clock
as the connector's "now"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from connectors import registry
from connectors.sandbox import ManualClock, build_company
from connectors.sandbox.model import Company
from connectors.sandbox.salesforce import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REFRESH_TOKEN,
)
from connectors.sandbox.salesforce_tls import SalesforceSandbox
from connectors.sync import sync_source
from supportops.models import CustomerIdentity, Opportunity, SyncRun
from supportops.models.crm import CrmActivity

END_AT = datetime(2025, 11, 28, 12, tzinfo=UTC)


@pytest.fixture
def company() -> Company:
    return build_company(seed=1, customers=20, months=6, end_at=END_AT)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(END_AT + timedelta(hours=1))


@pytest.fixture
def sandbox(company, clock, tmp_path) -> Iterator[SalesforceSandbox]:
    with SalesforceSandbox(company, cert_dir=tmp_path / "tls", clock=clock) as running:
        yield running


@pytest.fixture
def salesforce(sandbox, settings, monkeypatch, db) -> SalesforceSandbox:
    settings.SALESFORCE_LOGIN_URL = sandbox.login_url
    settings.SALESFORCE_CLIENT_ID = DEFAULT_CLIENT_ID
    settings.SALESFORCE_CLIENT_SECRET = DEFAULT_CLIENT_SECRET
    settings.SALESFORCE_REFRESH_TOKEN = DEFAULT_REFRESH_TOKEN
    settings.SALESFORCE_API_VERSION = "60.0"
    settings.SALESFORCE_START_DATE = ""
    settings.SALESFORCE_BATCH_SIZE = 2000
    settings.CONNECTOR_BACKOFF_SECONDS = 0.01
    settings.CONNECTOR_MAX_RETRIES = 3
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sandbox.certificate.ca_path))
    monkeypatch.setitem(registry.CONNECTORS, "salesforce", "connectors.salesforce.connector")
    monkeypatch.setattr("connectors.salesforce.connector.clock", sandbox.server.clock)
    return sandbox


@pytest.fixture
def sync(salesforce):
    """Run one Salesforce sync the way the scheduler does."""

    def run(**kwargs) -> SyncRun:
        return sync_source(source="salesforce", **kwargs)

    return run


def crm_snapshot() -> dict[str, list[tuple]]:
    """Every Salesforce row by external ids, free of database ids and sync times."""
    return {
        "identities": sorted(
            CustomerIdentity.objects.filter(source="salesforce").values_list(
                "external_id", "account_key", "domains", "is_deleted", "customer__name", "extra"
            ),
            key=lambda row: row[0],
        ),
        "opportunities": sorted(
            Opportunity.objects.values_list(
                "external_id",
                "customer__name",
                "stage",
                "amount",
                "currency",
                "is_won",
                "is_closed",
                "close_date",
                "created_at",
                "is_deleted",
            )
        ),  # fmt: skip
        "activities": sorted(
            CrmActivity.objects.values_list(
                "external_id", "customer__name", "kind", "subject", "occurred_at", "is_deleted"
            )
        ),
    }


@pytest.fixture
def snapshot():
    return crm_snapshot

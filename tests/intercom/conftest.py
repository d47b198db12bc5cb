"""Fixtures for the Intercom connector tests: a small fixed company behind an in-process sandbox.

The sandbox clock is manual and the connector reads the same clock, so sync windows are exact;
the connector's sleep is recorded instead of slept.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from connectors import registry
from connectors.intercom import connector as intercom_connector
from connectors.sandbox import ManualClock, SandboxServer, build_company
from connectors.sandbox.intercom import DEFAULT_TOKEN
from connectors.sandbox.model import Company
from supportops.models import Customer, CustomerIdentity
from supportops.models.customers import MatchMethod

END_AT = datetime(2025, 11, 28, 12, tzinfo=UTC)


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
def slept(monkeypatch, clock: ManualClock) -> list[float]:
    """Throttling pauses the connector took; each one moves the sandbox clock instead."""
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        clock.advance(seconds)

    monkeypatch.setattr(intercom_connector, "SLEEP", sleep)
    return pauses


@pytest.fixture
def intercom(db, settings, monkeypatch, server, clock, slept) -> SandboxServer:
    """Intercom configured against the sandbox and known to the registry."""
    monkeypatch.setitem(registry.CONNECTORS, "intercom", "connectors.intercom.connector")
    monkeypatch.setattr(intercom_connector, "CLOCK", clock)
    settings.INTERCOM_URL = server.url + "/intercom"
    settings.INTERCOM_TOKEN = DEFAULT_TOKEN
    settings.INTERCOM_START_DATE = ""
    settings.INTERCOM_PAGE_SIZE = 25
    return server


@pytest.fixture
def known_customers(db, company: Company) -> dict[str, Customer]:
    """What a Zendesk sync would have left: one Customer per account, with its domain and key."""
    customers = {}
    for c in company.customers:
        customer = Customer.objects.create(name=c.name, domains=[c.domain])
        CustomerIdentity.objects.create(
            source="zendesk",
            external_id=str(c.org_id),
            customer=customer,
            name=c.name,
            domains=[c.domain],
            account_key=c.account_id,
            match_method=MatchMethod.CREATED,
        )
        customers[c.account_id] = customer
    return customers

"""Fixtures for the sandbox tests: a small fixed company behind an in-process server.

The clock is manual and the company's ``end_at`` fixed, so every test sees the same data.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests

from connectors.sandbox import ManualClock, SandboxServer, build_company
from connectors.sandbox.model import Company

END_AT = datetime(2025, 11, 28, 12, tzinfo=UTC)
EMAIL = "demo@supportops.local"
TOKEN = "sandbox-token"


class Api:
    """A logged-in client for one sandbox server."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.session = requests.Session()
        self.session.auth = (f"{EMAIL}/token", TOKEN)

    def get(self, path: str, **params: object) -> requests.Response:
        url = path if path.startswith("http") else self.server.url + path
        return self.session.get(url, params=params or None, timeout=10)

    def json(self, path: str, **params: object) -> dict:
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        return response.json()


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
def api(server: SandboxServer) -> Api:
    return Api(server)

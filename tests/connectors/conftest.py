"""A small fixed company behind an in-process Zendesk sandbox, and settings pointing at it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.sandbox import SandboxServer, build_company

END_AT = datetime(2025, 11, 28, 12, tzinfo=UTC)


@pytest.fixture
def company():
    return build_company(seed=7, customers=20, months=3, end_at=END_AT)


@pytest.fixture
def sandbox(company):
    with SandboxServer(company) as server:
        yield server


@pytest.fixture
def zendesk(settings, sandbox):
    settings.ZENDESK_URL = sandbox.url
    settings.ZENDESK_EMAIL = "demo@supportops.local"
    settings.ZENDESK_API_TOKEN = "sandbox-token"
    settings.ZENDESK_START_DATE = ""
    settings.ZENDESK_PAGE_SIZE = 1000
    settings.CONNECTOR_BACKOFF_SECONDS = 0.01
    settings.CONNECTOR_MAX_RETRIES = 3
    return sandbox

"""A small fixed company behind an in-process Zendesk sandbox, and settings pointing at it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.sandbox import SandboxServer, build_company
from tests.zendesk_settings import zendesk_sandbox_settings

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
    zendesk_sandbox_settings(settings, sandbox.url)
    return sandbox

"""Never stale after a sync: cached dashboards and endpoints against real syncs.

A full Zendesk sync (connectors.sync.sync_source against the in-process sandbox), then two
tickets added and synced; a result computed halfway through a sync; a sync finishing while a
result is being computed. The expected ticket counts come from the sandbox's own company
(an independent path from the connector and the metrics), the costs from a 3,000.00-a-month
expense: November 2025's cost per ticket is 3,000.00 / its tickets.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.cache import cache
from django.test import override_settings

import metrics.cached
from connectors.sandbox import SandboxServer, build_company
from connectors.sync import sync_source
from metrics.cached import cost_for_month_cached
from metrics.periods import Month
from supportops.data_version import data_version
from supportops.models import Expense, MetricSettings, SyncRun, Ticket
from tests.auth_tokens import token_client
from tests.zendesk_settings import zendesk_sandbox_settings

pytestmark = pytest.mark.django_db

LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
END_AT = datetime(2025, 11, 28, 12, tzinfo=UTC)
NOVEMBER = Month(2025, 11)
TEAM_COST = Decimal("3000.00")


@pytest.fixture
def company():
    return build_company(seed=7, customers=20, months=3, end_at=END_AT)


@pytest.fixture
def zendesk(settings, company):
    with SandboxServer(company) as server:
        zendesk_sandbox_settings(settings, server.url)
        yield server


@pytest.fixture
def books(db):
    with override_settings(CACHES=LOCAL):
        cache.clear()
        MetricSettings.load()  # UTC, USD
        Expense.objects.create(
            name="Tools", kind="tool", monthly_amount=TEAM_COST, start_date=date(2020, 1, 1)
        )
        yield
        cache.clear()


@pytest.fixture
def viewer(django_user_model):
    return django_user_model.objects.create_user("viewer", password="correct horse battery")


@pytest.fixture
def page(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def api(viewer):
    return token_client(viewer)


def november_tickets(company) -> int:
    """Tickets the sandbox holds created in November 2025 (UTC), deleted ones left out."""
    return sum(
        1
        for t in company.tickets.values()
        if not t.deleted and (t.created_at.year, t.created_at.month) == (2025, 11)
    )


def per_ticket(tickets: int) -> Decimal:
    return (TEAM_COST / tickets).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def shown(page, api) -> dict:
    """November on the cost page, the cost API and the coverage API."""
    result = page.get("/cost/", {"month": "2025-11"}).context["result"]
    cost = api.get("/api/v1/metrics/cost/", {"month": "2025-11"}).json()
    coverage = api.get("/api/v1/metrics/coverage/", {"month": "2025-11"}).json()
    return {
        "page": (result.tickets, result.cost_per_ticket),
        "api": (cost["tickets"], Decimal(cost["cost_per_ticket"])),
        "coverage": [(row["product"], row["tickets"]) for row in coverage["rows"]],
    }


def test_after_a_sync_adds_tickets_the_page_and_the_api_show_them(
    books, zendesk, company, page, api
):
    assert sync_source(source="zendesk").status == SyncRun.Status.SUCCEEDED
    n = november_tickets(company)
    assert n > 0
    assert shown(page, api) == {
        "page": (n, per_ticket(n)),
        "api": (n, per_ticket(n)),
        "coverage": [("Unassigned", n)],  # no products configured: one group
    }

    later = END_AT + timedelta(hours=1)  # still November
    company.add_ticket(customer_index=0, subject="Printer on fire", at=later)
    company.add_ticket(customer_index=1, subject="Export is empty", at=later)
    assert november_tickets(company) == n + 2
    # not synced yet: the cached figures are still right about the database
    assert shown(page, api)["api"] == (n, per_ticket(n))

    run = sync_source(source="zendesk")
    assert run.status == SyncRun.Status.SUCCEEDED and run.records_written > 0
    assert shown(page, api) == {
        "page": (n + 2, per_ticket(n + 2)),
        "api": (n + 2, per_ticket(n + 2)),
        "coverage": [("Unassigned", n + 2)],
    }


def test_a_result_computed_mid_sync_does_not_survive_its_completion(
    books, zendesk, company, settings, api
):
    settings.ZENDESK_PAGE_SIZE = 25  # several pages of tickets
    seen = []

    def progress(*, stream, pages, records):
        if stream == "tickets":  # each page committed: what a visitor would be shown now
            body = api.get("/api/v1/metrics/cost/", {"month": "2025-11"}).json()
            in_db = Ticket.objects.filter(
                is_deleted=False, created_at__gte=datetime(2025, 11, 1, tzinfo=UTC)
            ).count()
            seen.append((body["tickets"], in_db, data_version()))

    run = sync_source(source="zendesk", progress=progress)
    assert run.status == SyncRun.Status.SUCCEEDED and run.pages > 2

    n = november_tickets(company)
    first_answer, first_in_db, mid_sync = seen[0]
    assert first_answer == first_in_db < n  # computed from the first page of tickets
    # Mid-sync the entry holds (no page moves the version: the customers the organizations
    # made before did), so the dashboards stay warm ...
    assert len(seen) > 1 and all(version == mid_sync for _, _, version in seen)
    assert all(answer == first_answer for answer, _, _ in seen)
    assert seen[-1][1] > first_in_db
    # ... and the sync's finish moves the version: the next view recomputes, all of November.
    assert data_version() == mid_sync + 1
    assert api.get("/api/v1/metrics/cost/", {"month": "2025-11"}).json()["tickets"] == n


def _ticket(n: int) -> Ticket:
    at = datetime(2025, 11, 3 + n, 9, tzinfo=UTC)
    return Ticket.objects.create(
        source="zendesk", external_id=f"x{n}", created_at=at, updated_at=at
    )


def test_a_sync_finishing_while_a_result_is_computed_leaves_it_behind(books, monkeypatch):
    """The key is made before the metric runs: a result computed from the data before the
    finish is filed under the version before it, never under the one after."""
    now = datetime(2026, 1, 15, tzinfo=UTC)
    _ticket(1)
    run = SyncRun.objects.create(source="zendesk", started_at=now)
    plain = metrics.cached.cost_overview

    def overview_then_the_sync_finishes(**kwargs):
        result = plain(**kwargs)  # reads one ticket
        _ticket(2)  # the sync's last page
        run.records_written, run.status, run.finished_at = 2, SyncRun.Status.SUCCEEDED, now
        run.save(update_fields=["records_written"])
        run.save(update_fields=["status", "error", "finished_at"])
        return result

    monkeypatch.setattr(metrics.cached, "cost_overview", overview_then_the_sync_finishes)
    assert cost_for_month_cached(month=NOVEMBER, now=now).tickets == 1  # as computed
    monkeypatch.setattr(metrics.cached, "cost_overview", plain)
    assert cost_for_month_cached(month=NOVEMBER, now=now).tickets == 2

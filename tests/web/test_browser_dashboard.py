"""The Cost dashboard as a person sees it: headless Chromium signs in and the chart draws.

Also proves that every asset (plotly.js included) comes from our own server, not a CDN.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from supportops.models import MetricSettings, TeamMember, Ticket
from tests.browser import BROWSER_TEST, launch, sign_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

pytestmark = BROWSER_TEST


@pytest.fixture
def data(django_user_model):
    MetricSettings.load()
    django_user_model.objects.create_user("head", password="s3cret-pass-123")
    TeamMember.objects.create(
        name="Ada", annual_salary=Decimal("120000"), fte=1, start_date=date(2024, 1, 1)
    )
    for month, count in ((9, 4), (10, 5), (11, 8)):
        for i in range(count):
            at = datetime(2025, month, 3 + i, 9, tzinfo=UTC)
            Ticket.objects.create(
                source="zendesk", external_id=f"{month}-{i}", created_at=at, updated_at=at
            )


def test_dashboard_draws_the_chart_from_local_assets(live_server, data):
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        requested = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{live_server.url}/cost/?month=2025-11")
        sign_in(page, live_server.url, "head", "s3cret-pass-123")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
        body = page.inner_text("body")
        page.screenshot(path=str(SCREENSHOTS / "cost-dashboard.png"), full_page=True)
        browser.close()

    assert "Nov 2025" in body
    # 120,000 / 12 = 10,000.00 team cost; 8 tickets in November → 1,250.00 per ticket
    assert "10,000.00" in body and "1,250.00" in body
    assert requested and all(url.startswith(live_server.url) for url in requested)

"""The Content-Security-Policy (django-csp) is on every page, and the pages keep to it.

Without the browser: every page's header carries the policy, and every inline script or style
element carries that response's nonce (no style attributes but the report archive's email
HTML). With Chromium: admin, the sign-in page and the report archive render without a single
violation (the app's pages are walked by tests/web/test_browser_pages.py).
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from supportops.models import SyncRun
from tests.browser import BROWSER_TEST, launch, sign_in, watch
from tests.report.delivery_data import report_create
from tests.web.test_browser_pages import company  # noqa: F401  (the browser pages' data)

REQUIRED = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}
EMAIL_HTML = (
    '<table role="presentation" style="width:100%;max-width:600px;background-color:#ffffff;">'
    '<tr><td style="padding:20px 24px;color:#111827;"><h1 style="font-size:24px;">Oct 2026</h1>'
    '<img src="/reports/2026-10/charts/cost_trend.png" alt="cost trend" style="width:100%;">'
    "</td></tr></table>"
)
PASSWORD = "s3cret-pass-123"


def _policy(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    return dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in header.split(";") if part.strip()
    )


def _inline_problems(html: str, nonce: str | None, *, style_attributes: bool = False) -> list[str]:
    problems = []
    for tag in re.findall(r"<script\b[^>]*>", html):
        executable = "src=" not in tag and 'type="application/json"' not in tag
        if executable and (not nonce or f'nonce="{nonce}"' not in tag):
            problems.append(f"inline script without the nonce: {tag}")
    for tag in re.findall(r"<style\b[^>]*>", html):
        if not nonce or f'nonce="{nonce}"' not in tag:
            problems.append(f"style element without the nonce: {tag}")
    if not style_attributes:
        problems += [f"style attribute: {m}" for m in re.findall(r"<[^>]*\sstyle=[^>]*>", html)]
    return problems


@pytest.fixture
def pages(admin_user, settings):
    settings.ZENDESK_URL = "http://127.0.0.1:9"
    settings.ZENDESK_EMAIL = "a@b.c"
    settings.ZENDESK_API_TOKEN = "t"
    report = report_create(date(2026, 10, 1))
    report.archive_html = EMAIL_HTML
    report.save()
    from django.utils import timezone

    run = SyncRun.objects.create(
        source="zendesk", status="failed", started_at=timezone.now(), error="boom"
    )
    return [
        "/",
        "/customers/",
        "/reports/",
        "/api/v1/docs/",
        "/admin/",
        "/admin/supportops/syncrun/",
        f"/admin/supportops/syncrun/{run.pk}/change/",
        "/admin/auth/user/add/",
        "/reports/2026-10/",
    ]


@pytest.mark.django_db
def test_every_page_sends_the_policy_and_nonces_its_inline_code(client, admin_user, pages):
    anonymous = client.get("/accounts/login/")
    assert _policy(anonymous).items() >= REQUIRED.items(), _policy(anonymous)
    client.force_login(admin_user)
    problems = []
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        policy = _policy(response)
        if policy.items() < REQUIRED.items():
            problems.append(f"{path}: policy {policy}")
        if "unsafe" in policy.get("script-src", "") + policy.get("style-src", ""):
            problems.append(f"{path}: script-src/style-src {policy}")
        # A nonce is in the header when the page used one (admin's own pages need none).
        nonce = re.search(r"'nonce-([^']+)'", policy.get("script-src", ""))
        archive = path.startswith("/reports/2026")
        html = response.content.decode()
        problems += [
            f"{path}: {p}"
            for p in _inline_problems(html, nonce[1] if nonce else None, style_attributes=archive)
        ]
        attributes = policy.get("style-src-attr", "")
        if archive and attributes != "'unsafe-inline'":
            problems.append(f"{path}: style-src-attr is {attributes!r}")
        if not archive and not re.fullmatch(r"'unsafe-hashes'( 'sha256-[^']+'){7}", attributes):
            problems.append(f"{path}: style-src-attr is {attributes!r}")
    assert not problems, problems


@pytest.mark.django_db
def test_the_policy_reaches_error_pages_and_the_api(client, admin_user):
    assert _policy(client.get("/healthz"))["default-src"] == "'self'"
    client.force_login(admin_user)
    assert _policy(client.get("/customers/999999999/"))["object-src"] == "'none'"
    assert _policy(client.get("/api/v1/customers/"))["frame-ancestors"] == "'none'"


@pytest.mark.parametrize("_", [None], ids=["chromium"])
@BROWSER_TEST[0]
@BROWSER_TEST[1]
@BROWSER_TEST[2]
@pytest.mark.usefixtures("company")
def test_admin_the_report_archive_and_chart_hovers_break_no_rule(_, live_server, django_user_model):
    """Chromium reports every violation (tests/browser.py turns them into console errors)."""
    from django.utils import timezone
    from playwright.sync_api import sync_playwright

    django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)
    report = report_create(date(2026, 10, 1))
    report.archive_html = EMAIL_HTML
    report.save()
    run = SyncRun.objects.create(source="zendesk", status="failed", started_at=timezone.now())
    paths = [
        "/reports/2026-10/",
        "/admin/",
        "/admin/supportops/syncrun/",
        f"/admin/supportops/syncrun/{run.pk}/change/",
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        "/admin/supportops/teammember/add/",
        "/admin/supportops/monthlyreport/",
    ]
    problems = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        requested, console_errors = watch(page)
        page.goto(f"{live_server.url}/")
        sign_in(page, live_server.url, "root", PASSWORD)
        page.wait_for_load_state()
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            for path in paths:
                response = page.goto(f"{live_server.url}{path}")
                if response.status != 200:
                    problems.append(f"{path} answered {response.status}")
                if "default-src 'self'" not in response.headers.get("content-security-policy", ""):
                    problems.append(f"{path}: no Content-Security-Policy")
                page.wait_for_load_state("networkidle")
        # The archive's email HTML keeps its styling (its style attributes are allowed there).
        page.goto(f"{live_server.url}/reports/2026-10/")
        padding = page.locator(".report-archive td").first.evaluate(
            "td => getComputedStyle(td).paddingTop"
        )
        # A hover label's <b> and a title's <sub> are style attributes Plotly sets.
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(f"{live_server.url}/feature-requests/")
        page.wait_for_selector(".js-plotly-plot .modebar-btn", timeout=20_000)
        page.locator(".js-plotly-plot .bars path").first.hover(force=True)
        page.wait_for_selector(".hoverlayer .hovertext", timeout=5_000)
        bold = page.locator(".hoverlayer .hovertext tspan").evaluate_all(
            "spans => spans.some(s => getComputedStyle(s).fontWeight === '700')"
        )
        browser.close()
    assert not console_errors, console_errors
    assert not problems, problems
    assert padding == "20px"
    assert bold
    assert all(url.startswith(live_server.url) for url in requested)

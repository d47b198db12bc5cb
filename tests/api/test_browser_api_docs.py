"""The API documentation page as a person sees it: headless Chromium signs in, Swagger UI draws
the operations from our schema, and no request leaves our own server."""

from __future__ import annotations

from tests.browser import BROWSER_TEST, launch, sign_in

pytestmark = BROWSER_TEST


def test_docs_page_draws_the_api_from_local_assets(live_server, django_user_model):
    from playwright.sync_api import sync_playwright

    django_user_model.objects.create_user("dev", password="s3cret-pass-123")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        requested = []
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{live_server.url}/api/v1/docs/")
        sign_in(page, live_server.url, "dev", "s3cret-pass-123")
        page.wait_for_selector(".opblock", timeout=20_000)
        body = page.inner_text("body")
        download = page.get_attribute("a.download", "href")
        browser.close()

    assert "/api/v1/metrics/cost/" in body and "/api/v1/customers/" in body
    assert download == "/api/v1/schema/"
    assert any(url.endswith("/api/v1/schema/") for url in requested)
    assert requested and all(url.startswith(live_server.url) for url in requested), requested

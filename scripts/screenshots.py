#!/usr/bin/env python
"""Screenshots of every page at 1366 and 390 px, as a head of customer success sees them.

Run against a running demo (`make demo` prints the login):
    .venv/bin/python scripts/screenshots.py --url http://127.0.0.1:8000 --user demo --password ...
Writes docs/screenshots/<page>-<width>.png and prints, per shot, the page's width overflow.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (1366, 390)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pages(customer_path: str) -> list[tuple[str, str]]:
    return [
        ("overview", "/"),
        ("cost", "/cost/"),
        ("cost-month-in-progress", "/cost/?month=current"),
        ("cost-by-plan", "/cost/?by=plan"),
        ("customers", "/customers/"),
        ("customers-filtered", "/customers/?paying=yes&stale_days=30&sort=-mrr"),
        ("customer-detail", customer_path),
        ("customers-unmatched", "/customers/unmatched/"),
        ("cohorts", "/cohorts/"),
        ("coverage", "/coverage/"),
        ("support-ops", "/support-ops/"),
        ("support-ops-by-plan", "/support-ops/?by=plan"),
        ("cohorts-first-30-days", "/cohorts/?variant=first_30_days"),
        ("feature-requests", "/feature-requests/"),
        ("feature-request", "/feature-requests/request/?name=salesforce"),
        ("bugs", "/bugs/"),
        ("bug-group", "/bugs/group/?key=tag:bug-export"),
        ("reports", "/reports/"),
        ("report-archive", "/reports/2026-11/"),
        ("api-docs", "/api/v1/docs/"),
        ("not-found", "/customers/999999999/"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="demo")
    parser.add_argument("--password", required=True)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.goto(f"{args.url}/accounts/login/")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(out / f"sign-in-{width}.png"), full_page=True)
        page.fill("input[name=username]", args.user)
        page.fill("input[name=password]", args.password)
        page.click("button[type=submit]")
        page.goto(f"{args.url}/customers/?sort=-mrr")
        first = page.locator(".customers-table tbody a").first.get_attribute("href")
        current = page.evaluate("new Date().toISOString().slice(0, 7)")
        for name, path in pages(first):
            path = path.replace("month=current", f"month={current}")
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(f"{args.url}{path}")
                if page.locator("[data-plotly-figure]").count():
                    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
                page.wait_for_timeout(300)
                scroll = page.evaluate("document.documentElement.scrollWidth")
                target = out / f"{name}-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                flag = "" if scroll <= width else f"  OVERFLOW: scrollWidth {scroll}"
                print(f"{target}{flag}")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

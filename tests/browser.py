"""Headless Chromium for the browser tests: Debian's chromium, driven by playwright.

Background networking stays off: this machine has no internet, and a page must never reach
for it anyway.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_BIN") or shutil.which("chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# For a module's pytestmark: a live server in a thread needs committed data.
BROWSER_TEST = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM, reason="needs chromium: run through `make test`"),
]


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def watch(page) -> tuple[list[str], list[tuple[str, str]]]:
    """Every URL the page requests, and every console error or uncaught exception with the
    page's URL, as they happen (lists the caller reads at the end)."""
    requested: list[str] = []
    console_errors: list[tuple[str, str]] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on(
        "console",
        lambda msg: msg.type == "error" and console_errors.append((page.url, msg.text)),
    )
    page.on("pageerror", lambda error: console_errors.append((page.url, str(error))))
    # Every Content-Security-Policy violation is a console error too (the browser logs only
    # some of them, e.g. not those of report-only policies or of CSSOM changes).
    page.add_init_script(CSP_VIOLATIONS_TO_CONSOLE)
    return requested, console_errors


CSP_VIOLATIONS_TO_CONSOLE = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + (e.sourceFile || "") + ":" + e.lineNumber + " " + (e.sample || ""));
});
"""


def sign_in(page, base_url: str, username: str, password: str) -> None:
    """Fill the sign-in form the page was sent to and submit it."""
    assert "/accounts/login/" in page.url  # anonymous visitors are sent to sign in
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit], input[type=submit]")

"""Stripe settings and the HTTP client: the shared one, with Bearer auth and a pinned version.

We use `connectors.http.HttpClient` rather than the `stripe` SDK so Stripe behaves like every
other connector: one place for timeouts, retries on 429/5xx with `Retry-After`, and the same
ConnectorError messages; the connector only reads lists, which need no SDK.
"""

from __future__ import annotations

from django.conf import settings

from ..config import start_date_setting
from ..http import HttpClient

API_VERSION = "2025-03-31.basil"
STRIPE_LAUNCH = 1_293_840_000  # 2011-01-01: nothing in Stripe is older


def setting(name: str, default=None):
    return getattr(settings, name, default)


def api_base() -> str:
    return setting("STRIPE_API_BASE", "") or "https://api.stripe.com"


def api_key() -> str:
    return setting("STRIPE_API_KEY", "") or ""


def window_seconds() -> int:
    return int(setting("STRIPE_WINDOW_DAYS", 30) or 30) * 86_400


def start_time() -> int:
    """Epoch seconds invoice and charge history start from: STRIPE_START_DATE, else all of it."""
    at = start_date_setting("STRIPE_START_DATE")
    return max(STRIPE_LAUNCH, int(at.timestamp())) if at else STRIPE_LAUNCH


def client() -> HttpClient:
    return HttpClient(
        api_base(),
        vendor="stripe",
        headers={"Authorization": f"Bearer {api_key()}", "Stripe-Version": API_VERSION},
    )

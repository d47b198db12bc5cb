"""Point the Zendesk connector at a sandbox server: the settings every Zendesk sync test sets."""

from __future__ import annotations


def zendesk_sandbox_settings(settings, url: str, *, page_size: int = 1000, retries: int = 3):
    """Credentials the sandbox accepts, no start date, short backoff so retried faults are quick."""
    settings.ZENDESK_URL = url
    settings.ZENDESK_EMAIL = "demo@supportops.local"
    settings.ZENDESK_API_TOKEN = "sandbox-token"
    settings.ZENDESK_START_DATE = ""
    settings.ZENDESK_PAGE_SIZE = page_size
    settings.CONNECTOR_BACKOFF_SECONDS = 0.01
    settings.CONNECTOR_MAX_RETRIES = retries

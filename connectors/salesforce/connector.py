"""Salesforce CRM: accounts (→ customer identities), opportunities, tasks and events.

Settings (read with getattr so the connector works before they are added to settings/base.py):
SALESFORCE_LOGIN_URL, SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET, SALESFORCE_REFRESH_TOKEN,
SALESFORCE_API_VERSION, SALESFORCE_START_DATE, SALESFORCE_BATCH_SIZE (SALESFORCE_SYNC_MINUTES is
the schedule's).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django.conf import settings

from supportops.identity import identities_resolve
from supportops.signup import customer_signup_refresh

from .. import upsert as common_upsert
from ..base import Connector, Stream
from ..config import start_date_setting
from ..http import HttpClient
from . import normalize
from .client import SalesforceClient
from .streams import modstamp_window
from .upsert import (
    activities_upsert,
    crm_links_refresh,
    opportunities_upsert,
)

SOURCE = "salesforce"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
clock = time.time  # the edge's "now"; tests point it at the sandbox clock


def _setting(name: str, default=""):
    return getattr(settings, name, default)


def is_configured() -> bool:
    return bool(
        _setting("SALESFORCE_CLIENT_ID")
        and _setting("SALESFORCE_CLIENT_SECRET")
        and _setting("SALESFORCE_REFRESH_TOKEN")
    )


def start_at() -> datetime:
    """Where a first sync starts: SALESFORCE_START_DATE, else the whole history."""
    return start_date_setting("SALESFORCE_START_DATE") or EPOCH


def now() -> datetime:
    return datetime.fromtimestamp(clock(), UTC)


def client() -> SalesforceClient:
    login_url = _setting("SALESFORCE_LOGIN_URL", "https://login.salesforce.com")
    return SalesforceClient(
        http=HttpClient(login_url, vendor="salesforce"),
        client_id=_setting("SALESFORCE_CLIENT_ID"),
        client_secret=_setting("SALESFORCE_CLIENT_SECRET"),
        refresh_token=_setting("SALESFORCE_REFRESH_TOKEN"),
        version=str(_setting("SALESFORCE_API_VERSION", "60.0")),
        batch_size=int(_setting("SALESFORCE_BATCH_SIZE", 2000)),
    )


def _write_accounts(records) -> int:
    written = common_upsert.accounts_upsert(records)
    identities_resolve(source=SOURCE)
    return written


def _refresh_links() -> None:
    crm_links_refresh(source=SOURCE)


def streams() -> list[Stream]:
    def window(sobject, normalizer):
        return modstamp_window(
            sobject=sobject,
            normalize=normalize.guarded(sobject, normalizer),
            start_at=start_at,
            now=now,
        )

    return [
        Stream(
            name="accounts",
            read=window("Account", normalize.account),
            write=_write_accounts,
            after_run=customer_signup_refresh,
        ),
        Stream(
            name="opportunities",
            read=window("Opportunity", normalize.opportunity),
            write=opportunities_upsert,
            after_run=_refresh_links,
        ),
        Stream(name="tasks", read=window("Task", normalize.task), write=activities_upsert),
        Stream(
            name="events",
            read=window("Event", normalize.event),
            write=activities_upsert,
            after_run=_refresh_links,
        ),
    ]


CONNECTOR = Connector(
    source=SOURCE,
    label="Salesforce",
    is_configured=is_configured,
    client=client,
    streams=streams,
    settings_help="SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET and SALESFORCE_REFRESH_TOKEN",
)

"""Zendesk Support: organizations, users, tickets (with metric sets) and comments."""

from __future__ import annotations

from django.conf import settings
from requests.auth import HTTPBasicAuth

from supportops.contact import customer_contact_refresh
from supportops.identity import customer_links_refresh, identities_resolve
from supportops.products import product_rules_load
from supportops.signup import customer_signup_refresh

from .. import upsert
from ..base import Connector, Stream
from ..config import start_date_setting
from ..http import HttpClient
from . import normalize
from .streams import cursor_export, time_export

SOURCE = "zendesk"


def is_configured() -> bool:
    return bool(settings.ZENDESK_URL and settings.ZENDESK_EMAIL and settings.ZENDESK_API_TOKEN)


def start_time() -> int:
    """Epoch seconds a first sync starts from: ZENDESK_START_DATE, else the whole history."""
    at = start_date_setting("ZENDESK_START_DATE")
    return int(at.timestamp()) if at else 0


def client() -> HttpClient:
    return HttpClient(
        settings.ZENDESK_URL,
        vendor="zendesk",
        auth=HTTPBasicAuth(f"{settings.ZENDESK_EMAIL}/token", settings.ZENDESK_API_TOKEN),
    )


def _write_organizations(records) -> int:
    written = upsert.accounts_upsert(records)
    identities_resolve(source=SOURCE)
    return written


def _write_tickets(records) -> int:
    return upsert.tickets_upsert(records, rules=product_rules_load())


def _refresh() -> None:
    """Once organizations, users and tickets are in: their customer links, then signup dates."""
    customer_links_refresh(source=SOURCE)
    customer_signup_refresh()


def _link_comments() -> None:
    """Once comments are in: their tickets, then every customer's last contact and ticket
    count (tickets, deletions and customer links all changed before this, in this run)."""
    upsert.interactions_link_tickets(source=SOURCE)
    customer_contact_refresh()


def streams() -> list[Stream]:
    page = {"per_page": settings.ZENDESK_PAGE_SIZE}
    return [
        Stream(
            name="organizations",
            read=time_export(
                path="/api/v2/incremental/organizations.json",
                key="organizations",
                normalize=normalize.guarded("organization", normalize.organization),
                params=page,
                start_time=start_time,
            ),
            write=_write_organizations,
        ),
        Stream(
            name="users",
            read=cursor_export(
                path="/api/v2/incremental/users/cursor.json",
                key="users",
                normalize=normalize.guarded("user", normalize.user),
                params=page,
                start_time=start_time,
            ),
            write=upsert.contacts_upsert,
        ),
        Stream(
            name="tickets",
            read=cursor_export(
                path="/api/v2/incremental/tickets/cursor.json",
                key="tickets",
                normalize=normalize.guarded("ticket", normalize.ticket),
                params={**page, "include": "metric_sets"},
                start_time=start_time,
            ),
            write=_write_tickets,
            after_run=_refresh,
        ),
        Stream(
            name="comments",
            read=time_export(
                path="/api/v2/incremental/ticket_events.json",
                key="ticket_events",
                normalize=normalize.guarded("ticket event", normalize.ticket_event_comments),
                params={**page, "include": "comment_events"},
                start_time=start_time,
            ),
            write=upsert.interactions_upsert,
            after_run=_link_comments,
        ),
    ]


CONNECTOR = Connector(
    source=SOURCE,
    label="Zendesk",
    is_configured=is_configured,
    client=client,
    streams=streams,
    settings_help="ZENDESK_URL, ZENDESK_EMAIL and ZENDESK_API_TOKEN",
)

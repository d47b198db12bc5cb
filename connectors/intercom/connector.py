"""Intercom: companies, contacts and chat conversations (with their parts)."""

from __future__ import annotations

import time
from dataclasses import replace

from django.conf import settings

from supportops.contact import customer_derived_refresh
from supportops.identity import customer_links_refresh, identities_resolve
from supportops.models import Contact
from supportops.products import product_rules_load

from .. import upsert
from ..base import Connector, Stream
from ..config import start_date_setting
from ..records import ContactRecord, InteractionRecord, TicketRecord
from . import normalize
from .client import IntercomClient
from .reconcile import Seen, marking_missing, reconcile, seen_apply
from .streams import scroll, search_window

SOURCE = "intercom"
DEFAULT_URL = "https://api.intercom.io"
MAX_PER_PAGE = 150
RECONCILE_HOURS = 24

# The edge of the system: tests point these at a sandbox clock and a recording sleep.
CLOCK = time.time
SLEEP = time.sleep


def _setting(name: str, default=""):
    return getattr(settings, name, default)


def is_configured() -> bool:
    return bool(_setting("INTERCOM_TOKEN"))


def start_time() -> int:
    """Epoch seconds a first sync starts from: INTERCOM_START_DATE, else the whole history."""
    at = start_date_setting("INTERCOM_START_DATE")
    return int(at.timestamp()) if at else 0


def client() -> IntercomClient:
    return IntercomClient(
        _setting("INTERCOM_URL") or DEFAULT_URL,
        token=_setting("INTERCOM_TOKEN"),
        clock=CLOCK,
        sleep=SLEEP,
    )


def reconcile_seconds() -> float:
    """How often every id is listed to find deletions (INTERCOM_RECONCILE_HOURS, default 24)."""
    return float(_setting("INTERCOM_RECONCILE_HOURS", RECONCILE_HOURS)) * 3600


def _write_companies(records) -> int:
    accounts = [r for r in records if not isinstance(r, Seen)]
    written = 0
    if accounts:
        written = upsert.accounts_upsert(accounts)
        identities_resolve(source=SOURCE)
    return written + seen_apply([r for r in records if isinstance(r, Seen)])


def _with_organizations(tickets: list[TicketRecord]) -> list[TicketRecord]:
    """A conversation's organization is its requester's company (one query per page)."""
    companies = dict(
        Contact.objects.filter(
            source=SOURCE, external_id__in={t.requester_external_id for t in tickets}
        ).values_list("external_id", "organization_external_id")
    )
    return [
        replace(t, organization_external_id=companies.get(t.requester_external_id) or "")
        for t in tickets
    ]


def _write_conversations(records) -> int:
    admins = [r for r in records if isinstance(r, ContactRecord)]
    tickets = [r for r in records if isinstance(r, TicketRecord)]
    messages = [r for r in records if isinstance(r, InteractionRecord)]
    written = upsert.contacts_upsert(admins) if admins else 0
    if tickets:
        written += upsert.tickets_upsert(_with_organizations(tickets), rules=product_rules_load())
    return written + upsert.interactions_upsert(messages)


def streams() -> list[Stream]:
    per_page = max(1, min(MAX_PER_PAGE, int(_setting("INTERCOM_PAGE_SIZE", MAX_PER_PAGE))))
    return [
        Stream(
            name="companies",
            read=marking_missing(
                "companies",
                scroll(
                    path="/companies/scroll",
                    normalize=normalize.guarded("company", normalize.company),
                ),
            ),
            write=_write_companies,
        ),
        Stream(
            name="contacts",
            read=search_window(
                path="/contacts/search",
                key="data",
                normalize=normalize.guarded("contact", normalize.contact),
                per_page=per_page,
                start_time=start_time,
            ),
            write=upsert.contacts_upsert,
        ),
        Stream(
            name="conversations",
            read=search_window(
                path="/conversations/search",
                key="conversations",
                normalize=normalize.guarded("conversation", normalize.conversation),
                per_page=per_page,
                start_time=start_time,
                detail="/conversations",
            ),
            write=_write_conversations,
            after_run=lambda: customer_links_refresh(source=SOURCE),
        ),
        Stream(
            name="deletions",
            read=reconcile(
                listings={
                    "conversations": ("/conversations/search", "conversations"),
                    "contacts": ("/contacts/search", "data"),
                },
                per_page=per_page,
                every_seconds=reconcile_seconds,
            ),
            write=seen_apply,
            # once links and deletions are in: signup dates, last contact, ticket counts
            after_run=customer_derived_refresh,
        ),
    ]


CONNECTOR = Connector(
    source=SOURCE,
    label="Intercom",
    is_configured=is_configured,
    client=lambda: client(),
    streams=streams,
    settings_help="INTERCOM_TOKEN (and INTERCOM_URL for a non-US workspace)",
)

"""Canonical records: what normalizers produce and writers consume, whatever the vendor."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class AccountRecord:
    source: str
    external_id: str
    name: str
    domains: tuple[str, ...] = ()
    account_key: str = ""
    is_deleted: bool = False
    extra: dict = field(default_factory=dict)
    references: tuple[tuple[str, str], ...] = ()
    """Other systems' records this account names (e.g. a CRM account's billing customer)."""
    source_created_at: datetime | None = None
    """When the source says the account was created: evidence of the signup date."""


@dataclass(frozen=True)
class ContactRecord:
    source: str
    external_id: str
    organization_external_id: str
    name: str
    email: str
    role: str
    is_active: bool = True
    extra: dict = field(default_factory=dict)
    source_created_at: datetime | None = None
    """When the source says the person was created: a requester's is evidence of the signup."""


@dataclass(frozen=True)
class TicketRecord:
    source: str
    external_id: str
    organization_external_id: str
    requester_external_id: str
    channel: str
    subject: str
    status: str
    type: str
    priority: str
    tags: list
    problem_external_id: str
    created_at: datetime
    updated_at: datetime
    solved_at: datetime | None
    first_reply_minutes: int | None
    full_resolution_minutes: int | None
    reopens: int | None  # the vendor's count; None when it gives none
    custom_fields: dict
    form_id: str
    is_deleted: bool
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class InteractionRecord:
    source: str
    external_id: str
    ticket_external_id: str
    author_external_id: str
    author_role: str | None
    """agent / customer / system; None when it must be looked up from the author contact."""
    is_public: bool
    created_at: datetime
    body: str = ""

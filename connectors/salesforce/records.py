"""Canonical CRM records the Salesforce normalizer produces (accounts use AccountRecord)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class OpportunityRecord:
    source: str
    external_id: str
    account_external_id: str
    name: str
    stage: str
    amount: Decimal | None
    currency: str
    is_closed: bool
    is_won: bool
    created_at: datetime
    close_date: date | None
    is_deleted: bool
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ActivityRecord:
    source: str
    external_id: str
    account_external_id: str
    kind: str  # task | event
    subject: str
    status: str
    occurred_at: datetime
    created_at: datetime
    is_deleted: bool
    extra: dict = field(default_factory=dict)

"""Salesforce record JSON → canonical records. Pure functions, tested on recorded payloads.

Every field we do not model (custom ``__c`` fields included) is kept in ``extra``; only the
``attributes`` envelope is dropped.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

from ..normalizing import parse_iso_time as parse_time
from ..normalizing import unmodelled as _rest
from ..normalizing import vendor_guard, website_domain
from ..records import AccountRecord
from .records import ActivityRecord, OpportunityRecord

SOURCE = "salesforce"
guarded = vendor_guard("salesforce", id_key="Id")
ACCOUNT_KEY_FIELD = "Account_Key__c"
STRIPE_ID_FIELD = "Stripe_Customer_Id__c"
ACCOUNT_PREFIX = "001"
DEFAULT_CURRENCY = "usd"
ACCOUNT_FIELDS = {
    "attributes", "Id", "Name", "Website", ACCOUNT_KEY_FIELD, "IsDeleted", "CreatedDate",
}  # fmt: skip
OPPORTUNITY_FIELDS = {
    "attributes", "Id", "AccountId", "Name", "StageName", "Amount", "CurrencyIsoCode",
    "IsClosed", "IsWon", "CreatedDate", "CloseDate", "IsDeleted",
}  # fmt: skip
ACTIVITY_FIELDS = {"attributes", "Id", "AccountId", "WhatId", "Subject", "CreatedDate", "IsDeleted"}


def parse_date(value: str | None) -> date | None:
    return None if value in (None, "") else date.fromisoformat(value)


def _text(value) -> str:
    return "" if value is None else str(value)


def account(raw: dict) -> AccountRecord:
    external_id = _text(raw["Id"])
    domain = website_domain(raw.get("Website"))
    return AccountRecord(
        source=SOURCE,
        external_id=external_id,
        name=raw.get("Name") or external_id,
        domains=(domain,) if domain else (),
        account_key=_text(raw.get(ACCOUNT_KEY_FIELD)).strip(),
        is_deleted=bool(raw.get("IsDeleted", False)),
        extra=_rest(raw, ACCOUNT_FIELDS),
        references=_stripe_reference(raw),
        source_created_at=parse_time(raw.get("CreatedDate")),
    )


def _stripe_reference(raw: dict) -> tuple[tuple[str, str], ...]:
    stripe_id = _text(raw.get(STRIPE_ID_FIELD)).strip()
    return (("stripe", stripe_id),) if stripe_id else ()


def _amount(value) -> Decimal | None:
    if value is None:
        return None
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    return amount if amount >= 0 else None  # a negative amount stays in extra only


def opportunity(raw: dict) -> OpportunityRecord:
    extra = _rest(raw, OPPORTUNITY_FIELDS)
    amount = _amount(raw.get("Amount"))
    if amount is None and raw.get("Amount") is not None:
        extra["Amount"] = raw["Amount"]
    return OpportunityRecord(
        source=SOURCE,
        external_id=_text(raw["Id"]),
        account_external_id=_text(raw.get("AccountId")),
        name=_text(raw.get("Name"))[:255],
        stage=_text(raw.get("StageName"))[:100],
        amount=amount,
        currency=(raw.get("CurrencyIsoCode") or DEFAULT_CURRENCY).lower()[:3],
        is_closed=bool(raw.get("IsClosed")),
        is_won=bool(raw.get("IsWon")),
        created_at=parse_time(raw["CreatedDate"]),
        close_date=parse_date(raw.get("CloseDate")),
        is_deleted=bool(raw.get("IsDeleted", False)),
        extra=extra,
    )


def _account_of(raw: dict) -> str:
    account_id = _text(raw.get("AccountId"))
    what = _text(raw.get("WhatId"))
    return account_id or (what if what.startswith(ACCOUNT_PREFIX) else "")


def task(raw: dict) -> ActivityRecord:
    created_at = parse_time(raw["CreatedDate"])
    due = parse_date(raw.get("ActivityDate"))
    return ActivityRecord(
        source=SOURCE,
        external_id=_text(raw["Id"]),
        account_external_id=_account_of(raw),
        kind="task",
        subject=_text(raw.get("Subject"))[:255],
        status=_text(raw.get("Status"))[:40],
        occurred_at=datetime.combine(due, time(), UTC) if due else created_at,
        created_at=created_at,
        is_deleted=bool(raw.get("IsDeleted", False)),
        extra=_rest(raw, ACTIVITY_FIELDS | {"Status", "ActivityDate"}),
    )


def event(raw: dict) -> ActivityRecord:
    created_at = parse_time(raw["CreatedDate"])
    starts = parse_time(raw.get("StartDateTime")) or parse_time(raw.get("ActivityDateTime"))
    return ActivityRecord(
        source=SOURCE,
        external_id=_text(raw["Id"]),
        account_external_id=_account_of(raw),
        kind="event",
        subject=_text(raw.get("Subject"))[:255],
        status="",
        occurred_at=starts or created_at,
        created_at=created_at,
        is_deleted=bool(raw.get("IsDeleted", False)),
        extra=_rest(raw, ACTIVITY_FIELDS | {"StartDateTime"}),
    )

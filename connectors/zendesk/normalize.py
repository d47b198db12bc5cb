"""Zendesk JSON → canonical records. Pure functions, tested on recorded payloads.

Fields we do not model are kept in `extra`, so a new vendor field or custom field never breaks a
sync and is never lost.
"""

from __future__ import annotations

from ..normalizing import as_id as _id
from ..normalizing import parse_iso_time as parse_time
from ..normalizing import unmodelled as _rest
from ..normalizing import vendor_guard
from ..records import AccountRecord, ContactRecord, InteractionRecord, TicketRecord

SOURCE = "zendesk"
guarded = vendor_guard("zendesk")
SYSTEM_AUTHOR_IDS = {"-1", "None", ""}

ORG_FIELDS = {"id", "name", "domain_names", "external_id", "deleted_at", "created_at"}
USER_FIELDS = {
    "id", "name", "email", "role", "organization_id", "active", "suspended", "created_at",
}  # fmt: skip
TICKET_FIELDS = {
    "id",
    "subject",
    "raw_subject",
    "status",
    "type",
    "priority",
    "tags",
    "requester_id",
    "organization_id",
    "custom_fields",
    "fields",
    "problem_id",
    "created_at",
    "updated_at",
    "metric_set",
    "ticket_form_id",
    "description",
}
SOLVED_STATUSES = {"solved", "closed"}


def organization(raw: dict) -> AccountRecord:
    external_id = _id(raw["id"])
    return AccountRecord(
        source=SOURCE,
        external_id=external_id,
        name=raw.get("name") or external_id,
        domains=tuple(d.lower() for d in raw.get("domain_names") or ()),
        account_key=_id(raw.get("external_id")),
        is_deleted=raw.get("deleted_at") is not None,
        extra=_rest(raw, ORG_FIELDS),
        source_created_at=parse_time(raw.get("created_at")),
    )


def user(raw: dict) -> ContactRecord:
    return ContactRecord(
        source=SOURCE,
        external_id=_id(raw["id"]),
        organization_external_id=_id(raw.get("organization_id")),
        name=raw.get("name") or "",
        email=(raw.get("email") or "").lower(),
        role=raw.get("role") or "end-user",
        is_active=bool(raw.get("active", True)) and not raw.get("suspended", False),
        extra=_rest(raw, USER_FIELDS),
        source_created_at=parse_time(raw.get("created_at")),
    )


def _minutes(metric_set: dict, key: str) -> int | None:
    value = (metric_set.get(key) or {}).get("calendar")
    return int(value) if value is not None else None


def _count(value) -> int | None:
    """A vendor's non-negative count, or None when it gives none (or nonsense)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def ticket(raw: dict) -> TicketRecord:
    created_at = parse_time(raw["created_at"])
    updated_at = parse_time(raw.get("updated_at")) or created_at
    status = raw.get("status") or ""
    metric_set = raw.get("metric_set") or {}
    solved_at = parse_time(metric_set.get("solved_at"))
    if solved_at is None and status in SOLVED_STATUSES:
        solved_at = updated_at
    if status not in SOLVED_STATUSES and status != "deleted":
        solved_at = None  # reopened: open again until solved again
    if solved_at is not None and solved_at < created_at:
        solved_at = created_at
    custom_fields = {
        _id(field["id"]): field.get("value") for field in raw.get("custom_fields") or ()
    }
    return TicketRecord(
        source=SOURCE,
        external_id=_id(raw["id"]),
        organization_external_id=_id(raw.get("organization_id")),
        requester_external_id=_id(raw.get("requester_id")),
        channel=((raw.get("via") or {}).get("channel") or "")[:40],
        subject=raw.get("subject") or raw.get("raw_subject") or "",
        status=status,
        type=raw.get("type") or "",
        priority=raw.get("priority") or "",
        tags=list(raw.get("tags") or ()),
        problem_external_id=_id(raw.get("problem_id")),
        created_at=created_at,
        updated_at=updated_at,
        solved_at=solved_at,
        first_reply_minutes=_minutes(metric_set, "reply_time_in_minutes"),
        full_resolution_minutes=_minutes(metric_set, "full_resolution_time_in_minutes"),
        reopens=_count(metric_set.get("reopens")),
        custom_fields=custom_fields,
        form_id=_id(raw.get("ticket_form_id")),
        is_deleted=status == "deleted",
        extra=_rest(raw, TICKET_FIELDS) | ({"metric_set": metric_set} if metric_set else {}),
    )


def ticket_event_comments(raw: dict) -> list[InteractionRecord]:
    """One audit event → the comments it carries (other child events are not messages)."""
    created_at = parse_time(raw["created_at"])
    ticket_id = _id(raw["ticket_id"])
    records = []
    for child in raw.get("child_events") or ():
        if child.get("event_type") != "Comment":
            continue
        author = _id(child.get("author_id", raw.get("updater_id")))
        records.append(
            InteractionRecord(
                source=SOURCE,
                external_id=_id(child["id"]),
                ticket_external_id=ticket_id,
                author_external_id=author,
                author_role="system" if author in SYSTEM_AUTHOR_IDS else None,
                is_public=bool(child.get("public", True)),
                created_at=parse_time(child.get("created_at")) or created_at,
                body=child.get("plain_body") or child.get("body") or "",
            )
        )
    return records

"""Intercom JSON → canonical records. Pure functions, tested on recorded payloads.

A conversation becomes one chat Ticket plus one Interaction per message: the opening source
message, then every `comment` (public) and `note` (internal) part. Other parts (assignment,
close, snooze, ...) are events, not messages. Admins who wrote parts become Contacts with role
"admin". Fields we do not model are kept in `extra`.
"""

from __future__ import annotations

from datetime import datetime

from ..normalizing import as_id as _id
from ..normalizing import unix_time, vendor_guard, website_domain
from ..normalizing import unmodelled as _rest
from ..records import AccountRecord, ContactRecord, InteractionRecord, TicketRecord

SOURCE = "intercom"
guarded = vendor_guard("intercom")
CHANNEL = "chat"
COMPANY_FIELDS = {"id", "company_id", "name", "website", "created_at"}
CONTACT_FIELDS = {"id", "role", "email", "name", "companies", "created_at"}
# When a record was created: in Intercom, and (remote_created_at, signed_up_at) in the product.
COMPANY_CREATED = ("created_at", "remote_created_at")
CONTACT_CREATED = ("created_at", "signed_up_at")
CONVERSATION_FIELDS = {
    "id",
    "title",
    "created_at",
    "updated_at",
    "state",
    "priority",
    "tags",
    "custom_attributes",
    "conversation_parts",
}
MESSAGE_PARTS = {"comment": True, "note": False}  # part_type → is_public
AGENT_AUTHORS = {"admin": "agent", "bot": "system", "team": "system"}
CUSTOMER_AUTHORS = {"user", "lead", "contact"}


def parse_time(value) -> datetime | None:
    """Intercom timestamps are Unix seconds (integers)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"timestamp is not Unix seconds: {value!r}")
    return unix_time(value)


def earliest_time(raw: dict, keys: tuple[str, ...]) -> datetime | None:
    """The earliest of the timestamps `raw` gives under `keys`; unset (None or 0) ones skipped."""
    times = [parse_time(raw[key]) for key in keys if raw.get(key)]
    return min(times, default=None)


def company(raw: dict) -> AccountRecord:
    external_id = _id(raw["id"])
    domain = website_domain(raw.get("website"))
    return AccountRecord(
        source=SOURCE,
        external_id=external_id,
        name=raw.get("name") or external_id,
        domains=(domain,) if domain else (),
        account_key=_id(raw.get("company_id")),
        extra=_rest(raw, COMPANY_FIELDS),
        source_created_at=earliest_time(raw, COMPANY_CREATED),
    )


def contact(raw: dict) -> ContactRecord:
    companies = (raw.get("companies") or {}).get("data") or []
    return ContactRecord(
        source=SOURCE,
        external_id=_id(raw["id"]),
        organization_external_id=_id(companies[0]["id"]) if companies else "",
        name=raw.get("name") or "",
        email=(raw.get("email") or "").lower(),
        role=raw.get("role") or "user",
        extra=_rest(raw, CONTACT_FIELDS) | {"companies": [_id(c["id"]) for c in companies]},
        source_created_at=earliest_time(raw, CONTACT_CREATED),
    )


def author_role(author: dict | None) -> str:
    kind = (author or {}).get("type") or ""
    if kind in CUSTOMER_AUTHORS:
        return "customer"
    return AGENT_AUTHORS.get(kind, "system")


def conversation(raw: dict) -> list:
    """One conversation, as returned by GET /conversations/{id} (with its parts)."""
    if not isinstance(raw.get("conversation_parts"), dict):
        raise ValueError("no conversation_parts (search results carry none; GET each one)")
    external_id = _id(raw["id"])
    created_at = parse_time(raw["created_at"])
    updated_at = parse_time(raw.get("updated_at")) or created_at
    source = raw.get("source") or {}
    parts = raw["conversation_parts"].get("conversation_parts") or []
    records: list = [_ticket(raw, external_id, created_at, updated_at, source)]
    records.append(
        InteractionRecord(
            source=SOURCE,
            external_id=f"source-{_id(source.get('id')) or external_id}",
            ticket_external_id=external_id,
            author_external_id=_id((source.get("author") or {}).get("id")),
            author_role=author_role(source.get("author")),
            is_public=True,
            created_at=created_at,
            body=source.get("body") or "",
        )
    )
    admins: dict[str, ContactRecord] = {}
    for part in parts:
        author = part.get("author") or {}
        if author.get("type") == "admin" and author.get("id") is not None:
            admins[_id(author["id"])] = _admin(author)
        if part.get("part_type") not in MESSAGE_PARTS:
            continue
        records.append(
            InteractionRecord(
                source=SOURCE,
                external_id=_id(part["id"]),
                ticket_external_id=external_id,
                author_external_id=_id(author.get("id")),
                author_role=author_role(author),
                is_public=MESSAGE_PARTS[part["part_type"]],
                created_at=parse_time(part.get("created_at")) or created_at,
                body=part.get("body") or "",
            )
        )
    return [*admins.values(), *records]


def _admin(author: dict) -> ContactRecord:
    return ContactRecord(
        source=SOURCE,
        external_id=_id(author["id"]),
        organization_external_id="",
        name=author.get("name") or "",
        email=(author.get("email") or "").lower(),
        role="admin",
    )


def _requester(raw: dict, source: dict) -> str:
    author = source.get("author") or {}
    if author.get("type") in CUSTOMER_AUTHORS and author.get("id") is not None:
        return _id(author["id"])
    contacts = (raw.get("contacts") or {}).get("contacts") or []
    return _id(contacts[0].get("id")) if contacts else ""


def _count(value) -> int | None:
    """A vendor's non-negative count, or None when it gives none (or nonsense)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _ticket(raw: dict, external_id: str, created_at, updated_at, source: dict) -> TicketRecord:
    state = raw.get("state") or ("open" if raw.get("open") else "closed")
    stats = raw.get("statistics") or {}
    solved_at = None
    if state == "closed":
        solved_at = max(parse_time(stats.get("last_close_at")) or updated_at, created_at)
    to_reply, to_close = stats.get("time_to_admin_reply"), stats.get("time_to_last_close")
    return TicketRecord(
        source=SOURCE,
        external_id=external_id,
        organization_external_id="",  # the requester's company, filled in at write time
        requester_external_id=_requester(raw, source),
        channel=CHANNEL,
        subject=raw.get("title") or source.get("subject") or "",
        status=state,
        type="",
        priority="high" if raw.get("priority") == "priority" else "",
        tags=[t.get("name") for t in (raw.get("tags") or {}).get("tags") or ()],
        problem_external_id="",
        created_at=created_at,
        updated_at=updated_at,
        solved_at=solved_at,
        first_reply_minutes=to_reply // 60 if isinstance(to_reply, int) else None,
        full_resolution_minutes=(
            to_close // 60 if isinstance(to_close, int) and state == "closed" else None
        ),
        reopens=_count(stats.get("count_reopens")),
        custom_fields=dict(raw.get("custom_attributes") or {}),
        form_id="",
        is_deleted=False,
        extra=_rest(raw, CONVERSATION_FIELDS) | {"priority": raw.get("priority")},
    )

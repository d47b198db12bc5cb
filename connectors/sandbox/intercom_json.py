"""Intercom workspace records rendered as Intercom REST 2.11 objects (VENDOR_APIS.md section 4)."""

from __future__ import annotations

import zlib
from typing import Any

from .intercom_data import BOT_ID, Conversation, IcCompany, IcContact, Part, Workspace

Json = dict[str, Any]
WORKSPACE_ID = "sbx1ntrc"
TEAM_ID = 5017691


def company(c: IcCompany, base: str) -> Json:
    customer = c.customer
    row: Json = {
        "type": "company",
        "id": c.id,
        "name": customer.name,
        "app_id": WORKSPACE_ID,
        "created_at": int(customer.signed_up_at.timestamp()),
        "updated_at": int(customer.org_updated_at.timestamp()),
        "remote_created_at": int(customer.signed_up_at.timestamp()),
        "last_request_at": int(customer.org_updated_at.timestamp()),
        "plan": {"type": "plan", "id": f"plan_{customer.plan}", "name": customer.plan.title()},
        "size": customer.seats,
        "website": f"https://www.{customer.domain}",
        "industry": "Software",
        "monthly_spend": 0,
        "session_count": 0,
        "user_count": len(customer.contacts),
        "custom_attributes": {"region": customer.region},
        "tags": {"type": "tag.list", "tags": []},
        "segments": {"type": "segment.list", "segments": []},
    }
    if c.company_id is not None:
        row["company_id"] = c.company_id
    return row


def contact(c: IcContact, base: str) -> Json:
    companies = [] if c.company is None else [c.company]
    return {
        "type": "contact",
        "id": c.id,
        "workspace_id": WORKSPACE_ID,
        "external_id": c.external_id if c.role == "user" else None,
        "role": c.role,
        "email": c.email,
        "phone": None,
        "name": c.name,
        "owner_id": None,
        "has_hard_bounced": False,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "signed_up_at": c.created_at if c.role == "user" else None,
        "last_seen_at": c.updated_at,
        "custom_attributes": {},
        "tags": {"type": "list", "data": [], "url": f"/contacts/{c.id}/tags", "has_more": False},
        "companies": {
            "type": "list",
            "data": [
                {"type": "company", "id": co.id, "url": f"/companies/{co.id}"} for co in companies
            ],
            "url": f"/contacts/{c.id}/companies",
            "total_count": len(companies),
            "has_more": False,
        },
        "location": {"type": "location", "country": None, "region": None, "city": None},
    }


def author(ws: Workspace, author_type: str, author_id: str) -> Json:
    if author_type == "bot" or author_id == BOT_ID:
        return {"type": "bot", "id": BOT_ID, "name": "Operator", "email": "operator@intercom.io"}
    if author_type == "admin":
        admin = ws.admin(author_id)
        name, email = (admin.name, admin.email) if admin else ("", "")
        return {"type": "admin", "id": author_id, "name": name, "email": email}
    person = ws.contact(author_id)
    name, email = (person.name, person.email) if person else ("", "")
    return {"type": author_type, "id": author_id, "name": name, "email": email}


def conversation(ws: Workspace, c: Conversation, *, with_parts: bool) -> Json:
    row: Json = {
        "type": "conversation",
        "id": str(c.id),
        "title": None,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "waiting_since": None if c.state == "closed" else c.updated_at,
        "snoozed_until": c.snoozed_until,
        "open": c.state != "closed",
        "state": c.state,
        "read": True,
        "priority": c.priority,
        "admin_assignee_id": int(c.admin_id),
        "team_assignee_id": TEAM_ID,
        "source": {
            "type": "conversation",
            "id": str(c.source_id),
            "delivered_as": c.delivered_as,
            "subject": c.subject,
            "body": c.body,
            "url": None,
            "redacted": False,
            "attachments": [],
            "author": author(ws, c.author_type, c.author_id),
        },
        "contacts": {
            "type": "contact.list",
            "contacts": [
                {"type": "contact", "id": c.contact.id, "external_id": c.contact.external_id}
            ],
        },
        "teammates": {"type": "admin.list", "admins": [{"type": "admin", "id": c.admin_id}]},
        "tags": {"type": "tag.list", "tags": [_tag(name) for name in c.tags]},
        "custom_attributes": {"Product": c.tags[0].removeprefix("product_") if c.tags else None},
        "first_contact_reply": {"created_at": c.created_at, "type": "conversation", "url": None},
        "sla_applied": None,
        "conversation_rating": None,
        "statistics": statistics(c),
        "linked_objects": {"type": "list", "data": [], "total_count": 0, "has_more": False},
        "ai_agent_participated": False,
        "ai_agent": None,
    }
    if with_parts:
        row["conversation_parts"] = {
            "type": "conversation_part.list",
            "total_count": len(c.parts),
            "conversation_parts": [part(ws, p) for p in c.parts],
        }
    return row


def part(ws: Workspace, p: Part) -> Json:
    return {
        "type": "conversation_part",
        "id": str(p.id),
        "part_type": p.part_type,
        "body": p.body,
        "created_at": p.created_at,
        "updated_at": p.created_at,
        "notified_at": p.created_at,
        "assigned_to": None,
        "author": author(ws, p.author_type, p.author_id),
        "attachments": [],
        "external_id": None,
        "redacted": False,
    }


def statistics(c: Conversation) -> Json:
    admin = [p.created_at for p in c.parts if p.part_type == "comment" and p.author_type == "admin"]
    user = [p.created_at for p in c.parts if p.author_type in ("user", "lead")]
    closes = [p for p in c.parts if p.part_type == "close"]
    assigned = [p.created_at for p in c.parts if p.part_type == "assignment"]
    first_close = closes[0].created_at if closes else None
    last_close = closes[-1].created_at if closes else None
    return {
        "type": "conversation_statistics",
        "time_to_assignment": assigned[0] - c.created_at if assigned else None,
        "time_to_admin_reply": admin[0] - c.created_at if admin else None,
        "time_to_first_close": first_close - c.created_at if first_close else None,
        "time_to_last_close": last_close - c.created_at if last_close else None,
        "median_time_to_reply": admin[0] - c.created_at if admin else None,
        "first_contact_reply_at": c.created_at,
        "first_assignment_at": assigned[0] if assigned else None,
        "first_admin_reply_at": admin[0] if admin else None,
        "first_close_at": first_close,
        "last_assignment_at": assigned[-1] if assigned else None,
        "last_assignment_admin_reply_at": admin[0] if admin else None,
        "last_contact_reply_at": user[-1] if user else c.created_at,
        "last_admin_reply_at": admin[-1] if admin else None,
        "last_close_at": last_close,
        "last_closed_by_id": closes[-1].author_id if closes else None,
        "count_reopens": max(0, len(closes) - 1),
        "count_assignments": len(assigned),
        "count_conversation_parts": len(c.parts),
    }


def _tag(name: str) -> Json:
    return {"type": "tag", "id": str(zlib.crc32(name.encode()) % 10_000_000), "name": name}


def error(status: int, code: str, message: str) -> Json:
    return {
        "type": "error.list",
        "request_id": f"sandbox-{status}",
        "errors": [{"code": code, "message": message, "field": None}],
    }

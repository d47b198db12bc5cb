"""Company records rendered as Zendesk Support API v2 objects (see VENDOR_APIS.md section 1)."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from typing import Any

from . import vocab
from .clock import epoch, iso
from .model import (
    PRODUCT_FIELD_ID,
    REGION_FIELD_ID,
    SATISFACTION_ID_OFFSET,
    Agent,
    Comment,
    Company,
    Contact,
    Customer,
    Ticket,
)

BRAND_ID = 360000000001
TICKET_FORM_ID = 360000000100
METRIC_ID_OFFSET = 3_000_000_000_000
CUSTOM_STATUS_IDS = {"new": 1, "open": 2, "pending": 3, "hold": 4, "solved": 5, "closed": 6}
Json = dict[str, Any]


def ticket(t: Ticket, base: str) -> Json:
    deleted = t.deleted
    fields = [{"id": PRODUCT_FIELD_ID, "value": t.product}]
    if t.region is not None:
        fields.append({"id": REGION_FIELD_ID, "value": t.region})
    subject = "SCRUBBED" if deleted else t.subject
    return {
        "id": t.id,
        "url": f"{base}/api/v2/tickets/{t.id}.json",
        "external_id": None,
        "via": {"channel": t.channel, "source": {"from": {}, "to": {}, "rel": None}},
        "created_at": iso(t.created_at),
        "updated_at": iso(t.updated_at),
        "generated_timestamp": epoch(t.generated_at),
        "type": t.type,
        "subject": subject,
        "raw_subject": subject,
        "description": "SCRUBBED" if deleted else t.description,
        "priority": t.priority,
        "status": "deleted" if deleted else t.status,
        "custom_status_id": CUSTOM_STATUS_IDS[t.status],
        "recipient": None,
        "requester_id": t.requester_id,
        "submitter_id": t.submitter_id,
        "assignee_id": t.assignee_id,
        "organization_id": t.organization_id,
        "group_id": t.group_id,
        "collaborator_ids": [],
        "follower_ids": [],
        "email_cc_ids": [],
        "forum_topic_id": None,
        "problem_id": t.problem_id,
        "has_incidents": t.has_incidents,
        "is_public": True,
        "due_at": None,
        "tags": [] if deleted else list(t.tags),
        "custom_fields": fields,
        "fields": [dict(field) for field in fields],
        "satisfaction_rating": _satisfaction(t),
        "sharing_agreement_ids": [],
        "followup_ids": [],
        "ticket_form_id": TICKET_FORM_ID,
        "brand_id": BRAND_ID,
        "allow_channelback": False,
        "allow_attachments": True,
        "from_messaging_channel": False,
    }


def _satisfaction(t: Ticket) -> Json | None:
    if t.satisfaction in ("good", "bad"):
        return {
            "id": SATISFACTION_ID_OFFSET + t.id,
            "score": t.satisfaction,
            "comment": t.satisfaction_comment,
        }
    return {"score": t.satisfaction or "unoffered"}


def metric_set(t: Ticket, base: str) -> Json:
    """Ticket metrics as Zendesk computes them, derived from the ticket's conversation."""
    agent_replies = [c for c in t.comments if c.public and c.author_id != t.requester_id]
    requester_msgs = [c for c in t.comments if c.author_id == t.requester_id]
    last_comment = t.comments[-1].created_at if t.comments else t.created_at
    status_at = t.solved_at or last_comment
    assigned_at = (t.first_reply_at or t.created_at) if t.assignee_id else None
    reply = _span(t.created_at, t.first_reply_at)
    full = _span(t.created_at, t.solved_at)
    first_resolution = full
    if full["calendar"] is not None and t.reopens:
        first_resolution = {key: value // (t.reopens + 1) for key, value in full.items()}
    waiting = {key: (value * 3 // 5 if value is not None else None) for key, value in full.items()}
    on_hold = {"calendar": 0, "business": 0}
    return {
        "id": METRIC_ID_OFFSET + t.id,
        "ticket_id": t.id,
        "url": f"{base}/api/v2/ticket_metrics/{METRIC_ID_OFFSET + t.id}.json",
        "group_stations": 2 if "bug" in t.tags else 1,
        "assignee_stations": 1 if t.assignee_id else 0,
        "reopens": t.reopens,
        "replies": len(agent_replies),
        "assignee_updated_at": None,
        "requester_updated_at": iso(requester_msgs[-1].created_at if requester_msgs else None),
        "status_updated_at": iso(status_at),
        "initially_assigned_at": iso(assigned_at),
        "assigned_at": iso(assigned_at),
        "solved_at": iso(t.solved_at),
        "latest_comment_added_at": iso(last_comment),
        "custom_status_updated_at": iso(status_at),
        "reply_time_in_minutes": reply,
        "first_resolution_time_in_minutes": first_resolution,
        "full_resolution_time_in_minutes": full,
        "agent_wait_time_in_minutes": waiting,
        "requester_wait_time_in_minutes": {
            key: (full[key] - value if value is not None else None)
            for key, value in waiting.items()
        },
        "on_hold_time_in_minutes": on_hold,
        "created_at": iso(t.created_at),
        "updated_at": iso(t.updated_at),
    }


def _span(start: datetime, end: datetime | None) -> dict[str, int | None]:
    if end is None:
        return {"calendar": None, "business": None}
    return {
        "calendar": int((end - start).total_seconds() // 60),
        "business": business_minutes(start, end),
    }


def business_minutes(start: datetime, end: datetime) -> int:
    """Minutes inside Monday-Friday 09:00-17:00 UTC, the sandbox's single business schedule."""
    total = 0.0
    day = datetime(start.year, start.month, start.day, tzinfo=UTC)
    while day < end:
        if day.weekday() < 5:
            opens, closes = day + timedelta(hours=9), day + timedelta(hours=17)
            lo, hi = max(start, opens), min(end, closes)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return int(total // 60)


def user(person: Agent | Contact, org_id: int | None, base: str) -> Json:
    is_agent = isinstance(person, Agent)
    role = person.role if is_agent else "end-user"
    return {
        "id": person.user_id,
        "url": f"{base}/api/v2/users/{person.user_id}.json",
        "name": person.name,
        "email": person.email,
        "created_at": iso(person.created_at),
        "updated_at": iso(person.updated_at),
        "time_zone": person.time_zone,
        "iana_time_zone": None,
        "phone": None,
        "shared_phone_number": None,
        "photo": None,
        "locale_id": 1,
        "locale": "en-US",
        "organization_id": org_id,
        "role": role,
        "verified": True,
        "external_id": None,
        "tags": [],
        "alias": "",
        "active": True,
        "shared": False,
        "shared_agent": False,
        "last_login_at": iso(person.updated_at),
        "two_factor_auth_enabled": None,
        "signature": "" if is_agent else None,
        "details": "",
        "notes": "",
        "role_type": None,
        "custom_role_id": None,
        "moderator": is_agent,
        "ticket_restriction": None if is_agent else "requested",
        "only_private_comments": False,
        "restricted_agent": False,
        "suspended": False,
        "default_group_id": 360000001 if is_agent else None,
        "report_csv": is_agent,
        "user_fields": {},
    }


def organization(customer: Customer, base: str) -> Json:
    tags = [f"plan_{customer.plan}"] + (["churned"] if customer.churned_at else [])
    return {
        "id": customer.org_id,
        "url": f"{base}/api/v2/organizations/{customer.org_id}.json",
        "name": customer.name,
        "shared_tickets": False,
        "shared_comments": False,
        "external_id": customer.org_external_id,
        "created_at": iso(customer.signed_up_at),
        "updated_at": iso(customer.org_updated_at),
        "deleted_at": None,
        "domain_names": [customer.domain],
        "details": "",
        "notes": "",
        "group_id": None,
        "tags": tags,
        "organization_fields": {"plan": customer.plan, "seats": customer.seats},
    }


def comment(c: Comment, channel: str) -> Json:
    return {
        "id": c.id,
        "type": "Comment",
        "author_id": c.author_id,
        "body": c.body,
        "html_body": _html(c.body),
        "plain_body": c.body,
        "public": c.public,
        "attachments": [],
        "audit_id": c.audit_id,
        "via": {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}},
        "metadata": {"system": {}, "custom": {}},
        "created_at": iso(c.created_at),
    }


def comment_event(c: Comment, t: Ticket) -> Json:
    """One audit per comment, carrying the comment as its child event (include=comment_events)."""
    channel = t.channel if c is t.comments[0] else "web"
    child = comment(c, channel)
    child["event_type"] = "Comment"
    return {
        "id": c.audit_id,
        "ticket_id": t.id,
        "timestamp": epoch(c.created_at),
        "created_at": iso(c.created_at),
        "updater_id": c.author_id,
        "via": child["via"],
        "system": {},
        "event_type": "Audit",
        "merged_ticket_ids": [],
        "child_events": [child],
    }


def ticket_fields(company: Company) -> list[Json]:
    product_options = [
        {"id": 360100 + i, "name": name, "value": value}
        for i, (value, name, _) in enumerate(vocab.PRODUCTS)
    ]
    region_options = [
        {"id": 360200 + i, "name": value.upper(), "value": value}
        for i, value in enumerate(vocab.REGIONS)
    ]
    return [
        _field(PRODUCT_FIELD_ID, "Product", product_options, company.start_at),
        _field(REGION_FIELD_ID, "Region", region_options, company.region_field_since),
    ]


def _field(field_id: int, title: str, options: list[Json], since: datetime) -> Json:
    return {
        "id": field_id,
        "type": "tagger",
        "title": title,
        "active": True,
        "required": False,
        "custom_field_options": options,
        "created_at": iso(since),
        "updated_at": iso(since),
    }


def _html(body: str) -> str:
    paragraphs = "".join(f"<p>{html.escape(part)}</p>" for part in body.split("\n\n"))
    return f'<div class="zd-comment" dir="auto">{paragraphs}</div>'

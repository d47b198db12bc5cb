"""Intercom JSON → canonical records, on a payload shaped like a recorded GET /conversations/{id}."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from connectors.errors import MalformedResponse
from connectors.intercom import normalize
from connectors.intercom.client import Budget, throttle_seconds
from connectors.records import ContactRecord, InteractionRecord, TicketRecord


def _part(part_id, part_type, author_type, author_id, at, body="<p>x</p>"):
    author = {"type": author_type, "id": author_id, "name": f"{author_type} {author_id}"}
    if author_type == "admin":
        author["email"] = f"{author_id}@SupportOps-demo.com"
    return {
        "type": "conversation_part", "id": part_id, "part_type": part_type, "body": body,
        "created_at": at, "updated_at": at, "notified_at": at, "author": author,
        "attachments": [], "redacted": False,
    }  # fmt: skip


CONVERSATION = {
    "type": "conversation", "id": "1295", "title": None,
    "created_at": 1663597223, "updated_at": 1663600000, "waiting_since": None,
    "snoozed_until": None, "open": False, "state": "closed", "read": True,
    "priority": "priority", "admin_assignee_id": 991267715, "team_assignee_id": 5017691,
    "source": {
        "type": "conversation", "id": "403918320", "delivered_as": "customer_initiated",
        "subject": "", "body": "<p>Hi, our webhook stopped firing</p>", "url": None,
        "redacted": False, "attachments": [],
        "author": {"type": "user", "id": "6762f0f3", "name": "Jo", "email": "jo@x.com"},
    },
    "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": "6762f0f3"}]},
    "tags": {"type": "tag.list", "tags": [{"type": "tag", "id": "1", "name": "product_api"}]},
    "custom_attributes": {"Product": "api"},
    "statistics": {
        "type": "conversation_statistics", "time_to_admin_reply": 630,
        "time_to_last_close": 2777, "last_close_at": 1663600000,
    },
    "sla_applied": None,
    "ai_agent_participated": False,
    "brand_new_field": {"kept": True},
    "conversation_parts": {"type": "conversation_part.list", "total_count": 8, "conversation_parts": [
        _part("1", "comment", "bot", "991267699", 1663597228),
        _part("2", "assignment", "admin", "814860", 1663597800, body=None),
        _part("3", "comment", "admin", "814860", 1663597853),
        _part("4", "comment", "user", "6762f0f3", 1663598000),
        _part("5", "note", "admin", "814861", 1663598100),
        _part("6", "comment", "admin", "814860", 1663599000),
        _part("7", "comment", "lead", "77aa", 1663599100),
        _part("8", "close", "admin", "814860", 1663600000, body=None),
    ]},
}  # fmt: skip


def test_conversation_becomes_a_chat_ticket():
    records = normalize.conversation(CONVERSATION)
    (ticket,) = [r for r in records if isinstance(r, TicketRecord)]
    assert ticket.external_id == "1295" and ticket.channel == "chat"
    assert ticket.status == "closed" and ticket.priority == "high"
    assert ticket.created_at == datetime(2022, 9, 19, 14, 20, 23, tzinfo=UTC)
    assert ticket.solved_at == datetime.fromtimestamp(1663600000, UTC)
    assert ticket.first_reply_minutes == 10 and ticket.full_resolution_minutes == 46
    assert ticket.requester_external_id == "6762f0f3"
    assert ticket.tags == ["product_api"] and ticket.custom_fields == {"Product": "api"}
    assert ticket.extra["brand_new_field"] == {"kept": True}
    assert ticket.extra["waiting_since"] is None and "ai_agent_participated" in ticket.extra
    assert ticket.extra["statistics"]["time_to_last_close"] == 2777
    assert "conversation_parts" not in ticket.extra


def test_parts_become_messages_with_roles_and_visibility_counted_by_hand():
    records = normalize.conversation(CONVERSATION)
    messages = [r for r in records if isinstance(r, InteractionRecord)]
    # source (user) + parts 1 (bot), 3 (admin), 4 (user), 5 (note), 6 (admin), 7 (lead);
    # the assignment and close parts are events, not messages.
    assert [m.external_id for m in messages] == [
        "source-403918320", "1", "3", "4", "5", "6", "7",
    ]  # fmt: skip
    assert Counter((m.author_role, m.is_public) for m in messages) == {
        ("customer", True): 3,
        ("agent", True): 2,
        ("agent", False): 1,
        ("system", True): 1,
    }
    assert messages[0].body == "<p>Hi, our webhook stopped firing</p>"
    assert messages[0].created_at == datetime.fromtimestamp(1663597223, UTC)
    admins = [r for r in records if isinstance(r, ContactRecord)]
    assert {(a.external_id, a.role, a.email) for a in admins} == {
        ("814860", "admin", "814860@supportops-demo.com"),
        ("814861", "admin", "814861@supportops-demo.com"),
    }


def test_open_and_admin_initiated_conversation():
    raw = {
        **CONVERSATION,
        "state": "snoozed",
        "open": True,
        "source": {**CONVERSATION["source"], "author": {"type": "admin", "id": "814860"}},
    }
    records = normalize.conversation(raw)
    (ticket,) = [r for r in records if isinstance(r, TicketRecord)]
    assert ticket.solved_at is None and ticket.full_resolution_minutes is None
    assert ticket.requester_external_id == "6762f0f3"  # the first contact, not the admin
    opener = next(r for r in records if isinstance(r, InteractionRecord))
    assert opener.author_role == "agent"


def test_search_result_without_parts_is_refused():
    search_item = {k: v for k, v in CONVERSATION.items() if k != "conversation_parts"}
    with pytest.raises(MalformedResponse, match="conversation '1295' is malformed"):
        normalize.guarded("conversation", normalize.conversation)(search_item)
    with pytest.raises(MalformedResponse, match="Unix seconds"):
        normalize.guarded("conversation", normalize.conversation)(
            {**CONVERSATION, "created_at": "2022-09-19T14:20:23Z"}
        )


def test_company_and_contact():
    company = normalize.company(
        {"type": "company", "id": "abc", "name": "Acme", "website": "https://www.Acme.io/x",
         "plan": {"name": "Pro"}, "size": 12}
    )  # fmt: skip
    assert company.account_key == "" and company.domains == ("acme.io",)
    assert company.extra == {"type": "company", "plan": {"name": "Pro"}, "size": 12}
    keyed = normalize.company({"id": "abd", "company_id": "acct_0007", "name": "B"})
    assert keyed.account_key == "acct_0007" and keyed.domains == ()
    contact = normalize.contact(
        {"type": "contact", "id": "c1", "role": "lead", "email": "Jo@Acme.io", "name": "Jo",
         "companies": {"type": "list", "data": [{"type": "company", "id": "abc"}]},
         "location": {"city": "Oslo"}}
    )  # fmt: skip
    assert (contact.role, contact.email, contact.organization_external_id) == (
        "lead",
        "jo@acme.io",
        "abc",
    )
    assert contact.extra["location"] == {"city": "Oslo"} and contact.extra["companies"] == ["abc"]


def test_company_and_contact_carry_their_earliest_creation_time():
    company = normalize.company(
        {
            "id": "abc",
            "name": "Acme",
            "created_at": 1_600_000_000,
            "remote_created_at": 1_500_000_000,
        }
    )
    # remote_created_at: when the product created the company, before Intercom knew it
    assert company.source_created_at == datetime.fromtimestamp(1_500_000_000, UTC)
    assert "created_at" not in company.extra and company.extra["remote_created_at"] == 1_500_000_000
    unset = normalize.company({"id": "abd", "created_at": 1_600_000_000, "remote_created_at": 0})
    assert unset.source_created_at == datetime.fromtimestamp(1_600_000_000, UTC)
    assert normalize.company({"id": "abe"}).source_created_at is None
    contact = normalize.contact(
        {"id": "c1", "role": "user", "created_at": 1_600_000_100, "signed_up_at": 1_600_000_050}
    )
    assert contact.source_created_at == datetime.fromtimestamp(1_600_000_050, UTC)
    lead = normalize.contact({"id": "c2", "role": "lead", "created_at": 1_600_000_100})
    assert lead.source_created_at == datetime.fromtimestamp(1_600_000_100, UTC)


@pytest.mark.parametrize(
    ("remaining", "reset_in", "pause"),
    [(900, 10, 0.0), (400, 10, 1.5), (400, 1, 1.0), (50, 10, 8.0), (50, 3, 3.0), (0, 7, 7.0)],
)
def test_throttle_follows_the_advertised_budget(remaining, reset_in, pause):
    budget = Budget(limit=1000, remaining=remaining, reset_at=1_000 + reset_in)
    assert throttle_seconds(budget, now=1_000) == pause
    assert throttle_seconds(None, now=1_000) == 0.0


def test_reopens_come_from_the_statistics_and_there_is_no_form():
    raw = {**CONVERSATION, "statistics": {**CONVERSATION["statistics"], "count_reopens": 1}}
    (ticket,) = [r for r in normalize.conversation(raw) if isinstance(r, TicketRecord)]
    assert ticket.reopens == 1 and ticket.form_id == ""
    (bare,) = [r for r in normalize.conversation(CONVERSATION) if isinstance(r, TicketRecord)]
    assert bare.reopens is None  # the recording's statistics carry no count_reopens

"""Zendesk wire behaviour of the sandbox: paging, deletions, the export lag, schema drift."""

from __future__ import annotations

import base64
from collections import Counter
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from connectors.sandbox.model import PRODUCT_FIELD_ID, REGION_FIELD_ID

TICKETS = "/api/v2/incremental/tickets/cursor.json"
EVENTS = "/api/v2/incremental/ticket_events.json"
ORGS = "/api/v2/incremental/organizations.json"
ENVELOPE = {"tickets", "after_url", "after_cursor", "before_url", "before_cursor", "end_of_stream"}


def _walk_cursor(api, path, key, **params):
    pages = [api.json(path, **params)]
    while not pages[-1]["end_of_stream"]:
        assert len(pages) < 500
        pages.append(api.json(pages[-1]["after_url"]))
    return pages, [item for page in pages for item in page[key]]


def _walk_time(api, path, key, **params):
    pages = [api.json(path, **params)]
    while not pages[-1]["end_of_stream"]:
        assert len(pages) < 500 and pages[-1]["next_page"]
        pages.append(api.json(pages[-1]["next_page"]))
    assert pages[-1]["next_page"] is None
    return pages


def test_cursor_export_serves_every_ticket_once_in_order(api, company):
    pages, tickets = _walk_cursor(api, TICKETS, "tickets", start_time=0, per_page=100)
    assert len(pages) == -(-len(company.tickets) // 100) and len(pages) > 1
    assert all(set(page) == ENVELOPE for page in pages)
    assert [p["end_of_stream"] for p in pages] == [False] * (len(pages) - 1) + [True]
    assert all(len(page["tickets"]) == 100 for page in pages[:-1])
    keys = [(t["generated_timestamp"], t["id"]) for t in tickets]
    assert keys == sorted(keys)
    assert sorted(t["id"] for t in tickets) == sorted(company.tickets)
    after = pages[0]["after_url"]
    assert parse_qs(urlsplit(after).query)["per_page"] == ["100"]
    last = tickets[99]
    decoded = base64.b64decode(pages[0]["after_cursor"]).decode()
    assert decoded == f"{last['generated_timestamp']}.0||{last['id']}|"
    assert api.server.requests[1].query["cursor"] == pages[0]["after_cursor"]


def test_ticket_objects_carry_the_documented_fields(api):
    ticket = api.json(TICKETS, start_time=0, per_page=1, include="metric_sets")["tickets"][0]
    expected = {
        "id", "url", "external_id", "subject", "raw_subject", "description", "status",
        "priority", "type", "tags", "requester_id", "submitter_id", "assignee_id",
        "organization_id", "group_id", "brand_id", "ticket_form_id", "via", "custom_fields",
        "fields", "satisfaction_rating", "problem_id", "has_incidents", "is_public",
        "created_at", "updated_at", "generated_timestamp", "metric_set",
    }  # fmt: skip
    assert expected <= set(ticket)
    assert ticket["created_at"].endswith("Z") and len(ticket["created_at"]) == 20
    assert ticket["url"] == f"{api.server.url}/api/v2/tickets/{ticket['id']}.json"
    assert ticket["custom_fields"][0]["id"] == PRODUCT_FIELD_ID
    metrics = ticket["metric_set"]
    assert metrics["ticket_id"] == ticket["id"]
    assert {"calendar", "business"} == set(metrics["reply_time_in_minutes"])
    assert {"replies", "reopens", "solved_at", "full_resolution_time_in_minutes"} <= set(metrics)


def test_end_of_stream_cursor_picks_up_later_changes(api, company, clock):
    pages, _ = _walk_cursor(api, TICKETS, "tickets", start_time=0)
    cursor = pages[-1]["after_cursor"]
    assert pages[-1]["end_of_stream"] and cursor
    quiet = api.json(TICKETS, cursor=cursor)
    assert quiet["tickets"] == [] and quiet["end_of_stream"] and quiet["after_cursor"] == cursor

    company.touch_ticket(5, clock.now_at() - timedelta(seconds=30))
    assert api.json(TICKETS, cursor=cursor)["tickets"] == []  # inside the one-minute lag
    clock.advance(60)
    page = api.json(TICKETS, cursor=cursor)
    assert [t["id"] for t in page["tickets"]] == [5] and page["end_of_stream"]
    assert api.json(TICKETS, cursor=page["after_cursor"])["tickets"] == []


def test_deleted_tickets_are_scrubbed_or_excluded(api, company, clock):
    deleted = {t.id for t in company.tickets.values() if t.deleted}
    company.delete_ticket(3, clock.now_at() - timedelta(minutes=5))
    deleted.add(3)
    _, everything = _walk_cursor(api, TICKETS, "tickets", start_time=0, include="metric_sets")
    scrubbed = [t for t in everything if t["status"] == "deleted"]
    assert {t["id"] for t in scrubbed} == deleted
    assert all(t["subject"] == "SCRUBBED" and "metric_set" not in t for t in scrubbed)
    _, kept = _walk_cursor(api, TICKETS, "tickets", start_time=0, exclude_deleted="true")
    assert {t["id"] for t in kept} == set(company.tickets) - deleted
    events = _walk_time(api, EVENTS, "ticket_events", start_time=0, include="comment_events")
    assert not {e["ticket_id"] for page in events for e in page["ticket_events"]} & deleted
    assert api.get("/api/v2/tickets/3/comments.json").status_code == 404


def _assert_never_split(pages, key, stamp, all_items):
    unique = {item["id"]: item for item in all_items}.values()  # pages may repeat a second
    by_second = Counter(stamp(item) for item in unique)
    for page in pages[:-1]:
        items = page[key]
        last = max(stamp(item) for item in items)
        assert sum(stamp(item) == last for item in items) == by_second[last]


def test_time_based_organizations_never_split_a_timestamp(api, company, clock):
    at = clock.now_at() - timedelta(minutes=10)
    for index in range(2, 9):
        company.touch_organization(index, at)
    pages = _walk_time(api, ORGS, "organizations", start_time=0, per_page=3)
    orgs = [org for page in pages for org in page["organizations"]]
    assert {o["id"] for o in orgs} == {c.org_id for c in company.customers}
    assert any(page["count"] > 3 for page in pages)  # the shared second made a page grow
    stamp = lambda org: org["updated_at"]  # noqa: E731
    _assert_never_split(pages, "organizations", stamp, orgs)
    assert all(p["count"] == len(p["organizations"]) for p in pages)
    org = orgs[0]
    assert {"id", "name", "domain_names", "external_id", "organization_fields", "tags"} <= set(org)
    assert org["tags"][0] == "plan_" + org["organization_fields"]["plan"]


def test_time_based_ticket_events_never_split_a_timestamp(api, company, clock):
    at = clock.now_at() - timedelta(minutes=10)
    agent = company.agents[0].user_id
    for n in range(12):
        company.add_comment(n % 4 + 1, author_id=agent, body=f"note {n}", public=False, at=at)
    start = int((at - timedelta(days=4)).timestamp())
    pages = _walk_time(
        api, EVENTS, "ticket_events", start_time=start, per_page=5, include="comment_events"
    )
    events = [e for page in pages for e in page["ticket_events"]]
    _assert_never_split(pages, "ticket_events", lambda e: e["timestamp"], events)
    assert all(e["timestamp"] >= start for e in events)
    assert all(page["end_time"] >= page["ticket_events"][-1]["timestamp"] for page in pages[:-1])
    notes = [e for e in events if e["child_events"][0]["body"].startswith("note ")]
    assert len({e["id"] for e in notes}) == 12
    child = notes[0]["child_events"][0]
    assert child["event_type"] == "Comment" and child["public"] is False
    assert child["author_id"] == agent and child["audit_id"] == notes[0]["id"]
    comments = sum(len(t.comments) for t in company.tickets.values() if not t.deleted)
    every = _walk_time(api, EVENTS, "ticket_events", start_time=0, include="comment_events")
    assert len({e["id"] for page in every for e in page["ticket_events"]}) == comments


def test_users_cursor_export(api, company):
    _, users = _walk_cursor(api, "/api/v2/incremental/users/cursor.json", "users", start_time=0)
    assert len(users) == len(company.agents) + len(company.contacts)
    roles = Counter(u["role"] for u in users)
    assert roles["admin"] + roles["agent"] == 8 and roles["end-user"] == len(company.contacts)
    assert {"id", "email", "organization_id", "active", "suspended", "user_fields"} <= set(users[0])


def test_region_field_appears_only_on_recent_tickets(api, company):
    _, tickets = _walk_cursor(api, TICKETS, "tickets", start_time=0)
    since = company.region_field_since.strftime("%Y-%m-%dT%H:%M:%SZ")
    for ticket in tickets:
        has_region = REGION_FIELD_ID in {f["id"] for f in ticket["custom_fields"]}
        assert has_region == (ticket["created_at"] >= since)
    assert any(t["created_at"] < since for t in tickets) and any(
        t["created_at"] >= since for t in tickets
    )
    fields = api.json("/api/v2/ticket_fields.json")["ticket_fields"]
    assert {f["id"] for f in fields} == {PRODUCT_FIELD_ID, REGION_FIELD_ID}


def test_new_tickets_appear_in_the_next_poll(api, company, clock):
    pages, _ = _walk_cursor(api, TICKETS, "tickets", start_time=0)
    new_id = company.add_ticket(
        customer_index=0, subject="Requesting integration for Slack", at=clock.now_at()
    )
    clock.advance(61)
    page = api.json(TICKETS, cursor=pages[-1]["after_cursor"])
    assert [t["id"] for t in page["tickets"]] == [new_id]
    assert page["tickets"][0]["status"] == "new"


def test_time_based_ticket_export(api, company):
    pages = _walk_time(api, "/api/v2/incremental/tickets.json", "tickets", start_time=0)
    ids = {t["id"] for page in pages for t in page["tickets"]}
    assert ids == set(company.tickets)

"""Intercom wire behaviour of the sandbox: auth, version header, search pages, scroll, limits."""

from __future__ import annotations

import requests

from connectors.intercom.streams import window_query
from connectors.sandbox.intercom import DEFAULT_TOKEN

HEADERS = {"Authorization": f"Bearer {DEFAULT_TOKEN}", "Intercom-Version": "2.11"}


def _post(server, path, body, headers=HEADERS):
    return requests.post(f"{server.url}/intercom{path}", json=body, headers=headers, timeout=5)


def _get(server, path, headers=HEADERS, **params):
    return requests.get(f"{server.url}/intercom{path}", params=params, headers=headers, timeout=5)


def test_auth_and_version_are_checked(server):
    refused = _get(server, "/conversations/1", headers={"Intercom-Version": "2.11"})
    assert refused.status_code == 401
    assert refused.json()["type"] == "error.list"
    assert refused.json()["errors"][0]["code"] == "unauthorized"
    unversioned = _get(
        server, "/conversations/1", headers={"Authorization": HEADERS["Authorization"]}
    )
    assert unversioned.status_code == 400
    assert _get(server, "/conversations/999999").status_code == 404


def test_search_pages_a_window_in_updated_order_without_parts(server):
    ws = server.intercom.workspace
    until = max(c.updated_at for c in ws.conversations.values()) + 1
    since = sorted(c.updated_at for c in ws.conversations.values())[10]
    expected = sorted(
        (c.updated_at, c.id) for c in ws.conversations.values() if since <= c.updated_at < until
    )
    seen, cursor, pages = [], None, 0
    while True:
        body = _post(server, "/conversations/search", window_query(
            since=since, until=until, per_page=7, starting_after=cursor
        )).json()  # fmt: skip
        pages += 1
        assert body["type"] == "conversation.list" and body["total_count"] == len(expected)
        assert all("conversation_parts" not in c for c in body["conversations"])
        seen += [(c["updated_at"], int(c["id"])) for c in body["conversations"]]
        if "next" not in body["pages"]:
            break
        cursor = body["pages"]["next"]["starting_after"]
    assert seen == expected and pages == -(-len(expected) // 7)
    too_big = _post(server, "/conversations/search", {"pagination": {"per_page": 151}})
    assert too_big.status_code == 400
    deep = {"operator": "AND", "value": [{"operator": "OR", "value": [
        {"operator": "AND", "value": [{"field": "id", "operator": "=", "value": 1}]}]}]}  # fmt: skip
    assert _post(server, "/conversations/search", {"query": deep}).status_code == 400


def test_conversation_has_parts_and_mutations_show_in_the_next_window(server, clock):
    ws = server.intercom.workspace
    conversation = ws.conversations[1]
    full = _get(server, "/conversations/1").json()
    assert len(full["conversation_parts"]["conversation_parts"]) == len(conversation.parts)
    assert full["source"]["author"]["id"] == conversation.author_id
    now = int(clock())
    server.intercom.add_part(1, at=now, body="<p>again</p>")
    window = window_query(since=now, until=now + 1, per_page=5, starting_after=None)
    found = _post(server, "/conversations/search", window).json()["conversations"]
    assert [c["id"] for c in found] == ["1"] and found[0]["state"] == "open"
    server.intercom.update_conversation(2, at=now, state="snoozed")
    found = _post(server, "/conversations/search", window).json()["conversations"]
    assert [c["id"] for c in found] == ["1", "2"]


def test_contacts_search_and_list(server):
    ws = server.intercom.workspace
    listed = _get(server, "/contacts", per_page=150).json()
    assert listed["type"] == "list" and len(listed["data"]) == len(ws.contacts)
    roles = {c["role"] for c in listed["data"]}
    assert roles == {"user", "lead"}
    lead = next(c for c in listed["data"] if c["role"] == "lead")
    assert lead["companies"]["data"] == []
    query = {"query": {"field": "role", "operator": "=", "value": "lead"}}
    assert _post(server, "/contacts/search", query).json()["total_count"] == sum(
        1 for c in ws.contacts if c.role == "lead"
    )


def test_company_scroll_is_single_flight(server, clock):
    first = _get(server, "/companies/scroll").json()
    assert len(first["data"]) == min(50, len(server.intercom.workspace.companies))
    assert _get(server, "/companies/scroll").status_code == 400
    rows = list(first["data"])
    while True:
        page = _get(server, "/companies/scroll", scroll_param=first["scroll_param"]).json()
        if not page["data"]:
            break
        rows += page["data"]
    assert len(rows) == len(server.intercom.workspace.companies)
    assert any("company_id" not in row for row in rows)
    assert _get(server, "/companies/scroll").status_code == 200  # the last one finished
    clock.advance(61)
    assert _get(server, "/companies/scroll").status_code == 200  # an abandoned one expired


def test_rate_limit_windows(server, clock):
    server.intercom.rate_limit = 2
    assert [_get(server, "/conversations/1").status_code for _ in range(3)] == [200, 200, 429]
    refused = _get(server, "/conversations/1")
    assert refused.json()["errors"][0]["code"] == "rate_limit_exceeded"
    assert refused.headers["X-RateLimit-Limit"] == "2"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert int(refused.headers["X-RateLimit-Reset"]) > clock()
    clock.set(int(refused.headers["X-RateLimit-Reset"]))
    assert _get(server, "/conversations/1").status_code == 200

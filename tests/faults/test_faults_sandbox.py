"""The sandbox faults the fault matrix added: a connection reset, a page served twice, a change
between pages. Each must do exactly what its name says, or the matrix proves nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests

from connectors.sandbox import SandboxServer, build_company

AUTH = ("demo@supportops.local/token", "sandbox-token")
TICKETS = "/api/v2/incremental/tickets/cursor.json"


@pytest.fixture
def server():
    company = build_company(
        seed=7, customers=4, months=1, end_at=datetime(2025, 11, 28, tzinfo=UTC)
    )
    with SandboxServer(company) as running:
        yield running


def _page(server, **query):
    response = requests.get(server.url + TICKETS, params=query, auth=AUTH, timeout=5)
    response.raise_for_status()
    return response.json()


def test_reset_sends_the_headers_and_part_of_the_body_then_resets(server):
    server.faults.add("tickets", kind="reset")
    session = requests.Session()  # no retries: we want to see the break itself

    with pytest.raises(requests.exceptions.ChunkedEncodingError, match="reset by peer"):
        session.get(server.url + TICKETS, params={"start_time": 0}, auth=AUTH, timeout=5)
    assert _page(server, start_time=0)["tickets"]  # one request only: the next one is served


def test_repeat_serves_the_previous_response_of_the_route_again(server):
    server.faults.add("tickets", kind="repeat")  # pages=1: the first request is served as is
    first = _page(server, start_time=0, per_page=2)

    again = _page(server, cursor=first["after_cursor"], per_page=2)
    following = _page(server, cursor=first["after_cursor"], per_page=2)

    assert again == first
    assert following["tickets"] and following["tickets"] != first["tickets"]


def test_call_runs_its_action_before_serving_the_page_after_pages(server):
    seen = []
    server.faults.add(
        "tickets", kind="call", pages=1, action=lambda: seen.append(len(server.requests))
    )

    _page(server, start_time=0, per_page=2)
    assert seen == []
    _page(server, start_time=0, per_page=2)
    assert seen == [2]  # ran while serving the second request
    _page(server, start_time=0, per_page=2)
    assert seen == [2] and not server.faults.pending

"""The sandbox server: auth, rate limits, injected faults, request log and the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from connectors.sandbox import SandboxServer

TICKETS = "/api/v2/incremental/tickets/cursor.json"
ROOT = Path(__file__).resolve().parents[2]


def test_credentials_are_required(api, server):
    assert api.get(TICKETS, start_time=0).status_code == 200
    for auth in [None, ("demo@supportops.local/token", "wrong"), ("demo@supportops.local", "x")]:
        response = requests.get(server.url + TICKETS, params={"start_time": 0}, auth=auth)
        assert response.status_code == 401
        assert response.json() == {"error": "Couldn't authenticate you"}
        assert "X-Rate-Limit" in response.headers
    bearer = {"Authorization": "Bearer sandbox-token"}
    assert requests.get(server.url + TICKETS + "?start_time=0", headers=bearer).status_code == 200


def test_custom_credentials(company, clock):
    with SandboxServer(company, zendesk_email="a@b.c", zendesk_token="t0k", clock=clock) as s:
        ok = requests.get(s.url + TICKETS, params={"start_time": 0}, auth=("a@b.c/token", "t0k"))
        assert ok.status_code == 200


def test_unknown_route_and_bad_parameters(api):
    missing = api.get("/api/v2/nothing/here.json")
    assert missing.status_code == 404
    assert missing.json() == {"error": "InvalidEndpoint", "description": "Not found"}
    assert api.get("/elsewhere").status_code == 404
    assert api.get(TICKETS).status_code == 400  # start_time or cursor is required
    assert api.get(TICKETS, cursor="not-a-cursor").status_code == 400
    assert len(api.json(TICKETS, start_time=0, per_page=5000)["tickets"]) <= 1000


def test_rate_limit_headers_and_enforcement(company, clock):
    with SandboxServer(company, clock=clock, rate_limit=3) as server:
        session = requests.Session()
        session.auth = ("demo@supportops.local/token", "sandbox-token")
        statuses = []
        for _ in range(4):
            response = session.get(server.url + TICKETS, params={"start_time": 0, "per_page": 1})
            statuses.append(response.status_code)
        assert statuses == [200, 200, 200, 429]
        assert 1 <= int(response.headers["Retry-After"]) <= 60
        budget = response.headers["zendesk-ratelimit-incremental-exports"]
        assert budget.startswith("total=3; remaining=0; resets=")
        clock.advance(60)
        assert session.get(server.url + TICKETS, params={"start_time": 0}).status_code == 200


def test_budget_headers_when_unlimited(api):
    first = api.get(TICKETS, start_time=0, per_page=1)
    second = api.get(TICKETS, start_time=0, per_page=1)
    assert first.headers["X-Rate-Limit"] == "700"
    assert int(second.headers["X-Rate-Limit-Remaining"]) == 698
    assert second.headers["zendesk-ratelimit-incremental-exports"].startswith(
        "total=10; remaining=8; resets="
    )
    fields = api.get("/api/v2/ticket_fields.json")
    assert "zendesk-ratelimit-incremental-exports" not in fields.headers


@pytest.mark.parametrize("status", [429, 500, 503, 401, 403])
def test_status_faults_apply_to_the_next_matching_requests(api, server, status):
    server.faults.add("tickets", "status", status=status, times=2, retry_after=7)
    assert api.get("/api/v2/incremental/users/cursor.json", start_time=0).status_code == 200
    first, second = api.get(TICKETS, start_time=0), api.get(TICKETS, start_time=0)
    assert first.status_code == second.status_code == status
    assert "error" in first.json()
    if status in (429, 503):
        assert first.headers["Retry-After"] == "7"
    assert api.get(TICKETS, start_time=0).status_code == 200
    assert server.faults.pending == []


def test_truncated_body(api, server):
    server.faults.add("/incremental/organizations", "truncate")
    response = api.get("/api/v2/incremental/organizations.json", start_time=0)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)
    assert api.json("/api/v2/incremental/organizations.json", start_time=0)["organizations"]


def test_malformed_bodies(api, server):
    server.faults.add("tickets", "malformed")
    missing = api.json(TICKETS, start_time=0)
    assert "tickets" not in missing and "after_cursor" in missing
    server.faults.add("ticket_events", "malformed", mode="wrong_types")
    wrong = api.json("/api/v2/incremental/ticket_events.json", start_time=0)
    assert isinstance(wrong["ticket_events"], dict) and isinstance(wrong["end_of_stream"], str)
    with pytest.raises(ValueError):
        server.faults.add("tickets", "malformed", mode="nonsense")


def test_delay(api, server):
    server.faults.add("users", "delay", seconds=0.3)
    started = time.perf_counter()
    assert api.get("/api/v2/incremental/users/cursor.json", start_time=0).status_code == 200
    assert time.perf_counter() - started >= 0.3


def test_fail_after_pages_until_cleared(api, server):
    server.faults.add("tickets", "fail_after_pages", pages=2)
    first = api.json(TICKETS, start_time=0, per_page=10)
    second = api.json(first["after_url"])
    assert second["tickets"]
    assert [api.get(second["after_url"]).status_code for _ in range(3)] == [500] * 3
    server.faults.clear()
    assert api.get(second["after_url"]).status_code == 200


def test_request_log_records_exact_params(api, server):
    api.get(TICKETS, start_time=1700000000, per_page=50, include="metric_sets")
    method, path, query = server.requests[-1]
    assert (method, path) == ("GET", TICKETS)
    assert query == {"start_time": "1700000000", "per_page": "50", "include": "metric_sets"}
    assert len(server.requests.matching("/incremental/tickets")) == 1


def test_cli_serves_until_terminated():
    process = subprocess.Popen(
        [sys.executable, "-m", "connectors.sandbox", "--port", "0", "--customers", "5"]
        + ["--months", "2", "--seed", "3"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        line = process.stdout.readline()
        assert "sandbox-token" in line and "demo@supportops.local" in line
        url = next(word for word in line.split() if word.startswith("http://"))
        response = requests.get(
            url + TICKETS,
            params={"start_time": 0},
            auth=("demo@supportops.local/token", "sandbox-token"),
            timeout=10,
        )
        assert response.status_code == 200 and response.json()["tickets"]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0

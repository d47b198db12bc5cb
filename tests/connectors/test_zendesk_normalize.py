"""normalize on real recorded Zendesk export pages (../shared/vendor-recordings, test data only)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.errors import MalformedResponse
from connectors.zendesk import normalize

RECORDING = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "vendor-recordings"
    / "zendesk"
    / "incremental_tickets_cursor.json"
)


@pytest.fixture(scope="module")
def recorded_tickets():
    if not RECORDING.exists():
        pytest.skip(f"recordings not present at {RECORDING}")
    interactions = json.loads(RECORDING.read_text())["interactions"]
    return [
        ticket
        for item in interactions
        if isinstance(item.get("body"), dict)
        for ticket in item["body"].get("tickets", [])
    ]


def test_every_recorded_ticket_normalizes(recorded_tickets):
    assert recorded_tickets
    for raw in recorded_tickets:
        record = normalize.ticket(raw)
        assert record.external_id == str(raw["id"])
        assert record.created_at.tzinfo is not None
        assert record.is_deleted == (raw["status"] == "deleted")


def test_recorded_deleted_ticket_is_flagged(recorded_tickets):
    deleted = [normalize.ticket(t) for t in recorded_tickets if t["status"] == "deleted"]
    assert deleted and all(r.is_deleted for r in deleted)


def test_recorded_fields_we_do_not_model_are_kept(recorded_tickets):
    raw = recorded_tickets[0]
    record = normalize.ticket(raw)
    assert record.extra["generated_timestamp"] == raw["generated_timestamp"]
    assert record.extra["via"] == raw["via"]


def test_ticket_fields_map():
    raw = {
        "id": 35436,
        "subject": "Printer on fire",
        "status": "solved",
        "type": "incident",
        "priority": "high",
        "tags": ["enterprise"],
        "requester_id": 20978392,
        "organization_id": 509974,
        "via": {"channel": "web"},
        "problem_id": 99,
        "custom_fields": [{"id": 27642, "value": "745"}, {"id": 27648, "value": None}],
        "created_at": "2023-09-18T15:57:42Z",
        "updated_at": "2023-09-20T10:00:00Z",
        "metric_set": {
            "solved_at": "2023-09-19T15:57:42Z",
            "reply_time_in_minutes": {"calendar": 2391, "business": 737},
            "full_resolution_time_in_minutes": {"calendar": None, "business": None},
        },
        "brand_new_vendor_field": {"x": 1},
    }
    record = normalize.ticket(raw)
    assert record.channel == "web" and record.problem_external_id == "99"
    assert record.solved_at == datetime(2023, 9, 19, 15, 57, 42, tzinfo=UTC)
    assert record.first_reply_minutes == 2391 and record.full_resolution_minutes is None
    assert record.custom_fields == {"27642": "745", "27648": None}
    assert record.extra["brand_new_vendor_field"] == {"x": 1}


def test_reopened_ticket_is_not_solved():
    raw = {
        "id": 1,
        "status": "open",
        "created_at": "2024-01-01T00:00:00Z",
        "metric_set": {"solved_at": "2024-01-02T00:00:00Z"},
    }
    assert normalize.ticket(raw).solved_at is None


def test_malformed_record_names_itself():
    with pytest.raises(MalformedResponse, match="zendesk ticket 7 is malformed"):
        normalize.guarded("ticket", normalize.ticket)({"id": 7, "created_at": "not a date"})


def test_comment_events_become_interactions():
    raw = {
        "id": 1,
        "ticket_id": 5,
        "created_at": "2024-01-01T10:00:00Z",
        "updater_id": 9,
        "child_events": [
            {"id": 11, "event_type": "Comment", "author_id": 9, "public": False, "body": "note"},
            {"id": 12, "event_type": "Change", "field_name": "status"},
            {"id": 13, "event_type": "Comment", "author_id": -1, "public": True, "body": "auto"},
        ],
    }
    records = normalize.ticket_event_comments(raw)
    assert [(r.external_id, r.is_public, r.author_role) for r in records] == [
        ("11", False, None),
        ("13", True, "system"),
    ]


def test_organization_and_user_carry_their_creation_time():
    org = normalize.organization(
        {"id": 361, "name": "Acme", "domain_names": ["Acme.io"], "external_id": "acct_1",
         "created_at": "2020-03-01T09:30:00Z", "updated_at": "2024-01-01T00:00:00Z",
         "deleted_at": None}
    )  # fmt: skip
    assert org.source_created_at == datetime(2020, 3, 1, 9, 30, tzinfo=UTC)
    assert org.account_key == "acct_1" and "created_at" not in org.extra
    assert org.extra["updated_at"] == "2024-01-01T00:00:00Z"
    user = normalize.user(
        {"id": 7, "email": "Jo@Acme.io", "role": "end-user", "organization_id": 361,
         "created_at": "2019-11-02T08:00:00Z"}
    )  # fmt: skip
    assert user.source_created_at == datetime(2019, 11, 2, 8, tzinfo=UTC)
    assert normalize.organization({"id": 1}).source_created_at is None


def test_reopens_and_form_come_from_the_ticket_and_its_metrics():
    raw = {
        "id": 2,
        "status": "solved",
        "created_at": "2024-01-01T00:00:00Z",
        "ticket_form_id": 360000000100,
        "metric_set": {"solved_at": "2024-01-03T00:00:00Z", "reopens": 2},
    }
    record = normalize.ticket(raw)
    assert record.reopens == 2 and record.form_id == "360000000100"
    bare = normalize.ticket({**raw, "metric_set": None, "ticket_form_id": None})
    assert bare.reopens is None and bare.form_id == ""

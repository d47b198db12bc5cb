"""GET /api/v1/metrics/cost/allocation/: JSON values, CSV of the same rows, refusals, queries."""

import csv
import io
from datetime import UTC, datetime

import pytest

from tests.support_cost_builders import at, customer, replies, team_cost_per_month, ticket

URL = "/api/v1/metrics/cost/allocation/"


@pytest.fixture
def thirds(settings_row):
    """Team cost 100.00 a month; January 2016: one reply each on a chat, email and web ticket
    (the web one Acme's), plus an email ticket with no reply."""
    team_cost_per_month("100")
    acme = customer("Acme")
    for channel, owner in (("chat", None), ("email", None), ("web", acme)):
        replies(ticket(owner, at(2016, 1, 5), channel=channel), at(2016, 1, 6))
    ticket(None, at(2016, 1, 7), channel="email")
    return acme


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _as_csv(rows):
    return [{k: "" if v is None else str(v) for k, v in row.items()} for row in rows]


def test_the_thirds_by_channel(analyst_client, thirds):
    body = analyst_client.get(URL, {"month": "2016-01"}).json()
    # 10,000 cents / 3 replies = 3,333 r 1 each; the cent left goes to "chat", first in the
    # alphabet (all tied). email: 33.33 over its 2 tickets = 16.665 → 16.67 a ticket.
    assert body == {
        "month": "2016-01",
        "by": "channel",
        "basis": "replies",
        "currency": "USD",
        "team_cost": "100.00",
        "in_progress": False,
        "days_covered": 31,
        "tickets": 4,
        "replies": 3,
        "allocated": True,
        "note": "",
        "rows": [
            {
                "key": "chat",
                "label": "Chat",
                "tickets": 1,
                "replies": 1,
                "share": "0.3333",
                "allocated_cost": "33.34",
                "cost_per_ticket": "33.34",
            },
            {
                "key": "email",
                "label": "Email",
                "tickets": 2,
                "replies": 1,
                "share": "0.3333",
                "allocated_cost": "33.33",
                "cost_per_ticket": "16.67",
            },
            {
                "key": "web",
                "label": "Web",
                "tickets": 1,
                "replies": 1,
                "share": "0.3333",
                "allocated_cost": "33.33",
                "cost_per_ticket": "33.33",
            },
        ],
    }


def test_by_bucket_on_the_ticket_basis(analyst_client, thirds):
    body = analyst_client.get(URL, {"month": "2016-01", "by": "bucket", "basis": "tickets"}).json()
    # 4 tickets: Acme's (free: no subscription) 1 → 25.00, unlinked 3 → 75.00
    assert [(r["key"], r["tickets"], r["allocated_cost"]) for r in body["rows"]] == [
        ("unlinked", 3, "75.00"),
        ("free", 1, "25.00"),
    ]


def test_by_customer(analyst_client, thirds):
    body = analyst_client.get(URL, {"month": "2016-01", "by": "customer"}).json()
    # Acme 1 of 3 replies → 33.33; unlinked 2 → 66.67 (6,666 r 2, the cent left over)
    assert [(r["key"], r["label"], r["allocated_cost"]) for r in body["rows"]] == [
        ("unlinked", "No customer (unlinked)", "66.67"),
        (str(thirds.pk), "Acme", "33.33"),
    ]


def test_a_month_without_replies_says_nothing_is_allocated(analyst_client, settings_row):
    team_cost_per_month("100")
    ticket(None, at(2016, 1, 7), channel="email")
    body = analyst_client.get(URL, {"month": "2016-01"}).json()
    assert body["allocated"] is False
    assert body["note"] == "No agent public replies in Jan 2016: the team cost is not allocated."
    assert body["rows"] == [
        {
            "key": "email",
            "label": "Email",
            "tickets": 1,
            "replies": 0,
            "share": None,
            "allocated_cost": None,
            "cost_per_ticket": None,
        }
    ]


def test_the_default_is_the_last_complete_month(analyst_client, settings_row):
    before = datetime.now(UTC)
    body = analyst_client.get(URL).json()
    previous = (before.year, before.month - 1) if before.month > 1 else (before.year - 1, 12)
    assert body["month"] == f"{previous[0]:04d}-{previous[1]:02d}"
    assert (body["by"], body["basis"], body["in_progress"]) == ("channel", "replies", False)


@pytest.mark.parametrize(
    ("params", "name", "message"),
    [
        ({"by": "product"}, "by", "Use one of channel, bucket, plan, customer, not 'product'."),
        ({"basis": "minutes"}, "basis", "Use one of replies, tickets, not 'minutes'."),
        ({"month": "2016-13"}, "month", "month must be between 01 and 12"),
        ({"month": "2999-01"}, "month", "Jan 2999 has not started yet"),
        ({"group": "plan"}, "group", "Unknown parameter"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(analyst_client, settings_row, params, name, message):
    response = analyst_client.get(URL, params)
    assert response.status_code == 400
    assert list(response.json()) == [name]
    assert message in response.json()[name][0]


@pytest.mark.parametrize("by", ["channel", "bucket", "plan", "customer"])
def test_csv_has_the_rows_of_the_json(analyst_client, thirds, by):
    params = {"month": "2016-01", "by": by}
    body = analyst_client.get(URL, params).json()
    rows = _csv(analyst_client.get(URL, {**params, "format": "csv"}))
    assert rows == _as_csv(body["rows"])
    assert list(rows[0]) == [
        "key",
        "label",
        "tickets",
        "replies",
        "share",
        "allocated_cost",
        "cost_per_ticket",
    ]


def test_query_count(analyst_client, thirds, django_assert_num_queries):
    # token + user, the cache key (settings, data version), settings, the month's team cost (settings, members, expenses), tickets
    # per group, replies per group
    with django_assert_num_queries(9):
        assert analyst_client.get(URL, {"month": "2016-01", "by": "plan"}).status_code == 200


def test_in_the_openapi_schema(analyst_client, settings_row):
    schema = analyst_client.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/metrics/cost/allocation/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"month", "by", "basis"}

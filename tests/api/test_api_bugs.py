"""GET /api/v1/metrics/bug-impact/ and /bug-impact/tickets/: values, CSV, refusals, queries."""

import csv
import io

import pytest

from tests.support_cost_builders import bug_company

URL = "/api/v1/metrics/bug-impact/"
TICKETS = "/api/v1/metrics/bug-impact/tickets/"
WINDOW = {"start": "2016-01", "end": "2016-02"}


@pytest.fixture
def bugs(settings_row):
    return bug_company()


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _as_csv(rows):
    return [{k: "" if v is None else str(v) for k, v in row.items()} for row in rows]


def test_bug_impact(analyst_client, bugs):
    body = analyst_client.get(URL, WINDOW).json()
    p = bugs["p"].external_id
    assert {k: v for k, v in body.items() if k != "rows"} == {
        "start": "2016-01",
        "end": "2016-02",
        "currency": "USD",
        "in_progress": False,
        "bug_tags": ["bug", "bug-sync"],
        "churn_rate": None,
        "lifetime_months": "24.00",
        "cap_months": 24,
        "customers_other_currency": 1,
    }
    # the problem: p, i1, i2 of Acme and Bloom: MRR 150.00, ARR 1,800.00, LTV 150 × 24;
    # support cost 100 × 2/8 (January) + 100 × 2/5 (February) = 65.00
    assert body["rows"][0] == {
        "key": f"problem:zendesk:{p}",
        "kind": "problem",
        "title": "Export times out",
        "tickets": 3,
        "customers": 2,
        "mrr": "150.00",
        "arr": "1800.00",
        "ltv_sum": "3600.00",
        "support_cost": "65.00",
    }
    # the tag: t1 (Cargo, EUR) and t2 (no customer): 100 × 2/8 + 100 × 1/5 = 45.00
    assert body["rows"][3] == {
        "key": "tag:bug",
        "kind": "tag",
        "title": "bug",
        "tickets": 2,
        "customers": 1,
        "mrr": "0.00",
        "arr": "0.00",
        "ltv_sum": "0.00",
        "support_cost": "45.00",
    }
    assert [row["mrr"] for row in body["rows"]] == ["150.00", "100.00", "50.00", "0.00", "0.00"]


def test_bug_impact_csv_is_the_json_rows(analyst_client, bugs):
    body = analyst_client.get(URL, WINDOW).json()
    assert _csv(analyst_client.get(URL, {**WINDOW, "format": "csv"})) == _as_csv(body["rows"])


def test_a_group_tickets_page_by_page(analyst_client, bugs):
    key = f"problem:zendesk:{bugs['p'].external_id}"
    first = analyst_client.get(TICKETS, {**WINDOW, "key": key, "page_size": 2}).json()
    assert (first["key"], first["kind"], first["title"], first["count"]) == (
        key,
        "problem",
        "Export times out",
        3,
    )
    assert [row["id"] for row in first["rows"]] == [bugs["i2"].pk, bugs["i1"].pk]
    assert first["rows"][0] == {
        "id": bugs["i2"].pk,
        "source": "zendesk",
        "external_id": bugs["i2"].external_id,
        "subject": "",
        "customer_id": bugs["acme"].pk,
        "customer": "Acme",
        "channel": "",
        "status": "",
        "created_at": "2016-02-03T00:00:00Z",
    }
    assert "page=2" in first["next"] and first["previous"] is None
    second = analyst_client.get(first["next"]).json()
    assert [row["id"] for row in second["rows"]] == [bugs["p"].pk]
    assert second["next"] is None and second["previous"]


def test_group_tickets_csv_holds_every_ticket(analyst_client, bugs):
    params = {**WINDOW, "key": "tag:bug"}
    body = analyst_client.get(TICKETS, {**params, "page_size": 500}).json()
    rows = _csv(analyst_client.get(TICKETS, {**params, "page_size": 1, "format": "csv"}))
    assert rows == _as_csv(body["rows"]) and len(rows) == 2


@pytest.mark.parametrize(
    ("params", "name", "message"),
    [
        ({}, "key", "Give a group's key, e.g. ?key=tag:bug."),
        ({"key": "tag:feature"}, "key", "'feature' is not a bug tag"),
        ({"key": "ticket:1"}, "key", "A group key starts with problem: or tag:"),
        ({"key": "tag:bug", "start": "2999-01", "end": "2999-01"}, "end", "not started yet"),
        ({"key": "tag:bug", "sort": "mrr"}, "sort", "Unknown parameter"),
    ],
)
def test_bad_ticket_parameters_are_a_400_naming_them(analyst_client, bugs, params, name, message):
    response = analyst_client.get(TICKETS, params)
    assert response.status_code == 400
    assert list(response.json()) == [name]
    assert message in response.json()[name][0]


def test_a_bad_window_is_a_400(analyst_client, bugs):
    response = analyst_client.get(URL, {"start": "2016-01"})
    assert response.status_code == 400 and list(response.json()) == ["end"]


def test_query_counts(analyst_client, bugs, django_assert_num_queries):
    # token + user, the cache key (settings, data version), settings, team costs (three), LTV basis, replies per month (all and per
    # tag), problem groups' tickets, their replies, tag groups' tickets, problem subjects
    with django_assert_num_queries(13):
        assert analyst_client.get(URL, {"start": "2015-01", "end": "2016-12"}).status_code == 200
    # token + user, the cache key (settings, data version), settings, the problem's subject, count, page
    key = f"problem:zendesk:{bugs['p'].external_id}"
    with django_assert_num_queries(7):
        assert analyst_client.get(TICKETS, {**WINDOW, "key": key}).status_code == 200

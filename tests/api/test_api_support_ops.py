"""GET /api/v1/metrics/support-ops/ on the hand-built March 2016 of tests/support_ops_data.py
(numbers worked in tests/metrics/test_metrics_support_ops.py)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.support_ops_data import MONTH, support_month

URL = "/api/v1/metrics/support-ops/"


@pytest.fixture
def march(settings_row, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: datetime(2016, 4, 10, tzinfo=UTC))
    return support_month()


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def _text(value):
    return "" if value is None else str(value)


def test_url_name():
    assert reverse("api:metrics-support-ops") == URL


def test_by_product(analyst_client, march):
    data = analyst_client.get(URL, {"month": MONTH}).json()
    assert (data["month"], data["by"], data["in_progress"]) == ("2016-03", "product", False)
    rows = {row["key"]: row for row in data["rows"]}
    assert list(rows) == ["Api", "Billing", "Enterprise", "Unassigned"]
    assert rows["Api"] == {
        "key": "Api",
        "label": "Api",
        "created": 2,
        "solved": 2,
        "backlog_end": 0,
        "median_first_reply_minutes": "37.7",
        "vendor_median_first_reply_minutes": "35.0",
        "median_resolution_minutes": "840.0",
        "vendor_median_resolution_minutes": "840.0",
        "one_touch_rate": "0.5000",
        "reopens": 1,
    }
    unassigned = rows["Unassigned"]
    assert (unassigned["backlog_end"], unassigned["one_touch_rate"], unassigned["reopens"]) == (
        1,
        None,
        None,
    )
    assert rows["Billing"]["vendor_median_resolution_minutes"] is None
    total = data["total"]
    assert (total["key"], total["created"], total["solved"], total["backlog_end"]) == (
        "Total",
        4,
        4,
        3,
    )
    assert (total["median_first_reply_minutes"], total["one_touch_rate"], total["reopens"]) == (
        "30.3",
        "0.7500",
        3,
    )


@pytest.mark.parametrize(
    ("by", "keys"),
    [("channel", ["chat", "email", "web"]), ("plan", ["Plus", "Pro", "No plan"])],
)
def test_other_groupings(analyst_client, march, by, keys):
    data = analyst_client.get(URL, {"month": MONTH, "by": by}).json()
    assert data["by"] == by and [row["key"] for row in data["rows"]] == keys
    assert data["total"]["created"] == 4


@pytest.mark.parametrize("by", ["product", "channel", "plan"])
def test_csv_equals_json_with_the_total_marked(analyst_client, march, by):
    data = analyst_client.get(URL, {"month": MONTH, "by": by}).json()
    rows = _csv(analyst_client.get(URL, {"month": MONTH, "by": by, "format": "csv"}))
    expected = [
        {**{k: _text(v) for k, v in row.items()}, "is_total": str(is_total)}
        for row, is_total in [*((row, False) for row in data["rows"]), (data["total"], True)]
    ]
    assert rows == expected
    assert list(rows[0]) == [*data["total"], "is_total"]


@pytest.mark.parametrize("by", ["product", "channel", "plan"])
def test_query_count(analyst_client, march, django_assert_num_queries, by):
    # token auth (1) + the cache key (settings, data version) + settings, the figures; + products when by product
    with django_assert_num_queries(6 if by == "product" else 5):
        assert analyst_client.get(URL, {"month": MONTH, "by": by}).status_code == 200


def test_the_default_month_is_the_last_complete_one(analyst_client, march):
    assert analyst_client.get(URL).json()["month"] == "2016-03"


@pytest.mark.parametrize(
    ("params", "name", "words"),
    [
        ({"by": "team"}, "by", "Use one of product, channel, plan, not 'team'."),
        ({"month": "2016-3"}, "month", "month must look like 2024-01"),
        ({"month": "2016-05"}, "month", "May 2016 has not started yet"),
        ({"group": "plan"}, "group", "Unknown parameter"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(analyst_client, march, params, name, words):
    response = analyst_client.get(URL, params)
    assert response.status_code == 400
    assert words in " ".join(response.json()[name])
    refused = analyst_client.get(URL, {**params, "format": "csv"})
    assert refused.status_code == 400 and name in refused.content.decode()


def test_in_the_openapi_schema(analyst_client, settings_row):
    schema = analyst_client.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"][URL]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"month", "by"}
    by = next(p for p in operation["parameters"] if p["name"] == "by")
    assert by["schema"]["enum"] == ["product", "channel", "plan"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    result = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert {"month", "by", "rows", "total"} <= set(result["properties"])


def test_anonymous_is_refused(anon_client, settings_row):
    assert anon_client.get(URL).status_code in (401, 403)

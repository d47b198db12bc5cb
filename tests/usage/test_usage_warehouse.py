"""Warehouse pull against a real PostgreSQL holding a Segment-shaped event table.

Each test creates a throw-away database (dropped afterwards) next to the one DATABASE_URL
names, with `prod_api.api_call_made` shaped like a Segment event table, and a default time zone
that is not UTC, so the pull has to cut UTC months itself.
"""

import os
import uuid
from datetime import date
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest

from connectors import registry
from connectors.errors import ConnectorError, UpstreamUnavailable
from connectors.sync import sync_source
from connectors.usage.warehouse import (
    DEFAULT_QUERY,
    UsageWarehouseRejected,
    usage_warehouse_pull,
)
from supportops.models import SyncRun, SyncState, UsageMonth

pytestmark = pytest.mark.django_db

DATABASE_URL = os.environ.get("DATABASE_URL", "")
needs_postgres = pytest.mark.skipif(
    not DATABASE_URL.startswith(("postgres://", "postgresql://")),
    reason="warehouse pull needs PostgreSQL: set DATABASE_URL=postgres://... "
    "(scripts/test-services env prints the CI one)",
)

TABLE = """
CREATE SCHEMA prod_api;
CREATE TABLE prod_api.api_call_made (
    id text PRIMARY KEY,
    user_id text,
    context_group_id text,
    account_id text,
    event text,
    "timestamp" timestamptz,
    received_at timestamptz
);
"""

# (context_group_id, account_id, event, timestamp); months are UTC calendar months.
EVENTS = [
    ("acct_A", None, "api_call_made", "2024-04-10T12:00:00Z"),  # A April
    ("acct_A", None, "api_call_made", "2024-04-30T23:59:59Z"),  # A April
    ("acct_A", None, "api_call_made", "2024-05-01T00:00:00Z"),  # A May
    ("acct_A", None, "api_call_made", "2024-04-30T22:30:00-02:00"),  # 00:30 UTC: A May
    ("acct_A", "acct_B", "api_call_made", "2024-05-20T08:00:00Z"),  # group wins: A May
    (None, "acct_B", "api_call_made", "2024-05-15T09:00:00Z"),  # B May
    (None, "acct_B", "api_call_made", "2024-05-16T09:00:00Z"),  # B May
    (None, "acct_B", "api_call_made", "2024-05-31T23:30:00Z"),  # June in Berlin: B May
    (None, "acct_B", "api_call_made", "2024-06-01T00:00:00+02:00"),  # 22:00 UTC: B May
    (None, None, "api_call_made", "2024-05-02T00:00:00Z"),  # no account: left out
    ("acct_A", None, "page_viewed", "2024-05-02T00:00:00Z"),  # another event: left out
]
EXPECTED = {
    ("acct_A", date(2024, 4, 1)): 2,
    ("acct_A", date(2024, 5, 1)): 3,
    ("acct_B", date(2024, 5, 1)): 4,
}


class Warehouse:
    def __init__(self, url):
        self.url = url

    def execute(self, sql, params=None):
        with psycopg2.connect(self.url) as connection, connection.cursor() as cursor:
            cursor.execute(sql, params)
        connection.close()

    def insert(self, events):
        for group_id, account_id, event, timestamp in events:
            self.execute(
                "INSERT INTO prod_api.api_call_made VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (uuid.uuid4().hex, "user_1", group_id, account_id, event, timestamp, timestamp),
            )


@pytest.fixture
def warehouse():
    name = f"usage_warehouse_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(DATABASE_URL)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
        cursor.execute(f"ALTER DATABASE \"{name}\" SET timezone TO 'Europe/Berlin'")
    parts = urlsplit(DATABASE_URL)
    wh = Warehouse(urlunsplit(parts._replace(path=f"/{name}")))
    try:
        wh.execute(TABLE)
        wh.insert(EVENTS)
        yield wh
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def usage():
    return {
        (account_id, month): calls
        for account_id, month, calls in UsageMonth.objects.values_list(
            "account_id", "month", "api_calls"
        )
    }


@needs_postgres
def test_the_default_query_counts_calls_per_account_and_utc_month(warehouse):
    result = usage_warehouse_pull(url=warehouse.url, query=DEFAULT_QUERY)

    assert usage() == EXPECTED
    assert set(UsageMonth.objects.values_list("source", flat=True)) == {"warehouse"}
    assert (result.rows_read, result.created, result.accounts) == (3, 3, 2)

    again = usage_warehouse_pull(url=warehouse.url, query=DEFAULT_QUERY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert usage() == EXPECTED


@needs_postgres
def test_since_limits_the_pull_to_recent_months(warehouse):
    usage_warehouse_pull(url=warehouse.url, query=DEFAULT_QUERY)
    warehouse.insert([("acct_A", None, "api_call_made", "2024-04-11T00:00:00Z")])
    warehouse.insert([("acct_A", None, "api_call_made", "2024-05-11T00:00:00Z")])

    result = usage_warehouse_pull(url=warehouse.url, query=DEFAULT_QUERY, since=date(2024, 5, 1))

    assert (result.rows_read, result.updated, result.unchanged) == (2, 1, 1)
    assert usage()[("acct_A", date(2024, 4, 1))] == 2  # April was not re-read
    assert usage()[("acct_A", date(2024, 5, 1))] == 4


@needs_postgres
def test_a_bad_result_row_rejects_the_whole_pull(warehouse):
    query = """
        SELECT * FROM (VALUES ('a', '2024-05-01', 10), ('b', '2024-13-01', 5), ('c', '2024-05', -1))
        AS t(account_id, month, api_calls)
    """
    with pytest.raises(UsageWarehouseRejected) as excinfo:
        usage_warehouse_pull(url=warehouse.url, query=query)

    assert excinfo.value.problems == [
        "result row 2: month '2024-13-01' is not a month like 2024-05-01 or 2024-05",
        "result row 3: api_calls -1 is negative",
    ]
    assert str(excinfo.value).startswith("usage warehouse result rejected, nothing imported")
    assert UsageMonth.objects.count() == 0


@needs_postgres
def test_a_query_missing_a_column_or_failing_says_so(warehouse):
    with pytest.raises(UsageWarehouseRejected) as excinfo:
        usage_warehouse_pull(url=warehouse.url, query="SELECT 'a' AS account_id, 1 AS api_calls")
    assert excinfo.value.problems == ["result columns: missing required column(s): month"]

    with pytest.raises(ConnectorError, match='relation "nope.events" does not exist'):
        usage_warehouse_pull(url=warehouse.url, query="SELECT * FROM nope.events")


@needs_postgres
def test_the_session_is_read_only(warehouse):
    warehouse.execute(
        "CREATE FUNCTION prod_api.sneaky_write() RETURNS text LANGUAGE sql AS "
        "$$ INSERT INTO prod_api.api_call_made (id) VALUES ('x') RETURNING id $$"
    )
    with pytest.raises(ConnectorError, match="cannot execute INSERT in a read-only transaction"):
        usage_warehouse_pull(
            url=warehouse.url,
            query="SELECT prod_api.sneaky_write() AS account_id, '2024-05' AS month, 1 AS api_calls",
        )


def test_an_unreachable_warehouse_is_reported():
    with pytest.raises(UpstreamUnavailable, match="cannot connect to the usage warehouse"):
        usage_warehouse_pull(url="postgres://nobody@127.0.0.1:1/none", query=DEFAULT_QUERY)


@pytest.fixture
def usage_connector(monkeypatch, settings):
    monkeypatch.setitem(registry.CONNECTORS, "usage", "connectors.usage.connector")

    def configure(url):
        settings.USAGE_WAREHOUSE_URL = url

    return configure


def test_the_connector_is_configured_by_the_warehouse_url(usage_connector):
    connector = registry.get_connector("usage")
    usage_connector("")
    assert not connector.is_configured()
    usage_connector("postgres://warehouse.example/segment")
    assert connector.is_configured()
    assert connector.client().query == DEFAULT_QUERY


@needs_postgres
def test_sync_usage_pulls_and_checkpoints_the_month_to_reread(warehouse, usage_connector):
    usage_connector(warehouse.url)

    run = sync_source(source="usage")

    assert (run.status, run.records_read, run.records_written) == ("succeeded", 3, 3)
    assert usage() == EXPECTED
    state = SyncState.objects.get(source="usage", stream="monthly_api_calls")
    assert state.cursor == {"since": "2024-04-01"}

    warehouse.insert([("acct_B", None, "api_call_made", "2024-06-02T00:00:00Z")])
    run = sync_source(source="usage")

    assert (run.status, run.records_read, run.records_written) == ("succeeded", 4, 1)
    assert usage()[("acct_B", date(2024, 6, 1))] == 1
    state.refresh_from_db()
    assert state.cursor == {"since": "2024-05-01"}


@needs_postgres
def test_sync_usage_fails_the_run_with_the_problems(warehouse, usage_connector, settings):
    usage_connector(warehouse.url)
    settings.USAGE_WAREHOUSE_QUERY = (
        "SELECT 'a' AS account_id, DATE '2024-05-01' AS month, -3 AS api_calls"
    )

    run = sync_source(source="usage")

    assert run.status == SyncRun.Status.FAILED
    assert run.error == (
        "usage warehouse result rejected, nothing imported (1 problem): "
        "result row 1: api_calls -3 is negative"
    )
    assert UsageMonth.objects.count() == 0

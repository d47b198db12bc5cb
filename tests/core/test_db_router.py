"""The read replica (supportops/db_router.py): pages and API GETs read it, nothing else does.

The router's choices are checked one by one; then a page and an API GET are served against a
real second SQLite file whose rows differ from the primary's, so the answer shows which one
was read.
"""

import os
import sqlite3

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connections
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from supportops.db_router import (
    PRIMARY,
    REPLICA,
    ReplicaReadsMiddleware,
    ReplicaRouter,
    replica_reads,
    request_reads_replica,
)
from supportops.models import Customer, MetricSettings, Product, SyncRun
from tests.auth_tokens import token_client

ROUTER = "supportops.db_router.ReplicaRouter"
router = ReplicaRouter()


def test_reads_go_to_the_primary_outside_a_marked_request():
    assert router.db_for_read(Customer) == PRIMARY
    assert router.db_for_read(SyncRun) == PRIMARY


def test_reads_go_to_the_replica_inside_a_marked_request():
    with replica_reads():
        assert router.db_for_read(Customer) == REPLICA
        assert router.db_for_read(SyncRun) == REPLICA
    assert router.db_for_read(Customer) == PRIMARY  # and the mark ends with the request


def test_sign_in_state_is_read_from_the_primary_even_in_a_page():
    from axes.models import AccessAttempt
    from knox.models import AuthToken

    with replica_reads():
        for model in (get_user_model(), Session, AuthToken, AccessAttempt):
            assert router.db_for_read(model) == PRIMARY, model


def test_writes_always_go_to_the_primary():
    with replica_reads():
        assert router.db_for_write(Customer) == PRIMARY
    assert router.db_for_write(Customer) == PRIMARY


def test_a_read_inside_a_transaction_stays_on_the_primary(monkeypatch):
    monkeypatch.setattr(connections[PRIMARY], "in_atomic_block", True)
    with replica_reads():
        assert router.db_for_read(Customer) == PRIMARY


def test_only_the_primary_is_migrated():
    assert router.allow_migrate(PRIMARY, "supportops") is True
    assert router.allow_migrate(REPLICA, "supportops") is False


@pytest.mark.parametrize(
    ("method", "path", "replica"),
    [
        ("GET", "/", True),
        ("GET", "/customers/7/", True),
        ("HEAD", "/cost/", True),
        ("GET", "/api/v1/metrics/overview/", True),
        ("GET", "/api/v1/customers/", True),
        ("POST", "/api/v1/customers/", False),
        ("PATCH", "/api/v1/settings/", False),
        ("DELETE", "/api/v1/auth/token/", False),
        ("OPTIONS", "/api/v1/customers/", False),
        ("GET", "/admin/supportops/customer/1/change/", False),
        ("GET", "/accounts/login/", False),
        ("GET", "/healthz", False),
    ],
)
def test_which_requests_may_read_the_replica(method, path, replica):
    assert request_reads_replica(method, path) is replica


def test_the_middleware_marks_the_request_and_only_while_it_runs(rf):
    seen = []
    middleware = ReplicaReadsMiddleware(lambda request: seen.append(router.db_for_read(Customer)))
    middleware(rf.get("/customers/"))
    middleware(rf.post("/api/v1/customers/"))
    middleware(rf.get("/admin/"))
    assert seen == [REPLICA, PRIMARY, PRIMARY]
    assert router.db_for_read(Customer) == PRIMARY


@pytest.mark.skipif(bool(os.environ.get("DATABASE_REPLICA_URL")), reason="a replica is set")
def test_without_a_replica_url_there_is_no_router_and_no_replica(settings):
    """The suite's own settings (DATABASE_REPLICA_URL unset): nothing of this is installed."""
    assert "replica" not in settings.DATABASES
    assert ROUTER not in settings.DATABASE_ROUTERS
    assert "supportops.db_router.ReplicaReadsMiddleware" not in settings.MIDDLEWARE


@pytest.fixture
def replica(transactional_db, tmp_path):
    """The alias `replica`, with the router and its middleware installed; yields `lag(sql)`.

    On SQLite the replica is a second file, a copy of the primary made when `lag` is called,
    which then runs `sql` on the copy alone: the two differ as a lagging replica and its
    primary do, so a page shows which one it read. On PostgreSQL it is a second connection to
    the test database (`lag` changes nothing and says so): the queries show where they went.
    """
    primary = connections[PRIMARY]
    if REPLICA in connections.settings:
        pytest.skip("DATABASE_REPLICA_URL is set: this test brings its own replica")
    sqlite = primary.vendor == "sqlite"
    copy = tmp_path / "replica.sqlite3"

    def lag(sql: str) -> bool:
        if not sqlite:
            return False
        primary.ensure_connection()
        target = sqlite3.connect(copy)
        primary.connection.backup(target)
        target.execute(sql)
        target.commit()
        target.close()
        return True

    connections.settings[REPLICA] = {**primary.settings_dict, **({"NAME": copy} if sqlite else {})}
    # Connected here: Django's test case refuses to open a connection to an alias it was not
    # told about when the test started (this one did not exist yet).
    connections[REPLICA].connect()
    middleware = ["supportops.db_router.ReplicaReadsMiddleware", *primary_middleware()]
    try:
        with override_settings(DATABASE_ROUTERS=[ROUTER], MIDDLEWARE=middleware):
            yield lag
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


def primary_middleware():
    from django.conf import settings

    return settings.MIDDLEWARE


def queried_tables(queries) -> set[str]:
    """The tables (of this project and Django's) a list of captured queries names."""
    names = {
        "supportops_customer",
        "supportops_syncrun",
        "supportops_metricsettings",
        "supportops_dataversion",
        "auth_user",
        "django_session",
        "knox_authtoken",
    }
    return {name for query in queries for name in names if f'"{name}"' in query["sql"]}


def test_a_page_reads_the_replica_and_sign_in_state_the_primary(client, replica):
    MetricSettings.load()
    Customer.objects.create(name="Acme (primary)", domains=["acme.test"])
    lagged = replica("UPDATE supportops_customer SET name = 'Acme (replica)'")
    # The user and the session exist only on the primary (on SQLite): signed in all the same.
    client.force_login(get_user_model().objects.create_user("viewer", password="x" * 12))

    with (
        CaptureQueriesContext(connections[PRIMARY]) as on_primary,
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
    ):
        response = client.get(reverse("customers"))

    assert response.status_code == 200
    if lagged:
        assert b"Acme (replica)" in response.content
        assert b"Acme (primary)" not in response.content
    assert "supportops_customer" in queried_tables(on_replica.captured_queries)
    assert queried_tables(on_primary.captured_queries) <= {"auth_user", "django_session"}
    assert "django_session" in queried_tables(on_primary.captured_queries)
    assert not queried_tables(on_replica.captured_queries) & {"auth_user", "django_session"}


def test_an_api_get_reads_the_replica_and_a_write_the_primary(replica):
    MetricSettings.load()
    billing = Product.objects.create(name="Billing")
    lagged = replica("UPDATE supportops_product SET name = 'Billing (replica)'")
    # A token made after the copy (as one made a moment ago): it works, read from the primary.
    api = token_client(get_user_model().objects.create_superuser("admin", password="x" * 12))

    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        listed = api.get("/api/v1/products/")
    assert listed.status_code == 200, listed.content
    names = [row["name"] for row in listed.json()["results"]]
    assert names == ["Billing (replica)" if lagged else "Billing"]
    assert '"supportops_product"' in " ".join(q["sql"] for q in on_replica.captured_queries)

    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        changed = api.patch(f"/api/v1/products/{billing.pk}/", {"name": "Invoices"}, format="json")
    assert changed.status_code == 200, changed.content
    assert on_replica.captured_queries == []
    assert Product.objects.get(pk=billing.pk).name == "Invoices"  # on the primary

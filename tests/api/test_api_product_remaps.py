"""A rule write over the API re-maps existing tickets; `product-remaps/` shows the runs.

Tickets: t1 tag "api", t2 field 360 = "dash", t3 nothing. A tag rule api → API moves t1 only.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from supportops.models import Product, ProductRemap, ProductRule, Ticket
from tests.factories import ticket_create

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
RULE = {"product": "API", "kind": "tag", "value": "api"}


@pytest.fixture
def products(db):
    return {name: Product.objects.create(name=name) for name in ("API", "Dashboard")}


@pytest.fixture
def tickets(db):
    return [
        ticket_create(None, "t1", T0, tags=["api"]),
        ticket_create(None, "t2", T0, custom_fields={"360": "dash"}),
        ticket_create(None, "t3", T0),
    ]


def products_of(tickets):
    names = dict(Ticket.objects.values_list("pk", "product__name"))
    return [names[t.pk] for t in tickets]


def test_a_rule_write_returns_the_queued_remap_which_then_moves_tickets(
    staff_client, analyst_client, products, tickets, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post("/api/v1/product-rules/", RULE, format="json")
    assert response.status_code == 201, response.json()
    remap = response.json()["remap"]
    remap_id = ProductRemap.objects.get().pk
    assert remap == {
        "id": remap_id,
        "url": f"http://testserver/api/v1/product-remaps/{remap_id}/",
        "status": "queued",  # the test's transaction never commits before the response
        "reason": f"rule #{response.json()['id']} added",
        "requested_at": remap["requested_at"],
        "started_at": None,
        "finished_at": None,
        "tickets_total": 0,
        "tickets_done": 0,
        "tickets_changed": 0,
        "percent": 0,
        "error": "",
    }
    assert products_of(tickets) == ["API", None, None]

    body = analyst_client.get(remap["url"]).json()  # anyone signed in can watch it
    assert body["status"] == "succeeded"
    assert (body["tickets_total"], body["tickets_done"], body["tickets_changed"]) == (3, 3, 1)
    assert body["percent"] == 100
    assert body["started_at"] and body["finished_at"]

    rule_url = f"/api/v1/product-rules/{response.json()['id']}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.patch(rule_url, {"product": "Dashboard"}, format="json")
    assert response.status_code == 200
    assert response.json()["remap"]["id"] != remap_id
    assert products_of(tickets) == ["Dashboard", None, None]

    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.delete(rule_url).status_code == 204
    assert products_of(tickets) == [None, None, None]
    listing = analyst_client.get("/api/v1/product-remaps/").json()
    assert listing["count"] == 3
    assert [r["reason"].split()[-1] for r in listing["results"]] == [
        "deleted",
        "changed",
        "added",
    ]  # newest first
    assert {r["status"] for r in listing["results"]} == {"succeeded"}


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_remap_has_run_when_the_response_is_sent(
    staff_client, products, tickets
):
    """The embedded default: CELERY_TASK_ALWAYS_EAGER runs the task in-process at commit."""
    response = staff_client.post("/api/v1/product-rules/", RULE, format="json")
    assert response.status_code == 201, response.json()
    remap = response.json()["remap"]
    assert remap["status"] == "succeeded"
    assert (remap["tickets_total"], remap["tickets_done"], remap["tickets_changed"]) == (3, 3, 1)
    assert remap["percent"] == 100
    assert products_of(tickets) == ["API", None, None]


def test_rule_writes_and_remaps_need_the_right_user(
    staff_client, analyst_client, anon_client, products, tickets
):
    for client in (analyst_client, anon_client):
        assert client.post("/api/v1/product-rules/", RULE, format="json").status_code in (
            401,
            403,
        )
    assert not ProductRemap.objects.exists()  # a refused write asks for no run

    remap = ProductRemap.objects.create(requested_at=T0, reason="by hand")
    for url in ("/api/v1/product-remaps/", f"/api/v1/product-remaps/{remap.pk}/"):
        assert anon_client.get(url).status_code in (401, 403)
        assert analyst_client.get(url).status_code == 200
    # read-only for everyone: a run is asked for by changing rules (or "Re-map now" in admin)
    assert staff_client.post("/api/v1/product-remaps/", {}, format="json").status_code == 405
    url = f"/api/v1/product-remaps/{remap.pk}/"
    assert staff_client.patch(url, {"status": "failed"}, format="json").status_code == 405
    assert staff_client.delete(url).status_code == 405


def test_a_running_remap_shows_its_progress(analyst_client):
    remap = ProductRemap.objects.create(
        requested_at=T0, started_at=T0, status="running", tickets_total=4000, tickets_done=2000
    )
    body = analyst_client.get(f"/api/v1/product-remaps/{remap.pk}/").json()
    assert (body["status"], body["tickets_done"], body["tickets_total"], body["percent"]) == (
        "running",
        2000,
        4000,
        50,
    )


def test_deleting_a_product_over_the_api_remaps_its_tickets(
    staff_client, products, tickets, django_capture_on_commit_callbacks
):
    ProductRule.objects.create(product=products["API"], kind="tag", value="api", position=1)
    ProductRule.objects.create(product=products["Dashboard"], kind="tag", value="api", position=2)
    ProductRemap.objects.all().delete()
    Ticket.objects.filter(pk=tickets[0].pk).update(product=products["API"])

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.delete(f"/api/v1/products/{products['API'].pk}/")
    assert response.status_code == 204
    assert products_of(tickets) == ["Dashboard", None, None]  # the next rule matching t1
    assert ProductRemap.objects.get().status == "succeeded"  # one run for product and rule

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.patch(
            f"/api/v1/products/{products['Dashboard'].pk}/",
            {"name": "Dash", "is_enterprise_group": True},
            format="json",
        )
    assert response.status_code == 200
    assert ProductRemap.objects.count() == 1  # neither changes a ticket's product


def test_query_budgets(staff_client, analyst_client, products, django_assert_num_queries):
    # token; the user's permissions and their groups' (Django's model permissions); product
    # by name; full_clean: product exists, the check constraint (savepoint
    # pair around it); the view's savepoint pair; insert; the remap asked for (savepoint,
    # queued one?, insert, release); the remap again after the commit; the data version moved
    # by the rule's save and the remap's (supportops/data_version.py)
    with django_assert_num_queries(1 + 2 + 1 + 1 + 3 + 2 + 1 + 4 + 1 + 2):
        response = staff_client.post("/api/v1/product-rules/", RULE, format="json")
    assert response.status_code == 201
    url = f"/api/v1/product-rules/{response.json()['id']}/"
    # token; the permissions (two); the rule with its product; then as above (no product named), with an update, and
    # the queued remap reused (its reason extended); the data version, twice again
    with django_assert_num_queries(1 + 2 + 1 + 1 + 3 + 2 + 1 + 4 + 1 + 2):
        assert staff_client.patch(url, {"value": "x"}, format="json").status_code == 200
    rule_id = response.json()["id"]
    assert ProductRemap.objects.get().reason == f"rule #{rule_id} added; rule #{rule_id} changed"

    for i in range(5):
        ProductRemap.objects.create(requested_at=T0, reason=f"r{i}")
    with django_assert_num_queries(3):  # token, count, page
        assert analyst_client.get("/api/v1/product-remaps/").json()["count"] == 6
    remap = ProductRemap.objects.first()
    with django_assert_num_queries(2):  # token, the run
        analyst_client.get(f"/api/v1/product-remaps/{remap.pk}/")

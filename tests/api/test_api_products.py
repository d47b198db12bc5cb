"""Products and ticket→product rules over the API; team members' products and capacity."""

from __future__ import annotations

import pytest

from supportops.models import Product, ProductRule, TeamMember
from supportops.products import product_for, product_rules_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def products(db):
    return {
        "api": Product.objects.create(name="API"),
        "dashboard": Product.objects.create(name="Dashboard"),
        "enterprise": Product.objects.create(name="Enterprise", is_enterprise_group=True),
    }


def test_staff_creates_updates_and_deletes_a_product(staff_client):
    response = staff_client.post(
        "/api/v1/products/", {"name": "Billing", "is_enterprise_group": False}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body == {"id": body["id"], "name": "Billing", "is_enterprise_group": False}

    url = f"/api/v1/products/{body['id']}/"
    response = staff_client.patch(url, {"name": "Payments"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Payments"
    assert staff_client.delete(url).status_code == 204
    assert not Product.objects.exists()


def test_a_product_name_is_unique(staff_client, products):
    response = staff_client.post("/api/v1/products/", {"name": "API"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["name"]


def test_a_viewer_reads_products_but_cannot_change_them(analyst_client, products):
    listing = analyst_client.get("/api/v1/products/").json()
    assert [(p["name"], p["is_enterprise_group"]) for p in listing["results"]] == [
        ("API", False),
        ("Dashboard", False),
        ("Enterprise", True),
    ]
    assert analyst_client.post("/api/v1/products/", {"name": "X"}, format="json").status_code == 403
    url = f"/api/v1/products/{products['api'].pk}/"
    assert analyst_client.patch(url, {"name": "Y"}, format="json").status_code == 403
    assert analyst_client.delete(url).status_code == 403
    assert Product.objects.count() == 3


def test_product_rules_are_staff_only(analyst_client, anon_client, products):
    rule = ProductRule.objects.create(product=products["api"], kind="tag", value="api")
    for client in (analyst_client, anon_client):
        assert client.get("/api/v1/product-rules/").status_code in (401, 403)
        assert client.get(f"/api/v1/product-rules/{rule.pk}/").status_code in (401, 403)
        response = client.post(
            "/api/v1/product-rules/",
            {"product": "API", "kind": "tag", "value": "x"},
            format="json",
        )
        assert response.status_code in (401, 403)
    assert ProductRule.objects.count() == 1


def test_staff_manages_rules_and_they_run_by_position(staff_client, products):
    def create(**rule):
        response = staff_client.post("/api/v1/product-rules/", rule, format="json")
        assert response.status_code == 201, response.json()
        return response.json()

    late = create(product="API", kind="tag", value="urgent", position=20)
    early = create(product="Enterprise", kind="tag", value="urgent", position=10)
    field = create(product="Dashboard", kind="field", field_id="360", value="dash")
    assert early.pop("remap")["status"] == "queued"  # see test_api_product_remaps.py
    assert early == {
        "id": early["id"],
        "product": "Enterprise",
        "kind": "tag",
        "field_id": "",
        "value": "urgent",
        "position": 10,
    }
    assert field["position"] == 100  # the model's default

    listing = staff_client.get("/api/v1/product-rules/").json()["results"]
    assert [r["id"] for r in listing] == [early["id"], late["id"], field["id"]]
    rules = product_rules_load()
    assert product_for(rules=rules, custom_fields={}, tags=["urgent"], form_id="") == (
        products["enterprise"].pk
    )

    # move the API rule first: it wins now
    url = f"/api/v1/product-rules/{late['id']}/"
    response = staff_client.patch(url, {"position": 5}, format="json")
    assert response.status_code == 200
    listing = staff_client.get("/api/v1/product-rules/").json()["results"]
    assert [r["id"] for r in listing] == [late["id"], early["id"], field["id"]]
    rules = product_rules_load()
    assert product_for(rules=rules, custom_fields={}, tags=["urgent"], form_id="") == (
        products["api"].pk
    )

    response = staff_client.patch(url, {"product": "Dashboard"}, format="json")
    assert response.json()["product"] == "Dashboard"
    assert staff_client.delete(url).status_code == 204
    assert ProductRule.objects.count() == 2


@pytest.mark.parametrize(
    ("rule", "errors"),
    [
        (
            {"product": "API", "kind": "field", "value": "x"},
            {"non_field_errors": ["A custom-field rule needs the field id."]},
        ),
        (
            {"product": "Nope", "kind": "tag", "value": "x"},
            {"product": ["Object with name=Nope does not exist."]},
        ),
        (
            {"product": "API", "kind": "label", "value": "x"},
            {"kind": ['"label" is not a valid choice.']},
        ),
        ({"product": "API", "kind": "tag", "value": "x", "position": -1}, None),
    ],
)
def test_a_bad_rule_is_a_400(staff_client, products, rule, errors):
    response = staff_client.post("/api/v1/product-rules/", rule, format="json")
    assert response.status_code == 400
    if errors:
        assert response.json() == errors
    assert not ProductRule.objects.exists()


def test_a_partial_update_is_checked_against_the_stored_rule(staff_client, products):
    rule = ProductRule.objects.create(product=products["api"], kind="tag", value="api")
    response = staff_client.patch(
        f"/api/v1/product-rules/{rule.pk}/", {"kind": "field"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["A custom-field rule needs the field id."]}


def test_rule_list_query_budget(staff_client, products, django_assert_max_num_queries):
    for i in range(20):
        ProductRule.objects.create(product=products["api"], kind="tag", value=f"t{i}")
    # token lookup; the user's permissions and their groups' (view_productrule); count; page
    # with its products
    with django_assert_max_num_queries(5):
        assert staff_client.get("/api/v1/product-rules/").json()["count"] == 20


# --- team members: products covered and capacity --------------------------------------------

MEMBER = {
    "name": "Ann",
    "role": "Support engineer",
    "annual_salary": "300000.00",
    "annual_benefits": "0.00",
    "fte": "1.00",
    "start_date": "2016-01-01",
    "end_date": None,
}


def test_team_members_show_products_and_capacity_override(staff_client, analyst_client, products):
    response = staff_client.post(
        "/api/v1/team-members/",
        {**MEMBER, "products": ["API", "Enterprise"], "capacity_override": 120},
        format="json",
    )
    assert response.status_code == 201, response.json()
    member_id = response.json()["id"]
    body = analyst_client.get(f"/api/v1/team-members/{member_id}/").json()
    assert body["products"] == ["API", "Enterprise"]
    assert body["capacity_override"] == 120

    url = f"/api/v1/team-members/{member_id}/"
    response = staff_client.patch(
        url, {"products": ["Dashboard"], "capacity_override": None}, format="json"
    )
    assert response.status_code == 200
    member = TeamMember.objects.get()
    assert [p.name for p in member.products.all()] == ["Dashboard"]
    assert member.capacity_override is None

    response = staff_client.patch(url, {"products": ["Nope"]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"products": ["Object with name=Nope does not exist."]}
    response = staff_client.patch(url, {"capacity_override": -1}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["capacity_override"]


def test_team_member_list_shows_products_without_n_plus_1(
    staff_client, analyst_client, products, django_assert_max_num_queries
):
    for i in range(10):
        member = TeamMember.objects.create(name=f"M{i}", annual_salary=1, start_date="2020-01-01")
        member.products.set([products["api"], products["enterprise"]])
    with django_assert_max_num_queries(4):  # token lookup, count, page, the page's products
        results = analyst_client.get("/api/v1/team-members/").json()["results"]
    assert all(r["products"] == ["API", "Enterprise"] for r in results)

"""Admin: saving rules re-maps tickets and says so; re-map runs are listed with progress and
can be asked for by hand ("Re-map now")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from supportops.models import Product, ProductRemap, ProductRule, Ticket
from tests.factories import ticket_create

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


def rules_form(product, rows):
    data = {
        "name": product.name,
        "rules-TOTAL_FORMS": str(len(rows)),
        "rules-INITIAL_FORMS": "0",
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data |= {f"rules-{i}-{k}": v for k, v in row.items()}
    return data


def test_adding_rules_in_the_product_page_remaps_tickets_once(
    admin_client, django_capture_on_commit_callbacks
):
    api = Product.objects.create(name="API")
    ticket = ticket_create(None, "t1", T0, tags=["api"], form_id="77")
    rows = [
        {"kind": "tag", "value": "api", "position": "10", "field_id": ""},
        {"kind": "form", "value": "77", "position": "20", "field_id": ""},
    ]
    url = reverse("admin:supportops_product_change", args=[api.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, rules_form(api, rows), follow=True)
    assert response.status_code == 200
    assert ProductRule.objects.count() == 2
    remap = ProductRemap.objects.get()  # both rules, one run (the admin saves in one commit)
    assert remap.status == "succeeded" and remap.tickets_changed == 1
    ticket.refresh_from_db()
    assert ticket.product == api
    page = response.content.decode()
    assert "Existing tickets are re-mapped to the rules in the background" in page
    assert reverse("admin:supportops_productremap_change", args=[remap.pk]) in page


def test_the_rule_kind_explains_form_ids_of_older_tickets(admin_client):
    api = Product.objects.create(name="API")
    page = admin_client.get(reverse("admin:supportops_product_change", args=[api.pk]))
    page = page.content.decode()
    assert "until the next full Zendesk sync" in page
    assert "Saving rules re-maps the tickets already stored in the background" in page


def test_remaps_are_listed_read_only_with_progress_and_duration(
    admin_client, django_assert_num_queries
):
    ProductRemap.objects.create(
        requested_at=T0,
        started_at=T0,
        finished_at=T0 + timedelta(seconds=75),
        status="succeeded",
        tickets_total=4200,
        tickets_done=4200,
        tickets_changed=310,
        reason="rule #3 changed",
    )
    ProductRemap.objects.create(
        requested_at=T0 + timedelta(hours=1),
        started_at=T0 + timedelta(hours=1),
        status="failed",
        tickets_total=3,
        tickets_done=1,
        error="OperationalError: disk I/O error",
    )
    url = reverse("admin:supportops_productremap_changelist")
    # session, user, the statuses present (filter), counts (filtered, all), the sidebar's
    # settings check, the page: not one query per row
    with django_assert_num_queries(7):
        page = admin_client.get(url).content.decode()
    assert "4,200 of 4,200 (100%)" in page and "310" in page and "0:01:15" in page
    assert "1 of 3 (33%)" in page and "OperationalError: disk I/O error" in page
    assert "Re-map now" in page
    assert admin_client.get(reverse("admin:supportops_productremap_add")).status_code == 403


def test_remap_now_queues_and_runs_a_remap(admin_client, django_capture_on_commit_callbacks):
    api = Product.objects.create(name="API")
    ProductRule.objects.create(product=api, kind="form", value="77")
    ProductRemap.objects.all().delete()
    ticket = ticket_create(None, "t1", T0, form_id="77")  # e.g. a full sync filled it in
    url = reverse("admin:supportops_productremap_now")

    assert admin_client.get(url).status_code == 302  # a GET changes nothing
    assert not ProductRemap.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, follow=True)
    assert response.status_code == 200
    remap = ProductRemap.objects.get()
    assert remap.reason == "re-map now by admin"
    assert remap.status == "succeeded"
    assert Ticket.objects.get(pk=ticket.pk).product == api
    assert "Existing tickets are re-mapped" in response.content.decode()


def test_remap_now_is_for_staff_only(client, django_user_model):
    user = django_user_model.objects.create_user("viewer", password="pw12345678!")
    client.force_login(user)
    response = client.post(reverse("admin:supportops_productremap_now"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not ProductRemap.objects.exists()

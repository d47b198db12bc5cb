"""Changing a product rule re-maps the tickets already stored, in batches, with progress.

Six tickets, by primary key:
    t1  tags API, urgent                      t4  form 77
    t2  field 360 = "Dash "                   t5  nothing to match
    t3  field 360 = ["billing", "DASH"]       t6  tag api, deleted
Rules are added in each test; the products each ticket should get are worked out by hand
next to each assertion.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError
from django.db.models import QuerySet
from django.utils import timezone

from supportops import product_remap
from supportops.models import Product, ProductRemap, ProductRule, Ticket
from supportops.product_remap import remap_percent, remap_request, remap_run
from tests.factories import ticket_create

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


@pytest.fixture
def products(db):
    return {name: Product.objects.create(name=name) for name in ("API", "Dashboard", "Billing")}


@pytest.fixture
def tickets(db):
    rows = [
        {"tags": ["API", "urgent"]},
        {"custom_fields": {"360": "Dash "}},
        {"custom_fields": {"360": ["billing", "DASH"]}},
        {"form_id": "77"},
        {},
        {"tags": ["api"], "is_deleted": True},
    ]
    return [ticket_create(None, f"t{i}", T0, **row) for i, row in enumerate(rows, start=1)]


def mapped(tickets) -> list[str | None]:
    """Each ticket's product name, t1..t6, as stored."""
    names = dict(Ticket.objects.values_list("pk", "product__name"))
    return [names[t.pk] for t in tickets]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what is sent on commit (the eager Celery task), as a real commit would."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def rule(product, kind, value, field_id="", position=100):
    return ProductRule.objects.create(
        product=product, kind=kind, value=value, field_id=field_id, position=position
    )


def test_a_tag_rule_moves_existing_tickets_deleted_ones_too(products, tickets, committed):
    with committed():
        rule(products["API"], "tag", "api")
    assert mapped(tickets) == ["API", None, None, None, None, "API"]  # tags match in any case
    remap = ProductRemap.objects.get()
    assert remap.status == "succeeded" and remap.error == ""
    assert (remap.tickets_total, remap.tickets_done, remap.tickets_changed) == (6, 6, 2)
    assert remap.reason == f"rule #{ProductRule.objects.get().pk} added"
    assert remap.started_at and remap.finished_at >= remap.started_at
    assert remap_percent(remap) == 100


def test_field_rules_match_a_value_or_any_item_of_a_list(products, tickets, committed):
    with committed():
        rule(products["Dashboard"], "field", " DASH", field_id="360")
    # t2 "Dash " and t3's list item "DASH" both match "dash" once trimmed and lowercased
    assert mapped(tickets) == [None, "Dashboard", "Dashboard", None, None, None]


def test_a_form_rule_uses_the_stored_form_id(products, tickets, committed):
    with committed():
        rule(products["Billing"], "form", "77")
    assert mapped(tickets) == [None, None, None, "Billing", None, None]


def test_the_first_rule_by_position_wins_and_moving_it_moves_tickets(products, tickets, committed):
    with committed():
        billing = rule(products["Billing"], "field", "billing", field_id="360", position=5)
        rule(products["Dashboard"], "field", "dash", field_id="360", position=10)
    # t3 matches both: Billing runs first
    assert mapped(tickets) == [None, "Dashboard", "Billing", None, None, None]

    with committed():
        billing.position = 20
        billing.save()
    assert mapped(tickets) == [None, "Dashboard", "Dashboard", None, None, None]
    latest = ProductRemap.objects.first()
    assert latest.tickets_changed == 1  # only t3 moved


def test_a_deleted_rule_unmaps_tickets_or_hands_them_to_the_next_match(
    products, tickets, committed
):
    with committed():
        billing = rule(products["Billing"], "field", "billing", field_id="360", position=5)
        form = rule(products["Billing"], "form", "77")
        rule(products["Dashboard"], "field", "dash", field_id="360", position=10)
    assert mapped(tickets) == [None, "Dashboard", "Billing", "Billing", None, None]

    with committed():
        billing.delete()
        form.delete()
    # t3 falls through to the Dashboard rule; t4 matches nothing any more
    assert mapped(tickets) == [None, "Dashboard", "Dashboard", None, None, None]


def test_deleting_a_product_remaps_its_tickets_but_saving_one_asks_for_nothing(
    products, tickets, committed
):
    with committed():
        rule(products["Billing"], "field", "billing", field_id="360", position=5)
        rule(products["Dashboard"], "field", "dash", field_id="360", position=10)
    runs = ProductRemap.objects.count()

    with committed():
        products["Billing"].name, products["Billing"].is_enterprise_group = "Payments", True
        products["Billing"].save()
    assert ProductRemap.objects.count() == runs  # a name or the enterprise flag maps nothing

    with committed():
        products["Billing"].delete()  # its rule goes with it; t3 had it (SET_NULL)
    assert mapped(tickets) == [None, "Dashboard", "Dashboard", None, None, None]
    remap = ProductRemap.objects.first()
    assert remap.status == "succeeded"
    assert "product 'Payments' deleted" in remap.reason


def test_each_batch_saves_its_progress_with_its_tickets(products, tickets, committed, monkeypatch):
    """Batches of 2 over 6 tickets: progress 2, 4, 6 done; t1 changes in batch 1, t6 in 3.
    At each save the stored tickets are exactly the batches done."""
    monkeypatch.setattr(product_remap, "BATCH_SIZE", 2)
    saved = []
    real_update = QuerySet.update

    def spy(qs, **values):
        count = real_update(qs, **values)
        if qs.model is ProductRemap and "tickets_done" in values:
            saved.append((values["tickets_done"], values["tickets_changed"], mapped(tickets)))
        return count

    monkeypatch.setattr(QuerySet, "update", spy)
    with committed():
        rule(products["API"], "tag", "api")
    assert saved == [
        (2, 1, ["API", None, None, None, None, None]),
        (4, 1, ["API", None, None, None, None, None]),
        (6, 2, ["API", None, None, None, None, "API"]),
    ]
    remap = ProductRemap.objects.get()
    assert (remap.tickets_total, remap.tickets_done, remap.status) == (6, 6, "succeeded")


def test_progress_percent_rounds_down():
    remap = ProductRemap(tickets_total=3, tickets_done=2, status="running")
    assert remap_percent(remap) == 66
    assert remap_percent(ProductRemap(tickets_total=0, status="queued")) == 0
    assert remap_percent(ProductRemap(tickets_total=0, status="succeeded")) == 100
    assert remap_percent(ProductRemap(tickets_total=2, tickets_done=5, status="running")) == 100


def test_changes_in_quick_succession_coalesce_into_one_run(products, tickets, committed):
    with committed():
        api = rule(products["API"], "tag", "urgent")
        rule(products["Dashboard"], "field", "dash", field_id="360")
        api.value = "api"
        api.save()
    remap = ProductRemap.objects.get()  # one run, with the rules as they were at commit
    assert remap.reason == f"rule #{api.pk} added; rule #{api.pk + 1} added; rule #{api.pk} changed"
    assert remap.status == "succeeded"
    assert mapped(tickets) == ["API", "Dashboard", "Dashboard", None, None, "API"]


def test_a_change_during_a_run_queues_one_follow_up_that_waits_for_it(products, tickets):
    running = remap_request("first")
    ProductRemap.objects.filter(pk=running.pk).update(status="running", started_at=timezone.now())
    follow_up = remap_request("second")
    assert follow_up.pk != running.pk
    assert remap_request("third").pk == follow_up.pk

    assert remap_run(follow_up.pk) is None  # one run at a time: it waits
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.reason) == ("queued", "second; third")
    assert remap_run(running.pk) is None  # a run is claimed once


def test_a_finished_run_starts_the_next_queued_one(products, tickets, committed, monkeypatch):
    first = remap_request("first")
    real_for = product_remap.product_for
    later = []

    def change_during_run(**kwargs):
        if not later:  # a rule changes while the first run works, and its message is lost
            # (bulk_create sends no signal: the follow-up is queued by hand, never sent)
            ProductRule.objects.bulk_create(
                [ProductRule(product=products["API"], kind="tag", value="api")]
            )
            later.append(ProductRemap.objects.create(requested_at=timezone.now()))
        return real_for(**kwargs)

    monkeypatch.setattr(product_remap, "product_for", change_during_run)
    with committed():
        remap_run(first.pk)
    first.refresh_from_db()
    assert first.tickets_changed == 0  # it read the rules before the change
    later[0].refresh_from_db()
    assert later[0].status == "succeeded" and later[0].tickets_changed == 2
    assert mapped(tickets) == ["API", None, None, None, None, "API"]


def test_a_run_whose_worker_was_lost_is_failed_so_the_next_can_start(products, tickets):
    lost = ProductRemap.objects.create(
        status="running", requested_at=T0, started_at=timezone.now() - timedelta(hours=2)
    )
    rule(products["API"], "tag", "api")  # on_commit is not run here: run by hand
    queued = ProductRemap.objects.get(status="queued")
    assert remap_run(queued.pk).status == "succeeded"
    lost.refresh_from_db()
    assert lost.status == "failed" and "worker was lost" in lost.error


def test_a_failure_mid_batch_keeps_earlier_batches_and_no_half_batch(
    products, tickets, monkeypatch
):
    """Batches of 3: t1..t3 (→ API, Dashboard, Billing: three UPDATEs), then t4..t6 (→ Billing,
    API). The database fails right after batch 2's first UPDATE (t4 → Billing) was written."""
    rule(products["API"], "tag", "api")
    rule(products["Billing"], "field", "billing", field_id="360", position=5)
    rule(products["Billing"], "form", "77")
    rule(products["Dashboard"], "field", "dash", field_id="360", position=10)
    remap = ProductRemap.objects.get()
    real_update = QuerySet.update
    ticket_updates = []

    def failing(qs, **values):
        count = real_update(qs, **values)
        if qs.model is Ticket:
            ticket_updates.append(values)
            if len(ticket_updates) == 4:
                raise OperationalError("disk I/O error")
        return count

    monkeypatch.setattr(QuerySet, "update", failing)
    result = remap_run(remap.pk, batch_size=3)
    assert result.status == "failed"
    remap.refresh_from_db()
    assert remap.status == "failed" and remap.error == "OperationalError: disk I/O error"
    assert (remap.tickets_total, remap.tickets_done, remap.tickets_changed) == (6, 3, 3)
    assert remap.finished_at is not None
    # batch 1 stays; batch 2 rolled back whole, t4's written UPDATE included
    assert mapped(tickets) == ["API", "Dashboard", "Billing", None, None, None]

    monkeypatch.setattr(QuerySet, "update", real_update)
    again = remap_request("retry")
    assert again.pk != remap.pk
    assert remap_run(again.pk, batch_size=3).status == "succeeded"
    again.refresh_from_db()
    assert (again.tickets_done, again.tickets_changed) == (6, 2)  # only what was left
    assert mapped(tickets) == ["API", "Dashboard", "Billing", "Billing", None, "API"]


def test_odd_stored_json_is_read_as_empty(products, committed):
    odd = ticket_create(None, "odd", T0, custom_fields=["not", "a", "dict"], tags={"api": 1})
    with committed():
        rule(products["API"], "tag", "api")
    odd.refresh_from_db()
    assert odd.product is None
    assert ProductRemap.objects.get().status == "succeeded"


def test_remap_run_query_budget(products, tickets, django_assert_num_queries):
    rule(products["API"], "tag", "api")
    rule(products["Dashboard"], "field", "dash", field_id="360")
    remap = ProductRemap.objects.get()
    # claim 4 (savepoint, active runs, update, release); rules; count; total;
    # per batch of 2: savepoint, select, one UPDATE per product moved to, progress, release
    # (batch 1: API + Dashboard, 2: Dashboard, 3: API → 6 + 5 + 5); the empty batch 3;
    # finish; next queued; and the data version moved by the run's three saves (claim,
    # total, finish: supportops/data_version.py)
    with django_assert_num_queries(4 + 3 + 16 + 3 + 2 + 3):
        remap_run(remap.pk, batch_size=2)
    assert mapped(tickets) == ["API", "Dashboard", "Dashboard", None, None, "API"]


def test_with_a_broker_the_task_is_sent_once_the_change_commits(
    products, tickets, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from supportops.tasks import product_remap_task

    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = []
    monkeypatch.setattr(product_remap_task, "delay", lambda **kwargs: sent.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        rule(products["API"], "tag", "api")
        assert sent == []  # a rule change that rolled back would never reach the worker
    remap = ProductRemap.objects.get()
    assert sent == [{"remap_id": remap.pk}]
    assert remap.status == "queued" and mapped(tickets) == [None] * 6  # the worker runs it

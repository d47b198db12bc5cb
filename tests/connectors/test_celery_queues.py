"""Queues per kind of work (issue #11): each task's route, and which queues a worker serves.

The two-worker test (test_celery_two_workers.py) shows the same with real workers and Redis;
this one needs neither and runs everywhere.
"""

from __future__ import annotations

import pytest
from celery import Celery
from django.conf import settings

from supportops.celery import app

ROUTED = {
    "connectors.sync_source": "syncs",
    "reports.send_due": "reports",
    "reports.deliver": "reports",
    "metrics.refresh_derived": "recompute",
    "supportops.product_remap": "recompute",
}


def _queue(celery: Celery, task: str):
    return celery.amqp.router.route({}, task)["queue"]


def test_every_project_task_has_a_route_to_its_kinds_queue():
    app.loader.import_default_modules()
    project = {name for name in app.tasks if not name.startswith("celery.")}
    assert project == ROUTED.keys()  # a new task: give it a queue here and in the settings
    assert {task: _queue(app, task).name for task in project} == ROUTED


def test_a_task_without_a_route_goes_to_the_default_queue():
    assert _queue(app, "some.unrouted_task").name == "celery"


def test_a_worker_without_q_serves_every_queue_and_q_selects():
    everything = Celery(set_as_current=False)
    everything.config_from_object(settings, namespace="CELERY")
    assert set(everything.amqp.queues.consume_from) == {"celery", "syncs", "reports", "recompute"}
    one = Celery(set_as_current=False)
    one.config_from_object(settings, namespace="CELERY")
    one.amqp.queues.select(["syncs"])
    assert set(one.amqp.queues.consume_from) == {"syncs"}


@pytest.mark.parametrize("task", sorted(ROUTED))
def test_a_sender_with_only_the_routes_publishes_where_the_worker_listens(task):
    """Web machines and beat route by name; the queue they would declare for it is the one a
    worker declares (same exchange and key), so nothing is published to an unbound key."""
    sender = Celery(set_as_current=False)
    sender.conf.task_routes = settings.CELERY_TASK_ROUTES
    sent, served = _queue(sender, task), app.amqp.queues[ROUTED[task]]
    assert (sent.name, sent.exchange.name, sent.exchange.type, sent.routing_key) == (
        served.name,
        served.exchange.name,
        served.exchange.type,
        served.routing_key,
    )

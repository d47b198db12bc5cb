"""The production path of a re-map: a Celery worker picks the task from Redis and runs it
against PostgreSQL, saving its progress where the API and admin read it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection
from django.utils import timezone

from supportops.models import Product, ProductRemap, ProductRule, Ticket
from tests.factories import ticket_create

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "")

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not BROKER, reason="needs Redis: run through `make test`"),
]


@pytest.fixture
def worker():
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot see an in-memory SQLite test database")
    import redis

    redis.Redis.from_url(BROKER).flushdb()  # no task left over from an earlier run
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "supportops.settings.base",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "CELERY_BROKER_URL": BROKER,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "supportops", "worker", "--pool=solo",
         "--without-heartbeat", "--without-mingle", "--without-gossip", "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    yield process
    process.terminate()
    process.wait(timeout=30)


def test_a_worker_runs_a_remap_sent_through_redis(worker):
    api = Product.objects.create(name="API")
    tickets = [
        ticket_create(None, f"t{i}", datetime(2026, 1, 5, tzinfo=UTC), tags=["api"] if i else [])
        for i in range(3)
    ]
    # bulk_create sends no signal: the run is queued and sent by hand, to the worker only
    ProductRule.objects.bulk_create([ProductRule(product=api, kind="tag", value="api")])
    remap = ProductRemap.objects.create(requested_at=timezone.now(), reason="worker test")
    Celery(broker=BROKER).send_task("supportops.product_remap", kwargs={"remap_id": remap.pk})

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and worker.poll() is None:
        remap.refresh_from_db()
        if remap.status in ("succeeded", "failed"):
            break
        time.sleep(0.5)

    assert worker.poll() is None, "the worker exited"
    assert remap.status == "succeeded", remap.error or remap.status
    assert (remap.tickets_total, remap.tickets_done, remap.tickets_changed) == (3, 3, 2)
    products = dict(Ticket.objects.values_list("pk", "product_id"))
    assert [products[t.pk] for t in tickets] == [None, api.pk, api.pk]

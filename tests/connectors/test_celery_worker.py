"""The production path: a real Celery worker, Redis as broker, PostgreSQL, the Zendesk sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from supportops.models import SyncRun, Ticket

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "")

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not BROKER, reason="needs Redis: run through `make test`"),
]


@pytest.fixture
def worker(zendesk):
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot see an in-memory SQLite test database")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "supportops.settings.base",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "CELERY_BROKER_URL": BROKER,
        "ZENDESK_URL": zendesk.url,
        "ZENDESK_EMAIL": "demo@supportops.local",
        "ZENDESK_API_TOKEN": "sandbox-token",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "supportops",
            "worker",
            "--pool=solo",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "-Q",
            "supportops-test",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    yield process
    process.terminate()
    process.wait(timeout=30)


def test_worker_runs_a_sync_sent_through_redis(worker, company):
    client = Celery(broker=BROKER)
    client.send_task(
        "connectors.sync_source", kwargs={"source": "zendesk"}, queue="supportops-test"
    )

    deadline = time.monotonic() + 90
    run = None
    while time.monotonic() < deadline:
        run = SyncRun.objects.filter(source="zendesk").exclude(status="running").first()
        if run or worker.poll() is not None:
            break
        time.sleep(0.5)

    assert worker.poll() is None, "the worker exited"
    assert run is not None, "the worker did not finish a sync within 90 s"
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert Ticket.objects.count() == len(company.tickets)

"""The production path: Celery beat and a worker, Redis as broker, PostgreSQL, the sandbox."""

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
def celery_env(zendesk):
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot see an in-memory SQLite test database")
    import redis

    redis.Redis.from_url(BROKER).flushdb()  # no task left over from an earlier run
    db = connection.settings_dict
    return {
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


def celery(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "supportops", *args, "--loglevel=WARNING"],
        cwd=ROOT,
        env=env,
    )


@pytest.fixture
def worker(celery_env):
    process = celery(
        "worker", "--pool=solo", "--without-heartbeat", "--without-mingle", "--without-gossip",
        env=celery_env,
    )  # fmt: skip
    yield process
    process.terminate()
    process.wait(timeout=30)


def wait_for_finished_run(worker, seconds: float = 90) -> SyncRun | None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = SyncRun.objects.filter(source="zendesk").exclude(status="running").first()
        if run or worker.poll() is not None:
            return run
        time.sleep(0.5)
    return None


def test_worker_runs_a_sync_sent_through_redis(worker, company):
    Celery(broker=BROKER).send_task("connectors.sync_source", kwargs={"source": "zendesk"})

    run = wait_for_finished_run(worker)

    assert worker.poll() is None, "the worker exited"
    assert run is not None, "the worker did not finish a sync within 90 s"
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert Ticket.objects.count() == len(company.tickets)


def test_beat_schedules_the_sync_and_the_worker_runs_it(worker, celery_env, company, tmp_path):
    # Every 3 seconds, so the schedule fires within the test; nothing else sends the task.
    env = {**celery_env, "ZENDESK_SYNC_MINUTES": "0.05"}
    beat = celery("beat", "--schedule", str(tmp_path / "beat-schedule"), env=env)
    try:
        run = wait_for_finished_run(worker)
    finally:
        beat.terminate()
        beat.wait(timeout=30)

    assert run is not None, "beat did not get a sync run within 90 s"
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert Ticket.objects.count() == len(company.tickets)

"""Web under load, reduced for CI (issue #11): bench/load_test.py itself, a few seconds of it.

The runner is started as `make bench-load` starts it, with the bench loader's data at a tiny
scale (100 customers, 1,000 tickets) written into this test's database: gunicorn with 2
workers and the production settings on a loopback port, 3 locust users signing in through the
login form and browsing every page of the load test. It runs in a process of its own: locust
patches the standard library for gevent when imported, which this process must not get.

What must hold: the run exits 0, every page of the load test was requested in the measured
phase and answered 200 every time (a lost session would be a 302), no failure in either phase,
and, from an independent record (django-axes' access log, written by gunicorn's workers on each
successful sign-in), each user signed in exactly once, each into a session of its own.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessLog
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
USERS = 3
# The load test's pages (bench/load_test.py visits()), written out: the test names what must
# be covered rather than reading it from the code under test.
PAGES = [
    "overview",
    "cost",
    "cohorts",
    "coverage",
    "customers (by name)",
    "customers by last contact",
    "customers by last contact, newest",
    "customer (heaviest)",
    "customer (median)",
]

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _db_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("gunicorn's workers cannot see an in-memory SQLite test database")
    yield
    with connection.cursor() as cursor:  # the bench loader's marker; flush keeps unknown tables
        cursor.execute("DROP TABLE IF EXISTS bench_dataset")


def test_load_test_every_page_answers_200_under_concurrent_users(postgres, tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST") and key not in ("DATABASE_REPLICA_URL", "CACHE_URL")
    }
    env["BENCH_DATABASE_URL"] = _db_url()
    out = tmp_path / "load.json"
    command = [
        sys.executable, "bench/load_test.py", "--scale", "0.001", "--users", str(USERS),
        "--spawn-rate", str(USERS), "--think", "0-0.2", "--warmup", "5", "--run-time", "5",
        "--max-requests", "2000", "--port", str(_free_port()), "--uncompressed-static",
        "--json", str(out),
    ]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    report = json.loads(out.read_text())
    assert report["problems"] == [], output
    rows = {row["page"]: row for row in report["rows"]}
    assert list(rows) == [*PAGES, "overall"], output
    for page in PAGES:
        row = rows[page]
        assert row["requests"] >= 1, f"{page} was not requested\n{output}"
        assert row["failures"] == 0, output
        assert row["statuses"] == {"200": row["requests"]}, f"{page}: {row}\n{output}"
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] <= row["max_ms"], row
    assert rows["overall"]["requests"] == sum(rows[p]["requests"] for p in PAGES)
    assert rows["overall"]["statuses"] == {"200": rows["overall"]["requests"]}

    sign_ins = AccessLog.objects.filter(username="bench-web")
    assert sign_ins.count() == USERS, output
    assert len(set(sign_ins.values_list("session_hash", flat=True))) == USERS

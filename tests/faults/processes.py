"""Parent side of the kill tests: SQLite file databases and `sync_child.py` processes.

The child processes cannot see the test's (in-memory, per-test) database, so each kill test
works on SQLite files of its own, copied from one migrated template, and compares the
databases through `sync_child.py dump` (canonical_rows() as JSON).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

CHILD = Path(__file__).with_name("sync_child.py")
PYTHON = sys.executable


def child_env(database: Path, **settings: object) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["DATABASE_URL"] = f"sqlite:///{database}"
    env["DJANGO_SETTINGS_MODULE"] = "supportops.settings.test"
    env.update({name: str(value) for name, value in settings.items()})
    return env


def run(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, str(CHILD), *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def migrated_template(directory: Path) -> Path:
    """A migrated SQLite file in `directory` (made once, then reused by every kill test)."""
    path = directory / "faults-template.sqlite3"
    if path.exists():
        return path
    done = run(child_env(path), "migrate", timeout=180)
    assert done.returncode == 0, done.stderr
    return path


def fresh_database(template: Path, directory: Path, name: str) -> Path:
    path = directory / f"{name}.sqlite3"
    shutil.copyfile(template, path)
    return path


def last_json(stdout: str, stderr: str) -> dict:
    lines = stdout.strip().splitlines()
    assert lines, f"sync child printed nothing\nstderr:\n{stderr[-3000:]}"
    return json.loads(lines[-1])


def json_rows(rows: dict) -> dict:
    """canonical_rows() as it comes back from a child's dump (tuples as lists, via JSON)."""
    return json.loads(json.dumps(rows, default=str))


def sync(env: dict[str, str], source: str, *, dump: bool = False) -> dict:
    """A scheduler's run of the sync: its SyncRun status and error (and, with `dump`, the
    database's canonical rows afterwards as "rows")."""
    done = run(env, "sync", source, *(["--dump"] if dump else []))
    return last_json(done.stdout, done.stderr)


def dump(env: dict[str, str]) -> dict:
    done = run(env, "dump")
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def start_paused(
    env: dict[str, str],
    source: str,
    *,
    pause: str,
    after: int,
    marker: Path,
    hold_until: Path | None = None,
    timeout: float = 60,
) -> subprocess.Popen:
    """Start a sync and return once it sits inside the `after`-th write of `pause`."""
    args = ["sync", source, "--pause", pause, "--after", str(after), "--marker", str(marker)]
    if hold_until is not None:
        args += ["--hold-until", str(hold_until)]
    process = subprocess.Popen(
        [PYTHON, str(CHILD), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if process.poll() is not None:
            out, err = process.communicate()
            raise AssertionError(
                f"sync ended before the pause (rc {process.returncode}):\n{out}\n{err[-3000:]}"
            )
        if time.monotonic() > deadline:
            process.kill()
            process.communicate()
            raise AssertionError("sync never reached the pause")
        time.sleep(0.02)
    return process


def kill_mid_page(env: dict[str, str], source: str, *, pause: str, after: int, marker: Path) -> int:
    """Start a sync that pauses inside the `after`-th write of `pause`; SIGKILL it there."""
    process = start_paused(env, source, pause=pause, after=after, marker=marker)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=10)
    return process.returncode

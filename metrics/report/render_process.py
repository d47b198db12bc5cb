"""Run a child process under a wall-clock limit and leave nothing of it behind.

Chromium is the reason this is not `subprocess.run(timeout=...)`: it forks a zygote, GPU and
renderer processes, and choreographer (Kaleido's browser driver) starts it in a session of its
own, so killing the direct child, or even its process group, would orphan a browser that keeps
running. Everything the child started is therefore found and killed three ways: the process
groups and sessions of its descendants, and any process whose command line names the run's
private directory (every Chromium gets `--user-data-dir` inside it), which also catches a
process already reparented to init.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Finished:
    returncode: int | None  # None: killed at the deadline
    seconds: float

    @property
    def timed_out(self) -> bool:
        return self.returncode is None


def run_bounded(
    argv: list[str],
    *,
    timeout: float,
    marker: Path,
    env: dict[str, str] | None = None,
    stdout: Path,
    stderr: Path,
) -> Finished:
    """Run `argv` for at most `timeout` seconds, then kill it and everything it started.

    The tree is killed on every exit path (a clean exit may still leave helpers, an exception
    or interrupt in the caller must not leave a browser running)."""
    started = time.monotonic()
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(  # noqa: S603 argv is built by our own callers
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
    try:
        returncode: int | None = process.wait(timeout=max(timeout, 0))
    except subprocess.TimeoutExpired:
        returncode = None
    finally:
        # With the separator, so another run's directory sharing a prefix is not matched.
        kill_tree(process.pid, marker=os.path.join(marker, ""))
        process.wait()
    return Finished(returncode=returncode, seconds=time.monotonic() - started)


def kill_tree(pid: int, *, marker: str) -> None:
    """SIGKILL `pid`, its descendants and their process groups and sessions, and every process
    whose command line contains `marker` (with its group or session only when that group's
    or session's leader carries the marker too: a shell that happens to read a file in the
    directory is not ours). Never this process, its group or its session."""
    table = _process_table()
    tree = {pid} | _descendants(pid, table)
    marked = {p for p in table if marker and marker in _cmdline(p)}
    groups = {table[p][1] for p in tree if p in table} | {pid}
    sessions = {table[p][2] for p in tree if p in table} | {pid}
    groups |= {table[p][1] for p in marked if table[p][1] in marked}
    sessions |= {table[p][2] for p in marked if table[p][2] in marked}
    groups -= {os.getpgrp(), 0, 1}
    sessions -= {os.getsid(0), 0, 1}
    doomed = tree | marked | {p for p, info in table.items() if info[2] in sessions}
    doomed -= {os.getpid(), 0, 1}
    for group in groups:
        _signal(os.killpg, group)
    for process in doomed:
        _signal(os.kill, process)
    _wait_gone(doomed, seconds=2.0)


def _wait_gone(pids: set[int], *, seconds: float) -> None:
    """SIGKILL is delivered asynchronously: wait (briefly) until the processes are dead or
    zombies, so a caller that removes their directory next is not racing them."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(_alive(pid) for pid in pids):
            return
        time.sleep(0.01)


def _alive(pid: int) -> bool:
    try:
        stat = Path("/proc", str(pid), "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")


def _signal(send, target: int) -> None:
    try:
        send(target, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _process_table() -> dict[int, tuple[int, int, int]]:
    """pid -> (ppid, pgid, sid) for every process /proc shows (Linux; empty elsewhere, when
    only the child's own group is killed)."""
    table = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return table
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            stat = Path("/proc", entry, "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may itself contain spaces or ")".
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) >= 4:
            table[int(entry)] = (int(fields[1]), int(fields[2]), int(fields[3]))
    return table


def _descendants(pid: int, table: dict[int, tuple[int, int, int]]) -> set[int]:
    children: dict[int, list[int]] = {}
    for child, (parent, _, _) in table.items():
        children.setdefault(parent, []).append(child)
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _cmdline(pid: int) -> str:
    try:
        return (
            Path("/proc", str(pid), "cmdline")
            .read_bytes()
            .replace(b"\0", b" ")
            .decode(errors="replace")
        )
    except OSError:
        return ""

"""A sync in its own process, so a fault test can really SIGKILL it mid-page.

    python tests/faults/sync_child.py sync SOURCE [--pause module:function --after N --marker PATH
                                                   [--hold-until PATH]]
    python tests/faults/sync_child.py dump            # canonical_rows() as JSON on stdout

Settings come from the environment (DATABASE_URL, ZENDESK_URL, ...), as for `manage.py sync`.
With --pause, the N-th call of the named writer runs, then the process touches PATH and sleeps
inside the page's transaction: the parent kills it there, with that page written but not
committed; with --hold-until it goes on once that file exists (the parent cut the database
off meanwhile). The last stdout line is the run's {"status", "error"} (and "rows" with --dump). FAULTS_CLOCK (epoch seconds) pins Intercom's clock so two runs read the same windows.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _pause(target: str, after: int, marker: str, hold_until: str | None) -> None:
    module_name, name = target.split(":")
    module = importlib.import_module(module_name)
    original = getattr(module, name)
    calls = {"n": 0}

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        calls["n"] += 1
        if calls["n"] == after:
            Path(marker).write_text(str(os.getpid()))
            deadline = time.monotonic() + 600  # the parent SIGKILLs us here, mid-transaction
            while time.monotonic() < deadline and not (hold_until and Path(hold_until).exists()):
                time.sleep(0.02)
        return result

    setattr(module, name, wrapper)


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportops.settings.test")
    import django

    django.setup()
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["sync", "dump", "migrate"])
    parser.add_argument("source", nargs="?")
    parser.add_argument("--pause")
    parser.add_argument("--after", type=int, default=1)
    parser.add_argument("--marker")
    parser.add_argument("--hold-until")
    parser.add_argument("--dump", action="store_true", help="add canonical_rows() to the output")
    args = parser.parse_args()
    from django.core.management import call_command

    if args.action == "migrate":
        # Tables straight from the models, as pytest-django's --nomigrations does: the
        # migrations' data steps only backfill rows a fresh database does not have.
        from django.apps import apps
        from django.conf import settings

        settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
        call_command("migrate", run_syncdb=True, verbosity=0)
        return 0
    if args.action == "dump":
        from tests.faults.snapshot import canonical_rows

        json.dump(canonical_rows(), sys.stdout, default=str)
        return 0
    if os.environ.get("FAULTS_CLOCK"):
        from connectors.intercom import connector as intercom

        pinned = float(os.environ["FAULTS_CLOCK"])
        intercom.CLOCK = lambda: pinned
        intercom.SLEEP = lambda seconds: None
    if args.pause:
        _pause(args.pause, args.after, args.marker, args.hold_until)
    from connectors.sync import sync_source
    from supportops.models import SyncRun

    try:
        run = sync_source(source=args.source)
    except Exception:  # a database error is re-raised after the run was recorded
        run = SyncRun.objects.filter(source=args.source).latest("started_at")
    out = {"status": run.status, "error": run.error}
    if args.dump:
        from tests.faults.snapshot import canonical_rows

        out["rows"] = canonical_rows()
    print(json.dumps(out, default=str))
    return 0 if run.status == "succeeded" else 1


if __name__ == "__main__":
    sys.exit(main())

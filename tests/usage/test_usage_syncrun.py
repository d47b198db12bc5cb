"""A usage CSV import is recorded as a SyncRun like every other sync, and holds the lock."""

import io

import pytest
from django.core.management import call_command, execute_from_command_line
from django.utils import timezone

from connectors.locks import lock_acquire
from connectors.usage.csv_import import usage_csv_import
from supportops.models import SourceLock, SyncRun, UsageMonth

pytestmark = pytest.mark.django_db

HEADER = "account_id,month,api_calls"


@pytest.fixture
def manage(monkeypatch):
    """Run `manage.py ...` in-process; keeps the test's database connection open."""
    from django.core.management import base

    monkeypatch.setattr(base.connections, "close_all", lambda: None)
    return lambda *argv: execute_from_command_line(["manage.py", *argv])


def test_an_import_is_one_succeeded_sync_run_with_its_counts(csv_file, capsys):
    call_command(
        "import_usage", str(csv_file(HEADER, "a,2024-05,10", "a,2024-06,20", "b,2024-06,5"))
    )

    run = SyncRun.objects.get()
    assert (run.source, run.status, run.error) == ("usage", "succeeded", "")
    assert (run.records_read, run.records_written, run.pages) == (3, 3, 1)
    assert run.counts == {"monthly_api_calls": 3}
    assert run.finished_at >= run.started_at and not run.full
    assert not SourceLock.objects.filter(source="usage", run__isnull=False).exists()


def test_a_reimport_counts_only_the_rows_it_changed(csv_file, capsys):
    call_command("import_usage", str(csv_file(HEADER, "a,2024-05,10", "a,2024-06,20")))
    # a/05 unchanged, a/06 updated, c/07 created: 3 read, 2 written.
    call_command(
        "import_usage", str(csv_file(HEADER, "a,2024-05,10", "a,2024-06,25", "c,2024-07,1"))
    )

    first, second = SyncRun.objects.order_by("id")
    assert (first.records_read, first.records_written) == (2, 2)
    assert (second.records_read, second.records_written, second.status) == (3, 2, "succeeded")


def test_a_rejected_file_is_a_failed_run_and_writes_nothing(csv_file, capsys, manage):
    path = csv_file(HEADER, "a,2024-13,1", "b,2024-05,-2", "c,2024-05,3")

    with pytest.raises(SystemExit) as excinfo:
        manage("import_usage", str(path))

    assert excinfo.value.code == 1
    err = capsys.readouterr().err
    assert "  line 2: month '2024-13' is not a month like 2024-05-01 or 2024-05" in err
    assert "  line 3: api_calls -2 is negative" in err
    run = SyncRun.objects.get()
    assert (run.source, run.status, run.records_written) == ("usage", "failed", 0)
    assert run.error == (
        "usage file rejected, nothing imported (2 problems): "
        "line 2: month '2024-13' is not a month like 2024-05-01 or 2024-05; "
        "line 3: api_calls -2 is negative"
    )
    assert run.finished_at is not None
    assert UsageMonth.objects.count() == 0
    assert not SourceLock.objects.filter(source="usage", run__isnull=False).exists()


def test_an_unreadable_file_is_a_failed_run(tmp_path, capsys, manage):
    with pytest.raises(SystemExit):
        manage("import_usage", str(tmp_path / "nope.csv"))

    assert "nope.csv: cannot read the file (No such file or directory)" in capsys.readouterr().err
    run = SyncRun.objects.get()
    assert run.status == "failed"
    assert run.error == "cannot read the file (No such file or directory)"


def test_an_import_is_skipped_while_a_warehouse_pull_holds_the_lock(csv_file, capsys, manage):
    pull = SyncRun.objects.create(source="usage", started_at=timezone.now())
    assert lock_acquire(source="usage", run=pull, now=timezone.now(), stale_seconds=900)

    with pytest.raises(SystemExit) as excinfo:
        manage("import_usage", str(csv_file(HEADER, "a,2024-05,1")))

    assert excinfo.value.code == 1
    assert "another usage sync is still running" in capsys.readouterr().err
    skipped = SyncRun.objects.exclude(pk=pull.pk).get()
    assert skipped.status == "skipped" and skipped.finished_at is not None
    assert UsageMonth.objects.count() == 0
    assert SourceLock.objects.get(source="usage").run == pull  # still the pull's


def test_importing_an_open_file_is_recorded_too():
    usage_csv_import(file=io.BytesIO(b"account_id,month,api_calls\nacct_1,2024-05,7\n"))

    run = SyncRun.objects.get()
    assert (run.status, run.records_read, run.records_written) == ("succeeded", 1, 1)

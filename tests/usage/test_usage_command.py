"""`manage.py import_usage`: one summary line on success, every problem and exit 1 otherwise."""

import pytest
from django.core.management import call_command, execute_from_command_line

from supportops.models import UsageMonth

pytestmark = pytest.mark.django_db


@pytest.fixture
def manage(monkeypatch):
    """Run `manage.py ...` in-process; keeps the test's database connection open."""
    from django.core.management import base

    monkeypatch.setattr(base.connections, "close_all", lambda: None)
    return lambda *argv: execute_from_command_line(["manage.py", *argv])


def test_a_good_file_prints_one_summary_line(csv_file, capsys):
    path = csv_file("account_id,month,api_calls", "a,2024-05,1", "a,2024-06,2", "b,2024-06,3")

    call_command("import_usage", str(path))

    out = capsys.readouterr().out
    assert out == (
        f"{path}: 3 rows read: 3 created, 0 updated, 0 unchanged; "
        "2 accounts: 0 linked, 2 unmatched\n"
    )


def test_a_bad_file_exits_non_zero_listing_every_problem(csv_file, capsys, manage):
    path = csv_file("account_id,month,api_calls", "a,2024-13,1", "b,2024-05,-2", "c,2024-05,3")

    with pytest.raises(SystemExit) as excinfo:
        manage("import_usage", str(path))

    assert excinfo.value.code == 1
    err = capsys.readouterr().err
    assert f"{path}: rejected, nothing imported (2 problem(s)):" in err
    assert "  line 2: month '2024-13' is not a month like 2024-05-01 or 2024-05" in err
    assert "  line 3: api_calls -2 is negative" in err
    assert UsageMonth.objects.count() == 0


def test_a_missing_file_exits_non_zero(tmp_path, capsys, manage):
    with pytest.raises(SystemExit) as excinfo:
        manage("import_usage", str(tmp_path / "nope.csv"))
    assert excinfo.value.code == 1
    assert "cannot read the file (No such file or directory)" in capsys.readouterr().err


def test_the_source_option_marks_rows_without_a_source(csv_file, capsys):
    call_command(
        "import_usage",
        str(csv_file("account_id,month,api_calls", "a,2024-05,1")),
        "--source",
        "segment",
    )
    assert UsageMonth.objects.get().source == "segment"

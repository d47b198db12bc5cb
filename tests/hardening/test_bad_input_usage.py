"""Bad usage CSVs (issue #10): every bad line is listed with its field and reason, nothing is
written, and `import_usage` exits non-zero instead of printing a traceback."""

from __future__ import annotations

import pytest
from django.core.management import execute_from_command_line

from connectors.usage.csv_import import UsageFileRejected, usage_csv_import
from supportops.models import SyncRun, UsageMonth

pytestmark = pytest.mark.django_db

HEADER = b"account_id,month,api_calls,account_name\n"
GOOD_LINE = b"acct_ok,2024-05,10,Acme\n"  # line 2: good, but must not be written


@pytest.fixture
def csv_bytes(tmp_path):
    def write(*lines: bytes):
        path = tmp_path / "usage.csv"
        path.write_bytes(HEADER + GOOD_LINE + b"".join(lines))
        return path

    return write


@pytest.fixture
def manage(monkeypatch):
    """`manage.py ...` in-process, keeping the test's database connection open."""
    from django.core.management import base

    monkeypatch.setattr(base.connections, "close_all", lambda: None)
    return lambda *argv: execute_from_command_line(["manage.py", *argv])


def _problems(path) -> list[str]:
    with pytest.raises(UsageFileRejected) as excinfo:
        usage_csv_import(path=path)
    return excinfo.value.problems


BAD_LINES = [
    (b"a\x00b,2024-05,1,\n", "line 3: account_id contains a NUL character"),
    (b"acct_n,2024-05,1,Ac\x00me\n", "line 3: account_name contains a NUL character"),
    (
        b"acct_big,2024-05," + b"9" * 5000 + b",\n",
        "line 3: api_calls 99999999999999999999...(5000 digits) is too large "
        "(at most 9223372036854775807)",
    ),
    (
        "acct_fw,２０２６-０１,1,\n".encode(),
        "line 3: month '２０２６-０１' has non-ASCII digits; write it with 0-9",
    ),
    (
        "acct_fw,2026-01,１２,\n".encode(),
        "line 3: api_calls '１２' has non-ASCII digits; write it with 0-9",
    ),
    (
        "acct_ar,٢٠٢٦-٠١,1,\n".encode(),
        "line 3: month '٢٠٢٦-٠١' has non-ASCII digits; write it with 0-9",
    ),
]


OTHER_BAD_LINES = [
    (
        b"a" * 200_000 + b",2024-05,1,\n",
        "line 3: not valid CSV (field larger than field limit (131072))",
    ),
    (b"a" * 256 + b",2024-05,1,\n", "line 3: account_id is longer than 255 characters"),
    (b"acct_x,2024-05,1,Acme,extra\n", "line 3: 5 values for 4 columns"),
]


@pytest.mark.parametrize(
    ("line", "problem"), OTHER_BAD_LINES, ids=["huge-field", "long-id", "extra"]
)
def test_other_unreadable_lines_are_listed_too(csv_bytes, line, problem):
    assert _problems(csv_bytes(line)) == [problem]
    assert not UsageMonth.objects.exists()


@pytest.mark.parametrize(("line", "problem"), BAD_LINES, ids=repr)
def test_a_bad_line_is_listed_and_nothing_is_written(csv_bytes, line, problem):
    assert _problems(csv_bytes(line)) == [problem]
    assert not UsageMonth.objects.exists()
    assert SyncRun.objects.get().status == "failed"


def test_long_leading_zeros_are_a_small_number(csv_bytes):
    """However long its text, 000...07 is 7: no int() of 5,000 digits, no refusal."""
    usage_csv_import(path=csv_bytes(b"acct_zeros,2024-05," + b"0" * 5000 + b"7,\n"))
    assert UsageMonth.objects.get(account_id="acct_zeros").api_calls == 7


def test_one_past_the_largest_bigint_is_too_large(csv_bytes):
    assert _problems(csv_bytes(b"acct_max,2024-05,9223372036854775808,\n")) == [
        "line 3: api_calls 9223372036854775808 is too large (at most 9223372036854775807)"
    ]


def test_every_bad_line_is_listed_and_the_command_exits_non_zero(csv_bytes, capsys, manage):
    path = csv_bytes(*(line for line, _ in BAD_LINES))

    with pytest.raises(SystemExit) as excinfo:
        manage("import_usage", str(path))

    assert excinfo.value.code == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    expected = [problem for _, problem in BAD_LINES]
    lines = [f"  line {n}: {p.split(': ', 1)[1]}" for n, p in enumerate(expected, start=3)]
    assert err.splitlines() == [
        f"CommandError: {path}: rejected, nothing imported ({len(lines)} problem(s)):",
        *lines,
    ]
    assert not UsageMonth.objects.exists()

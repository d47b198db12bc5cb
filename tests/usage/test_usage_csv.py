"""CSV import: counts, idempotence, whole-file rejection with line numbers."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from connectors.usage import write
from connectors.usage.csv_import import UsageFileRejected, usage_csv_import
from supportops.models import UsageMonth

pytestmark = pytest.mark.django_db

GOOD = [
    "account_id,month,api_calls,source,account_name",
    "acct_1,2024-04-01,100,,Acme",
    "acct_1,2024-05-01,250,,Acme",
    "acct_2,2024-05,0,segment,Globex",
    "acct_3,2024-03,183204,,",
    "acct_3,2024-04,9,,",
]


def usage_rows():
    return sorted(
        UsageMonth.objects.values_list("account_id", "month", "api_calls", "source", "customer_id")
    )


def rejected(path, **kwargs):
    with pytest.raises(UsageFileRejected) as excinfo:
        usage_csv_import(path=path, **kwargs)
    return excinfo.value.problems


def test_good_file_is_imported_with_counts(csv_file):
    result = usage_csv_import(path=csv_file(*GOOD))

    assert (result.rows_read, result.created, result.updated, result.unchanged) == (5, 5, 0, 0)
    assert (result.accounts, result.accounts_linked, result.accounts_unmatched) == (3, 0, 3)
    assert {row[4] for row in usage_rows()} == {None}  # no evidence: no customer yet
    rows = [row[:4] for row in usage_rows()]
    assert rows == [
        ("acct_1", date(2024, 4, 1), 100, "manual"),
        ("acct_1", date(2024, 5, 1), 250, "manual"),
        ("acct_2", date(2024, 5, 1), 0, "segment"),
        ("acct_3", date(2024, 3, 1), 183204, "manual"),
        ("acct_3", date(2024, 4, 1), 9, "manual"),
    ]
    assert result.summary() == (
        "5 rows read: 5 created, 0 updated, 0 unchanged; 3 accounts: 0 linked, 3 unmatched"
    )


def test_reimporting_the_same_file_changes_nothing(csv_file):
    path = csv_file(*GOOD)
    usage_csv_import(path=path)
    before = list(UsageMonth.objects.order_by("id").values())

    with CaptureQueriesContext(connection) as queries:
        result = usage_csv_import(path=path)

    assert (result.rows_read, result.created, result.updated, result.unchanged) == (5, 0, 0, 5)
    assert list(UsageMonth.objects.order_by("id").values()) == before
    usage_writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("INSERT", "UPDATE")) and "supportops_usagemonth" in q["sql"]
    ]
    assert usage_writes == []


def test_a_changed_row_is_updated_and_a_new_one_created(csv_file):
    usage_csv_import(path=csv_file(*GOOD))

    result = usage_csv_import(
        path=csv_file("account_id,month,api_calls", "acct_1,2024-05,300", "acct_1,2024-06,1"),
        source="warehouse",
    )

    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    assert UsageMonth.objects.get(account_id="acct_1", month=date(2024, 5, 1)).api_calls == 300
    assert UsageMonth.objects.get(account_id="acct_1", month=date(2024, 6, 1)).source == "warehouse"
    assert UsageMonth.objects.count() == 6  # rows the file does not mention are kept


def test_a_file_object_is_read_like_a_path():
    result = usage_csv_import(file=io.BytesIO(b"account_id,month,api_calls\nacct_1,2024-05,7\n"))
    assert (result.rows_read, result.created) == (1, 1)


def test_bad_rows_reject_the_whole_file_with_every_line_number(csv_file):
    usage_csv_import(path=csv_file(*GOOD))
    before = usage_rows()
    path = csv_file(
        "account_id,month,api_calls",
        "acct_1,2024-05,300",  # 2: fine, but must not be written
        "acct_2,2024-05,-4",  # 3
        "acct_3,2024-05,12.5",  # 4
        "acct_4,may,1",  # 5
        ",2024-05,1",  # 6
        "acct_5,2024-05,",  # 7
        "acct_1,2024-05-01,2",  # 8: same key as line 2
        "acct_6,2024-05",  # 9: a value short
    )

    problems = rejected(path)

    assert problems == [
        "line 3: api_calls -4 is negative",
        "line 4: api_calls '12.5' is not a whole number",
        "line 5: month 'may' is not a month like 2024-05-01 or 2024-05",
        "line 6: account_id is empty",
        "line 7: api_calls is empty",
        "line 8: account 'acct_1' month 2024-05 is already on line 2",
        "line 9: 2 values for 3 columns",
    ]
    assert usage_rows() == before


def test_a_bad_last_row_beyond_the_first_batch_rejects_everything(csv_file):
    lines = ["account_id,month,api_calls"]
    lines += [f"acct_{n},2024-05,{n}" for n in range(2500)]
    lines.append("acct_last,2024-05,ten")

    problems = rejected(csv_file(*lines), batch_size=1000)

    assert problems == ["line 2502: api_calls 'ten' is not a whole number"]
    assert UsageMonth.objects.count() == 0


def test_a_failure_while_writing_leaves_nothing_behind(csv_file, monkeypatch):
    lines = ["account_id,month,api_calls"] + [f"acct_{n},2024-05,{n}" for n in range(2500)]
    calls = []
    upsert = write._usage_upsert

    def failing_upsert(batch, **kwargs):
        calls.append(len(batch))
        if len(calls) == 3:
            raise RuntimeError("database went away")
        return upsert(batch, **kwargs)

    monkeypatch.setattr(write, "_usage_upsert", failing_upsert)

    with pytest.raises(RuntimeError):
        usage_csv_import(path=csv_file(*lines), batch_size=1000)

    assert calls == [1000, 1000, 500]
    assert UsageMonth.objects.count() == 0


def test_a_large_file_is_written_in_batches(csv_file):
    lines = ["account_id,month,api_calls"]
    lines += [f"acct_{n % 700},2024-{n // 700 + 1:02d},{n}" for n in range(2500)]

    result = usage_csv_import(path=csv_file(*lines), batch_size=1000)

    assert (result.rows_read, result.created, result.accounts) == (2500, 2500, 700)
    assert UsageMonth.objects.get(account_id="acct_5", month=date(2024, 4, 1)).api_calls == 2105


def test_a_missing_column_is_reported_on_line_1(csv_file):
    problems = rejected(csv_file("account_id,month,calls", "acct_1,2024-05,1"))
    assert problems == ["line 1: missing required column(s): api_calls"]


def test_an_empty_file_is_rejected(csv_file):
    assert rejected(csv_file(raw=b"")) == [
        "line 1: no header row; the first line must name the columns (account_id, month, api_calls)"
    ]


def test_a_header_only_file_imports_nothing(csv_file):
    result = usage_csv_import(path=csv_file("account_id,month,api_calls"))
    assert (result.rows_read, result.created, result.accounts) == (0, 0, 0)


def test_both_month_forms_are_accepted(csv_file):
    usage_csv_import(path=csv_file("account_id,month,api_calls", "a,2024-05,1", "b,2024-06-01,2"))
    assert sorted(UsageMonth.objects.values_list("month", flat=True)) == [
        date(2024, 5, 1),
        date(2024, 6, 1),
    ]


@pytest.mark.parametrize(
    ("month", "problem"),
    [
        ("2024-13", "month '2024-13' is not a month like 2024-05-01 or 2024-05"),
        ("2024-00-01", "month '2024-00-01' is not a month like 2024-05-01 or 2024-05"),
        ("2024-05-15", "month '2024-05-15' is not the first day of a month"),
        ("05/2024", "month '05/2024' is not a month like 2024-05-01 or 2024-05"),
        ("", "month is empty"),
    ],
)
def test_bad_months_are_rejected(csv_file, month, problem):
    assert rejected(csv_file("account_id,month,api_calls", f"a,{month},1")) == [
        f"line 2: {problem}"
    ]


def test_non_utf8_lines_are_reported_and_a_bom_is_accepted(csv_file):
    raw = b"\xef\xbb\xbfaccount_id,month,api_calls,account_name\na,2024-05,1,Caf\xe9\n"
    assert rejected(csv_file(raw=raw)) == [
        "line 2: not UTF-8 (byte 0xe9 at position 16); save the file as UTF-8"
    ]

    usage_csv_import(path=csv_file(raw=raw.replace(b"\xe9", "é".encode())))
    assert UsageMonth.objects.get().account_id == "a"


def test_line_numbers_count_physical_lines(csv_file):
    path = csv_file(
        "account_id,month,api_calls,account_name",
        "",  # 2: blank, skipped
        'a,2024-05,1,"Two',  # 3
        'lines"',  # 4
        "b,2024-05,x,B",  # 5
        ",,,",  # 6: a spreadsheet's empty row, skipped
        "c,2024-05,-1,C",  # 7
    )
    assert rejected(path) == [
        "line 5: api_calls 'x' is not a whole number",
        "line 7: api_calls -1 is negative",
    ]


def test_optional_columns_are_validated(csv_file):
    path = csv_file(
        "account_id,month,api_calls,source,zendesk_organization_id,updated_at,domains",
        "a,2024-05,1,Segment,361,2024-06-02T10:00:00Z,acme.com",
        "b,2024-05,1,excel,abc,yesterday,acme.com;localhost",
    )
    assert rejected(path) == [
        "line 3: source 'excel' is not one of segment, warehouse, manual",
        "line 3: zendesk_organization_id 'abc' is not a number",
        "line 3: domains: 'localhost' is not a domain like example.com",
        "line 3: updated_at 'yesterday' is not an ISO-8601 date-time",
    ]


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"], ids=["windows", "old-mac"])
def test_windows_and_old_mac_line_endings_are_read(csv_file, newline):
    lines = [b"account_id,month,api_calls", b"a,2024-05,1", b'"b",2024-05,2', b"c,2024-05,x"]
    assert rejected(csv_file(raw=newline.join(lines) + newline)) == [
        "line 4: api_calls 'x' is not a whole number"
    ]
    result = usage_csv_import(path=csv_file(raw=newline.join(lines[:3])))
    assert (result.rows_read, result.created) == (2, 2)

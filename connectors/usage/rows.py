"""The usage row contract (VENDOR_APIS.md §5.2): parsing and validating a whole input.

An input is read twice: once to validate every row (nothing is written unless every row is
good), once to write. Neither pass holds the rows in memory: validation keeps one small record
per account and one integer key per row for the duplicate check (about 100 bytes a row),
never model instances.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from .reader import UsageInput

REQUIRED = ("account_id", "month", "api_calls")
# Cross-system id column → the CustomerIdentity source whose external_id it holds.
CROSS_IDS = {
    "zendesk_organization_id": "zendesk",
    "stripe_customer_id": "stripe",
    "salesforce_account_id": "salesforce",
    "intercom_company_id": "intercom",
}
# `domains` is an extension of §5.2: e-mail domains of the account, for domain matching.
OPTIONAL = ("source", "account_name", "domains", "updated_at", *CROSS_IDS)
SOURCES = ("segment", "warehouse", "manual")
MAX_CALLS = 2**63 - 1  # UsageMonth.api_calls is a BigIntegerField
MAX_ID = 255

# ASCII digits only: `\d` and int() also read other scripts' digits ("２０２６" as 2026).
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})(?:-([0-9]{2}))?")
_WHOLE = re.compile(r"[0-9]+")
_NEGATIVE = re.compile(r"-[0-9]+")
_DOMAIN = re.compile(r"[^\s@.]+(\.[^\s@.]+)+")
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True, slots=True)
class UsageRow:
    account_id: str
    month: date
    api_calls: int
    source: str
    """As given in the row; empty means the import's default source."""


@dataclass(frozen=True, slots=True)
class _Parsed:
    row: UsageRow
    name: str
    domains: tuple[str, ...]
    ids: dict[str, str]


@dataclass(slots=True)
class Account:
    """What an input says about one usage account, taken from its latest month that says it."""

    account_id: str
    index: int
    name: str = ""
    domains: tuple[str, ...] = ()
    ids: dict[str, str] = field(default_factory=dict)
    """Cross-system id column → value, e.g. {"zendesk_organization_id": "361"}."""
    as_of: date = date.min

    def note(self, parsed: _Parsed) -> None:
        latest = parsed.row.month >= self.as_of
        if latest:
            self.as_of = parsed.row.month
        if parsed.name and (latest or not self.name):
            self.name = parsed.name
        if parsed.domains and (latest or not self.domains):
            self.domains = parsed.domains
        for column, value in parsed.ids.items():
            if latest or column not in self.ids:
                self.ids[column] = value


@dataclass
class ValidatedUsage:
    """An input every row of which passed validation: iterate it to read the rows again."""

    input: UsageInput
    rows: int
    accounts: dict[str, Account]
    last_month: date | None

    def __len__(self) -> int:
        return self.rows

    def __iter__(self) -> Iterator[UsageRow]:
        problems: list[str] = []
        count = 0
        for number, raw in self.input.records(problems, required=REQUIRED):
            parsed = _parse(raw, self.input.where(number), problems)
            if parsed is not None:
                count += 1
                yield parsed.row
        if problems or count != self.rows:
            raise self.input.rejected(
                [f"the input changed while it was being imported ({count} rows now)", *problems]
            )


def usage_validate(usage_input: UsageInput) -> ValidatedUsage:
    """Read every row once; raise `usage_input.rejected` listing every problem, if any."""
    problems: list[str] = []
    accounts: dict[str, Account] = {}
    seen: dict[int, int] = {}  # account index << 17 | month index → first line
    rows = 0
    last_month = None
    where = usage_input.where
    for number, raw in usage_input.records(problems, required=REQUIRED):
        rows += 1
        parsed = _parse(raw, where(number), problems)
        if parsed is None:
            continue
        row = parsed.row
        account = accounts.get(row.account_id)
        if account is None:
            account = accounts[row.account_id] = Account(row.account_id, len(accounts))
        key = account.index << 17 | (row.month.year * 12 + row.month.month - 1)
        first = seen.setdefault(key, number)
        if first != number:
            problems.append(
                f"{where(number)}: account {row.account_id!r} month {row.month:%Y-%m} "
                f"is already on {where(first)}"
            )
            continue
        account.note(parsed)
        if last_month is None or row.month > last_month:
            last_month = row.month
    if problems:
        raise usage_input.rejected(problems)
    return ValidatedUsage(input=usage_input, rows=rows, accounts=accounts, last_month=last_month)


def _parse(raw: dict[str, str], where: str, problems: list[str]) -> _Parsed | None:
    # PostgreSQL cannot store a NUL in text: refused here, before any row is written.
    found = [f"{column} contains a NUL character" for column, v in raw.items() if "\0" in v]
    if found:
        problems.extend(f"{where}: {problem}" for problem in found)
        return None
    account_id = raw["account_id"].strip()
    if not account_id:
        found.append("account_id is empty")
    elif len(account_id) > MAX_ID:
        found.append(f"account_id is longer than {MAX_ID} characters")
    month = _month(raw["month"], found)
    api_calls = _api_calls(raw["api_calls"], found)
    source = (raw.get("source") or "").strip().lower()
    if source and source not in SOURCES:
        found.append(f"source {_show(raw['source'])} is not one of {', '.join(SOURCES)}")
    ids = {}
    for column in CROSS_IDS:
        value = (raw.get(column) or "").strip()
        if not value:
            continue
        if column == "zendesk_organization_id" and not _WHOLE.fullmatch(value):
            found.append(f"{column} {_show(value)} is not a number")
        elif len(value) > MAX_ID:
            found.append(f"{column} is longer than {MAX_ID} characters")
        else:
            ids[column] = value
    domains = _domains(raw.get("domains") or "", found)
    updated_at = (raw.get("updated_at") or "").strip()
    if updated_at and not _is_iso_datetime(updated_at):
        found.append(f"updated_at {_show(updated_at)} is not an ISO-8601 date-time")
    problems.extend(f"{where}: {problem}" for problem in found)
    if found or month is None or api_calls is None:
        return None
    return _Parsed(
        row=UsageRow(account_id=account_id, month=month, api_calls=api_calls, source=source),
        name=(raw.get("account_name") or "").strip()[:255],
        domains=domains,
        ids=ids,
    )


def _month(value: str, found: list[str]) -> date | None:
    text = value.strip()
    if not text:
        found.append("month is empty")
        return None
    if _non_ascii_digits(text):
        found.append(f"month {_show(text)} has non-ASCII digits; write it with 0-9")
        return None
    match = _MONTH.fullmatch(text)
    if match:
        year, month, day = match.groups()
        if day is not None and day != "01":
            found.append(f"month {_show(text)} is not the first day of a month")
            return None
        try:
            return date(int(year), int(month), 1)
        except ValueError:
            pass
    found.append(f"month {_show(text)} is not a month like 2024-05-01 or 2024-05")
    return None


def _api_calls(value: str, found: list[str]) -> int | None:
    text = value.strip()
    if not text:
        found.append("api_calls is empty")
    elif _non_ascii_digits(text):
        found.append(f"api_calls {_show(text)} has non-ASCII digits; write it with 0-9")
    elif _NEGATIVE.fullmatch(text):
        found.append(f"api_calls {_number(text)} is negative")
    elif not _WHOLE.fullmatch(text):
        found.append(f"api_calls {_show(text)} is not a whole number")
    # int() refuses more than 4,300 digits (sys.int_info): compare lengths before converting.
    elif len(digits := text.lstrip("0") or "0") > len(str(MAX_CALLS)) or int(digits) > MAX_CALLS:
        found.append(f"api_calls {_number(text)} is too large (at most {MAX_CALLS})")
    else:
        return int(digits)
    return None


def _domains(value: str, found: list[str]) -> tuple[str, ...]:
    domains = []
    for part in _SEPARATORS.split(value.strip().lower()):
        domain = part.rstrip(".")
        if not domain:
            continue
        if not _DOMAIN.fullmatch(domain):
            found.append(f"domains: {_show(part)} is not a domain like example.com")
        elif domain not in domains:
            domains.append(domain)
    return tuple(domains)


def _non_ascii_digits(text: str) -> bool:
    return not text.isascii() and any(char.isdigit() for char in text)


def _is_iso_datetime(text: str) -> bool:
    if not text.isascii():
        return False
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _number(digits: str) -> str:
    return digits if len(digits) <= 40 else f"{digits[:20]}...({len(digits)} digits)"


def _show(value: str) -> str:
    text = value.strip()
    return repr(text if len(text) <= 40 else text[:40] + "...")

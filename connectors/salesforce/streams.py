"""Incremental SOQL windows over SystemModstamp, as page readers.

Each run reads the window [lo, hi) with hi = now − SAFETY_LAG, through queryAll (so deleted
rows arrive too, with IsDeleted true), ORDER BY SystemModstamp ASC, following nextRecordsUrl.

Checkpoints: the last page of a chain saves lo = hi. Every earlier page saves lo = the largest
SystemModstamp it has seen (floored to the second). That is safe because the chain is sorted
ascending: every record stamped before that moment is in a page already committed, and records
stamped exactly at it are re-read on resume (upserts absorb the repeats). A chain that is not
ascending fails the run rather than checkpoint past records it has not read; records this chain
already read (a batch served twice) are upserted again without counting as out of order. A crash
therefore resumes from the last committed page, not from the start of the window.

The SELECT list comes from the object's describe on every run, so new custom fields are read
(and kept in ``extra``) and removed ones never cause INVALID_FIELD.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from ..base import Page
from ..errors import MalformedResponse
from .client import SalesforceClient
from .normalize import parse_time

SAFETY_LAG = timedelta(minutes=2)
REQUIRED_FIELDS = ("Id", "SystemModstamp", "IsDeleted")
SKIPPED_TYPES = {"address", "location", "base64"}  # compound or blob: not selectable in bulk


def soql_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def soql(sobject: str, fields: list[str], lo: datetime, hi: datetime) -> str:
    return (
        f"SELECT {', '.join(fields)} FROM {sobject} "
        f"WHERE SystemModstamp >= {soql_time(lo)} AND SystemModstamp < {soql_time(hi)} "
        "ORDER BY SystemModstamp ASC"
    )


def selectable_fields(client: SalesforceClient, sobject: str) -> list[str]:
    body = client.describe(sobject)
    fields = body.get("fields") if isinstance(body, dict) else None
    if not isinstance(fields, list):
        raise MalformedResponse(f"salesforce describe of {sobject} has no 'fields' list")
    names = [
        f["name"]
        for f in fields
        if isinstance(f, dict)
        and isinstance(f.get("name"), str)
        and f.get("type") not in SKIPPED_TYPES
    ]
    missing = [name for name in REQUIRED_FIELDS if name not in names]
    if missing:
        raise MalformedResponse(f"salesforce {sobject} has no field(s) {', '.join(missing)}")
    return names


def _second(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(microsecond=0)


def _stamp(raw: dict, sobject: str) -> datetime:
    try:
        stamp = parse_time(raw.get("SystemModstamp"))
    except (TypeError, ValueError, AttributeError):
        stamp = None
    if stamp is None:
        raise MalformedResponse(
            f"salesforce {sobject} {raw.get('Id')!r} has no usable SystemModstamp "
            f"({raw.get('SystemModstamp')!r})"
        )
    return stamp


def _records(body, sobject: str) -> tuple[list[dict], bool, str | None]:
    if not isinstance(body, dict):
        raise MalformedResponse(f"salesforce {sobject} page is not a JSON object")
    records, done = body.get("records"), body.get("done")
    if not isinstance(records, list) or not isinstance(done, bool):
        found = sorted(body)[:8]
        raise MalformedResponse(
            f"salesforce {sobject} page has no 'records' list / 'done' flag (got {found})"
        )
    next_url = body.get("nextRecordsUrl")
    if not done and not (isinstance(next_url, str) and next_url.startswith("/services/")):
        raise MalformedResponse(f"salesforce {sobject} page is not done but has no nextRecordsUrl")
    if any(not isinstance(raw, dict) for raw in records):
        raise MalformedResponse(f"salesforce {sobject} page holds a record that is not an object")
    return records, done, next_url


def modstamp_window(
    *,
    sobject: str,
    normalize: Callable[[dict], object],
    start_at: Callable[[], datetime],
    now: Callable[[], datetime],
) -> Callable[[SalesforceClient, dict], Iterator[Page]]:
    def read(client: SalesforceClient, state: dict) -> Iterator[Page]:
        lo = parse_time(state["lo"]) if state.get("lo") else _second(start_at())
        hi = _second(now() - SAFETY_LAG)
        if hi <= lo:
            return
        fields = selectable_fields(client, sobject)
        body = client.query(soql(sobject, fields, lo, hi), include_deleted=True)
        seen, read_ids = lo, set()
        while True:
            raws, done, next_url = _records(body, sobject)
            records = [normalize(raw) for raw in raws]
            for raw in raws:
                stamp = _stamp(raw, sobject)
                if raw.get("Id") in read_ids:
                    continue  # a batch served again: upserted again, not out of order
                read_ids.add(raw.get("Id"))
                if stamp < seen:
                    raise MalformedResponse(
                        f"salesforce {sobject} {raw.get('Id')!r} is out of SystemModstamp order "
                        f"({raw.get('SystemModstamp')!r} after {soql_time(seen)})"
                    )
                seen = stamp
            checkpoint = hi if done else _second(seen)
            yield Page(records=records, state={"lo": soql_time(checkpoint)})
            if done:
                return
            body = client.query_more(next_url)

    return read

"""Deletions by reconciliation: Intercom search returns no tombstones (VENDOR_APIS.md 4.4).

Every so often we list the id of every conversation and contact, and what we hold locally but
the listing did not return was deleted in Intercom: tickets become `is_deleted` (metrics never
count them, nor their messages) and contacts inactive. Companies are scrolled whole on every
run anyway, so a complete scroll marks missing companies deleted each time.

Correctness rules:
- Nothing is marked until the listing is complete. Ids are collected in memory across pages
  and applied by the last page of the stream, in the transaction that saves its checkpoint; a
  listing that fails half way yields no last page and marks nothing.
- A record written or changed while the listing ran may be missing from it (the search index
  lags writes by up to a minute), so rows updated in Intercom since shortly before the listing
  started, or synced by us since it started, are never marked.
- Marking is not final: a deleted conversation that comes back is rewritten by the normal upsert,
  which takes `is_deleted`/`is_active` from the record.

The listing uses search rather than `GET /conversations`: same page size and cost (both return
whole objects without parts, never a GET per conversation), but search is sorted ascending by
`updated_at` with keyset cursors, so a record updated during the listing moves ahead of the
cursor and is still seen, whereas a list in another order could skip it and wrongly mark it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from supportops.models import Contact, CustomerIdentity, Ticket

from ..base import Page
from ..errors import MalformedResponse
from .client import IntercomClient
from .streams import LAG_SECONDS, next_cursor, page_items

SOURCE = "intercom"
CHUNK = 500

EVERYTHING = {
    "operator": "OR",
    "value": [
        {"field": "updated_at", "operator": ">", "value": 0},
        {"field": "updated_at", "operator": "=", "value": 0},
    ],
}
"""Intercom search needs a query; this one matches every record (no lower bound on updated_at)."""


@dataclass(frozen=True)
class Seen:
    """Every id a complete listing returned, and when that listing started."""

    kind: str  # "conversations" | "contacts" | "companies"
    ids: frozenset[str]
    listed_at: datetime
    """The listing's start by the connector's clock (compared with the vendor's updated_at)."""
    synced_before: datetime
    """The listing's start by the database's clock (compared with our synced_at)."""


def listing_query(*, per_page: int, starting_after: str | None) -> dict:
    body = {
        "query": EVERYTHING,
        "pagination": {"per_page": per_page},
        "sort": {"field": "updated_at", "order": "ascending"},
    }
    if starting_after:
        body["pagination"]["starting_after"] = starting_after
    return body


def _ids(items: list, path: str) -> set[str]:
    ids = set()
    for item in items:
        if not isinstance(item, dict) or item.get("id") in (None, ""):
            raise MalformedResponse(f"intercom page from {path} has an item without an id")
        ids.add(str(item["id"]))
    return ids


def list_ids(client: IntercomClient, *, path: str, key: str, per_page: int) -> Iterator[set[str]]:
    """The ids of every record, one set per search page (objects are read, never fetched)."""
    after = None
    while True:
        body = client.post_json(path, listing_query(per_page=per_page, starting_after=after))
        yield _ids(page_items(body, key, path), path)
        after = next_cursor(body, path, after)
        if after is None:
            return


def reconcile(
    *,
    listings: dict[str, tuple[str, str]],
    per_page: int,
    every_seconds: Callable[[], float],
) -> Callable[[IntercomClient, dict], Iterator[Page]]:
    """A stream reader: list every id of each kind ({kind: (search path, list key)}), then
    yield one last page of `Seen` records. At most once per `every_seconds` (a full sync starts
    from an empty state, so it always reconciles); the state keeps `reconciled_at`."""

    def read(client: IntercomClient, state: dict) -> Iterator[Page]:
        started = int(client.clock())
        last = state.get("reconciled_at")
        if isinstance(last, int | float) and started - last < every_seconds():
            return
        listed_at = datetime.fromtimestamp(started, UTC)
        synced_before = timezone.now()
        seen = []
        for kind, (path, key) in listings.items():
            ids: set[str] = set()
            for page_ids in list_ids(client, path=path, key=key, per_page=per_page):
                ids |= page_ids
                yield Page([], dict(state))  # progress and lock heartbeat; marks nothing
            seen.append(Seen(kind, frozenset(ids), listed_at, synced_before))
        yield Page(seen, {"reconciled_at": started})

    return read


def marking_missing(
    kind: str, read: Callable[[IntercomClient, dict], Iterator[Page]]
) -> Callable[[IntercomClient, dict], Iterator[Page]]:
    """Wrap a reader that reads a whole collection on every run (the company scroll): pass its
    pages through, then add a last page of `Seen` once it has finished without error."""

    def wrapped(client: IntercomClient, state: dict) -> Iterator[Page]:
        listed_at = datetime.fromtimestamp(int(client.clock()), UTC)
        synced_before = timezone.now()
        ids: set[str] = set()
        last_state = dict(state)
        for page in read(client, state):
            ids.update(r.external_id for r in page.records)
            last_state = page.state
            yield page
        yield Page([Seen(kind, frozenset(ids), listed_at, synced_before)], last_state)

    return wrapped


def seen_apply(records: list[Seen]) -> int:
    """Mark what each complete listing did not return; returns rows marked."""
    marked = 0
    for seen in records:
        if seen.kind == "conversations":
            marked += tickets_mark_deleted(seen=seen)
        elif seen.kind == "contacts":
            marked += contacts_mark_inactive(seen=seen)
        elif seen.kind == "companies":
            marked += identities_mark_deleted(seen=seen)
        else:
            raise ValueError(f"unknown listing kind {seen.kind!r}")
    return marked


def _not_synced_since(seen: Seen) -> Q:
    return Q(synced_at__lt=seen.synced_before) | Q(synced_at__isnull=True)


def _mark(candidates, *, seen: Seen, **changes) -> int:
    if not seen.ids and candidates.exists():
        # An empty listing against stored records is far likelier a token that lost its scope
        # than a workspace emptied overnight: refuse rather than delete everything.
        raise MalformedResponse(
            f"intercom listed no {seen.kind} while some are stored; not marking any deleted"
        )
    missing = [
        external_id
        for external_id in candidates.values_list("external_id", flat=True).iterator()
        if external_id not in seen.ids
    ]
    marked = 0
    for start in range(0, len(missing), CHUNK):
        # The candidate filter again, so a row rewritten meanwhile is left alone.
        marked += candidates.filter(external_id__in=missing[start : start + CHUNK]).update(
            **changes
        )
    return marked


def tickets_mark_deleted(*, seen: Seen) -> int:
    """Tickets whose conversation Intercom no longer returns, unless changed during the listing."""
    candidates = Ticket.objects.filter(
        _not_synced_since(seen),
        source=SOURCE,
        is_deleted=False,
        updated_at__lt=seen.listed_at - timedelta(seconds=LAG_SECONDS),
    )
    return _mark(candidates, seen=seen, is_deleted=True)


def contacts_mark_inactive(*, seen: Seen) -> int:
    """Users and leads Intercom no longer returns. Admins are not contacts there: left alone."""
    candidates = Contact.objects.filter(
        _not_synced_since(seen), source=SOURCE, is_active=True
    ).exclude(role="admin")
    return _mark(candidates, seen=seen, is_active=False)


def identities_mark_deleted(*, seen: Seen) -> int:
    candidates = CustomerIdentity.objects.filter(
        _not_synced_since(seen), source=SOURCE, is_deleted=False
    )
    return _mark(candidates, seen=seen, is_deleted=True)

"""Stripe page readers: `created` windows for the first pass, then `/v1/events`.

Lists come newest-first, so a high-water mark is safe only once a whole window is read: each
window's last page carries the checkpoint, earlier pages re-save the window start (a crash
re-reads that window; upserts absorb the repeats). An empty window doubles the next one, so a
history starting in 2011 costs a handful of requests. A list stream added after the first pass
(its cursor is empty while events are current) is listed once, up to the events cursor.

Events are read in one-day windows, collected whole, and reduced to the newest event per object
before anything is written, so an older event never overwrites a newer state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ..base import Page
from ..errors import MalformedResponse
from ..http import HttpClient

DAY = 86_400
EVENT_RETENTION = 30 * DAY  # Stripe keeps 30 days of events
RETENTION_MARGIN = 3600  # a cursor this close to the edge is treated as lost
EVENT_LOOKBACK = 300  # events re-read before a full pass began (clock skew)
EVENT_LAG = 60  # seconds: the newest events are read on the next run
MAX_SPAN = 3650 * DAY
PAGE = 100
PAGES_PER_WRITE = 10
"""List pages written together, in one transaction with the last one's checkpoint: a write
and its bookkeeping (staging table, owner lookup, cursor, run counts, lock heartbeat) cost
about as much for 100 rows as for 1,000, so a first sync of 100,000 invoices spent most of its
time on them. A crash loses at most the pages of one write, which the next run reads again."""


@dataclass
class SyncPlan:
    """What this run does, decided once from the saved cursors (see `sync_plan`)."""

    now: int
    full: bool  # read the lists (first sync, or the events cursor fell out of retention)
    started: int  # the full pass's start: list windows end here, events resume from it
    events_before: int | None  # events cursor: every event created before it is applied


def sync_plan(*, cursors: dict[str, dict], list_streams: list[str], now: int) -> SyncPlan:
    events = cursors.get("events") or {}
    before = events.get("before")
    fresh_after = now - EVENT_RETENTION + RETENTION_MARGIN
    if before is not None and before >= fresh_after:
        return SyncPlan(now=now, full=False, started=events.get("pass", now), events_before=before)
    # Resume a pass still in progress (started after the one the events cursor continues).
    unfinished = [
        cursors[name]["started"]
        for name in list_streams
        if (cursors.get(name) or {}).get("started", 0) >= fresh_after
        and cursors[name]["started"] != events.get("pass")
    ]
    return SyncPlan(now=now, full=True, started=min(unfinished, default=now), events_before=None)


def page_data(body, path: str) -> list:
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        found = sorted(body)[:8] if isinstance(body, dict) else type(body).__name__
        raise MalformedResponse(f"stripe page from {path} has no 'data' list (got {found})")
    if not isinstance(body.get("has_more"), bool):
        raise MalformedResponse(f"stripe page from {path} has no has_more flag")
    if body["has_more"] and not body["data"]:
        raise MalformedResponse(f"stripe page from {path} is empty but says has_more")
    return body["data"]


def list_all(client: HttpClient, path: str, params: dict) -> Iterator[tuple[list, bool]]:
    """(data, has_more) for every page of one list query."""
    query = {**params, "limit": PAGE}
    while True:
        body = client.get_json(path, query)
        data = page_data(body, path)
        yield data, body["has_more"]
        if not body["has_more"]:
            return
        query["starting_after"] = data[-1]["id"]


def _flatten(outs) -> list:
    records = []
    for out in outs:
        records.extend(out if isinstance(out, list) else [out])
    return records


def windowed_list(
    *,
    path: str,
    params: dict,
    normalize: Callable[[dict], object],
    plan: SyncPlan,
    floor: Callable[[], int],
    window: int,
    enrich: Callable[[HttpClient, dict], dict] | None = None,
) -> Callable[[HttpClient, dict], Iterator[Page]]:
    def read(client: HttpClient, state: dict) -> Iterator[Page]:
        return _batched(pages(client, state))

    def pages(client: HttpClient, state: dict) -> Iterator[Page]:
        if plan.full:
            started = plan.started
        elif state.get("complete") or plan.events_before is None:
            return
        else:  # a stream added after the first pass: list it up to where events took over
            started = int(state.get("started") or plan.events_before)
        if state.get("started") != started:
            state = {"started": started, "lo": floor(), "span": window}
        if state.get("complete"):
            return
        lo, span = int(state["lo"]), int(state.get("span", window))
        if lo >= started:
            yield Page(records=[], state={**state, "complete": True})
            return
        while lo < started:
            hi = min(lo + span, started)
            window_params = {**params, "created[gte]": lo, "created[lt]": hi}
            pages, seen = list_all(client, path, window_params), 0
            for data, more in pages:
                if enrich is not None:
                    data = [enrich(client, raw) for raw in data]
                records = _flatten(normalize(raw) for raw in data)
                seen += len(data)
                if more:
                    yield Page(records=records, state={**state, "lo": lo, "span": span})
                    continue
                span = window if seen else min(span * 2, MAX_SPAN)
                state = {"started": started, "lo": hi, "span": span}
                state["complete"] = hi >= started
                yield Page(records=records, state=state)
            lo = hi

    return read


def _batched(pages: Iterator[Page]) -> Iterator[Page]:
    """Every PAGES_PER_WRITE pages as one: their records in order, the last one's state (it
    covers them all: a list page's state never runs ahead of the pages before it)."""
    records: list = []
    count = 0
    for page in pages:
        records.extend(page.records)
        count += 1
        if count >= PAGES_PER_WRITE:
            yield Page(records=records, state=page.state)
            records, count = [], 0
    if count:
        yield Page(records=records, state=page.state)


def events(
    *,
    types: list[str],
    normalize: Callable[[dict], list],
    plan: SyncPlan,
    enrich: Callable[[HttpClient, dict], dict] | None = None,
) -> Callable[[HttpClient, dict], Iterator[Page]]:
    type_params = {f"types[{n}]": name for n, name in enumerate(types)}

    def read(client: HttpClient, state: dict) -> Iterator[Page]:
        if plan.full:
            lo, done_pass = plan.started - EVENT_LOOKBACK, plan.started
        else:
            lo, done_pass = int(plan.events_before), state.get("pass", plan.started)
        until = plan.now - EVENT_LAG
        while True:
            hi = max(lo, min(lo + DAY, until))
            latest: dict[tuple[str, str], dict] = {}
            params = {**type_params, "created[gte]": lo, "created[lt]": hi}
            for data, _ in list_all(client, "/v1/events", params) if hi > lo else ():
                for raw in data:  # newest first: the first event seen per object wins
                    try:
                        obj = raw["data"]["object"]
                        key = (obj["object"], obj["id"])
                    except (KeyError, TypeError):
                        raise MalformedResponse(
                            f"stripe event {raw.get('id')!r} has no data.object"
                        ) from None
                    latest.setdefault(key, raw)
            ordered = sorted(latest.values(), key=lambda e: e["created"])
            if enrich is not None:
                ordered = [enrich(client, raw) for raw in ordered]
            records = _flatten(normalize(raw) for raw in ordered)
            yield Page(records=records, state={"before": hi, "pass": done_pass})
            if hi >= until:
                return
            lo = hi

    return read

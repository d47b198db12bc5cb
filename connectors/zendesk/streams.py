"""Zendesk's two incremental export families, as page readers.

Cursor exports (tickets, users) hand back an opaque `after_cursor`, present even at the end of
the stream, so the next poll starts from it. Time-based exports (organizations, ticket events)
hand back `end_time`, which becomes the next `start_time`; pages can repeat records at the
boundary, which the upserts absorb.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..base import Page
from ..errors import MalformedResponse
from ..http import HttpClient


def _items(body, key: str, path: str) -> list:
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        found = sorted(body)[:8] if isinstance(body, dict) else type(body).__name__
        raise MalformedResponse(f"zendesk page from {path} has no '{key}' list (got {found})")
    return body[key]


def _normalize_all(items: list, normalize: Callable) -> list:
    records = []
    for raw in items:
        out = normalize(raw)
        records.extend(out if isinstance(out, list) else [out])
    return records


def cursor_export(
    *, path: str, key: str, normalize: Callable, params: dict, start_time: Callable[[], int]
) -> Callable[[HttpClient, dict], Iterator[Page]]:
    def read(client: HttpClient, state: dict) -> Iterator[Page]:
        query = dict(params)
        if state.get("cursor"):
            query["cursor"] = state["cursor"]
        else:
            query["start_time"] = state.get("start_time", start_time())
        while True:
            body = client.get_json(path, query)
            records = _normalize_all(_items(body, key, path), normalize)
            after = body.get("after_cursor")
            if not after:
                raise MalformedResponse(f"zendesk page from {path} has no after_cursor")
            yield Page(records=records, state={"cursor": after})
            if body.get("end_of_stream"):
                return
            query = {**params, "cursor": after}

    return read


def time_export(
    *, path: str, key: str, normalize: Callable, params: dict, start_time: Callable[[], int]
) -> Callable[[HttpClient, dict], Iterator[Page]]:
    def read(client: HttpClient, state: dict) -> Iterator[Page]:
        since = int(state.get("start_time", start_time()))
        while True:
            body = client.get_json(path, {**params, "start_time": since})
            records = _normalize_all(_items(body, key, path), normalize)
            end_time = body.get("end_time")
            done = bool(body.get("end_of_stream")) or not body.get("next_page")
            if not isinstance(end_time, int):
                if done and not records:
                    end_time = since
                else:
                    raise MalformedResponse(f"zendesk page from {path} has no end_time")
            if end_time < since or (end_time == since and not done):
                raise MalformedResponse(
                    f"zendesk export {path} made no progress past start_time={since}"
                )
            yield Page(records=records, state={"start_time": end_time})
            if done:
                return
            since = end_time

    return read

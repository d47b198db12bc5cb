"""Intercom's two ways of reading a collection, as page readers.

Search (conversations, contacts) reads a half-open `updated_at` window [since, until), sorted
ascending, page by page with `starting_after`, until `pages.next` is absent. The checkpoint after
each page holds the window bounds with the cursor, because a cursor only means something for
the query that produced it: a resumed run repeats exactly that query from exactly that cursor.
Once a window is done the next one starts at its `until` (inclusive), so windows tile time with
no gap and no overlap. `until` stays a little behind the clock, since the search index lags
writes by a few seconds.

The company scroll has no server-side filter and its `scroll_param` expires within a minute, so
it is read whole on every run and nothing of it is checkpointed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..base import Page
from ..errors import MalformedResponse
from .client import IntercomClient

LAG_SECONDS = 60


def page_items(body, key: str, path: str) -> list:
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        found = sorted(body)[:8] if isinstance(body, dict) else type(body).__name__
        raise MalformedResponse(f"intercom page from {path} has no '{key}' list (got {found})")
    return body[key]


def _flatten(outputs) -> list:
    records = []
    for out in outputs:
        records.extend(out if isinstance(out, list) else [out])
    return records


def window_query(*, since: int, until: int, per_page: int, starting_after: str | None) -> dict:
    """updated_at in [since, until), oldest first (Airbyte's window for Intercom search)."""
    body = {
        "query": {
            "operator": "AND",
            "value": [
                {
                    "operator": "OR",
                    "value": [
                        {"field": "updated_at", "operator": ">", "value": since},
                        {"field": "updated_at", "operator": "=", "value": since},
                    ],
                },
                {"field": "updated_at", "operator": "<", "value": until},
            ],
        },
        "pagination": {"per_page": per_page},
        "sort": {"field": "updated_at", "order": "ascending"},
    }
    if starting_after:
        body["pagination"]["starting_after"] = starting_after
    return body


def next_cursor(body: dict, path: str, previous: str | None) -> str | None:
    pages = body.get("pages")
    if not isinstance(pages, dict) or pages.get("next") is None:
        return None
    cursor = pages["next"].get("starting_after") if isinstance(pages["next"], dict) else None
    if not isinstance(cursor, str) or not cursor:
        raise MalformedResponse(f"intercom page from {path} has pages.next without starting_after")
    if cursor == previous:
        raise MalformedResponse(f"intercom search {path} returned the same cursor twice")
    return cursor


def search_window(
    *,
    path: str,
    key: str,
    normalize: Callable,
    per_page: int,
    start_time: Callable[[], int],
    detail: str | None = None,
) -> Callable[[IntercomClient, dict], Iterator[Page]]:
    """Read every record updated since the saved window; with `detail`, GET each one in full."""

    def fetch(client: IntercomClient, item) -> object:
        if detail is None:
            return normalize(item)
        if not isinstance(item, dict) or item.get("id") in (None, ""):
            raise MalformedResponse(f"intercom page from {path} has an item without an id")
        return normalize(client.get_json(f"{detail}/{item['id']}"))

    def read(client: IntercomClient, state: dict) -> Iterator[Page]:
        horizon = int(client.clock()) - LAG_SECONDS
        since = int(state.get("since", start_time()))
        until = state.get("until")
        after = state.get("starting_after")
        while True:
            if until is None:
                if horizon <= since:
                    return
                until = horizon
            body = client.post_json(
                path,
                window_query(since=since, until=until, per_page=per_page, starting_after=after),
            )
            items = page_items(body, key, path)
            cursor = next_cursor(body, path, after)
            records = _flatten(fetch(client, item) for item in items)
            if cursor is not None:
                yield Page(records, {"since": since, "until": until, "starting_after": cursor})
                after = cursor
                continue
            yield Page(records, {"since": until})
            if until >= horizon:
                return
            since, until, after = until, None, None

    return read


def scroll(*, path: str, normalize: Callable) -> Callable[[IntercomClient, dict], Iterator[Page]]:
    """Scroll a whole collection: follow `scroll_param` until a page comes back empty."""

    def read(client: IntercomClient, state: dict) -> Iterator[Page]:
        params: dict = {}
        while True:
            try:
                body = client.get_json(path, params)
            except MalformedResponse as exc:
                if params or "HTTP 400" not in str(exc):
                    raise
                raise MalformedResponse(
                    f"{exc}. Intercom allows one scroll per workspace: another sync or app is "
                    "scrolling companies; try again in a minute"
                ) from None
            items = page_items(body, "data", path)
            if not items:
                return
            param = body.get("scroll_param")
            if not isinstance(param, str) or not param:
                raise MalformedResponse(f"intercom page from {path} has no scroll_param")
            yield Page(_flatten(normalize(item) for item in items), {})
            params = {"scroll_param": param}

    return read

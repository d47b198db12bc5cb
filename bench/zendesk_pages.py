"""Pre-rendered Zendesk export pages for the ingest benchmark, and a server that replays them.

The sandbox builds each page from its object model on request; at 100,000 tickets that costs
the syncing process about as much waiting as the sync's own work (docs/ingest-profile.md), so a
benchmark against it measures the sandbox. Here the sandbox's pages are recorded once, by
walking Zendesk's export protocol (cursor exports follow `after_cursor`, time exports follow
`end_time`), and written to disk with an index of which request gets which page. Bigger data
sets are the recording tiled: copy k shifts every ticket and event id by k·OFFSET and every
time back by k·SPAN, earliest copy first, so ids stay unique and time exports keep moving
forward. The replay server only reads a file per request: its own cost is printed apart.

    .venv/bin/python bench/zendesk_pages.py record --url http://127.0.0.1:PORT --root DIR
    .venv/bin/python bench/zendesk_pages.py serve --root DIR
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import orjson
import requests

AUTH = ("demo@supportops.local/token", "sandbox-token")
PER_PAGE = 1000
OFFSET = 100_000_000  # ids of copy k: original + k·OFFSET
SPAN = 5 * 365 * 86_400  # seconds copy k is moved back (more than the recording's history)
STREAMS = {
    # name: (path, key, kind, extra params) as connectors/zendesk/connector.py reads them
    "organizations": ("/api/v2/incremental/organizations.json", "organizations", "time", {}),
    "users": ("/api/v2/incremental/users/cursor.json", "users", "cursor", {}),
    "tickets": (
        "/api/v2/incremental/tickets/cursor.json",
        "tickets",
        "cursor",
        {"include": "metric_sets"},
    ),
    "comments": (
        "/api/v2/incremental/ticket_events.json",
        "ticket_events",
        "time",
        {"include": "comment_events"},
    ),
}
TILED = ("tickets", "comments")


def request_key(path: str, query: dict) -> str:
    return path + "?" + urlencode(sorted((k, str(v)) for k, v in query.items()))


class Recording:
    """Pages on disk (one file each) and index.json: request key → file name."""

    def __init__(self, root: Path):
        self.root = root
        self.index: dict[str, str] = {}
        self.counts: dict[str, int] = {}
        self.pages: dict[str, int] = {}  # files written per stream: the next file's number

    def add(self, path: str, query: dict, body: dict, stream: str, items: int) -> None:
        self.pages[stream] = self.pages.get(stream, 0) + 1
        name = f"{stream}-{self.pages[stream] - 1:06d}.json"
        (self.root / name).write_bytes(orjson.dumps(body))
        self.index[request_key(path, query)] = name
        self.counts[stream] = self.counts.get(stream, 0) + items

    def save(self) -> None:
        (self.root / "index.json").write_text(
            json.dumps({"pages": self.index, "counts": self.counts}, indent=0)
        )


def record(base_url: str, out: Path) -> dict[str, int]:
    """Walk every export of the sandbox at `base_url` into `out`; returns records per stream."""
    out.mkdir(parents=True, exist_ok=True)
    recording = Recording(out)
    session = requests.Session()
    session.auth = AUTH
    for stream, (path, key, kind, extra) in STREAMS.items():
        params = {"per_page": PER_PAGE, **extra}
        query = {**params, "start_time": 0}
        while True:
            body = session.get(base_url + path, params=query, timeout=600).json()
            recording.add(path, query, _strip_urls(body), stream, len(body[key]))
            if kind == "cursor":
                if body.get("end_of_stream"):
                    break
                query = {**params, "cursor": body["after_cursor"]}
            else:
                if body.get("end_of_stream") or not body.get("next_page"):
                    break
                query = {**params, "start_time": body["end_time"]}
    recording.save()
    return recording.counts


def _strip_urls(body: dict) -> dict:
    """Next-page links point at the recording server's port; the connector follows cursors and
    end_time, never these, but they must not name a dead host either."""
    for name in ("after_url", "before_url", "next_page"):
        if body.get(name):
            parts = urlsplit(body[name])
            body[name] = f"http://zendesk.invalid{parts.path}?{parts.query}"
    return body


def tile(source: Path, copies: int, out: Path) -> dict[str, int]:
    """`copies` copies of the recording at `source`, as one recording in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    index = json.loads((source / "index.json").read_text())["pages"]
    recording = Recording(out)
    by_stream = {s: [(k, v) for k, v in index.items() if v.startswith(s)] for s in STREAMS}
    for stream, (path, key, kind, extra) in STREAMS.items():
        pages = sorted(by_stream[stream], key=lambda kv: kv[1])
        params = {"per_page": PER_PAGE, **extra}
        if stream not in TILED:
            for request, name in pages:
                body = orjson.loads((source / name).read_bytes())
                query = dict(parse_qsl(urlsplit(request).query))
                recording.add(path, query, body, stream, len(body[key]))
            continue
        query: dict = {**params, "start_time": 0}
        for copy in range(copies - 1, -1, -1):  # the earliest (most shifted) copy first
            last_copy = copy == 0
            for n, (_request, name) in enumerate(pages):
                body = orjson.loads((source / name).read_bytes())
                _shift(body[key], copy)
                last_page = n == len(pages) - 1
                if kind == "cursor":
                    after = f"tile{copy}p{n}"
                    body["after_cursor"] = after
                    body["end_of_stream"] = last_page and last_copy
                    recording.add(path, query, body, stream, len(body[key]))
                    query = {**params, "cursor": after}
                else:
                    body["end_time"] = body["end_time"] - copy * SPAN
                    if last_page and not last_copy:
                        body["end_of_stream"] = False
                        body["next_page"] = "http://zendesk.invalid/next"
                    recording.add(path, query, body, stream, len(body[key]))
                    query = {**params, "start_time": body["end_time"]}
    recording.save()
    return recording.counts


def _shift(items: list, copy: int) -> None:
    if copy == 0:
        return
    delta = copy * OFFSET
    for item in items:
        _shift_ids(item, delta)
        _shift_times(item, copy * SPAN)


_ID_KEYS = {"id", "ticket_id", "problem_id", "audit_id"}


def _shift_ids(value, delta: int) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            if k in _ID_KEYS and isinstance(v, int):
                value[k] = v + delta
            elif isinstance(v, dict | list):
                _shift_ids(v, delta)
    elif isinstance(value, list):
        for v in value:
            _shift_ids(v, delta)


def _shift_times(value, seconds: int) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, str) and len(v) == 20 and v[4] == "-" and v[-1] == "Z":
                at = datetime.strptime(v, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
                value[k] = (at - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
            elif k in ("timestamp", "generated_timestamp") and isinstance(v, int):
                value[k] = v - seconds
            elif isinstance(v, dict | list):
                _shift_times(v, seconds)
    elif isinstance(value, list):
        for v in value:
            _shift_times(v, seconds)


class ReplayServer:
    """Serves a recording on loopback: a dict lookup and a file read per request."""

    def __init__(self, root: Path):
        index = json.loads((root / "index.json").read_text())["pages"]
        pages = {key: root / name for key, name in index.items()}

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path)
                key = request_key(parts.path, dict(parse_qsl(parts.query)))
                page = pages.get(key)
                if page is None:
                    body, status = b'{"error": "RecordNotFound"}', 404
                else:
                    body, status = page.read_bytes(), 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.keys = list(pages)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> ReplayServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def counts(root: Path) -> dict[str, int]:
    return json.loads((root / "index.json").read_text())["counts"]


def ready(root: Path) -> bool:
    return (root / "index.json").exists()


def serve(root: Path) -> None:
    """Serve `root` until killed, printing the URL first (the benchmark runs this in a process
    of its own, so its CPU and memory are not the sync's)."""
    with ReplayServer(root) as server:
        print(server.url, flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["record", "serve"])
    parser.add_argument("--url", help="a running sandbox (record)")
    parser.add_argument("--root", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "record":
        print(record(args.url, args.root))
    else:
        serve(args.root)

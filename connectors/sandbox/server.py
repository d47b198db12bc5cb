"""The sandbox HTTP server: one threaded listener, vendors mounted by path prefix.

Runs in-process for tests (ephemeral port, injectable clock, fault queue, request log) and as a
long-running process for the demo (``python -m connectors.sandbox``).
"""

from __future__ import annotations

import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from .company import build_company
from .faults import FaultQueue
from .intercom import IntercomApi
from .model import Company
from .routing import Request, RequestLog, Response, Router
from .stripe import StripeApi
from .zendesk import DEFAULT_EMAIL, DEFAULT_TOKEN, ZendeskApi

NOT_FOUND = {"error": "InvalidEndpoint", "description": "Not found"}


class SandboxServer:
    def __init__(
        self,
        company: Company | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        zendesk_email: str = DEFAULT_EMAIL,
        zendesk_token: str = DEFAULT_TOKEN,
        clock: Callable[[], float] | None = None,
        rate_limit: int | dict[str, int] | None = None,
        verbose: bool = False,
    ) -> None:
        self.company = company if company is not None else build_company()
        self.clock = clock or time.time
        self.faults = FaultQueue()
        self.requests = RequestLog()
        self.router = Router()
        self.zendesk = ZendeskApi(
            self.company,
            clock=self.clock,
            email=zendesk_email,
            token=zendesk_token,
            rate_limit=rate_limit,
        )
        self.router.register(self.zendesk)
        self.stripe = StripeApi(self.company, clock=self.clock)
        self.router.register(self.stripe)
        self.intercom = IntercomApi(self.company, clock=self.clock)
        self.router.register(self.intercom)
        self.verbose = verbose
        self._served: dict[str, Response] = {}  # last response per route, for fault "repeat"
        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.app = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> SandboxServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="sandbox-http",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def dispatch(self, request: Request) -> Response:
        self.requests.append(request.method, request.path, request.query)
        vendor, matched, params = self.router.resolve(request.method, request.path)
        if vendor is None:
            return Response(404, dict(NOT_FOUND))
        if matched is None:
            response = vendor.not_found(request)
        else:
            request.params = params
            fault = self.faults.take(matched.name, request.path)
            if fault is None:
                response = vendor.handle(matched, request)
            else:
                response = fault.apply(
                    lambda: vendor.handle(matched, request),
                    vendor.error,
                    self._served.get(matched.name),
                )
            self._served[matched.name] = response
        vendor.decorate(request, matched, response)
        return response


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SupportOpsSandbox/1.0"
    # Headers and body go out in separate writes; without TCP_NODELAY every keep-alive request
    # waits ~40 ms for the client's delayed ACK.
    disable_nagle_algorithm = True

    def _serve(self) -> None:
        app: SandboxServer = self.server.app  # type: ignore[attr-defined]
        split = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        host = self.headers.get("Host") or f"{app.host}:{app.port}"
        request = Request(self.command, split.path, query, self.headers, body, f"http://{host}")
        response = app.dispatch(request)
        payload = response.payload()
        self.send_response(response.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if response.reset:
            self._reset(payload[: len(payload) // 2])
        elif self.command != "HEAD":
            self.wfile.write(payload)

    def _reset(self, partial: bytes) -> None:
        """Send part of the body, then RST the connection (SO_LINGER 0), as a dying peer does."""
        self.wfile.write(partial)
        self.wfile.flush()
        time.sleep(0.05)  # let the client read the headers first: a reset with data unsent drops it
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: object) -> None:
        if self.server.app.verbose:  # type: ignore[attr-defined]
            sys.stderr.write(f"sandbox: {format % args}\n")

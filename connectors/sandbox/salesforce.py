"""Salesforce REST served from a Company: OAuth refresh-token grant, SOQL query/queryAll with
query locators, sObject describe, the daily API quota and Salesforce's error arrays.

The token endpoint hands back an ``instance_url`` pointing at this same server, so every later
call goes where a real client would send it. Salesforce speaks only HTTPS: serve this vendor
with ``salesforce_tls.SalesforceSandbox``. Tests reach the org through ``.org`` (mutators) and
switch failures on with ``expire_sessions()``, ``api_limit`` and the server's FaultQueue (route
names "token", "query", "describe").
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import re
from collections.abc import Callable
from urllib.parse import parse_qs

from .model import Company
from .routing import Request, Response, Route, route
from .salesforce_data import FIELDS, SalesforceOrg, build_org
from .salesforce_soql import SoqlError, parse, render, run

DEFAULT_CLIENT_ID = "sandbox-client-id"  # published demo credentials, not secrets
DEFAULT_CLIENT_SECRET = "sandbox-client-secret"
DEFAULT_REFRESH_TOKEN = "sandbox-refresh-token"
ORG_ID = "00DSBX000000001AAA"
MAX_BATCH = 2000
KEPT_CURSORS = 200
BATCH_SIZE = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)
LOCATOR = re.compile(r"(?P<id>01g\w+)-(?P<offset>\d+)")
DATA = r"/services/data/v(?P<version>\d+\.\d)/"


def _errors(code: str, message: str) -> list[dict]:
    return [{"message": message, "errorCode": code}]


ERRORS = {
    400: _errors("MALFORMED_QUERY", "unexpected token"),
    401: _errors("INVALID_SESSION_ID", "Session expired or invalid"),
    403: _errors("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
    404: _errors("NOT_FOUND", "The requested resource does not exist"),
    500: _errors("UNKNOWN_EXCEPTION", "An unexpected error occurred. Please try again."),
    503: _errors("SERVER_UNAVAILABLE", "Server temporarily unavailable"),
}


class SalesforceApi:
    prefix = "/services/"

    def __init__(
        self,
        company: Company,
        *,
        clock: Callable[[], float],
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        refresh_token: str = DEFAULT_REFRESH_TOKEN,
        api_limit: int = 15_000,
        scheme: str = "https",
    ) -> None:
        self.company = company
        self.clock = clock
        self.org: SalesforceOrg = build_org(company)
        self.client_id, self.client_secret = client_id, client_secret
        self.refresh_token = refresh_token
        self.api_limit = api_limit  # rolling 24 h quota; tests lower it to hit the limit
        self.api_used = 0
        self.scheme = scheme
        self.sessions: set[str] = set()
        self.cursors: dict[str, tuple[str, list[dict], list[str], int]] = {}
        self._ids = itertools.count(1)
        self.routes: list[Route] = [
            route("token", r"/services/oauth2/token", self.token, method="POST"),
            route("query", DATA + r"query/?", self.query),
            route("query", DATA + r"queryAll/?", self.query_all),
            route("query", DATA + r"query(?:All)?/(?P<locator>[\w-]+)", self.query_more),
            route("describe", DATA + r"sobjects/(?P<sobject>\w+)/describe/?", self.describe),
        ]

    # -- Vendor hooks ---------------------------------------------------------------------------

    def handle(self, matched: Route, request: Request) -> Response:
        if matched.name == "token":
            return matched.handler(request)
        scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or token.strip() not in self.sessions:
            return self.error(401)
        if self.api_used >= self.api_limit:
            return self.error(403)
        self.api_used += 1
        try:
            with self.org.lock:
                return matched.handler(request)
        except SoqlError as exc:
            return Response(400, _errors(exc.code, exc.message))

    def error(self, status: int) -> Response:
        return Response(status, [dict(e) for e in ERRORS.get(status, ERRORS[500])])

    def not_found(self, request: Request) -> Response:
        return self.error(404)

    def decorate(self, request: Request, matched: Route | None, response: Response) -> None:
        if matched is not None and matched.name != "token":
            response.headers["Sforce-Limit-Info"] = f"api-usage={self.api_used}/{self.api_limit}"

    # -- Switches for tests ---------------------------------------------------------------------

    def expire_sessions(self) -> None:
        """Invalidate every access token: the next data call answers 401 INVALID_SESSION_ID."""
        self.sessions.clear()

    # -- Routes ---------------------------------------------------------------------------------

    def token(self, request: Request) -> Response:
        form = {k: v[-1] for k, v in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != "refresh_token":
            return _oauth_error("unsupported_grant_type", "grant type not supported")
        if not (
            _same(form.get("client_id"), self.client_id)
            and _same(form.get("client_secret"), self.client_secret)
        ):
            return _oauth_error("invalid_client_id", "client identifier invalid")
        if not _same(form.get("refresh_token"), self.refresh_token):
            return _oauth_error("invalid_grant", "expired access/refresh token")
        seq = next(self._ids)
        digest = hashlib.sha256(f"{self.company.seed}:{seq}".encode()).hexdigest()[:40]
        access = f"{ORG_ID[:15]}!AQ{digest}"
        self.sessions.add(access)
        host = request.headers.get("Host") or "127.0.0.1"
        issued = str(int(self.clock() * 1000))
        return Response(
            200,
            {
                "access_token": access,
                "instance_url": f"{self.scheme}://{host}",
                "id": f"{self.scheme}://{host}/id/{ORG_ID}/005SBX000000001AAA",
                "token_type": "Bearer",
                "issued_at": issued,
                "signature": hashlib.sha256(issued.encode()).hexdigest()[:43] + "=",
                "scope": "api refresh_token",
            },
        )

    def query(self, request: Request) -> Response:
        return self._first_page(request, include_deleted=False)

    def query_all(self, request: Request) -> Response:
        return self._first_page(request, include_deleted=True)

    def query_more(self, request: Request) -> Response:
        match = LOCATOR.fullmatch(request.params["locator"])
        cursor = self.cursors.get(match["id"]) if match else None
        if cursor is None:
            body = _errors("INVALID_QUERY_LOCATOR", "invalid query locator")
            return Response(400, body)
        return Response(200, self._page(request, match["id"], int(match["offset"])))

    def describe(self, request: Request) -> Response:
        sobject = request.params["sobject"]
        known = {name.lower(): name for name in FIELDS}
        if sobject.lower() not in known:
            body = _errors("NOT_FOUND", f"The requested resource does not exist: {sobject}")
            return Response(404, body)
        name = known[sobject.lower()]
        fields = [
            {"name": field, "type": kind, "custom": custom, "label": field.replace("__c", "")}
            for field, (kind, custom) in FIELDS[name].items()
        ]
        return Response(
            200, {"name": name, "label": name, "custom": False, "queryable": True, "fields": fields}
        )

    # -- Paging ---------------------------------------------------------------------------------

    def _first_page(self, request: Request, *, include_deleted: bool) -> Response:
        text = request.query.get("q")
        if not text:
            raise SoqlError("MALFORMED_QUERY", "a query string is required: ?q=SELECT ...")
        query = parse(text)
        rows = run(query, self.org.rows(query.sobject), include_deleted=include_deleted)
        locator = f"01gSBX{next(self._ids):012d}"
        self.cursors[locator] = (query.sobject, rows, query.fields, _batch_size(request))
        while len(self.cursors) > KEPT_CURSORS:
            self.cursors.pop(next(iter(self.cursors)))
        return Response(200, self._page(request, locator, 0))

    def _page(self, request: Request, locator: str, offset: int) -> dict:
        sobject, rows, fields, batch = self.cursors[locator]
        version = request.params["version"]
        chunk = rows[offset : offset + batch]
        done = offset + batch >= len(rows)
        body: dict = {"totalSize": len(rows), "done": done}
        if not done:
            body["nextRecordsUrl"] = f"/services/data/v{version}/query/{locator}-{offset + batch}"
        body["records"] = [render(sobject, row, fields, version) for row in chunk]
        return body


def _batch_size(request: Request) -> int:
    match = BATCH_SIZE.search(request.headers.get("Sforce-Query-Options") or "")
    # Salesforce's floor is 200; the sandbox allows less so tests can page through a small org.
    return max(1, min(MAX_BATCH, int(match[1]))) if match else MAX_BATCH


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def _oauth_error(code: str, description: str) -> Response:
    return Response(400, {"error": code, "error_description": description})

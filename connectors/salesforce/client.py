"""Salesforce transport: the OAuth refresh-token grant, then REST calls through simple-salesforce.

simple-salesforce has no refresh-token login, so the token POST is ours (over the shared
HttpClient's session); it then gets the ``instance_url`` and access token as a "direct"
session and the same requests session, so urllib3's retries with backoff on 5xx and the
timeouts of ``connectors.http`` apply to every call. What simple-salesforce adds is SOQL
query/queryAll/query_more URL handling, status → exception mapping and ``Sforce-Limit-Info``
parsing. Its exceptions are turned into ConnectorErrors here: 401 INVALID_SESSION_ID refreshes
the token once and retries; 403 REQUEST_LIMIT_EXCEEDED fails at once (the quota is a rolling
24 h window, retrying only burns more of it); a body that does not parse is retried, then fails.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from supportops.redact import redact, redact_url

from ..errors import (
    AuthenticationFailed,
    MalformedResponse,
    RateLimitExhausted,
    UpstreamUnavailable,
)
from ..http import BODY_BROKEN, HttpClient, read_timed_out

logger = logging.getLogger(__name__)

TOKEN_PATH = "/services/oauth2/token"
CREDENTIALS = "SALESFORCE_CLIENT_ID, SALESFORCE_CLIENT_SECRET and SALESFORCE_REFRESH_TOKEN"


class SalesforceClient:
    def __init__(
        self,
        *,
        http: HttpClient,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        version: str,
        batch_size: int,
    ) -> None:
        self.http = http  # base_url is the login URL; the instance URL comes with the token
        self._grant = {
            "grant_type": "refresh_token",
            "client_id": client_id,
            "client_secret": client_secret,
            "refresh_token": refresh_token,
        }
        self.version = version
        self.headers = {"Sforce-Query-Options": f"batchSize={batch_size}"}
        self._sf: Salesforce | None = None
        self.instance_url = ""

    # -- Public calls ---------------------------------------------------------------------------

    def query(self, soql: str, *, include_deleted: bool = False) -> dict:
        """First page of a SOQL query (queryAll when include_deleted: deleted rows too)."""
        return self._call(
            "query",
            lambda sf: sf.query(soql, include_deleted=include_deleted, **self._kwargs()),
        )

    def query_more(self, next_records_url: str) -> dict:
        return self._call(
            "query",
            lambda sf: sf.query_more(next_records_url, identifier_is_url=True, **self._kwargs()),
        )

    def describe(self, sobject: str) -> dict:
        return self._call(
            "describe",
            lambda sf: sf.restful(f"sobjects/{sobject}/describe", timeout=self.http.timeout),
        )

    @property
    def api_usage(self) -> str:
        usage = self._sf.api_usage.get("api-usage") if self._sf else None
        return f"{usage.used}/{usage.total}" if usage else "unknown"

    # -- Auth -----------------------------------------------------------------------------------

    def authenticate(self) -> None:
        body = self._token()
        access, instance = body.get("access_token"), body.get("instance_url")
        if not (isinstance(access, str) and access and isinstance(instance, str)):
            raise MalformedResponse("salesforce token response has no access_token/instance_url")
        if not instance.startswith("https://"):
            raise MalformedResponse(f"salesforce instance_url {instance!r} is not an https URL")
        self.instance_url = instance.rstrip("/")
        self._sf = Salesforce(
            instance_url=self.instance_url,
            session_id=access,
            version=self.version,
            session=self.http.session,
        )

    def _token(self) -> dict:
        url = self.http.url(TOKEN_PATH)
        try:
            response = self.http.session.post(url, data=self._grant, timeout=self.http.timeout)
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            raise UpstreamUnavailable(
                f"cannot reach salesforce at {redact_url(url)} ({_reason(exc)})"
            ) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 500:
            raise UpstreamUnavailable(
                f"salesforce login answered HTTP {response.status_code} "
                f"after {self.http.max_retries} retries"
            )
        if response.status_code != 200 or not isinstance(body, dict):
            error = body if isinstance(body, dict) else {}
            reason = error.get("error") or f"HTTP {response.status_code}"
            detail = error.get("error_description") or response.text[:200]
            raise AuthenticationFailed(
                f"salesforce refused the refresh-token grant ({reason}: {detail}); "
                f"check {CREDENTIALS}"
            )
        return body

    # -- Plumbing -------------------------------------------------------------------------------

    def _kwargs(self) -> dict[str, Any]:
        return {"headers": dict(self.headers), "timeout": self.http.timeout}

    def _call(self, what: str, send: Callable[[Salesforce], Any]) -> Any:
        if self._sf is None:
            self.authenticate()
        refreshed = False
        attempts = self.http.max_retries + 1
        attempt = 0
        while True:
            attempt += 1
            try:
                return send(self._sf)
            except SalesforceExpiredSession as exc:
                if refreshed:
                    raise AuthenticationFailed(
                        f"salesforce rejected a freshly refreshed session ({_detail(exc)}); "
                        f"check {CREDENTIALS}"
                    ) from None
                logger.info("salesforce session expired; refreshing the access token")
                self.authenticate()
                refreshed = True
            except requests.exceptions.JSONDecodeError as exc:
                if attempt >= attempts:
                    raise MalformedResponse(
                        f"salesforce returned a {what} body that is not valid JSON "
                        f"({exc.msg} at char {exc.pos}) after {attempts} tries"
                    ) from None
                self.http._sleep(self.http.backoff * 2 ** (attempt - 1))
            except BODY_BROKEN as exc:
                # The connection died after the headers, while the body was read: urllib3's
                # Retry never sees that, so it is retried here like a truncated body.
                if attempt >= attempts:
                    raise UpstreamUnavailable(
                        f"salesforce broke off the {what} response ({_reason(exc)}) "
                        f"after {attempts} tries"
                    ) from None
                self.http._sleep(self.http.backoff * 2 ** (attempt - 1))
            except SalesforceError as exc:
                raise _translate(what, exc) from None
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                if isinstance(exc, requests.exceptions.ConnectionError) and read_timed_out(exc):
                    raise UpstreamUnavailable(
                        f"salesforce {what} did not answer within {self.http.timeout:g}s "
                        f"after {self.http.max_retries} retries"
                    ) from None
                raise UpstreamUnavailable(
                    f"salesforce {what} failed at {self.instance_url} ({_reason(exc)})"
                ) from None


def _translate(what: str, exc: SalesforceError) -> Exception:
    code, message = _error(exc)
    if isinstance(exc, SalesforceRefusedRequest):
        if code == "REQUEST_LIMIT_EXCEEDED":
            return RateLimitExhausted(
                f"Salesforce API daily limit reached ({code}: {message}); the quota is a rolling "
                "24-hour window, so the sync stops here and the next scheduled run resumes"
            )
        return AuthenticationFailed(
            f"salesforce refused the {what} (HTTP 403 {code}: {message}); check the "
            "integration user's permissions"
        )
    if exc.status >= 500:
        return UpstreamUnavailable(f"salesforce answered HTTP {exc.status} for the {what}")
    if isinstance(exc, SalesforceMalformedRequest):
        return MalformedResponse(f"salesforce rejected the {what} ({code}: {message})")
    return MalformedResponse(f"salesforce {what} failed with HTTP {exc.status} ({code}: {message})")


def _error(exc: SalesforceError) -> tuple[str, str]:
    """(errorCode, message) from Salesforce's error array, or the raw text."""
    content = exc.content
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return str(content[0].get("errorCode", "")), str(content[0].get("message", ""))[:200]
    return "", str(content)[:200]


def _detail(exc: SalesforceError) -> str:
    code, message = _error(exc)
    return f"{code}: {message}" if code else message


def _reason(exc: Exception) -> str:
    text = redact(exc)
    return text if len(text) < 160 else text[:157] + "..."

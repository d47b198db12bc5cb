"""The one HTTP client every connector uses.

Transport concerns live here once: timeouts, retries with exponential backoff on connection
errors and 5xx, waiting out `Retry-After` on 429/503 (urllib3's Retry does the waiting), and
turning what is left into ConnectorError subclasses with a reason a person can act on.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

import orjson
import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from supportops.redact import redact, redact_url

from .errors import AuthenticationFailed, MalformedResponse, RateLimitExhausted, UpstreamUnavailable

logger = logging.getLogger(__name__)

RETRY_STATUSES = (429, 500, 502, 503, 504)
BODY_BROKEN = (
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
"""Raised while reading a body after the headers arrived: the peer reset or cut it."""


class CappedRetry(Retry):
    """A Retry that refuses to sleep longer than `max_retry_after` on one Retry-After.

    A vendor asking us to wait an hour should fail the run with a clear message rather than
    hang a worker.
    """

    max_retry_after = 120

    def new(self, **kw):
        new = super().new(**kw)
        new.max_retry_after = self.max_retry_after
        return new

    def get_retry_after(self, response):
        seconds = super().get_retry_after(response)
        if seconds is not None and seconds > self.max_retry_after:
            raise RateLimitExhausted(
                f"rate limited: the server asked us to wait {seconds:.0f}s "
                f"(more than the {self.max_retry_after}s we wait); try again later"
            )
        return seconds


class HttpClient:
    def __init__(
        self,
        base_url: str,
        *,
        vendor: str,
        auth=None,
        headers: dict | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        backoff: float | None = None,
        max_retry_after: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self.vendor = vendor
        self.timeout = timeout if timeout is not None else settings.CONNECTOR_TIMEOUT_SECONDS
        self.max_retries = (
            max_retries if max_retries is not None else settings.CONNECTOR_MAX_RETRIES
        )
        self.backoff = backoff if backoff is not None else settings.CONNECTOR_BACKOFF_SECONDS
        self._sleep = sleep
        retry = CappedRetry(
            total=self.max_retries,
            connect=self.max_retries,
            read=self.max_retries,
            status=self.max_retries,
            backoff_factor=self.backoff,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=None,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        retry.max_retry_after = (
            max_retry_after
            if max_retry_after is not None
            else settings.CONNECTOR_MAX_RETRY_AFTER_SECONDS
        )
        self.session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.auth = auth
        self.session.headers.update({"Accept": "application/json", **(headers or {})})

    def url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    def get_json(self, path_or_url: str, params: dict | None = None) -> dict:
        return self.request_json("GET", path_or_url, params=params)

    def request_json(self, method: str, path_or_url: str, **kwargs) -> dict:
        """Send a request and return its JSON body, retrying bodies that do not parse.

        A body cut short in transit looks like invalid JSON; it is retried like a 5xx, and
        reported as MalformedResponse only once retries are spent. A connection reset while the
        body is read (after urllib3 handed over the response, so its Retry never sees it) is
        retried the same way and reported as UpstreamUnavailable.
        """
        url = self.url(path_or_url)
        attempts = self.max_retries + 1
        for attempt in range(1, attempts + 1):
            try:
                response = self._send(method, url, **kwargs)
            except BODY_BROKEN as exc:
                if attempt == attempts:
                    raise UpstreamUnavailable(
                        f"{self.vendor} broke off the response for {_short(url)} "
                        f"({_reason(exc)}) after {attempts} tries"
                    ) from None
                self._sleep(self.backoff * 2 ** (attempt - 1))
                continue
            try:
                # orjson: the standard decoder was a fifth of a Zendesk sync's time.
                return orjson.loads(response.content)
            except json.JSONDecodeError as exc:  # orjson's error is a subclass
                if attempt == attempts:
                    raise MalformedResponse(
                        f"{self.vendor} returned a body that is not valid JSON for "
                        f"{_short(url)} ({exc.msg} at char {exc.pos}) after {attempts} tries"
                    ) from None
                self._sleep(self.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")

    def _send(self, method: str, url: str, **kwargs) -> requests.Response:
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.exceptions.RetryError as exc:
            raise UpstreamUnavailable(
                f"{self.vendor} kept failing for {_short(url)} after {self.max_retries} retries: {exc}"
            ) from None
        except requests.exceptions.ConnectionError as exc:
            if read_timed_out(exc):
                raise UpstreamUnavailable(
                    f"{self.vendor} did not answer within {self.timeout:g}s at {_short(url)} "
                    f"after {self.max_retries} retries"
                ) from None
            raise UpstreamUnavailable(
                f"cannot reach {self.vendor} at {redact_url(self.base_url)} ({_reason(exc)})"
            ) from None
        except requests.exceptions.Timeout:
            raise UpstreamUnavailable(
                f"{self.vendor} did not answer within {self.timeout:g}s at {_short(url)}"
            ) from None
        status = response.status_code
        if status in (401, 403):
            raise AuthenticationFailed(
                f"{self.vendor} refused our credentials (HTTP {status}: "
                f"{_error_text(response)}); check the {self.vendor.upper()} settings"
            )
        if status == 429:
            raise RateLimitExhausted(
                f"{self.vendor} is still rate limiting us after {self.max_retries} retries"
            )
        if status >= 500:
            raise UpstreamUnavailable(
                f"{self.vendor} answered HTTP {status} for {_short(url)} "
                f"after {self.max_retries} retries"
            )
        if status >= 400:
            raise MalformedResponse(
                f"{self.vendor} rejected {_short(url)} with HTTP {status}: {_error_text(response)}"
            )
        return response


def read_timed_out(exc: requests.exceptions.ConnectionError) -> bool:
    """Whether retries were spent on read timeouts: requests reports those as a
    ConnectionError ("Max retries exceeded"), which would read as an unreachable host."""
    error = exc.args[0] if exc.args else None
    return isinstance(getattr(error, "reason", None), ReadTimeoutError)


def _short(url: str) -> str:
    """A URL as a reason may quote it: no query string, no password."""
    return redact_url(url.split("?", 1)[0])


def _reason(exc: Exception) -> str:
    text = redact(exc)
    return text if len(text) < 160 else text[:157] + "..."


def _error_text(response: requests.Response) -> str:
    return redact(_body_text(response))


def _body_text(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason
    if isinstance(body, dict):
        error = body.get("error") or body.get("errors") or body
        if isinstance(error, dict):
            return str(error.get("message") or error.get("title") or error)[:200]
        return str(body.get("description") or error)[:200]
    return str(body)[:200]

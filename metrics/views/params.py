"""What the window-based pages read from a request, the same way on every page."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from ..periods import BadPeriod, Window, window_from_text


def window_text(request) -> tuple[str, str]:
    """?start= and ?end= as typed, for the picker to keep."""
    return request.GET.get("start", "").strip(), request.GET.get("end", "").strip()


def asked_window(start_text: str, end_text: str, now: datetime) -> Window | None:
    """The window asked for, or None for the metric's default. Raises BadPeriod naming the
    parameter at fault. Months are read from text, so the zone matters only for a default,
    which the metric cuts in the reporting time zone."""
    if not start_text and not end_text:
        return None
    return window_from_text(start_text, end_text, now=now, tz=UTC)


def query_string(**params) -> str:
    """URL parameters without the empty ones."""
    return urlencode({key: value for key, value in params.items() if value not in (None, "")})


def page_number(text: str) -> int:
    """?page= of a drill-down list: a whole number from 1; BadPeriod (shown as the page's
    error, like a bad month) otherwise."""
    try:
        page = int(text or 1)
    except ValueError:
        raise BadPeriod(f"page: {text!r} is not a page number") from None
    if page < 1:
        raise BadPeriod("page: pages start at 1")
    return page

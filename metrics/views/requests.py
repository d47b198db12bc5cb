"""The feature-requests page (ranked by the LTV of the customers asking) and one request's
drill-down (its customers and tickets)."""

from __future__ import annotations

import json
from datetime import UTC
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from ..figures.requests import feature_requests_figure
from ..periods import BadPeriod, window_from_text
from ..requests import UnknownRequest, feature_request_detail, feature_requests

TICKETS_PER_PAGE = 50


def _window_text(request) -> tuple[str, str]:
    return request.GET.get("start", "").strip(), request.GET.get("end", "").strip()


def _window(start_text: str, end_text: str, now):
    """The asked-for window, or None for the metric's default (cut in the reporting zone)."""
    if not start_text and not end_text:
        return None
    # Months are read from text here; the zone only cuts the default window.
    return window_from_text(start_text, end_text, now=now, tz=UTC)


def _query(**params) -> str:
    return urlencode({key: value for key, value in params.items() if value})


def feature_requests_dashboard(request):
    start_text, end_text = _window_text(request)
    now = timezone.now()
    try:
        result = feature_requests(window=_window(start_text, end_text, now), now=now)
    except BadPeriod as exc:
        context = {
            "error": f"Cannot show these feature requests: {exc}.",
            "start_text": start_text,
            "end_text": end_text,
        }
        return render(request, "metrics/requests.html", context, status=400)
    window = {"start": str(result.window.start), "end": str(result.window.end)}
    base = reverse("dashboard-feature-request")
    context = {
        "result": result,
        "start_text": window["start"],
        "end_text": window["end"],
        "max_month": str(result.current_month),
        "rows": [(row, f"{base}?{_query(name=row.name, **window)}") for row in result.rows],
        "chart": json.loads(
            feature_requests_figure(result.rows, currency=result.currency).to_json()
        ),
    }
    return render(request, "metrics/requests.html", context)


def _csv_url(url_name: str, **params) -> str:
    return f"{reverse(url_name)}?{_query(**params, format='csv')}"


def _page(text: str) -> int:
    try:
        page = int(text or 1)
    except ValueError:
        raise BadPeriod(f"page: {text!r} is not a page number") from None
    if page < 1:
        raise BadPeriod("page: pages start at 1")
    return page


def feature_request_page(request):
    start_text, end_text = _window_text(request)
    name = request.GET.get("name", "").strip()
    now = timezone.now()
    list_url = reverse("dashboard-feature-requests")
    back = f"{list_url}?{_query(start=start_text, end=end_text)}".rstrip("?")
    try:
        if not name:
            raise UnknownRequest("name: choose a requested thing from the list")
        page = _page(request.GET.get("page", "").strip())
        detail = feature_request_detail(
            name=name, window=_window(start_text, end_text, now), now=now
        )
    except (BadPeriod, UnknownRequest) as exc:
        context = {
            "error": f"Cannot show this feature request: {exc}.",
            "name": name,
            "start_text": start_text,
            "end_text": end_text,
            "keep": {"name": name},
            "back": back,
        }
        return render(request, "metrics/requests_detail.html", context, status=400)
    window = {"start": str(detail.window.start), "end": str(detail.window.end)}
    here = reverse("dashboard-feature-request")
    first = (page - 1) * TICKETS_PER_PAGE
    pages = {
        "number": page,
        "previous": page - 1 if page > 1 else None,
        "next": page + 1 if first + TICKETS_PER_PAGE < len(detail.tickets) else None,
        "last": max(1, -(-len(detail.tickets) // TICKETS_PER_PAGE)),
    }
    context = {
        "detail": detail,
        "row": detail.row,
        "name": detail.row.name,
        "start_text": window["start"],
        "end_text": window["end"],
        "max_month": str(detail.current_month),
        "keep": {"name": detail.row.name},
        "back": f"{list_url}?{_query(**window)}",
        "pages": pages,
        "tickets": detail.tickets[first : first + TICKETS_PER_PAGE],
        "page_url": f"{here}?{_query(name=detail.row.name, **window)}&page=",
        # The API's CSV of every row (the `api_csv_url` tag cannot take a `name`).
        "customers_csv": _csv_url(
            "api:metrics-feature-request-customers", name=detail.row.name, **window
        ),
        "tickets_csv": _csv_url(
            "api:metrics-feature-request-tickets", name=detail.row.name, **window
        ),
    }
    return render(request, "metrics/requests_detail.html", context)

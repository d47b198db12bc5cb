"""The feature-requests page (ranked by the LTV of the customers asking) and one request's
drill-down (its customers and tickets)."""

from __future__ import annotations

import json

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from ..cached import feature_request_detail_cached, feature_requests_cached
from ..figures.requests import feature_requests_figure
from ..periods import BadPeriod
from ..requests import UnknownRequest
from .params import asked_window, page_number, query_string, window_text

TICKETS_PER_PAGE = 50


def feature_requests_dashboard(request):
    start_text, end_text = window_text(request)
    now = timezone.now()
    try:
        result = feature_requests_cached(window=asked_window(start_text, end_text, now), now=now)
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
        "rows": [(row, f"{base}?{query_string(name=row.name, **window)}") for row in result.rows],
        "chart": json.loads(
            feature_requests_figure(result.rows, currency=result.currency).to_json()
        ),
    }
    return render(request, "metrics/requests.html", context)


def _csv_url(url_name: str, **params) -> str:
    return f"{reverse(url_name)}?{query_string(**params, format='csv')}"


def feature_request_page(request):
    start_text, end_text = window_text(request)
    name = request.GET.get("name", "").strip()
    now = timezone.now()
    list_url = reverse("dashboard-feature-requests")
    back = f"{list_url}?{query_string(start=start_text, end=end_text)}".rstrip("?")
    try:
        if not name:
            raise UnknownRequest("name: choose a requested thing from the list")
        page = page_number(request.GET.get("page", "").strip())
        detail = feature_request_detail_cached(
            name=name, window=asked_window(start_text, end_text, now), now=now
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
        "back": f"{list_url}?{query_string(**window)}",
        "pages": pages,
        "tickets": detail.tickets[first : first + TICKETS_PER_PAGE],
        "page_url": f"{here}?{query_string(name=detail.row.name, **window)}&page=",
        # The API's CSV of every row (the `api_csv_url` tag cannot take a `name`).
        "customers_csv": _csv_url(
            "api:metrics-feature-request-customers", name=detail.row.name, **window
        ),
        "tickets_csv": _csv_url(
            "api:metrics-feature-request-tickets", name=detail.row.name, **window
        ),
    }
    return render(request, "metrics/requests_detail.html", context)

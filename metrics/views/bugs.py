"""The bugs page (groups ranked by the MRR they hit) and one group's tickets."""

from __future__ import annotations

import json

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from supportops.models import Source

from ..bug_tickets import BadBugKey
from ..cached import bug_group_detail_cached, bug_impact_cached
from ..figures.bugs import bug_impact_figure
from ..periods import BadPeriod
from .params import asked_window, page_number, query_string, window_text

TICKETS_PER_PAGE = 50
SOURCE_LABELS = dict(Source.choices)


def _reference(key: str) -> str:
    """ "Zendesk #123" for a problem's key, "" for a tag's."""
    kind, _, rest = key.partition(":")
    if kind != "problem":
        return ""
    source, _, external_id = rest.partition(":")
    return f"{SOURCE_LABELS.get(source, source)} #{external_id}"


def bugs_dashboard(request):
    start_text, end_text = window_text(request)
    now = timezone.now()
    try:
        result = bug_impact_cached(window=asked_window(start_text, end_text, now), now=now)
    except BadPeriod as exc:
        context = {
            "error": f"Cannot show the bugs: {exc}.",
            "start_text": start_text,
            "end_text": end_text,
        }
        return render(request, "metrics/bugs.html", context, status=400)
    window = {"start": str(result.window.start), "end": str(result.window.end)}
    group_url = reverse("dashboard-bug-group")
    context = {
        "result": result,
        "start_text": window["start"],
        "end_text": window["end"],
        "max_month": str(result.current_month),
        "rows": [
            (row, f"{group_url}?{query_string(key=row.key, **window)}", _reference(row.key))
            for row in result.rows
        ],
        "chart": json.loads(bug_impact_figure(result).to_json()),
    }
    return render(request, "metrics/bugs.html", context)


def bug_group_page(request):
    start_text, end_text = window_text(request)
    key = request.GET.get("key", "").strip()
    now = timezone.now()
    list_url = reverse("dashboard-bugs")
    back = f"{list_url}?{query_string(start=start_text, end=end_text)}".rstrip("?")
    try:
        if not key:
            raise BadBugKey("key: choose a bug from the list")
        detail = bug_group_detail_cached(
            key=key,
            window=asked_window(start_text, end_text, now),
            now=now,
            page=page_number(request.GET.get("page", "").strip()),
            page_size=TICKETS_PER_PAGE,
        )
    except (BadPeriod, BadBugKey) as exc:
        context = {
            "error": f"Cannot show this bug: {exc}.",
            "key": key,
            "start_text": start_text,
            "end_text": end_text,
            "keep": {"key": key},
            "back": back,
        }
        return render(request, "metrics/bugs_group.html", context, status=400)
    listed = detail.tickets
    window = {"start": str(listed.window.start), "end": str(listed.window.end)}
    here = reverse("dashboard-bug-group")
    context = {
        "detail": detail,
        "impact": detail.impact,
        "group": detail.group,
        "reference": _reference(listed.key),
        "listed": listed,
        "start_text": window["start"],
        "end_text": window["end"],
        "max_month": str(listed.current_month),
        "keep": {"key": listed.key},
        "back": f"{list_url}?{query_string(**window)}",
        "previous_page": listed.page - 1 if listed.page > 1 else None,
        "next_page": listed.page + 1 if listed.has_next else None,
        "page_url": f"{here}?{query_string(key=listed.key, **window)}&page=",
    }
    return render(request, "metrics/bugs_group.html", context)

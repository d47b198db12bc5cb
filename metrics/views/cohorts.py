"""The support cohorts page: customers who talked to support against those who did not."""

import json
from datetime import UTC
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from ..cached import support_cohorts_cached
from ..cohort_results import VARIANT_LABELS, VARIANTS, WINDOW
from ..figures.cohorts import cohort_rates_figure, cohort_usage_figure
from ..periods import BadPeriod, Window, window_from_text

TEMPLATE = "metrics/cohorts.html"


def _href(variant: str, window: Window | None = None) -> str:
    query = {}
    if variant != WINDOW:
        query["variant"] = variant
    if window is not None:
        query.update(start=str(window.start), end=str(window.end))
    base = reverse("dashboard-cohorts")
    return f"{base}?{urlencode(query)}" if query else base


def _variant_links(selected: str, window_for) -> list[dict]:
    """The variant switch; `window_for(variant)` is the window its link keeps (or None)."""
    return [
        {
            "variant": variant,
            "label": VARIANT_LABELS[variant],
            "href": _href(variant, window_for(variant)),
            "current": variant == selected,
        }
        for variant in VARIANTS
    ]


def cohorts_dashboard(request):
    start_text = request.GET.get("start", "").strip()
    end_text = request.GET.get("end", "").strip()
    variant = request.GET.get("variant", "").strip() or WINDOW
    now = timezone.now()
    try:
        if variant not in VARIANTS:
            raise BadPeriod(f"variant: unknown {variant!r}; use {' or '.join(VARIANTS)}")
        window = None
        if start_text or end_text:
            # The zone only cuts the default window, which is never asked for here.
            window = window_from_text(start_text, end_text, now=now, tz=UTC)
        result = support_cohorts_cached(window=window, variant=variant, now=now)
    except BadPeriod as exc:
        latest = getattr(exc, "latest", None)
        known = variant if variant in VARIANTS else WINDOW
        context = {
            "error": f"Cannot show these cohorts: {exc}.",
            "start_text": start_text,
            "end_text": end_text,
            "variant": known,
            "keep": {"variant": known if known != WINDOW else ""},
            "latest": latest,
            "latest_href": _href(known, latest) if latest else _href(known),
            "variant_links": _variant_links(known, lambda _: None),
        }
        return render(request, TEMPLATE, context, status=400)

    def keeps_window(other: str) -> Window | None:
        # Switching variant keeps the window when the other variant offers it.
        fits = result.window.end <= result.latest_end[other]
        return result.window if (start_text or end_text) and fits else None

    # The latest window of the same length whose retention is known, for a link.
    known_end = result.retention_known_end
    retention_window = Window(known_end.shift(1 - len(result.window.months)), known_end)
    context = {
        "result": result,
        "support": result.support,
        "no_support": result.no_support,
        "variant": variant,
        "start_text": str(result.window.start),
        "end_text": str(result.window.end),
        "max_month": str(result.latest_end[variant]),
        "keep": {"variant": variant if variant != WINDOW else ""},
        "variant_links": _variant_links(variant, keeps_window),
        "retention_window": retention_window,
        "retention_href": _href(WINDOW, retention_window),
        "rates_chart": json.loads(cohort_rates_figure(result).to_json()),
        "usage_chart": json.loads(cohort_usage_figure(result).to_json()),
    }
    return render(request, TEMPLATE, context)

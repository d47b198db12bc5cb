"""The cost dashboard: a month's team cost and what it buys, and its trend."""

import json

from django.shortcuts import render
from django.utils import timezone

from ..cost import cost_overview
from ..figures.cost import cost_per_ticket_figure
from ..periods import BadPeriod, Month

TREND_MONTHS = 12


def cost_dashboard(request):
    month_text = request.GET.get("month", "").strip()
    try:
        month = Month.parse(month_text) if month_text else None
        overview = cost_overview(month=month, now=timezone.now(), months=TREND_MONTHS)
    except BadPeriod as exc:
        context = {
            "error": f"Cannot show that month: {exc}.",
            "month_text": month_text,
            "nearest": getattr(exc, "nearest", None),
        }
        return render(request, "metrics/cost.html", context, status=400)

    figure = cost_per_ticket_figure(overview.trend)
    context = {
        "overview": overview,
        "result": overview.current,
        "changes": overview.changes,
        "month_text": str(overview.month),
        "previous_month": overview.month.shift(-1) if overview.has_previous else None,
        "next_month": overview.month.shift(1) if overview.has_next else None,
        "trend_months": len(overview.trend),
        "chart": json.loads(figure.to_json()),
    }
    return render(request, "metrics/cost.html", context)

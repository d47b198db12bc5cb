"""Dashboards. Views parse the request, make one call into metrics and render."""

import json

from django.shortcuts import render
from django.utils import timezone

from .cost import cost_overview
from .figures.cost import cost_per_ticket_figure
from .periods import BadPeriod, Month

TREND_MONTHS = 12


def _neighbour(month: Month, step: int) -> Month | None:
    try:
        return month.shift(step)
    except BadPeriod:
        return None


def cost_dashboard(request):
    month_text = request.GET.get("month", "").strip()
    try:
        month = Month.parse(month_text) if month_text else None
        overview = cost_overview(month=month, now=timezone.now(), months=TREND_MONTHS)
    except BadPeriod as exc:
        context = {"error": f"Cannot show that month: {exc}.", "month_text": month_text}
        return render(request, "metrics/cost.html", context, status=400)

    figure = cost_per_ticket_figure(overview.trend)
    context = {
        "overview": overview,
        "result": overview.current,
        "month_text": str(overview.month),
        "previous_month": _neighbour(overview.month, -1),
        "next_month": _neighbour(overview.month, 1),
        "trend_months": TREND_MONTHS,
        "chart": json.loads(figure.to_json()),
    }
    return render(request, "metrics/cost.html", context)

"""The coverage page: a month's tickets per product group against the engineers assigned, the
last 12 months of it, and the hiring forecast."""

import json

from django.shortcuts import render
from django.utils import timezone

from ..cached import COVERAGE_TREND_MONTHS as TREND_MONTHS
from ..cached import FORECAST_MONTHS, coverage_page_cached
from ..cost import MonthUnavailable
from ..figures.coverage import coverage_figure
from ..periods import BadPeriod, Month


def coverage_dashboard(request):
    month_text = request.GET.get("month", "").strip()
    try:
        month = Month.parse(month_text) if month_text else None
        page = coverage_page_cached(
            month=month, now=timezone.now(), months=TREND_MONTHS, forecast_months=FORECAST_MONTHS
        )
    except BadPeriod as exc:
        context = {
            "error": f"Cannot show that month: {exc}.",
            "month_text": month_text,
            "nearest": exc.nearest if isinstance(exc, MonthUnavailable) else None,
        }
        return render(request, "metrics/coverage.html", context, status=400)
    forecast = page.forecast
    context = {
        "page": page,
        "result": page.current,
        "month_text": str(page.month),
        "previous_month": page.month.shift(-1),
        "next_month": page.month.shift(1) if page.month < page.current_month else None,
        "over_count": sum(row.over_capacity for row in page.current.rows),
        "chart": json.loads(coverage_figure(page.trend).to_json()),
        "forecast": forecast,
        "forecast_first": forecast.groups[0].forecast[0].month
        if forecast.groups and forecast.groups[0].forecast
        else None,
    }
    return render(request, "metrics/coverage.html", context)

"""The Overview, the landing page: one card per question for a month, each headline against the
period before and linking to its page, and the data freshness of every source in full."""

from django.shortcuts import render
from django.utils import timezone

from ..cost import MonthUnavailable
from ..overview_cache import default_month, overview_cached
from ..periods import BadPeriod, Month


def overview_dashboard(request):
    month_text = request.GET.get("month", "").strip()
    now = timezone.now()
    try:
        month = Month.parse(month_text) if month_text else default_month(now)
        result = overview_cached(month=month, now=now)
    except BadPeriod as exc:
        context = {
            "error": f"Cannot show that month: {exc}.",
            "month_text": month_text,
            "nearest": exc.nearest if isinstance(exc, MonthUnavailable) else None,
        }
        return render(request, "metrics/overview.html", context, status=400)
    month = result.month
    first = result.first_month
    context = {
        "result": result,
        "month_text": str(month),
        "previous_month": month.shift(-1) if first and month > first else None,
        "next_month": month.shift(1) if month < result.current_month else None,
    }
    return render(request, "metrics/overview.html", context)

"""Dashboards. Views parse the request, make one call into metrics and render."""

import json

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from .cost import cost_overview
from .customers import DEFAULT_SORT, BadSort, customer_detail, customer_list, unmatched_rows
from .figures.cost import cost_per_ticket_figure
from .figures.customers import customer_activity_figure
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


def customer_list_view(request):
    sort = request.GET.get("sort", DEFAULT_SORT)
    search = request.GET.get("search", "")
    try:
        page = customer_list(
            now=timezone.now(), search=search, sort=sort, page=request.GET.get("page", 1)
        )
    except BadSort as exc:
        context = {"error": f"Cannot sort the customers: {exc}.", "search": search.strip()}
        return render(request, "metrics/customers.html", context, status=400)
    return render(request, "metrics/customers.html", {"page": page, "search": page.search})


def customer_detail_view(request, customer_id: int):
    detail = customer_detail(customer_id=customer_id, now=timezone.now())
    if detail is None:
        raise Http404("No such customer.")
    figure = customer_activity_figure(detail.months)
    context = {
        "detail": detail,
        "customer": detail.customer,
        "chart": json.loads(figure.to_json()),
    }
    return render(request, "metrics/customers_detail.html", context)


def customer_unmatched_view(request):
    return render(request, "metrics/customers_unmatched.html", {"rows": unmatched_rows()})

"""The cost dashboard: a month's team cost and what it buys, its trend, where the cost goes
(allocation by channel, bucket or plan) and support cost vs revenue per customer."""

import json
from urllib.parse import urlencode

from django.shortcuts import render
from django.utils import timezone

from ..allocation_results import BASES, BASIS_REPLIES, BY_CHANNEL
from ..cached import COST_TREND_MONTHS as TREND_MONTHS
from ..cached import cost_page_cached
from ..cost_page import PAGE_GROUPINGS, BadChoice
from ..figures.allocation import allocation_figure
from ..figures.cost import cost_per_ticket_figure
from ..periods import BadPeriod, Month

ANCHOR = "where-the-cost-goes"
GROUPING_LABELS = {"channel": "Channel", "bucket": "Paying / free", "plan": "Plan"}
BASIS_LABELS = {"replies": "By replies", "tickets": "By tickets"}


def _switch(choices, labels, current: str, query: dict, name: str) -> list[dict]:
    """Links that change one parameter and keep the others (month, by, basis)."""
    links = []
    for choice in choices:
        params = {**query, name: choice}
        links.append(
            {
                "label": labels[choice],
                "href": f"?{urlencode({k: v for k, v in params.items() if v})}#{ANCHOR}",
                "current": choice == current,
            }
        )
    return links


def _times(ratio) -> str:
    """Support cost as a multiple of revenue: "21.7×", "0.35×"; "no revenue" without any."""
    if ratio is None:
        return "no revenue"
    return f"{ratio:,.1f}×" if ratio >= 10 else f"{ratio:,.2f}×"


def cost_dashboard(request):
    month_text = request.GET.get("month", "").strip()
    by = request.GET.get("by", "").strip() or BY_CHANNEL
    basis = request.GET.get("basis", "").strip() or BASIS_REPLIES
    month = None
    try:
        month = Month.parse(month_text) if month_text else None
        page = cost_page_cached(
            month=month, by=by, basis=basis, now=timezone.now(), months=TREND_MONTHS
        )
    except (BadPeriod, BadChoice) as exc:
        bad_choice = isinstance(exc, BadChoice)
        context = {
            "error": f"Cannot show {'that allocation' if bad_choice else 'that month'}: {exc}.",
            "month_text": month_text,
            "nearest": getattr(exc, "nearest", None),
            # the month was fine: offer it with the default grouping
            "retry_month": month if bad_choice else None,
        }
        return render(request, "metrics/cost.html", context, status=400)

    overview, allocation, margin = page.overview, page.allocation, page.margin
    query = {"month": str(overview.month), "by": by, "basis": basis}
    context = {
        "overview": overview,
        "result": overview.current,
        "changes": overview.changes,
        "month_text": str(overview.month),
        "previous_month": overview.month.shift(-1) if overview.has_previous else None,
        "next_month": overview.month.shift(1) if overview.has_next else None,
        "trend_months": len(overview.trend),
        "chart": json.loads(cost_per_ticket_figure(overview.trend).to_json()),
        "allocation": allocation,
        "allocation_chart": json.loads(allocation_figure(allocation).to_json()),
        "by_links": _switch(PAGE_GROUPINGS, GROUPING_LABELS, by, query, "by"),
        "basis_links": _switch(BASES, BASIS_LABELS, basis, query, "basis"),
        "margin": margin,
        "margin_rows": [(row, _times(row.cost_to_revenue)) for row in margin.rows],  # the worst
        "margin_shown": len(margin.rows),
    }
    return render(request, "metrics/cost.html", context)

"""The support operations page: a month's tickets by product, channel or plan, the medians we
recompute beside the vendor's, and why they differ."""

import json
from urllib.parse import urlencode

from django.shortcuts import render
from django.utils import timezone

from ..cached import support_ops_cached
from ..cost import MonthUnavailable
from ..figures.support_ops import support_ops_first_reply_figure, support_ops_volume_figure
from ..periods import BadPeriod, Month
from ..support_ops import BadGrouping
from ..support_ops_notes import row_notes
from ..support_ops_results import BY_PRODUCT, GROUPINGS

TEMPLATE = "metrics/support_ops.html"
BY_LABELS = {"product": "Product", "channel": "Channel", "plan": "Plan"}


def _by_links(month: Month, by: str) -> list[dict]:
    """The by-switch: each link keeps the month."""
    return [
        {
            "label": BY_LABELS[choice],
            "href": f"?{urlencode({'month': str(month), 'by': choice})}",
            "current": choice == by,
        }
        for choice in GROUPINGS
    ]


def support_ops_dashboard(request):
    month_text = request.GET.get("month", "").strip()
    by = request.GET.get("by", "").strip() or BY_PRODUCT
    now = timezone.now()
    try:
        month = Month.parse(month_text) if month_text else None
        result = support_ops_cached(month=month, by=by, now=now)
    except (BadPeriod, BadGrouping) as exc:
        bad_by = isinstance(exc, BadGrouping)
        context = {
            "error": f"Cannot show {'that grouping' if bad_by else 'that month'}: {exc}.",
            "month_text": month_text,
            "nearest": exc.nearest if isinstance(exc, MonthUnavailable) else None,
            "retry_month": month_text if bad_by else None,
        }
        return render(request, TEMPLATE, context, status=400)
    context = {
        "result": result,
        "month_text": str(result.month),
        "keep": {"by": by},
        "previous_month": result.month.shift(-1),
        "next_month": result.month.shift(1) if result.month < result.current_month else None,
        "by_label": BY_LABELS[by],
        "by_links": _by_links(result.month, by),
        "rows": [(row, row_notes(row)) for row in result.rows],
        "total_notes": row_notes(result.total),
        "volume_chart": json.loads(support_ops_volume_figure(result).to_json()),
        "first_reply_chart": json.loads(support_ops_first_reply_figure(result).to_json()),
    }
    return render(request, TEMPLATE, context)

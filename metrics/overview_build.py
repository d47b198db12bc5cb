"""The Overview's "What should we build next?": the top feature request by LTV and the top bug
group by MRR affected over the window, each against the same request or group the window before
(metrics/requests.py and metrics/bugs.py define them; nothing is recomputed here)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from .bugs import bug_impact
from .overview_results import BUILD_NEXT, MONEY, Headline
from .overview_text import change, money, plural, url, window_params
from .periods import Window
from .requests import feature_requests
from .results import Change


def _top(
    key: str,
    label: str,
    rows: tuple,
    earlier: tuple,
    *,
    ident: Callable,
    title: Callable,
    figure: str,
    link: Callable,
    page: str,
    reading: Callable,
    window: Window,
    before: Window,
    nothing: str,
) -> Headline:
    """The first row of a ranked list, against the same thing's figure the window before."""
    if not rows:
        return Headline(key, BUILD_NEXT, label, None, None, Change(None, ""), MONEY,
                        window.label, link(None), page, nothing, nothing)  # fmt: skip
    top = rows[0]
    value = getattr(top, figure)
    same = next((row for row in earlier if ident(row) == ident(top)), None)
    previous = None if same is None else getattr(same, figure)
    return Headline(
        key=key,
        question=BUILD_NEXT,
        label=f"{label}: {title(top)}",
        value=value,
        previous=previous,
        change=change(value, previous, before.label),
        unit=MONEY,
        period=window.label,
        link=link(top),
        page=page,
        reading=reading(top, same),
    )


def build_headlines(window: Window, before: Window, now: datetime, currency: str) -> list[Headline]:
    requests, requests_before = (feature_requests(window=w, now=now) for w in (window, before))
    bugs, bugs_before = (bug_impact(window=w, now=now) for w in (window, before))
    span = window_params(window)
    request = _top(
        "top_feature_request",
        "Top feature request",
        requests.rows,
        requests_before.rows,
        ident=lambda row: row.name,
        title=lambda row: row.label,
        figure="ltv_sum",
        link=lambda row: (
            url("dashboard-feature-request", name=row.name, **span)
            if row
            else url("dashboard-feature-requests", **span)
        ),
        page="Feature requests",
        reading=lambda row, same: (
            f"LTV of the {plural(row.customers, 'customer')} asking ({plural(row.tickets, 'ticket')}); "
            + (
                "new this window."
                if same is None
                else f"{before.label}: {plural(same.tickets, 'ticket')}."
            )
        ),
        window=window,
        before=before,
        nothing=f"No ticket in {window.label} matched a feature-request pattern.",
    )
    bug = _top(
        "top_bug",
        "Top bug by MRR affected",
        bugs.rows,
        bugs_before.rows,
        ident=lambda row: row.key,
        title=lambda row: row.title,
        figure="mrr",
        link=lambda row: (
            url("dashboard-bug-group", key=row.key, **span)
            if row
            else url("dashboard-bugs", **span)
        ),
        page="Bugs",
        reading=lambda row, same: (
            f"MRR of the {plural(row.customers, 'customer')} affected ({plural(row.tickets, 'ticket')}, "
            f"{money(row.support_cost, currency)} of support cost)."
        ),
        window=window,
        before=before,
        nothing=f"No bug ticket (problem or bug tag) was created in {window.label}.",
    )
    return [request, bug]

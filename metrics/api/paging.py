"""Pages of a metric's list: the JSON holds one page (`page`, `page_size`, `count`, `next`,
`previous`); a CSV download holds the whole list, so "Download CSV" never stops at a page."""

from __future__ import annotations

from collections.abc import Sequence

from rest_framework.utils.urls import remove_query_param, replace_query_param


def wants_csv(request) -> bool:
    renderer = getattr(request, "accepted_renderer", None)
    return getattr(renderer, "format", None) == "csv"


def page_links(request, *, page: int, has_next: bool) -> tuple[str | None, str | None]:
    """(next, previous): this request's URL with the page before or after, or None."""
    url = request.build_absolute_uri()
    following = replace_query_param(url, "page", page + 1) if has_next else None
    if page <= 1:
        return following, None
    if page == 2:
        return following, remove_query_param(url, "page")
    return following, replace_query_param(url, "page", page - 1)


def paginate(request, rows: Sequence, *, page: int, page_size: int) -> dict:
    """`rows` cut to the page asked for (all of them for a CSV), with the paging fields."""
    if wants_csv(request):
        return {
            "count": len(rows),
            "page": 1,
            "page_size": len(rows),
            "next": None,
            "previous": None,
            "rows": list(rows),
        }
    first = (page - 1) * page_size
    following, before = page_links(request, page=page, has_next=first + page_size < len(rows))
    return {
        "count": len(rows),
        "page": page,
        "page_size": page_size,
        "next": following,
        "previous": before,
        "rows": list(rows[first : first + page_size]),
    }

"""Intercom's search language and cursor pages, over any list of records.

A query is a tree: groups ``{"operator": "AND"|"OR", "value": [...]}`` of filters
``{"field", "operator", "value"}``, at most two levels deep and 15 filters per group. Pages are
keyset pages: ``starting_after`` encodes the (sort value, id) of the last record served, as the
real cursor does (``WzE3MDAwMDAwMDAwMDAsMTIzXQ==`` is ``[1700000000000,123]``).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_PER_PAGE = 150
DEFAULT_PER_PAGE = 20
MAX_FILTERS = 15
MAX_DEPTH = 2


class BadRequest(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


Fields = Callable[[Any], dict[str, Any]]


def matcher(query: Any, fields: Fields) -> Callable[[Any], bool]:
    """Compile a query (``None`` matches everything) into a predicate on records."""
    if query is None:
        return lambda record: True
    test = _compile(query, depth=0)
    return lambda record: test(fields(record))


def _compile(node: Any, *, depth: int) -> Callable[[dict], bool]:
    if not isinstance(node, dict) or "operator" not in node:
        raise BadRequest("parameter_invalid", f"malformed query node: {node!r}")
    operator = node["operator"]
    if operator in ("AND", "OR"):
        children = node.get("value")
        if depth >= MAX_DEPTH:
            raise BadRequest("parameter_invalid", "queries support at most 2 levels of nesting")
        if not isinstance(children, list) or not children:
            raise BadRequest("parameter_invalid", f"{operator} needs a list of filters")
        if len(children) > MAX_FILTERS:
            raise BadRequest("parameter_invalid", f"at most {MAX_FILTERS} filters per group")
        tests = [_compile(child, depth=depth + 1) for child in children]
        combine = all if operator == "AND" else any
        return lambda row: combine(test(row) for test in tests)
    return _leaf(node)


def _leaf(node: dict) -> Callable[[dict], bool]:
    name, operator, value = node.get("field"), node["operator"], node.get("value")
    if not isinstance(name, str):
        raise BadRequest("parameter_invalid", f"filter without a field: {node!r}")
    compare: dict[str, Callable[[Any], bool]] = {
        "=": lambda have: have == value,
        "!=": lambda have: have != value,
        ">": lambda have: have is not None and have > value,
        "<": lambda have: have is not None and have < value,
        "IN": lambda have: have in value,
        "NIN": lambda have: have not in value,
        "~": lambda have: isinstance(have, str) and str(value) in have,
    }
    if operator not in compare:
        raise BadRequest("parameter_invalid", f"unsupported operator {operator!r}")
    if operator in (">", "<") and not isinstance(value, int | float):
        raise BadRequest("parameter_invalid", f"{name} {operator} needs a number, got {value!r}")
    test = compare[operator]

    def run(row: dict) -> bool:
        if name not in row:
            raise BadRequest("parameter_invalid", f"{name!r} is not a searchable field")
        return test(row[name])

    return run


def encode_cursor(sort_value: int, record_id: int | str) -> str:
    return base64.b64encode(
        json.dumps([sort_value * 1000, record_id], separators=(",", ":")).encode()
    ).decode()


def decode_cursor(cursor: str) -> tuple[int, Any]:
    try:
        value, record_id = json.loads(base64.b64decode(cursor.encode(), validate=True))
        return int(value) // 1000, record_id
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise BadRequest("parameter_invalid", "starting_after is invalid") from None


@dataclass(frozen=True)
class SearchPage:
    items: list[Any]
    total: int
    page: int
    per_page: int
    total_pages: int
    next_cursor: str | None

    def pages(self) -> dict:
        body: dict[str, Any] = {
            "type": "pages",
            "page": self.page,
            "per_page": self.per_page,
            "total_pages": self.total_pages,
        }
        if self.next_cursor is not None:
            body["next"] = {"per_page": self.per_page, "starting_after": self.next_cursor}
        return body


def search_page(
    records: list[Any],
    *,
    fields: Fields,
    query: Any,
    sort: Any,
    per_page: Any,
    starting_after: str | None,
    default_sort: str = "updated_at",
) -> SearchPage:
    per_page = DEFAULT_PER_PAGE if per_page is None else per_page
    if not isinstance(per_page, int) or not 1 <= per_page <= MAX_PER_PAGE:
        raise BadRequest("per_page_invalid", f"per_page must be 1..{MAX_PER_PAGE}")
    sort = sort or {"field": default_sort, "order": "ascending"}
    field, order = sort.get("field"), sort.get("order", "ascending")
    if order not in ("ascending", "descending"):
        raise BadRequest("parameter_invalid", f"sort order {order!r} is invalid")
    keep = matcher(query, fields)
    rows = [(fields(r), r) for r in records]
    if rows and field not in rows[0][0]:
        raise BadRequest("parameter_invalid", f"cannot sort by {field!r}")
    descending = order == "descending"
    matched = sorted(
        ((row[field], row["id"], r) for row, r in rows if keep(r)),
        key=lambda item: (item[0], item[1]),
        reverse=descending,
    )
    start = 0
    if starting_after:
        after = decode_cursor(starting_after)
        keys = [(value, rid) for value, rid, _ in matched]
        start = sum(1 for key in keys if (key >= after if descending else key <= after))
    chunk = matched[start : start + per_page]
    more = start + per_page < len(matched)
    total_pages = max(1, -(-len(matched) // per_page))
    cursor = encode_cursor(chunk[-1][0], chunk[-1][1]) if chunk and more else None
    return SearchPage(
        items=[r for _, _, r in chunk],
        total=len(matched),
        page=start // per_page + 1,
        per_page=per_page,
        total_pages=total_pages,
        next_cursor=cursor,
    )

"""The SOQL subset a sync sends, and Salesforce's record JSON.

Supported: ``SELECT f1, f2 FROM Obj [WHERE f op literal [AND ...]] [ORDER BY f [ASC|DESC]]
[LIMIT n]`` with datetime, date, number, boolean, null and quoted string literals. Anything
else is a MALFORMED_QUERY; an unknown object or field fails the way Salesforce does.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from .salesforce_data import FIELDS

QUERY = re.compile(
    r"SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<sobject>\w+)"
    r"(?:\s+WHERE\s+(?P<where>.+?))?"
    r"(?:\s+ORDER\s+BY\s+(?P<order>\w+)(?:\s+(?P<direction>ASC|DESC))?)?"
    r"(?:\s+LIMIT\s+(?P<limit>\d+))?\s*",
    re.IGNORECASE | re.DOTALL,
)
CONDITION = re.compile(r"\s*(?P<field>\w+)\s*(?P<op>>=|<=|!=|=|>|<)\s*(?P<value>\S+)\s*")
OPS = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "=": operator.eq,
    "!=": operator.ne,
}
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class SoqlError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Query:
    sobject: str
    fields: list[str]
    where: list[tuple[str, str, Any]]
    order: str | None
    descending: bool
    limit: int | None


def parse(text: str) -> Query:
    match = QUERY.fullmatch(text.strip())
    if match is None:
        raise SoqlError("MALFORMED_QUERY", f"unexpected token in query: {text[:80]!r}")
    sobject = match["sobject"]
    known = {name.lower(): name for name in FIELDS}
    if sobject.lower() not in known:
        raise SoqlError(
            "INVALID_TYPE",
            f"sObject type '{sobject}' is not supported. If you are attempting to use a custom "
            "object, be sure to append the '__c' after the entity name.",
        )
    sobject = known[sobject.lower()]
    fields = [_field(sobject, name.strip()) for name in match["fields"].split(",")]
    where = []
    if match["where"]:
        for part in re.split(r"\s+AND\s+", match["where"], flags=re.IGNORECASE):
            condition = CONDITION.fullmatch(part)
            if condition is None:
                raise SoqlError("MALFORMED_QUERY", f"unexpected condition: {part.strip()!r}")
            name = _field(sobject, condition["field"])
            where.append((name, condition["op"], _literal(condition["value"])))
    order = _field(sobject, match["order"]) if match["order"] else None
    descending = (match["direction"] or "").upper() == "DESC"
    limit = int(match["limit"]) if match["limit"] else None
    return Query(sobject, fields, where, order, descending, limit)


def run(query: Query, rows: list[dict], *, include_deleted: bool) -> list[dict]:
    """Filter, sort and limit rows; returns them with only the selected fields."""
    kept = [
        row
        for row in rows
        if (include_deleted or not row["IsDeleted"]) and all(_holds(row, c) for c in query.where)
    ]
    if query.order:
        kept.sort(key=lambda row: (_sortable(row[query.order]), row["Id"]))
        if query.descending:
            kept.reverse()
    else:
        kept.sort(key=lambda row: row["Id"])
    if query.limit is not None:
        kept = kept[: query.limit]
    return [{name: row[name] for name in query.fields} | {"Id": row["Id"]} for row in kept]


def render(sobject: str, row: dict, selected: list[str], version: str) -> dict:
    """One record as Salesforce sends it: attributes first, then the selected fields in order."""
    body: dict[str, Any] = {
        "attributes": {
            "type": sobject,
            "url": f"/services/data/v{version}/sobjects/{sobject}/{row['Id']}",
        }
    }
    for name in selected:
        body[name] = _json(row[name])
    return body


def _field(sobject: str, name: str) -> str:
    for known in FIELDS[sobject]:
        if known.lower() == name.lower():
            return known
    raise SoqlError(
        "INVALID_FIELD",
        f"No such column '{name}' on entity '{sobject}'. If you are attempting to use a custom "
        "field, be sure to append the '__c' after the custom field name.",
    )


def _literal(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    if DATETIME.fullmatch(text):
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    if DATE.fullmatch(text):
        return date.fromisoformat(text)
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1]
    try:
        return float(text)
    except ValueError:
        raise SoqlError("MALFORMED_QUERY", f"unexpected literal: {text!r}") from None


def _holds(row: dict, condition: tuple[str, str, Any]) -> bool:
    name, op, value = condition
    have = row[name]
    if value is None or have is None:
        return OPS[op](have, value) if op in ("=", "!=") else False
    try:
        return OPS[op](have, value)
    except TypeError:
        raise SoqlError(
            "INVALID_QUERY_FILTER_OPERATOR",
            f"value of filter criterion for field '{name}' must be of type "
            f"{type(have).__name__} and should not be enclosed in quotes",
        ) from None


def _sortable(value: Any) -> tuple:
    return (value is not None, value if value is not None else 0)


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        at = value.astimezone(UTC)
        return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}+0000"
    if isinstance(value, date):
        return value.isoformat()
    return value

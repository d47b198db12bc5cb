"""What a customers list request asks for: its sort, its filters, and the form that shows them.

Plain parsing with no database, so the list page, its CSV and the API read GET parameters the
same way and refuse a bad value with the same message: the parser and the orderings live in
the core (supportops/customer_filters.py, which the API shares); the page's names and its form
are here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from supportops.customer_filters import (
    FILTER_PARAMS,
    MAX_MIN_MRR,
    MAX_STALE_DAYS,
    NO_PLAN,
    BadFilter,
    BadSort,
    CustomerFilters,
    ordering,
)

__all__ = [
    "FILTER_PARAMS",
    "MAX_MIN_MRR",
    "MAX_STALE_DAYS",
    "NO_PLAN",
    "SORTS",
    "BadFilter",
    "BadSort",
    "CustomerFilters",
    "customer_filter_form",
    "sort_ordering",
]

# ?sort= value → the core ordering it names (supportops/customer_filters.py ORDERINGS): every
# one reads an indexed column of Customer. "tickets" is the all-time count the sync keeps.
SORTS = {
    "name": "name",
    "-name": "-name",
    "mrr": "mrr",
    "-mrr": "-mrr",
    "tickets": "ticket_count",
    "-tickets": "-ticket_count",
    "last_contact": "last_contact_at",
    "-last_contact": "-last_contact_at",
}
DEFAULT_SORT = "name"
# Column → the sort a first click asks for (biggest first for figures, A→Z for names).
FIRST_SORT = {"name": "name", "mrr": "-mrr", "tickets": "-tickets", "last_contact": "-last_contact"}

# The "stale high-value accounts" preset: paying customers nobody has talked to in this many
# days, highest MRR first. `stale_days` stays editable in the URL and the form.
STALE_PRESET_DAYS = 60


def stale_preset_query(days: int = STALE_PRESET_DAYS) -> dict[str, str]:
    return {"paying": "yes", "stale_days": str(days), "sort": "-mrr"}


def sort_ordering(sort: str) -> tuple:
    """ORDER BY for a ?sort= value; an unknown one raises BadSort."""
    return ordering(sort, param="sort", names=SORTS)


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    selected: bool = False


@dataclass(frozen=True)
class FilterForm:
    """The filter form as the user filled it in: typed values kept, even unusable ones."""

    values: Mapping[str, str]  # FILTER_PARAMS and "sort" → the text as typed
    plan_options: tuple[Option, ...]
    paying_options: tuple[Option, ...]
    enterprise_options: tuple[Option, ...]
    error_param: str | None = None

    @property
    def narrowed(self) -> bool:
        """Whether anything besides the search narrows the list."""
        return any(self.values[key].strip() for key in FILTER_PARAMS if key != "search")


def _options(current: str, choices: Iterable[tuple[str, str]]) -> tuple[Option, ...]:
    """A select's options; a value that is none of them is kept, marked unknown."""
    current = current.strip()
    options = [Option(value, label, value == current) for value, label in choices]
    if current and not any(option.selected for option in options):
        options.append(Option(current, f"{current} (unknown)", True))
    return tuple(options)


def customer_filter_form(
    *, query: Mapping[str, str], plans: Iterable[str], error_param: str | None = None
) -> FilterForm:
    """What the filter form shows for GET parameters `query`; `plans` are the plan choices."""
    values = {key: query.get(key) or "" for key in FILTER_PARAMS}
    sort = query.get("sort") or ""
    values["sort"] = sort if sort in SORTS and sort != DEFAULT_SORT else ""
    return FilterForm(
        values=values,
        plan_options=_options(
            values["plan"], [("", "Any plan"), (NO_PLAN, "No plan")] + [(p, p) for p in plans]
        ),
        paying_options=_options(values["paying"], [("", "Any"), ("yes", "Paying"), ("no", "Free")]),
        enterprise_options=_options(
            values["enterprise"], [("", "Any"), ("yes", "Enterprise"), ("no", "Not enterprise")]
        ),
        error_param=error_param,
    )

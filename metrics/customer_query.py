"""What a customers list request asks for: its sort, its filters, and the form that shows them.

Plain parsing with no database, so the list page, its CSV and the API read GET parameters the
same way and refuse a bad value with the same message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F

# ?sort= value → ORDER BY. Ties fall back to name and id so pages never shuffle.
SORTS = {
    "name": (F("name").asc(), F("id").asc()),
    "-name": (F("name").desc(), F("id").desc()),
    "mrr": (F("mrr_minor").asc(), F("name").asc(), F("id").asc()),
    "-mrr": (F("mrr_minor").desc(), F("name").asc(), F("id").asc()),
    "tickets": (F("recent_tickets").asc(), F("name").asc(), F("id").asc()),
    "-tickets": (F("recent_tickets").desc(), F("name").asc(), F("id").asc()),
    "last_contact": (F("last_contact_at").asc(nulls_first=True), F("name").asc(), F("id").asc()),
    "-last_contact": (F("last_contact_at").desc(nulls_last=True), F("name").asc(), F("id").asc()),
}
DEFAULT_SORT = "name"
# Column → the sort a first click asks for (biggest first for figures, A→Z for names).
FIRST_SORT = {"name": "name", "mrr": "-mrr", "tickets": "-tickets", "last_contact": "-last_contact"}


# The list's GET parameters besides sort and page.
FILTER_PARAMS = ("search", "plan", "paying", "enterprise", "stale_days", "min_mrr")
NO_PLAN = "none"  # ?plan=none: customers on no plan
MAX_STALE_DAYS = 3650
MAX_MIN_MRR = Decimal(10**12)  # far above any MRR, and minor units still fit a BIGINT
_YES_NO = {"yes": True, "no": False}
_WHOLE = re.compile(r"[0-9]{1,5}")  # few digits: int() refuses very long strings
_AMOUNT = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")


class BadSort(ValueError):
    """An unknown ?sort= value; the message is fit to show a user."""


class BadFilter(ValueError):
    """A filter value that cannot be used; `param` names it, the message is fit to show."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class CustomerFilters:
    """What the list (and its CSV) is narrowed to; None / empty means "any"."""

    search: str = ""
    plan: str = ""  # a plan's name as the list shows it, or NO_PLAN
    paying: bool | None = None
    enterprise: bool | None = None
    stale_days: int | None = None  # no public contact for at least this many days, or never
    min_mrr: Decimal | None = None  # major units, compared in each customer's own currency

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> CustomerFilters:
        """Filters from GET parameters (FILTER_PARAMS); an unusable value raises BadFilter.

        Whether a named plan exists is checked against the database by the list and the CSV.
        """
        text = {key: (query.get(key) or "").strip() for key in FILTER_PARAMS}
        return cls(
            search=text["search"],
            plan=text["plan"],
            paying=_yes_no("paying", text["paying"]),
            enterprise=_yes_no("enterprise", text["enterprise"]),
            stale_days=_stale_days(text["stale_days"]),
            min_mrr=_min_mrr(text["min_mrr"]),
        )


def _yes_no(param: str, text: str) -> bool | None:
    if not text:
        return None
    if text not in _YES_NO:
        raise BadFilter(param, f"{param} must be “yes” or “no”, not “{text}”")
    return _YES_NO[text]


def _stale_days(text: str) -> int | None:
    if not text:
        return None
    days = int(text) if _WHOLE.fullmatch(text) else 0
    if not 1 <= days <= MAX_STALE_DAYS:
        raise BadFilter(
            "stale_days",
            f"stale_days must be a whole number of days from 1 to {MAX_STALE_DAYS}, not “{text}”",
        )
    return days


def _min_mrr(text: str) -> Decimal | None:
    if not text:
        return None
    amount = Decimal(text) if _AMOUNT.fullmatch(text) else None
    if amount is None or amount > MAX_MIN_MRR:
        raise BadFilter(
            "min_mrr",
            "min_mrr must be an amount of 0 or more in major units (like 500 or 99.50), "
            f"not “{text}”",
        )
    return amount


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

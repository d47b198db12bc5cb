"""How a customers list is narrowed and ordered: one parser and one set of database expressions
for the list page, its CSV (metrics/) and the customers API (supportops/api/), which the layer
rules keep from importing each other.

Every ordering reads a column of Customer and ends with name and id, so pages never shuffle and
each has an index it can walk in order (migration 0012): no correlated subquery per customer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from .models import Customer, CustomerIdentity
from .money import ZERO_DECIMAL

_NAME = (F("name").asc(), F("id").asc())

# Order name → ORDER BY. "Never contacted" sorts as the stalest: first by last contact, last by
# most recent contact. LTV is MRR × one expected lifetime shared by every customer
# (supportops/ltv.py), so ordering by LTV is ordering by MRR, done on the indexed column.
ORDERINGS = {
    "name": _NAME,
    "-name": (F("name").desc(), F("id").desc()),
    "mrr": (F("mrr_minor").asc(), *_NAME),
    "-mrr": (F("mrr_minor").desc(), *_NAME),
    "ltv": (F("mrr_minor").asc(), *_NAME),
    "-ltv": (F("mrr_minor").desc(), *_NAME),
    "ticket_count": (F("ticket_count").asc(), *_NAME),
    "-ticket_count": (F("ticket_count").desc(), *_NAME),
    "last_contact_at": (F("last_contact_at").asc(nulls_first=True), *_NAME),
    "-last_contact_at": (F("last_contact_at").desc(nulls_last=True), *_NAME),
}

# The list's GET parameters besides the order and page.
FILTER_PARAMS = ("search", "plan", "paying", "enterprise", "stale_days", "min_mrr")
NO_PLAN = "none"  # ?plan=none: customers on no plan
MAX_STALE_DAYS = 3650
MAX_MIN_MRR = Decimal(10**12)  # far above any MRR, and minor units still fit a BIGINT
_YES_NO = {"yes": True, "no": False}
_WHOLE = re.compile(r"[0-9]{1,5}")  # few digits: int() refuses very long strings
_AMOUNT = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")


class BadSort(ValueError):
    """An unknown sort or order value; the message is fit to show a user."""


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
    stale_days: int | None = None  # no public contact in the last this many days, or never
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


def ordering(order: str, *, param: str = "sort", names: Mapping[str, str] | None = None) -> tuple:
    """ORDER BY for `order`; `names` maps the caller's own names to ORDERINGS keys."""
    names = names if names is not None else {key: key for key in ORDERINGS}
    if order not in names:
        raise BadSort(f"cannot sort by {order!r}; {param} must be one of {', '.join(names)}")
    return ORDERINGS[names[order]]


def search_q(text: str) -> Q:
    """Name or domain (contains, any case) or any source id or account key (exact).

    The ids are an EXISTS over the customer's identities, so a match never repeats a row
    and the count needs no DISTINCT.
    """
    by_id = CustomerIdentity.objects.filter(customer_id=OuterRef("pk")).filter(
        Q(external_id=text) | Q(account_key=text)
    )
    return Q(name__icontains=text) | Q(domains__icontains=text) | Exists(by_id)


def min_mrr_q(amount: Decimal) -> Q:
    """MRR ≥ `amount` major units of each customer's own currency (no conversion between them).

    Rounded up to a whole minor unit: 9.995 USD asks for 10.00 or more.
    """
    zero_decimal = sorted(ZERO_DECIMAL | {code.upper() for code in ZERO_DECIMAL})
    return Q(currency__in=zero_decimal, mrr_minor__gte=math.ceil(amount)) | (
        ~Q(currency__in=zero_decimal) & Q(mrr_minor__gte=math.ceil(amount * 100))
    )


def stale_q(days: int, now: datetime) -> Q:
    """No public contact in the `days` days before `now` (a contact exactly `days` ago is
    outside them), or never any."""
    return Q(last_contact_at__isnull=True) | Q(last_contact_at__lte=now - timedelta(days=days))


def customers_filtered(
    queryset: QuerySet[Customer], filters: CustomerFilters, *, now: datetime
) -> QuerySet[Customer]:
    """`queryset` narrowed to `filters` (a named plan is not checked to exist here)."""
    if filters.search:
        queryset = queryset.filter(search_q(filters.search))
    if filters.plan == NO_PLAN:
        queryset = queryset.filter(plan__isnull=True)
    elif filters.plan:
        queryset = queryset.filter(
            Q(plan__name=filters.plan) | Q(plan__name="", plan__external_id=filters.plan)
        )
    if filters.paying is not None:
        queryset = queryset.filter(is_paying=filters.paying)
    if filters.enterprise is not None:
        queryset = queryset.filter(is_enterprise=filters.enterprise)
    if filters.stale_days is not None:
        queryset = queryset.filter(stale_q(filters.stale_days, now))
    if filters.min_mrr is not None:
        queryset = queryset.filter(min_mrr_q(filters.min_mrr))
    return queryset

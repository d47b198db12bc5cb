"""How the Overview words its headlines: links carrying the period, changes, figures in text.

Kept apart so each question's function in metrics/overview.py reads as the figures it takes.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse

from .periods import Window
from .results import Change, relative_change


def url(url_name: str, anchor: str = "", **params) -> str:
    """A page's address with the month or window it should open on, so a card's link shows
    the same figures the card sums up."""
    query = urlencode({key: str(value) for key, value in params.items() if value not in (None, "")})
    return f"{reverse(url_name)}{'?' + query if query else ''}{'#' + anchor if anchor else ''}"


def window_params(window: Window) -> dict[str, str]:
    return {"start": str(window.start), "end": str(window.end)}


def change(value, previous, against: str, *, higher_is_worse: bool = False) -> Change:
    return Change(relative_change(value, previous), against, higher_is_worse)


def money(value: Decimal | None, currency: str) -> str:
    return "—" if value is None else f"{value:,.2f} {currency}"


def percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def names(items: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(items) <= 2:
        return " and ".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"

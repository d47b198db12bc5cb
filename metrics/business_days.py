"""Business days of a month: weekdays minus public holidays (DESIGN.md §4 "Product coverage").

No Django: the `holidays` package and the calendar only, so figures and tests can use it.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

from .periods import Month


@lru_cache(maxsize=256)
def _holidays(country: str, year: int) -> frozenset[date]:
    """Public holiday dates (observed days included) of `country` in `year`; none for a
    country code the `holidays` package does not know."""
    try:
        return frozenset(holidays.country_holidays(country, years=year))
    except NotImplementedError:
        return frozenset()


def business_days(month: Month, country: str) -> int:
    """Weekdays of `month` that are not public holidays of `country` (ISO code, e.g. "US")."""
    closed = _holidays(country.upper(), month.year)
    day, count = month.first_date, 0
    while day <= month.last_date:
        if day.weekday() < 5 and day not in closed:
            count += 1
        day += timedelta(days=1)
    return count

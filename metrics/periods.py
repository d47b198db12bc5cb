"""Calendar months in the reporting time zone (DESIGN.md §4: "a month is a calendar month in
the reporting timezone").

No clock in here: callers pass `now` (STYLE.md habit 7). No Django either, so figures and
reports can use it as they like.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

_MONTH_RE = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})")
MIN_YEAR = 1900
MAX_YEAR = 2999


class BadPeriod(ValueError):
    """Raised for any period text or value we cannot read; the message is fit to show a user."""


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self):
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise BadPeriod(f"year must be between {MIN_YEAR} and {MAX_YEAR}")
        if not 1 <= self.month <= 12:
            raise BadPeriod("month must be between 01 and 12, e.g. 2024-01")

    @classmethod
    def parse(cls, text: str) -> Month:
        """Read "YYYY-MM" and nothing else (no day, no spaces, no "2024-1")."""
        match = _MONTH_RE.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise BadPeriod(f"month must look like 2024-01, not {text!r}")
        return cls(int(match["year"]), int(match["month"]))

    @classmethod
    def containing(cls, at: datetime, tz: tzinfo) -> Month:
        """The month of the aware datetime `at` as seen in `tz`."""
        if at.tzinfo is None:
            raise ValueError("`at` must be an aware datetime")
        local = at.astimezone(tz)
        return cls(local.year, local.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """ "Jan 2016": for charts and headings."""
        return f"{calendar.month_abbr[self.month]} {self.year}"

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    @property
    def first_date(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_date(self) -> date:
        return date(self.year, self.month, self.days)

    def shift(self, months: int) -> Month:
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    def bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """[start_at, end_at) of the month in `tz`, as aware UTC datetimes."""
        start = datetime(self.year, self.month, 1, tzinfo=tz)
        year, month = (self.year + 1, 1) if self.month == 12 else (self.year, self.month + 1)
        end = datetime(year, month, 1, tzinfo=tz)
        return start.astimezone(UTC), end.astimezone(UTC)


def last_n_months(end_month: Month, n: int) -> list[Month]:
    """The `n` months ending with `end_month`, oldest first."""
    if n < 1:
        raise BadPeriod("the number of months must be at least 1")
    return [end_month.shift(offset) for offset in range(1 - n, 1)]


DEFAULT_WINDOW_MONTHS = 3


@dataclass(frozen=True)
class Window:
    """Whole calendar months from `start` to `end`, both included (DESIGN §4 "window W")."""

    start: Month
    end: Month

    def __post_init__(self):
        if self.end < self.start:
            raise BadPeriod(f"the window ends ({self.end}) before it starts ({self.start})")

    @property
    def months(self) -> list[Month]:
        count = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        return [self.start.shift(offset) for offset in range(count)]

    def bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """[start_at, end_at) of the whole window in `tz`, as aware UTC datetimes."""
        return self.start.bounds(tz)[0], self.end.bounds(tz)[1]

    @property
    def label(self) -> str:
        """ "Sep–Nov 2026", "Dec 2025–Feb 2026", "Nov 2026"."""
        if self.start == self.end:
            return self.end.label
        if self.start.year == self.end.year:
            return f"{self.start.label.split()[0]}–{self.end.label}"
        return f"{self.start.label}–{self.end.label}"

    def __str__(self) -> str:
        return f"{self.start}..{self.end}"


def last_complete_months(*, now: datetime, tz: tzinfo, n: int = DEFAULT_WINDOW_MONTHS) -> Window:
    """The `n` complete months before the one `now` is in: the default window."""
    end = Month.containing(now, tz).shift(-1)
    return Window(end.shift(1 - n), end)


def window_from_text(start_text: str, end_text: str, *, now: datetime, tz: tzinfo) -> Window:
    """The window a page's ?start=&end= ask for; both empty: the last 3 complete months.

    Raises BadPeriod naming the parameter at fault, for the page to show.
    """
    start_text, end_text = (start_text or "").strip(), (end_text or "").strip()
    if not start_text and not end_text:
        return last_complete_months(now=now, tz=tz)
    if not start_text or not end_text:
        missing = "start" if not start_text else "end"
        raise BadPeriod(f"{missing}: give both start and end, or neither")
    months = {}
    for name, text in (("start", start_text), ("end", end_text)):
        try:
            months[name] = Month.parse(text)
        except BadPeriod as exc:
            raise BadPeriod(f"{name}: {exc}") from None
    return Window(months["start"], months["end"])

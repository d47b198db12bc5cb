from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from metrics.periods import BadPeriod, Month, last_n_months

NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


def test_parse_and_format():
    month = Month.parse("2016-01")
    assert (month.year, month.month) == (2016, 1)
    assert str(month) == "2016-01"
    assert month.label == "Jan 2016"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2016",
        "2016-1",
        "16-01",
        "2016-13",
        "2016-00",
        "2016-01-01",
        " 2016-01",
        "2016/01",
        "2016-01 ",
        "abcd-ef",
        "２０１６-01",
        "2016-01\n",
        "1899-12",
        "3000-01",
    ],
)
def test_parse_rejects_anything_else(text):
    with pytest.raises(BadPeriod):
        Month.parse(text)


def test_bad_period_is_a_value_error_with_a_clear_message():
    with pytest.raises(ValueError, match="month must look like 2024-01"):
        Month.parse("January")


def test_parse_rejects_non_strings():
    with pytest.raises(BadPeriod):
        Month.parse(None)


def test_days_and_dates():
    assert Month(2016, 2).days == 29  # leap year
    assert Month(2015, 2).days == 28
    assert Month(2016, 1).first_date == date(2016, 1, 1)
    assert Month(2016, 1).last_date == date(2016, 1, 31)


def test_shift_crosses_years():
    assert Month(2016, 1).shift(-1) == Month(2015, 12)
    assert Month(2015, 12).shift(1) == Month(2016, 1)
    assert Month(2016, 1).shift(-13) == Month(2014, 12)


def test_bounds_utc():
    assert Month(2016, 1).bounds(UTC) == (
        datetime(2016, 1, 1, tzinfo=UTC),
        datetime(2016, 2, 1, tzinfo=UTC),
    )
    assert Month(2016, 12).bounds(UTC)[1] == datetime(2017, 1, 1, tzinfo=UTC)


def test_bounds_in_new_york_follow_daylight_saving():
    # March 2016 in New York starts in EST (UTC-5) and ends in EDT (UTC-4).
    start_at, end_at = Month(2016, 3).bounds(NEW_YORK)
    assert start_at == datetime(2016, 3, 1, 5, tzinfo=UTC)
    assert end_at == datetime(2016, 4, 1, 4, tzinfo=UTC)
    assert start_at.tzinfo is UTC


def test_bounds_ahead_of_utc():
    # Tokyo is UTC+9: January starts on December 31st at 15:00 UTC.
    assert Month(2016, 1).bounds(TOKYO)[0] == datetime(2015, 12, 31, 15, tzinfo=UTC)


def test_containing():
    at = datetime(2016, 2, 1, 3, tzinfo=UTC)  # 2016-01-31 22:00 in New York
    assert Month.containing(at, UTC) == Month(2016, 2)
    assert Month.containing(at, NEW_YORK) == Month(2016, 1)


def test_containing_needs_an_aware_datetime():
    with pytest.raises(ValueError):
        Month.containing(datetime(2016, 1, 1), UTC)


def test_last_n_months_oldest_first():
    assert last_n_months(Month(2016, 2), 3) == [Month(2015, 12), Month(2016, 1), Month(2016, 2)]
    assert last_n_months(Month(2016, 2), 1) == [Month(2016, 2)]
    with pytest.raises(BadPeriod):
        last_n_months(Month(2016, 2), 0)


def test_months_order():
    assert Month(2015, 12) < Month(2016, 1) < Month(2016, 2)

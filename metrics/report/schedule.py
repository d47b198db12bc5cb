"""When each recipient's monthly report is due (issue #9).

Beat asks every hour "what is due now?" rather than firing once on the 1st at a fixed hour:
each recipient's hour is in their own time zone, and a question asked hourly survives DST
shifts, a beat that was down at the hour and a second beat; the delivery row (one per month
and address) makes sure the answer is acted on once.

No clock in here: callers pass `now`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from supportops.models import MetricSettings, ReportRecipient, ReportSchedule

from ..periods import Month

log = logging.getLogger(__name__)

# A report is still sent this long after it fell due (a beat down for a day still sends), and
# no longer (a recipient added mid-month does not get last month's stale report).
CATCH_UP = timedelta(days=7)


@dataclass(frozen=True)
class Due:
    recipient: ReportRecipient
    month: date  # the first day of the reported month
    due_at: datetime  # aware, UTC


def local_hour_at(day: date, hour: int, tz: ZoneInfo) -> datetime:
    """`hour`:00 on `day` as the wall clock in `tz` shows it, as an aware UTC datetime.

    zoneinfo's fold=0 settles the two DST cases: an hour that does not exist (clocks jump
    from 02:00 to 03:00) is read with the offset before the jump, i.e. 02:00 becomes 03:00
    new time, the first moment of that day the clock passes the hour; an hour that happens
    twice (clocks go back from 02:00 to 01:00) is its first occurrence. Either way the
    report goes out once, at the earliest sensible moment.
    """
    return datetime(day.year, day.month, day.day, hour, tzinfo=tz).astimezone(UTC)


def due_at(month: Month, *, send_hour: int, recipient_tz: ZoneInfo, reporting_tz: ZoneInfo):
    """The later of: send_hour on the 1st of the next month in the recipient's zone, and the
    end of `month` in the reporting zone (a Tokyo exec must not get November before November
    has ended in Los Angeles, where the numbers are cut)."""
    at_hour = local_hour_at(month.shift(1).first_date, send_hour, recipient_tz)
    month_end = month.bounds(reporting_tz)[1]
    return max(at_hour, month_end)


def reported_month(*, now: datetime, reporting_tz: ZoneInfo) -> Month:
    """The month a report sent now is about: the calendar month before, in the reporting zone.

    Only this one can be due: every recipient's moment falls on or after the start of the next
    month in the reporting zone (rule b) and the catch-up week ends well before it ends.
    """
    return Month.containing(now, reporting_tz).shift(-1)


def last_month(*, now: datetime) -> Month:
    """The last complete month in the reporting zone: what a report sent now is about."""
    return reported_month(now=now, reporting_tz=ZoneInfo(MetricSettings.load().reporting_timezone))


def month_has_ended(month: date, *, now: datetime) -> bool:
    """Whether `month` (its first day) is over in the reporting zone: only then is its report
    built for keeps (a snapshot of a month in progress would go out with partial numbers)."""
    end = Month(month.year, month.month).bounds(ZoneInfo(MetricSettings.load().reporting_timezone))[
        1
    ]
    return end <= now


def _zone(recipient: ReportRecipient, reporting_tz: ZoneInfo) -> ZoneInfo:
    """The recipient's zone; one the form would refuse (written around it) does not stop the
    others' reports: it reads as the reporting zone, with a warning."""
    if not recipient.timezone:
        return reporting_tz
    try:
        return ZoneInfo(recipient.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("recipient %s: unknown time zone %r", recipient.email, recipient.timezone)
        return reporting_tz


def due_deliveries(*, now: datetime) -> list[Due]:
    """Active recipients whose report for the last month is due at `now` (sent or not:
    the delivery rows say which were sent)."""
    schedule = ReportSchedule.load()
    if not schedule.enabled:
        return []
    reporting_tz = ZoneInfo(MetricSettings.load().reporting_timezone)
    month = reported_month(now=now, reporting_tz=reporting_tz)
    due = []
    for recipient in ReportRecipient.objects.filter(active=True).order_by("email"):
        tz = _zone(recipient, reporting_tz)
        at = due_at(month, send_hour=schedule.send_hour, recipient_tz=tz, reporting_tz=reporting_tz)
        if at <= now < at + CATCH_UP:
            due.append(Due(recipient=recipient, month=month.first_date, due_at=at))
    return due

"""A bug's tickets (the drill-down of bug impact), one page at a time, and a bug's page: its
figures with its tickets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from django.db.models import Q

from supportops.models import MetricSettings, Ticket

from .bug_groups import PROBLEM_TYPE, bug_tags, problem_q, tag_key, tag_q
from .bug_results import PROBLEM, TAG, BugGroupDetail, BugTicket, BugTickets
from .bugs import bug_impact
from .cost import MonthUnavailable
from .periods import Month, Window, last_complete_months


class BadBugKey(ValueError):
    """A group key we cannot read, or a tag that is not a bug tag; the message names why."""


def _parse_key(key: str, tags: Sequence[str]) -> tuple[str, Q, tuple[str, str] | None, str]:
    """(kind, the group's tickets as a Q, the problem's (source, id) or None, the tag or "")."""
    kind, _, rest = (key or "").partition(":")
    if kind == PROBLEM:
        source, _, external_id = rest.partition(":")
        if not source or not external_id:
            raise BadBugKey(f"a problem key looks like problem:<source>:<ticket id>, not {key!r}")
        return PROBLEM, problem_q(source, external_id), (source, external_id), ""
    if kind == TAG:
        tag = rest.strip().lower()
        if tag not in tags:
            known = ", ".join(tags) or "none are set"
            raise BadBugKey(f"{rest!r} is not a bug tag (the bug tags: {known})")
        return TAG, tag_q(tag), None, tag
    raise BadBugKey(f"a group key starts with problem: or tag:, not {key!r}")


def _ticket(row: dict) -> BugTicket:
    return BugTicket(
        id=row["pk"],
        source=row["source"],
        external_id=row["external_id"],
        subject=row["subject"],
        customer_id=row["customer_id"],
        customer=row["customer__name"],
        channel=row["channel"],
        status=row["status"],
        created_at=row["created_at"],
    )


def bug_group_tickets(
    *, key: str, window: Window | None, now: datetime, page: int = 1, page_size: int | None = 50
) -> BugTickets:
    """The tickets of group `key` created in `window` (None: the last 3 complete months),
    newest first, one page of them (`page_size` None: all). Raises BadBugKey for a key that
    names no possible group.

    Four queries: settings, the problem's subject (problem groups), the count, the page.
    """
    settings = MetricSettings.load()
    tz = ZoneInfo(settings.reporting_timezone)
    window = window or last_complete_months(now=now, tz=tz)
    kind, in_group, problem, tag = _parse_key(key, bug_tags(settings))
    start_at, end_at = window.bounds(tz)
    today = now.astimezone(tz).date()
    if window.end.first_date > today:
        current = Month(today.year, today.month)
        raise MonthUnavailable(
            f"{window.end.label} has not started yet; the latest month is {current.label}",
            nearest=current,
        )
    title = tag
    if problem is not None:
        source, external_id = problem
        subject = (
            Ticket.objects.filter(source=source, external_id=external_id, type=PROBLEM_TYPE)
            .values_list("subject", flat=True)
            .first()
        )
        title = subject or f"Problem {external_id}"
    end_at = min(end_at, _today_start(now, tz))
    tickets = Ticket.objects.filter(
        in_group, created_at__gte=start_at, created_at__lt=end_at, is_deleted=False
    )
    count = tickets.count()
    page = max(1, page)
    listed = tickets.order_by("-created_at", "-pk").values(
        "pk",
        "source",
        "external_id",
        "subject",
        "customer_id",
        "customer__name",
        "channel",
        "status",
        "created_at",
    )
    if page_size is not None:
        listed = listed[(page - 1) * page_size : page * page_size]
    return BugTickets(
        key=key if kind == PROBLEM else tag_key(tag),
        kind=kind,
        title=title,
        window=window,
        count=count,
        page=page,
        page_size=page_size,
        rows=tuple(_ticket(row) for row in listed),
        current_month=Month(today.year, today.month),
    )


def _today_start(now: datetime, tz: tzinfo) -> datetime:
    """The start of today in `tz`: the month in progress counts the days before it."""
    local = now.astimezone(tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def bug_group_detail(
    *, key: str, window: Window | None, now: datetime, page: int = 1, page_size: int = 50
) -> BugGroupDetail:
    """One group's figures (as bug_impact ranks them) and a page of its tickets. Raises what
    bug_group_tickets raises. Sixteen queries: the tickets' four, bug_impact's twelve."""
    tickets = bug_group_tickets(key=key, window=window, now=now, page=page, page_size=page_size)
    impact = bug_impact(window=tickets.window, now=now)
    group = next((row for row in impact.rows if row.key == tickets.key), None)
    return BugGroupDetail(impact=impact, group=group, tickets=tickets)

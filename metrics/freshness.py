"""How fresh the data behind every page is: the last successful sync of each source.

Shown in the frame of every page, so a head of customer success never reads last week's numbers
as today's without being told. One aggregate query over SyncRun, whatever the number of runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max, Q

from supportops.models import Source, SyncRun
from supportops.redact import redact

# A source is late once its last success is older than this many schedule intervals.
STALE_INTERVALS = 2


@dataclass(frozen=True)
class SourceFreshness:
    source: str
    label: str
    last_success_at: datetime | None
    last_failure_at: datetime | None  # finish of the newest failed run
    last_error: str  # the newest failed run's error, when it is newer than the last success
    interval: timedelta | None  # None: not on a schedule (e.g. usage imported from CSV)
    now: datetime

    @property
    def age(self) -> timedelta | None:
        return None if self.last_success_at is None else self.now - self.last_success_at

    @property
    def age_label(self) -> str:
        return age_text(self.age)

    @property
    def failed(self) -> bool:
        """The newest finished run failed: nothing has succeeded since."""
        if self.last_failure_at is None:
            return False
        return self.last_success_at is None or self.last_failure_at > self.last_success_at

    @property
    def late(self) -> bool:
        if self.interval is None:
            return False
        return self.age is None or self.age > self.interval * STALE_INTERVALS

    @property
    def warning(self) -> str:
        """One plain sentence when something is wrong, else ''."""
        if self.failed:
            reason = f": {self.last_error}" if self.last_error else ""
            return f"The last {self.label} sync failed{reason}"
        if self.last_success_at is None:
            return f"{self.label} has not synced yet"
        if self.late:
            return (
                f"{self.label} last synced {age_text(self.age)}, more than twice its "
                f"{age_text(self.interval, ago=False)} schedule"
            )
        return ""


def age_text(age: timedelta | None, *, ago: bool = True) -> str:
    """12 min ago, 3 h ago, 2 days ago; `ago=False` for a plain duration ("15 min")."""
    if age is None:
        return "never"
    seconds = max(int(age.total_seconds()), 0)
    if ago and seconds < 60:
        return "just now"
    if seconds < 3600:
        text = f"{max(seconds // 60, 1)} min"
    elif seconds < 2 * 86400:
        text = f"{seconds // 3600} h"
    else:
        text = f"{seconds // 86400} days"
    return f"{text} ago" if ago else text


def _label(source: str) -> str:
    return Source(source).label if source in Source.values else source


def data_freshness(
    *, schedules: Mapping[str, timedelta], now: datetime
) -> tuple[SourceFreshness, ...]:
    """Every scheduled source, and every other source that has ever run (a usage CSV import).

    `schedules` maps each configured source to its sync interval (supportops.schedules).
    """
    runs = (
        SyncRun.objects.order_by()
        .values("source")
        .annotate(
            last_success_at=Max("finished_at", filter=Q(status=SyncRun.Status.SUCCEEDED)),
            last_failure_at=Max("finished_at", filter=Q(status=SyncRun.Status.FAILED)),
        )
    )
    by_source = {row["source"]: row for row in runs}
    names = list(schedules) + sorted(set(by_source) - set(schedules))
    failed_sources = [
        name
        for name in names
        if (row := by_source.get(name))
        and row["last_failure_at"]
        and (row["last_success_at"] is None or row["last_failure_at"] > row["last_success_at"])
    ]
    errors = _latest_errors(failed_sources)
    return tuple(
        SourceFreshness(
            source=name,
            label=_label(name),
            last_success_at=by_source.get(name, {}).get("last_success_at"),
            last_failure_at=by_source.get(name, {}).get("last_failure_at"),
            last_error=errors.get(name, ""),
            interval=schedules.get(name),
            now=now,
        )
        for name in names
    )


def _latest_errors(sources: list[str]) -> dict[str, str]:
    """The newest failed run's first error line, per failing source (queries only for those)."""
    errors = {}
    for source in sources:
        failed = SyncRun.objects.filter(source=source, status=SyncRun.Status.FAILED)
        error = failed.order_by("-finished_at").values_list("error", flat=True).first() or ""
        lines = redact(error).strip().splitlines()  # rows saved before redaction existed
        errors[source] = lines[0][:200] if lines else ""
    return errors

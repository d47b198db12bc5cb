"""A metric's result from the cache while nothing it reads has changed.

The dashboards' metrics aggregate every ticket and message of their months: at a million
tickets seconds each, for numbers that change only when the data does (a sync finishing, a cost
input or setting edited: supportops/data_version.py) or, for what is cut at "now" (the month in
progress ends at the start of today), when the day in the reporting time zone does. So a result
is kept under

    (metric name, its normalised parameters, today in the reporting time zone, data version)

and recomputed once after any of them moves. "Normalised": the wrappers in metrics/cached.py
resolve a default (month, window) before keying and pass every parameter as a plain value, so
the page and its API endpoint asking the same question read one entry and cannot disagree.

Never stale after a sync: the key, data version included, is made *before* the metric runs.
A result computed while a sync writes is filed under the version from before the sync; the
sync's finish moves the version, so that entry is never read again (it lapses after
TIMEOUT_SECONDS). Made after, a half-synced result could be filed under the new version.

Results are pickled into the cache (the frozen dataclasses of metrics/*_results.py are). An
exception is not cached: a bad month is refused again next time, at the price of its queries.
In production CACHE_URL=redis://... shares entries between the web workers and the Celery
worker that warms them (metrics/tasks.py); the default memory cache is per process.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.core.cache import cache

from supportops.data_version import data_version
from supportops.models import MetricSettings

from .periods import Month, Window

T = TypeVar("T")

# A bound on how long an entry lives, should a writer ever forget to move the version.
TIMEOUT_SECONDS = 6 * 60 * 60
PREFIX = "supportops:metric"
_MISSING = object()


def _plain(value):
    """`value` as JSON-able data that is equal exactly when the parameters are."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return f"decimal:{value}"
    if isinstance(value, Month):
        return f"month:{value}"
    if isinstance(value, Window):
        return f"window:{value.start}..{value.end}"
    if isinstance(value, datetime | date):
        return f"{type(value).__name__}:{value.isoformat()}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    raise TypeError(f"cannot key a metric on a {type(value).__name__}: {value!r}")


def result_key(name: str, params: Mapping, *, today: date, version: int) -> str:
    """The entry of metric `name` asked with `params` on `today` at data `version`."""
    text = json.dumps(_plain(dict(params)), sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    return f"{PREFIX}:{name}:{today.isoformat()}:v{version}:{digest}"


@dataclasses.dataclass(frozen=True)
class Scope:
    """What every key of one request shares, read once before any metric runs (two queries:
    the settings, the data version), so a sync finishing meanwhile leaves whatever this
    request computes under the version from before (see the module docstring)."""

    now: datetime
    settings: MetricSettings
    version: int

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.reporting_timezone)

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    @property
    def current_month(self) -> Month:
        return Month.containing(self.now, self.tz)

    def key(self, name: str, params: Mapping) -> str:
        return result_key(name, params, today=self.today, version=self.version)

    def get(
        self,
        name: str,
        params: Mapping,
        compute: Callable[[], T],
        *,
        also: Callable[[T], list[Mapping]] | None = None,
    ) -> T:
        """`compute()`, from the cache when asked before with the same `params` on the same
        day and data version. `also(result)` lists other parameters the result answers (a
        default month by its name): it is filed under those too."""
        key = self.key(name, params)
        result = cache.get(key, _MISSING)
        if result is _MISSING:
            result = compute()
            entries = {key: result}
            for other in also(result) if also else ():
                entries[self.key(name, other)] = result
            cache.set_many(entries, TIMEOUT_SECONDS)
        return result


def scope_at(now: datetime) -> Scope:
    """The scope of a request made at `now`: two queries. The settings are read as a plain
    read (MetricSettings.load() is a get_or_create, sent to the primary), so a page on a
    read replica reads its key where it reads the data (supportops/db_router.py)."""
    settings = MetricSettings.objects.filter(pk=1).first() or MetricSettings.load()
    return Scope(now=now, settings=settings, version=data_version())


def cached_result(name: str, params: Mapping, compute: Callable[[], T], *, now: datetime) -> T:
    """One metric through the cache: two queries on a hit."""
    return scope_at(now).get(name, params, compute)

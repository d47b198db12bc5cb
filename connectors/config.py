"""Settings every connector reads the same way."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings

from .errors import NotConfigured


def start_date_setting(name: str) -> datetime | None:
    """A `<SOURCE>_START_DATE` setting as an aware datetime (UTC when it names no zone), or
    None when unset: a first sync then reads the whole history."""
    value = getattr(settings, name, "") or ""
    if not value:
        return None
    try:
        day = datetime.fromisoformat(value)
    except ValueError:
        raise NotConfigured(f"{name}={value!r} is not a date like 2024-01-31") from None
    return day if day.tzinfo else day.replace(tzinfo=UTC)

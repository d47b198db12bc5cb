"""Every periodic job, declared once.

Intervals come from settings so an admin can slow a sync down without touching code; a
source that is not configured is not scheduled at all.
"""

from datetime import timedelta

from django.conf import settings


def sync_intervals() -> dict[str, timedelta]:
    """Configured source → how often it syncs. The page frame warns when a sync is late."""
    from connectors.registry import enabled_sources

    minutes = {
        "zendesk": settings.ZENDESK_SYNC_MINUTES,
        "intercom": settings.INTERCOM_SYNC_MINUTES,
        "stripe": settings.STRIPE_SYNC_MINUTES,
        "salesforce": settings.SALESFORCE_SYNC_MINUTES,
        "usage": settings.USAGE_SYNC_MINUTES,
    }
    return {source: timedelta(minutes=minutes.get(source, 15)) for source in enabled_sources()}


def beat_schedule() -> dict:
    from celery.schedules import crontab

    schedule = {
        f"sync-{source}": {
            "task": "connectors.sync_source",
            "schedule": interval,
            "kwargs": {"source": source},
        }
        for source, interval in sync_intervals().items()
    }
    # Hourly, not "the 1st at 08:00": each recipient's hour is in their own time zone, and a
    # check that sends whatever is due (once per month and address) survives DST shifts, a beat
    # that was down at the hour, and a second beat.
    schedule["monthly-report"] = {
        "task": "reports.send_due",
        "schedule": crontab(minute=REPORT_CHECK_MINUTE),
    }
    # A backstop for the refresh a finished sync asks for (metrics/refresh.py): it catches runs
    # abandoned without a signal and the new day; a refresh with nothing new is a few queries.
    schedule["derived-refresh"] = {
        "task": "metrics.refresh_derived",
        "schedule": timedelta(minutes=DERIVED_REFRESH_MINUTES),
    }
    return schedule


REPORT_CHECK_MINUTE = 5
DERIVED_REFRESH_MINUTES = 15

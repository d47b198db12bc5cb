"""Every periodic job, declared once.

Intervals come from settings so an admin can slow a sync down without touching code; a
source that is not configured is not scheduled at all.
"""

from datetime import timedelta

from django.conf import settings


def beat_schedule() -> dict:
    from connectors.registry import enabled_sources

    schedule = {}
    minutes = {
        "zendesk": settings.ZENDESK_SYNC_MINUTES,
        "intercom": settings.INTERCOM_SYNC_MINUTES,
        "stripe": settings.STRIPE_SYNC_MINUTES,
        "salesforce": settings.SALESFORCE_SYNC_MINUTES,
        "usage": settings.USAGE_SYNC_MINUTES,
    }
    for source in enabled_sources():
        schedule[f"sync-{source}"] = {
            "task": "connectors.sync_source",
            "schedule": timedelta(minutes=minutes.get(source, 15)),
            "kwargs": {"source": source},
        }
    return schedule

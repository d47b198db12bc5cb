"""Celery beat: one schedule entry per configured source."""


def test_beat_schedule_lists_each_configured_source(settings):
    from supportops.schedules import beat_schedule

    settings.ZENDESK_URL = "http://127.0.0.1:9"
    settings.ZENDESK_EMAIL = "a@b.c"
    settings.ZENDESK_API_TOKEN = "t"
    settings.ZENDESK_SYNC_MINUTES = 7
    schedule = beat_schedule()

    assert schedule["sync-zendesk"]["task"] == "connectors.sync_source"
    assert schedule["sync-zendesk"]["schedule"].total_seconds() == 7 * 60
    assert schedule["sync-zendesk"]["kwargs"] == {"source": "zendesk"}
    settings.ZENDESK_URL = ""
    assert "sync-zendesk" not in beat_schedule()

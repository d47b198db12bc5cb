"""<SOURCE>_START_DATE parsing, shared by every connector."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from connectors.config import start_date_setting
from connectors.errors import NotConfigured


def test_unset_means_the_whole_history(settings):
    settings.ZENDESK_START_DATE = ""
    assert start_date_setting("ZENDESK_START_DATE") is None


def test_a_date_is_midnight_utc(settings):
    settings.STRIPE_START_DATE = "2024-03-01"
    assert start_date_setting("STRIPE_START_DATE") == datetime(2024, 3, 1, tzinfo=UTC)


def test_a_zone_given_is_kept(settings):
    settings.INTERCOM_START_DATE = "2024-03-01T00:00:00+02:00"
    at = start_date_setting("INTERCOM_START_DATE")
    assert at == datetime(2024, 2, 29, 22, tzinfo=UTC)
    assert at.utcoffset() == timedelta(hours=2) and at.tzinfo == timezone(timedelta(hours=2))


def test_a_bad_value_is_a_clear_configuration_error(settings):
    settings.SALESFORCE_START_DATE = "01/03/2024"
    with pytest.raises(NotConfigured, match=r"SALESFORCE_START_DATE='01/03/2024' is not a date"):
        start_date_setting("SALESFORCE_START_DATE")

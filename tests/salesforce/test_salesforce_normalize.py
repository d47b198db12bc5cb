"""Salesforce record JSON → canonical records, on payloads shaped like the documented ones."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from connectors.errors import MalformedResponse
from connectors.salesforce import normalize

ACCOUNT = {
    "attributes": {"type": "Account", "url": "/services/data/v60.0/sobjects/Account/001RO000003xYzAYAU"},
    "Id": "001RO000003xYzAYAU", "Name": "Acme", "Industry": "Software", "Website": "www.Acme.com/about",
    "AnnualRevenue": 5000000.0, "NumberOfEmployees": 120, "OwnerId": "005RO...",
    "CreatedDate": "2023-02-01T10:00:00.000+0000", "LastModifiedDate": "2024-01-03T09:12:44.000+0000",
    "SystemModstamp": "2024-01-03T09:12:44.000+0000", "IsDeleted": False,
    "Stripe_Customer_Id__c": "cus_X", "Account_Key__c": " acct_0042 ",
}  # fmt: skip
OPPORTUNITY = {
    "attributes": {"type": "Opportunity", "url": "/services/data/v60.0/sobjects/Opportunity/006x"},
    "Id": "006x", "AccountId": "001RO000003xYzAYAU", "Name": "Acme - Renewal", "StageName": "Closed Won",
    "Amount": 12000.1, "CloseDate": "2024-03-31", "Probability": 100.0, "IsClosed": True, "IsWon": True,
    "CreatedDate": "2024-01-03T09:12:44.000+0000", "IsDeleted": False, "Discount__c": 0.1,
}  # fmt: skip


def test_parse_time_reads_salesforce_offsets():
    assert normalize.parse_time("2024-01-03T09:12:44.000+0000") == datetime(
        2024, 1, 3, 9, 12, 44, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("website", "domain"),
    [
        ("https://www.acme.com/", "acme.com"),
        ("acme.co.uk", "acme.co.uk"),
        ("HTTP://Shop.Acme.com:8080/x", "shop.acme.com"),
        ("", ""),
        (None, ""),
        ("localhost", ""),
    ],
)
def test_website_domain(website, domain):
    assert normalize.website_domain(website) == domain


def test_account_keeps_unknown_and_custom_fields_in_extra():
    record = normalize.account(ACCOUNT)

    assert (record.external_id, record.name, record.account_key) == (
        "001RO000003xYzAYAU",
        "Acme",
        "acct_0042",
    )
    assert record.domains == ("acme.com",)
    assert record.source_created_at == datetime(2023, 2, 1, 10, tzinfo=UTC)
    assert "CreatedDate" not in record.extra
    assert record.extra["Stripe_Customer_Id__c"] == "cus_X"
    assert record.extra["AnnualRevenue"] == 5000000.0
    assert "attributes" not in record.extra and "Name" not in record.extra


def test_opportunity_amount_is_exact_decimal():
    record = normalize.opportunity(OPPORTUNITY)

    assert record.amount == Decimal("12000.10")
    assert (record.currency, record.close_date, record.is_won) == ("usd", date(2024, 3, 31), True)
    assert record.extra == {"Probability": 100.0, "Discount__c": 0.1}


def test_negative_amount_is_kept_in_extra_only():
    record = normalize.opportunity({**OPPORTUNITY, "Amount": -5})

    assert record.amount is None and record.extra["Amount"] == -5


def test_task_due_date_and_event_start_are_when_they_happen():
    base = {"Id": "00T1", "WhatId": "001A", "CreatedDate": "2024-01-01T00:00:00.000+0000"}
    task = normalize.task({**base, "ActivityDate": "2024-01-05", "Status": "Completed"})
    event = normalize.event({**base, "Id": "00U1", "StartDateTime": "2024-01-09T15:00:00.000+0000"})

    assert (
        task.occurred_at == datetime(2024, 1, 5, tzinfo=UTC) and task.account_external_id == "001A"
    )
    assert event.occurred_at == datetime(2024, 1, 9, 15, tzinfo=UTC) and event.kind == "event"


def test_guarded_names_the_bad_record():
    with pytest.raises(MalformedResponse, match="salesforce Opportunity '006x' is malformed"):
        normalize.guarded("Opportunity", normalize.opportunity)(
            {**OPPORTUNITY, "CloseDate": "soon"}
        )

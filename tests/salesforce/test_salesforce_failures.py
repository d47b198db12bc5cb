"""What Salesforce does to a sync, and what the sync does about it."""

from __future__ import annotations

from supportops.models import Customer, CustomerIdentity, Opportunity, SyncRun, SyncState
from supportops.models.crm import CrmActivity

TOKEN = "/services/oauth2/token"


def _paths(sandbox) -> list[str]:
    return [r.path for r in sandbox.requests]


def test_expired_session_refreshes_the_token_once_and_retries(sync, salesforce):
    salesforce.faults.add("describe", "status", status=401)

    run = sync()

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert _paths(salesforce).count(TOKEN) == 2
    assert run.counts["accounts"] == len(salesforce.org.records["Account"])


def test_session_expiring_mid_run_is_renewed(sync, salesforce, clock):
    sync()
    salesforce.salesforce.expire_sessions()  # tokens die between runs too
    salesforce.requests.clear()
    clock.advance(3600)

    assert sync().status == SyncRun.Status.SUCCEEDED
    assert _paths(salesforce).count(TOKEN) == 1


def test_a_second_401_after_refreshing_fails_clearly(sync, salesforce):
    salesforce.faults.add("describe", "status", status=401, times=2)

    run = sync()

    assert run.status == SyncRun.Status.FAILED
    assert "rejected a freshly refreshed session" in run.error
    assert _paths(salesforce).count(TOKEN) == 2


def test_bad_refresh_token_fails_with_the_oauth_reason(sync, salesforce, settings):
    settings.SALESFORCE_REFRESH_TOKEN = "revoked"

    run = sync()

    assert run.status == SyncRun.Status.FAILED
    assert "invalid_grant: expired access/refresh token" in run.error
    assert "SALESFORCE_REFRESH_TOKEN" in run.error
    assert _paths(salesforce) == [TOKEN]


def test_daily_limit_fails_at_once_without_retrying(sync, salesforce):
    salesforce.salesforce.api_limit = 2  # describe Account + the first query

    run = sync()

    assert run.status == SyncRun.Status.FAILED
    assert run.error.startswith("Salesforce API daily limit reached (REQUEST_LIMIT_EXCEEDED")
    data = [p for p in _paths(salesforce) if p != TOKEN]
    assert len(data) == 3  # two allowed calls, then exactly one refused call: no retry loop
    assert SyncState.objects.get(source="salesforce", stream="accounts").cursor  # page 1 kept


def test_server_errors_are_retried(sync, salesforce):
    salesforce.faults.add("query", "status", status=500, times=2)

    run = sync()

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.counts["accounts"] == len(salesforce.org.records["Account"])


def test_server_errors_that_do_not_stop_fail_the_run(sync, salesforce):
    salesforce.faults.add("query", "status", status=500, times=100)

    run = sync()

    assert run.status == SyncRun.Status.FAILED
    assert "salesforce answered HTTP 500" in run.error
    assert len([p for p in _paths(salesforce) if "/query" in p]) == 4  # 1 try + 3 retries


def test_truncated_body_is_retried(sync, salesforce):
    salesforce.faults.add("query", "truncate", times=1)

    run = sync()

    assert run.status == SyncRun.Status.SUCCEEDED, run.error


def test_body_that_stays_truncated_fails_without_a_partial_page(sync, salesforce, settings):
    settings.SALESFORCE_BATCH_SIZE = 5
    salesforce.faults.add("/query/01g", "truncate", times=100)  # every follow-up page

    run = sync()

    assert run.status == SyncRun.Status.FAILED
    assert "not valid JSON" in run.error and "after 4 tries" in run.error
    assert CustomerIdentity.objects.filter(source="salesforce").count() == 5  # page 1 only


def test_malformed_page_fails_clearly_and_writes_nothing(sync, salesforce):
    salesforce.faults.add("query", "malformed", mode="missing_key")

    run = sync()

    assert run.status == SyncRun.Status.FAILED
    assert "Account page has no 'records' list" in run.error
    assert not CustomerIdentity.objects.exists()
    assert SyncState.objects.get(source="salesforce", stream="accounts").cursor == {}


def test_invalid_field_is_reported_with_salesforce_code(sync, salesforce, monkeypatch):
    monkeypatch.setattr(
        "connectors.salesforce.streams.selectable_fields",
        lambda client, sobject: ["Id", "SystemModstamp", "IsDeleted", "Gone__c"],
    )

    run = sync()

    assert run.status == SyncRun.Status.FAILED
    assert "rejected the query (INVALID_FIELD: No such column 'Gone__c'" in run.error


def _wipe():
    for model in (Opportunity, CrmActivity, CustomerIdentity, Customer, SyncState):
        model.objects.all().delete()


def test_crash_mid_sync_then_resume_equals_a_clean_sync(sync, salesforce, settings, snapshot):
    settings.SALESFORCE_BATCH_SIZE = 3
    assert sync().status == SyncRun.Status.SUCCEEDED
    clean = snapshot()
    _wipe()
    account_pages = -(-len(salesforce.org.records["Account"]) // 3)
    salesforce.faults.add("query", "fail_after_pages", pages=account_pages + 2)

    crashed = sync()

    assert crashed.status == SyncRun.Status.FAILED  # inside opportunities, after 2 pages
    assert 0 < crashed.counts.get("opportunities", 0) < len(salesforce.org.records["Opportunity"])
    salesforce.faults.clear()
    resumed = sync()
    assert resumed.status == SyncRun.Status.SUCCEEDED, resumed.error
    assert resumed.counts.get("accounts", 0) == 0  # accounts finished before the crash
    assert snapshot() == clean

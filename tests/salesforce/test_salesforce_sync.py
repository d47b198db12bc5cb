"""End-to-end syncs against the HTTPS sandbox: OAuth, paging, windows, deletions, linking."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

from connectors.sandbox.salesforce_data import stripe_customer_id
from supportops.models import Customer, CustomerIdentity, Opportunity, SyncRun, SyncState
from supportops.models.crm import CrmActivity
from supportops.models.customers import MatchMethod


def _queries(sandbox, sobject=None):
    items = [
        r for r in sandbox.requests if "/query" in r.path and r.path.startswith("/services/data/")
    ]
    if sobject is None:
        return items
    return [r for r in items if "q" in r.query and f" FROM {sobject} " in r.query["q"]]


def test_first_sync_reads_every_object_over_oauth(sync, salesforce, snapshot):
    run = sync()

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    org = salesforce.org.records
    assert run.counts == {
        "accounts": len(org["Account"]),
        "opportunities": len(org["Opportunity"]),
        "tasks": len(org["Task"]),
        "events": len(org["Event"]),
    }
    first = salesforce.requests[0]
    assert (first.method, first.path) == ("POST", "/services/oauth2/token")
    # Every data call went to the instance_url the token response named, under /services/data.
    data = [r for r in salesforce.requests if r.path != "/services/oauth2/token"]
    assert data and all(r.path.startswith("/services/data/v60.0/") for r in data)
    assert all("/queryAll" in r.path for r in _queries(salesforce))  # deleted rows too
    assert CustomerIdentity.objects.filter(source="salesforce").count() == len(org["Account"])
    assert Opportunity.objects.count() == len(org["Opportunity"])
    assert CrmActivity.objects.count() == len(org["Task"]) + len(org["Event"])
    assert not CustomerIdentity.objects.filter(source="salesforce", customer__isnull=True).exists()
    assert not Opportunity.objects.filter(customer__isnull=True).exists()
    assert not CrmActivity.objects.filter(customer__isnull=True).exists()
    assert SyncState.objects.get(source="salesforce", stream="accounts").cursor == {
        "lo": "2025-11-28T12:58:00Z"  # now (END_AT + 1 h) minus the two-minute safety lag
    }


def test_opportunity_fields_and_custom_fields_land_in_models(sync, salesforce):
    sync()

    raw = next(iter(salesforce.org.records["Opportunity"].values()))
    opp = Opportunity.objects.get(external_id=raw["Id"])
    assert opp.amount == Decimal(str(raw["Amount"])).quantize(Decimal("0.01"))
    assert (opp.stage, opp.is_won, opp.is_closed) == (
        raw["StageName"],
        raw["IsWon"],
        raw["IsClosed"],
    )
    assert (opp.currency, opp.close_date) == ("usd", raw["CloseDate"])
    assert opp.customer.identities.filter(
        source="salesforce", external_id=raw["AccountId"]
    ).exists()
    account = CustomerIdentity.objects.filter(source="salesforce").first()
    assert {"Region__c", "Industry", "Type", "SystemModstamp"} <= set(account.extra)
    assert "attributes" not in account.extra


def test_pages_follow_next_records_url(sync, salesforce, settings):
    settings.SALESFORCE_BATCH_SIZE = 4
    sizes = {name: len(rows) for name, rows in salesforce.org.records.items()}

    run = sync()

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    follow_ups = [r for r in _queries(salesforce) if "/query/01g" in r.path]
    assert len(follow_ups) == sum(-(-n // 4) - 1 for n in sizes.values() if n)
    assert run.pages == sum(max(1, -(-n // 4)) for n in sizes.values())
    assert run.counts["accounts"] == sizes["Account"]
    assert CustomerIdentity.objects.filter(source="salesforce").count() == sizes["Account"]


def test_second_sync_reads_only_the_changed_record(sync, salesforce, clock):
    sync()
    account = next(iter(salesforce.org.records["Account"].values()))
    clock.advance(600)
    salesforce.org.update("Account", account["Id"], at=clock.now_at(), Name="Renamed Ltd")
    clock.advance(3600)
    salesforce.requests.clear()

    run = sync()

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.counts == {"accounts": 1, "opportunities": 0, "tasks": 0, "events": 0}
    soql = _queries(salesforce, "Account")[0].query["q"]
    assert "SystemModstamp >= 2025-11-28T12:58:00Z" in soql
    assert "SystemModstamp < 2025-11-28T14:08:00Z" in soql
    assert CustomerIdentity.objects.get(external_id=account["Id"]).name == "Renamed Ltd"


def test_deleted_records_arrive_through_query_all(sync, salesforce, clock):
    sync()
    opp = next(iter(salesforce.org.records["Opportunity"].values()))
    account_id = next(iter(salesforce.org.records["Account"]))
    clock.advance(60)
    salesforce.org.delete("Opportunity", opp["Id"], at=clock.now_at())
    salesforce.org.delete("Account", account_id, at=clock.now_at())
    clock.advance(3600)

    run = sync()

    assert run.counts["opportunities"] == 1 and run.counts["accounts"] == 1
    assert Opportunity.objects.get(external_id=opp["Id"]).is_deleted
    assert CustomerIdentity.objects.get(external_id=account_id).is_deleted


def test_accounts_link_by_account_key_by_domain_and_by_stripe_id(sync, salesforce, company):
    accounts = list(salesforce.org.records["Account"].values())
    keyed = next(a for a in accounts if a["Account_Key__c"] and not a["Stripe_Customer_Id__c"])
    unkeyed = next(a for a in accounts if not a["Account_Key__c"])
    striped = next(a for a in accounts if a["Stripe_Customer_Id__c"] and a is not keyed)
    by_key = Customer.objects.create(name="From Zendesk")
    CustomerIdentity.objects.create(
        source="zendesk", external_id="1", account_key=keyed["Account_Key__c"], customer=by_key
    )
    domain = urlsplit(unkeyed["Website"]).hostname.removeprefix("www.")
    by_domain = Customer.objects.create(name="Known by domain", domains=[domain])
    by_stripe = Customer.objects.create(name="From Stripe")
    CustomerIdentity.objects.create(
        source="stripe", external_id=striped["Stripe_Customer_Id__c"], customer=by_stripe
    )

    assert sync().status == SyncRun.Status.SUCCEEDED

    def identity(raw):
        return CustomerIdentity.objects.get(source="salesforce", external_id=raw["Id"])

    assert (identity(keyed).customer, identity(keyed).match_method) == (
        by_key,
        MatchMethod.EXPLICIT,
    )
    assert (identity(unkeyed).customer, identity(unkeyed).match_method) == (
        by_domain,
        MatchMethod.DOMAIN,
    )
    assert (identity(striped).customer, identity(striped).match_method) == (
        by_stripe,
        MatchMethod.EXPLICIT,
    )
    assert striped["Stripe_Customer_Id__c"] == stripe_customer_id(
        company.customers[int(striped["Id"][-3:]) - 1].account_id
    )
    assert (
        Opportunity.objects.filter(account_external_id=striped["Id"])
        .exclude(customer=by_stripe)
        .count()
        == 0
    )


def test_start_date_limits_the_first_window(sync, salesforce, settings):
    settings.SALESFORCE_START_DATE = "2025-11-01"

    sync()

    assert "SystemModstamp >= 2025-11-01T00:00:00Z" in _queries(salesforce, "Account")[0].query["q"]


def test_modstamp_change_moves_the_record_to_a_later_window(sync, salesforce, clock):
    sync()
    clock.advance(timedelta(minutes=1).total_seconds())
    salesforce.requests.clear()

    run = sync()  # the new window is shorter than nothing new: no records, cursor moves on

    assert run.records_read == 0
    assert SyncState.objects.get(source="salesforce", stream="accounts").cursor == {
        "lo": "2025-11-28T12:59:00Z"
    }

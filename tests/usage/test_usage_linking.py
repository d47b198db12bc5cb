"""Linking usage accounts to customers: cross-system ids first, then account key and domain."""

from datetime import UTC, date, datetime

import pytest

from connectors.usage.csv_import import usage_csv_import
from supportops.identity import unmatched_identities
from supportops.models import Customer, CustomerIdentity, UsageMonth

pytestmark = pytest.mark.django_db

HEADER = "account_id,month,api_calls,account_name,zendesk_organization_id,stripe_customer_id"


def usage_identity(account_id):
    return CustomerIdentity.objects.get(source="usage", external_id=account_id)


def test_every_account_becomes_a_usage_identity_unmatched_without_evidence(csv_file):
    result = usage_csv_import(
        path=csv_file(HEADER, "acct_1,2024-05,5,Acme,,", "acct_1,2024-06,6,,,")
    )

    identity = usage_identity("acct_1")
    assert (identity.name, identity.account_key, identity.customer, identity.match_method) == (
        "Acme",
        "acct_1",
        None,
        "",
    )
    assert Customer.objects.count() == 0  # usage ids only key into other systems
    assert set(UsageMonth.objects.values_list("customer_id", flat=True)) == {None}
    assert (result.accounts_linked, result.accounts_unmatched) == (0, 1)
    assert [r.external_id for r in unmatched_identities()] == ["acct_1"]


def test_a_zendesk_organization_id_links_to_that_organizations_customer(csv_file, identity):
    org = identity("zendesk", "361", name="Acme Corp")

    result = usage_csv_import(path=csv_file(HEADER, "acct_1,2024-05,5,Acme,361,"))

    linked = usage_identity("acct_1")
    assert (linked.customer_id, linked.match_method) == (org.customer_id, "explicit")
    assert linked.extra == {"zendesk_organization_id": "361"}
    assert UsageMonth.objects.get().customer_id == org.customer_id
    assert (result.accounts_linked, result.accounts_unmatched) == (1, 0)
    assert Customer.objects.count() == 1  # no customer created for the usage account


def test_agreeing_ids_link_conflicting_ones_wait_for_an_admin(csv_file, identity):
    org = identity("zendesk", "361")
    identity("stripe", "cus_A", customer=org.customer)
    other = identity("stripe", "cus_B")

    result = usage_csv_import(
        path=csv_file(
            HEADER,
            "agree,2024-05,1,,361,cus_A",
            "conflict,2024-05,1,,361,cus_B",
            "unknown_org,2024-05,1,,999,cus_B",  # no Zendesk organization 999
        )
    )

    assert usage_identity("agree").customer_id == org.customer_id
    assert usage_identity("conflict").customer_id is None
    assert usage_identity("unknown_org").customer_id == other.customer_id
    assert [record.external_id for record in unmatched_identities()] == ["conflict"]
    assert usage_identity("conflict").extra == {
        "zendesk_organization_id": "361",
        "stripe_customer_id": "cus_B",
    }
    assert (result.accounts_linked, result.accounts_unmatched) == (2, 1)


def test_the_latest_month_says_which_ids_an_account_has(csv_file, identity):
    old = identity("zendesk", "1")
    new = identity("zendesk", "2")
    usage_csv_import(path=csv_file(HEADER, "a,2024-06,1,,2,", "a,2024-05,1,,1,"))
    assert usage_identity("a").customer_id == new.customer_id != old.customer_id


def test_an_id_in_a_later_file_links_every_month_of_the_account(csv_file, identity):
    usage_csv_import(path=csv_file(HEADER, "a,2024-04,1,,,", "a,2024-05,2,,,"))
    assert usage_identity("a").customer_id is None
    org = identity("zendesk", "361")

    result = usage_csv_import(path=csv_file(HEADER, "a,2024-05,2,,361,"))

    assert usage_identity("a").match_method == "explicit"
    assert set(UsageMonth.objects.values_list("customer_id", flat=True)) == {org.customer_id}
    assert (result.updated, result.unchanged) == (1, 0)  # April moved too, outside the count


def test_an_admins_manual_link_is_never_overwritten(csv_file, identity):
    mine = Customer.objects.create(name="Chosen by admin")
    CustomerIdentity.objects.create(
        source="usage", external_id="a", account_key="a", customer=mine, match_method="manual"
    )
    identity("zendesk", "361")

    result = usage_csv_import(path=csv_file(HEADER, "a,2024-05,1,,361,"))

    assert (usage_identity("a").customer_id, usage_identity("a").match_method) == (
        mine.id,
        "manual",
    )
    assert UsageMonth.objects.get().customer_id == mine.id
    assert result.accounts_linked == 1


def test_a_shared_account_key_links_without_cross_system_ids(csv_file, identity):
    org = identity("zendesk", "361", account_key="acct_9")

    usage_csv_import(path=csv_file("account_id,month,api_calls", "acct_9,2024-05,10"))

    linked = usage_identity("acct_9")
    assert (linked.customer_id, linked.match_method) == (org.customer_id, "explicit")


def test_the_domains_column_links_by_email_domain(csv_file):
    acme = Customer.objects.create(name="Acme", domains=["acme.com"])

    result = usage_csv_import(
        path=csv_file(
            "account_id,month,api_calls,domains",
            "a,2024-05,1,ACME.com",
            "b,2024-05,1,",
        )
    )

    linked = usage_identity("a")
    assert (linked.customer_id, linked.match_method, linked.domains) == (
        acme.id,
        "domain",
        ["acme.com"],
    )
    assert usage_identity("b").customer_id is None
    assert (result.accounts_linked, result.accounts_unmatched) == (1, 1)


def test_a_key_shared_later_links_months_a_later_file_leaves_out(csv_file, identity):
    usage_csv_import(path=csv_file("account_id,month,api_calls", "a,2024-04,1", "a,2024-05,2"))
    org = identity("zendesk", "361", account_key="a")  # e.g. a later Zendesk sync

    usage_csv_import(path=csv_file("account_id,month,api_calls", "a,2024-06,3"))

    assert dict(UsageMonth.objects.values_list("month", "customer_id")) == {
        date(2024, 4, 1): org.customer_id,
        date(2024, 5, 1): org.customer_id,
        date(2024, 6, 1): org.customer_id,
    }


def test_a_file_without_names_keeps_the_names_it_had(csv_file):
    usage_csv_import(path=csv_file("account_id,month,api_calls,account_name", "a,2024-05,1,Acme"))
    usage_csv_import(path=csv_file("account_id,month,api_calls", "a,2024-06,1"))
    assert usage_identity("a").name == "Acme"


def test_an_accounts_first_month_is_its_creation_and_dates_the_signup(csv_file, identity):
    org = identity("zendesk", "361", name="Acme Corp")
    CustomerIdentity.objects.filter(pk=org.pk).update(
        source_created_at=datetime(2020, 3, 1, tzinfo=UTC)
    )
    usage_csv_import(path=csv_file(HEADER, "acct_1,2019-07,5,,361,", "acct_1,2019-05,6,,361,"))

    assert usage_identity("acct_1").source_created_at == datetime(2019, 5, 1, tzinfo=UTC)
    assert Customer.objects.get().signed_up_at == datetime(2019, 5, 1, tzinfo=UTC)

    # a later file (a warehouse pull re-reads recent months only) keeps the first month
    usage_csv_import(path=csv_file(HEADER, "acct_1,2019-08,7,,361,"))

    assert usage_identity("acct_1").source_created_at == datetime(2019, 5, 1, tzinfo=UTC)
    assert Customer.objects.get().signed_up_at == datetime(2019, 5, 1, tzinfo=UTC)

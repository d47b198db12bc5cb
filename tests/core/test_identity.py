"""Identity resolution, manual links and merges (DESIGN.md §3)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from supportops.customers import customers_merge, identity_link
from supportops.identity import identities_resolve, unmatched_identities
from supportops.models import Customer, CustomerIdentity, Ticket, UsageMonth

pytestmark = pytest.mark.django_db
AT = datetime(2025, 1, 1, tzinfo=UTC)


def identity(source, external_id, *, name="", domains=(), key="", customer=None, method=""):
    return CustomerIdentity.objects.create(
        source=source,
        external_id=external_id,
        name=name or external_id,
        domains=list(domains),
        account_key=key,
        customer=customer,
        match_method=method,
    )


def test_explicit_key_wins_over_domain():
    by_key = Customer.objects.create(name="Acme (billing)")
    Customer.objects.create(name="Acme (helpdesk)", domains=["acme.io"])
    identity("zendesk", "1", key="acct_1", customer=by_key, method="created")
    stripe = identity("stripe", "cus_1", domains=["acme.io"], key="acct_1")

    assert identities_resolve(source="stripe") == 1

    stripe.refresh_from_db()
    assert stripe.customer == by_key and stripe.match_method == "explicit"


def test_domain_is_the_fallback():
    acme = Customer.objects.create(name="Acme", domains=["acme.io"])
    stripe = identity("stripe", "cus_1", domains=["ACME.io"])

    identities_resolve(source="stripe")

    stripe.refresh_from_db()
    assert stripe.customer == acme and stripe.match_method == "domain"


def test_a_founding_source_creates_a_customer_but_usage_waits_for_an_admin():
    org = identity("zendesk", "9", name="Globex", domains=["globex.com"])
    usage = identity("usage", "acct_77")

    identities_resolve()

    org.refresh_from_db()
    usage.refresh_from_db()
    assert org.customer.name == "Globex" and org.customer.domains == ["globex.com"]
    assert org.match_method == "created"
    assert usage.customer is None
    [listed] = unmatched_identities()
    assert listed.external_id == "acct_77"
    assert listed.reason == "no shared id and no known email domain"


def test_customers_founded_in_one_run_are_matched_by_later_records_of_the_same_run():
    """Founded in one bulk insert: a later record's domain or key finds the new customer."""
    from supportops.data_version import data_version

    identity("stripe", "cus_1", name="Initech", domains=["Initech.COM"], key="acct_i")
    identity("stripe", "cus_2", name="Initech EU", domains=["initech.com"])
    identity("stripe", "cus_3", name="Initech billing", key="acct_i")
    identity("stripe", "cus_4", name="Hooli", domains=["hooli.xyz"])
    before = data_version()

    assert identities_resolve(source="stripe") == 4

    rows = {
        i.external_id: (i.customer_id, i.match_method)
        for i in CustomerIdentity.objects.filter(source="stripe")
    }
    initech = Customer.objects.get(name="Initech")
    hooli = Customer.objects.get(name="Hooli")
    assert initech.domains == ["initech.com"] and hooli.domains == ["hooli.xyz"]
    assert rows == {
        "cus_1": (initech.id, "created"),
        "cus_2": (initech.id, "domain"),
        "cus_3": (initech.id, "explicit"),
        "cus_4": (hooli.id, "created"),
    }
    assert Customer.objects.count() == 2
    assert data_version() > before  # bulk_create sends no signal: the version still moved


def test_conflicting_explicit_ids_are_surfaced_not_guessed():
    a = Customer.objects.create(name="A")
    b = Customer.objects.create(name="B")
    identity("zendesk", "1", key="acct_1", customer=a, method="created")
    identity("salesforce", "001", key="acct_1", customer=b, method="manual")
    usage = identity("usage", "acct_1", key="acct_1")

    identities_resolve(source="usage")

    usage.refresh_from_db()
    assert usage.customer is None
    [listed] = unmatched_identities()
    assert listed.reason == f"conflicting explicit ids point at customers {sorted([a.id, b.id])}"


def test_references_to_other_systems_are_explicit_evidence():
    acme = Customer.objects.create(name="Acme")
    identity("stripe", "cus_9", customer=acme, method="created")
    account = identity("salesforce", "001X", domains=["other.io"])
    account.references = [["stripe", "cus_9"]]
    account.save()

    identities_resolve(source="salesforce")

    account.refresh_from_db()
    assert account.customer == acme and account.match_method == "explicit"


def test_manual_link_moves_dependents_and_survives_resolution():
    wrong = Customer.objects.create(name="Wrong")
    right = Customer.objects.create(name="Right")
    org = identity("zendesk", "5", customer=wrong, method="domain")
    ticket = Ticket.objects.create(
        source="zendesk",
        external_id="t1",
        organization_external_id="5",
        customer=wrong,
        created_at=AT,
        updated_at=AT,
    )

    identity_link(identity=org, customer=right)
    identities_resolve()

    org.refresh_from_db()
    ticket.refresh_from_db()
    assert org.customer == right and org.match_method == "manual"
    assert ticket.customer == right


def test_merge_moves_everything_and_unites_domains():
    keep = Customer.objects.create(name="Acme", domains=["acme.io"])
    dup = Customer.objects.create(name="ACME Inc", domains=["acme.com"])
    identity("stripe", "cus_1", customer=dup, method="created")
    Ticket.objects.create(
        source="zendesk", external_id="t1", customer=dup, created_at=AT, updated_at=AT
    )
    UsageMonth.objects.create(account_id="acct_1", customer=dup, month=AT.date(), api_calls=5)

    customers_merge(target=keep, others=[dup])

    assert not Customer.objects.filter(pk=dup.pk).exists()
    keep.refresh_from_db()
    assert keep.domains == ["acme.com", "acme.io"]
    assert CustomerIdentity.objects.get(external_id="cus_1").customer == keep
    assert Ticket.objects.get().customer == keep and UsageMonth.objects.get().customer == keep


def test_admin_merge_asks_which_customer_to_keep(admin_client):
    keep = Customer.objects.create(name="Acme")
    dup = Customer.objects.create(name="Acme dup")
    url = "/admin/supportops/customer/"
    form = {"action": "merge_customers", "_selected_action": [keep.pk, dup.pk]}

    confirm = admin_client.post(url, form)
    assert confirm.status_code == 200 and "Choose the customer to keep" in confirm.content.decode()

    done = admin_client.post(url, form | {"confirm": "yes", "target": str(dup.pk)})
    assert done.status_code == 302
    assert list(Customer.objects.values_list("name", flat=True)) == ["Acme dup"]


def test_admin_links_an_unmatched_record(admin_client):
    acme = Customer.objects.create(name="Acme")
    usage = identity("usage", "acct_3")
    UsageMonth.objects.create(account_id="acct_3", month=AT.date(), api_calls=10)

    response = admin_client.post(
        f"/admin/supportops/customeridentity/{usage.pk}/change/", {"customer": acme.pk}
    )

    assert response.status_code == 302
    usage.refresh_from_db()
    assert usage.customer == acme and usage.match_method == "manual"
    assert UsageMonth.objects.get().customer == acme


def test_conflicting_references_are_explained_on_the_unmatched_list():
    a = Customer.objects.create(name="A")
    b = Customer.objects.create(name="B")
    identity("zendesk", "361", customer=a, method="created")
    identity("stripe", "cus_B", customer=b, method="created")
    usage = identity("usage", "acct_5", key="acct_5")
    usage.references = [["zendesk", "361"], ["stripe", "cus_B"]]
    usage.save()

    assert identities_resolve(source="usage") == 0

    [listed] = unmatched_identities()
    assert listed.external_id == "acct_5"
    assert listed.reason == f"conflicting explicit ids point at customers {sorted([a.id, b.id])}"

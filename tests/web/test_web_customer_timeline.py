"""The timeline on the customer page (/customers/<id>/): filters kept in the URL, pages, links
to each system, last contact; the same events as GET /api/v1/customers/{id}/timeline/."""

from __future__ import annotations

import re

import pytest

from metrics.views import customers as customer_views
from tests.timeline_data import EXPECTED, LINK_SETTINGS, five_sources


@pytest.fixture
def acme(signed_in, settings):
    for name, value in LINK_SETTINGS.items():
        setattr(settings, name, value)
    acme = five_sources()
    # what a sync does once its rows are in: the page's card reads the stored last contact
    from supportops.contact import customer_contact_refresh

    customer_contact_refresh(customer_ids=[acme.id])
    return acme


def page_url(customer) -> str:
    return f"/customers/{customer.id}/"


def api_url(customer) -> str:
    return f"/api/v1/customers/{customer.id}/timeline/"


def _shown(response):
    return [(e.at, e.source, e.kind) for e in response.context["timeline"]]


def test_the_page_shows_the_apis_events(signed_in, acme):
    response = signed_in.get(page_url(acme))
    assert response.status_code == 200
    assert _shown(response) == EXPECTED
    api = signed_in.get(api_url(acme)).json()
    page_events = response.context["timeline"]
    assert [e.title for e in page_events] == [e["title"] for e in api["events"]]
    assert [e.link for e in page_events] == [e["link"] for e in api["events"]]
    html = response.content.decode()
    assert "Events 1–12 of 12, newest first" in html
    assert "Conversation opened: Billing?" in html and "Invoice payment failed: 45.50 USD" in html
    # last contact: the Intercom customer message, not the later note nor the deleted ticket
    assert response.context["customer"].last_contact_at.isoformat() == "2025-03-04T16:00:00+00:00"
    assert api["last_contact_at"] == "2025-03-04T16:00:00Z"
    assert (
        'Last contact: <time datetime="2025-03-04T16:00:00+00:00">4 Mar 2025 16:00</time>' in html
    )


def test_links_open_the_vendor_page_marked_external(signed_in, acme):
    html = signed_in.get(page_url(acme)).content.decode()
    links = re.findall(r'<a class="timeline-link external" href="([^"]+)" target="_blank" '
                       r'rel="noopener noreferrer">Open in ([^<]+)<', html)  # fmt: skip
    assert links[:3] == [
        ("https://app.intercom.com/a/inbox/abc123/inbox/conversation/c7", "Intercom"),
        ("https://acme.zendesk.com/agent/tickets/101", "Zendesk"),
        ("https://acme.zendesk.com/agent/tickets/101", "Zendesk"),
    ]
    assert ("https://dashboard.stripe.com/test/invoices/in_failed", "Stripe") in links
    assert (
        "https://acme.my.salesforce.com/lightning/r/Opportunity/006A/view",
        "Salesforce",
    ) in links
    assert len(links) == 10  # every event but the two usage months
    assert "(external site, opens in a new tab)" in html


def test_pages_match_the_api_pages(signed_in, acme, monkeypatch):
    monkeypatch.setattr(customer_views, "TIMELINE_EVENTS", 4)
    first = signed_in.get(page_url(acme), {"source": "stripe,salesforce,usage"})
    assert (
        _shown(first)
        == [row for row in EXPECTED if row[1] != "zendesk" and row[1] != "intercom"][:4]
    )
    html = first.content.decode()
    assert "Page 1 of 2" in html
    assert 'href="?source=stripe%2Csalesforce%2Cusage&amp;page=2" rel="next"' in html
    second = signed_in.get(page_url(acme), {"source": "stripe,salesforce,usage", "page": 2})
    api = signed_in.get(
        api_url(acme), {"source": "stripe,salesforce,usage", "page": 2, "page_size": 4}
    ).json()
    assert [e.title for e in second.context["timeline"]] == [e["title"] for e in api["events"]]
    assert len(api["events"]) == 4 and api["next"] is None
    assert 'rel="prev"' in second.content.decode()


def test_filters_are_kept_in_the_form(signed_in, acme):
    response = signed_in.get(page_url(acme), {"source": "stripe", "kind": "invoice_failed"})
    assert [e.kind for e in response.context["timeline"]] == ["invoice_failed"]
    html = response.content.decode()
    assert '<option value="stripe" selected>Stripe</option>' in html
    assert '<option value="invoice_failed" selected>Invoice failed</option>' in html
    assert "with these filters" in html and ">Clear</a>" in html
    assert f"{api_url(acme)}?source=stripe&amp;kind=invoice_failed&amp;format=csv" in html


def test_a_comma_list_stays_selected(signed_in, acme):
    html = signed_in.get(page_url(acme), {"kind": "usage,crm_task"}).content.decode()
    assert '<option value="usage,crm_task" selected>usage,crm_task</option>' in html


@pytest.mark.parametrize(
    ("params", "param", "words"),
    [
        ({"source": "hubspot"}, "source", ["Unknown source &#x27;hubspot&#x27;", "zendesk"]),
        ({"kind": "ticket_closed"}, "kind", ["Unknown kind &#x27;ticket_closed&#x27;"]),
        ({"page": "two"}, "page", ["whole number"]),
    ],
)
def test_bad_filter_is_the_pages_400(signed_in, acme, params, param, words):
    response = signed_in.get(page_url(acme), params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Cannot show the timeline:" in html and 'role="alert"' in html
    for word in words:
        assert word in html
    assert "<h1>Acme" in html  # the rest of the page still shows
    assert response.context["timeline"] is None
    if param != "page":
        assert f'name="{param}" aria-invalid="true"' in html


def test_a_page_past_the_end(signed_in, acme):
    response = signed_in.get(page_url(acme), {"page": 9})
    assert response.status_code == 200
    assert "No events on page 9; there are 1 page" in response.content.decode()


def test_query_count(signed_in, acme, django_assert_num_queries):
    # session, user, freshness, customer, identities, settings, the data version (the LTV
    # basis's cache key) and the LTV churn (the tests' cache never hits), tickets and usage per
    # month, the timeline's page with its count, the Intercom workspace for the conversation link,
    # the support cost to date (stored rows: metrics/customer_costs.py)
    with django_assert_num_queries(13):
        assert signed_in.get(page_url(acme)).status_code == 200

"""The HTTPS Salesforce sandbox speaks the wire format the connector relies on."""

from __future__ import annotations

import pytest
import requests

from connectors.sandbox.salesforce import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REFRESH_TOKEN,
)

Q = "SELECT Id, Name, SystemModstamp FROM Account WHERE SystemModstamp >= 2000-01-01T00:00:00Z"


@pytest.fixture
def api(sandbox, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sandbox.certificate.ca_path))
    token = requests.post(
        sandbox.login_url + "/services/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": DEFAULT_CLIENT_ID,
            "client_secret": DEFAULT_CLIENT_SECRET,
            "refresh_token": DEFAULT_REFRESH_TOKEN,
        },
        timeout=10,
    ).json()

    def get(path, **kwargs):
        headers = {"Authorization": f"Bearer {token['access_token']}", **kwargs.pop("headers", {})}
        return requests.get(token["instance_url"] + path, headers=headers, timeout=10, **kwargs)

    return get


def test_token_names_this_https_instance(sandbox, api):
    assert api("/services/data/v60.0/sobjects/Account/describe").status_code == 200
    assert sandbox.login_url.startswith("https://")


def test_plain_http_is_refused_by_tls(sandbox):
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(sandbox.login_url.replace("https", "http"), timeout=5)


def test_bad_refresh_token_is_invalid_grant(sandbox, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(sandbox.certificate.ca_path))
    response = requests.post(
        sandbox.login_url + "/services/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": DEFAULT_CLIENT_ID,
            "client_secret": DEFAULT_CLIENT_SECRET,
            "refresh_token": "nope",
        },
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "expired access/refresh token",
    }


def test_query_pages_with_batch_size_and_limit_header(sandbox, api):
    first = api(
        "/services/data/v60.0/query",
        params={"q": Q},
        headers={"Sforce-Query-Options": "batchSize=7"},
    )
    body = first.json()

    assert body["totalSize"] == 20 and body["done"] is False and len(body["records"]) == 7
    assert body["records"][0]["attributes"]["type"] == "Account"
    assert body["records"][0]["SystemModstamp"].endswith(".000+0000")
    assert first.headers["Sforce-Limit-Info"] == "api-usage=1/15000"
    rest = api(body["nextRecordsUrl"]).json()
    assert len(rest["records"]) == 7 and rest["nextRecordsUrl"].endswith("-14")


def test_deleted_rows_only_through_query_all(sandbox, api, clock):
    record_id = next(iter(sandbox.org.records["Account"]))
    sandbox.org.delete("Account", record_id, at=clock.now_at())

    live = api("/services/data/v60.0/query", params={"q": Q}).json()
    every = api("/services/data/v60.0/queryAll", params={"q": Q + " AND IsDeleted = true"}).json()

    assert live["totalSize"] == 19
    assert [r["Id"] for r in every["records"]] == [record_id]


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT Nope__c FROM Account", "INVALID_FIELD"),
        ("SELECT Id FROM Widget__c", "INVALID_TYPE"),
        ("DELETE Account", "MALFORMED_QUERY"),
    ],
)
def test_bad_queries_answer_error_arrays(api, soql, code):
    response = api("/services/data/v60.0/query", params={"q": soql})

    assert response.status_code == 400 and response.json()[0]["errorCode"] == code


def test_expired_sessions_and_the_daily_limit(sandbox, api):
    sandbox.salesforce.api_limit = 0
    assert api("/services/data/v60.0/query", params={"q": Q}).json()[0]["errorCode"] == (
        "REQUEST_LIMIT_EXCEEDED"
    )
    sandbox.salesforce.expire_sessions()
    response = api("/services/data/v60.0/query", params={"q": Q})
    assert response.status_code == 401
    assert response.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]


def test_stripe_ids_on_accounts_match_the_stripe_sandbox():
    from connectors.sandbox.salesforce_data import stripe_customer_id
    from connectors.sandbox.stripe_model import stripe_id

    assert stripe_customer_id("acct_0042") == stripe_id("cus", "acct_0042")

"""Every vendor normalizer, fed real wire-format records (the sandboxes' renderers) mutated by
hypothesis: a key dropped, a value of the wrong type, None, huge or negative numbers, NUL bytes,
very long strings, nested junk. Each record either normalizes or fails with MalformedResponse
naming the vendor, the kind of record, its id and the field, never a bare KeyError/TypeError
(issue #10). The recorded Zendesk pages under ../shared are added when they are there.

Bounded for CI: 100 examples per normalizer, derandomized (the same examples every run), no
example database written into the checkout.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.errors import MalformedResponse
from connectors.intercom import normalize as intercom
from connectors.salesforce import normalize as salesforce
from connectors.sandbox import build_company, intercom_json, stripe_json, zendesk_json
from connectors.sandbox.intercom_data import build_workspace
from connectors.sandbox.salesforce_data import FIELDS, build_org
from connectors.sandbox.salesforce_soql import render as salesforce_render
from connectors.sandbox.stripe import _event as stripe_event
from connectors.sandbox.stripe_state import StripeState
from connectors.stripe import normalize as stripe
from connectors.zendesk import normalize as zendesk

END_AT = datetime(2025, 11, 28, 12, tzinfo=UTC)
NOW = int(END_AT.timestamp())
BASE = "http://sandbox.test"
PER_KIND = 25  # samples of each kind of record
RECORDINGS = Path(__file__).resolve().parents[3] / "shared" / "vendor-recordings"
FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@functools.cache
def _company():
    return build_company(seed=7, customers=6, months=3, end_at=END_AT)


@functools.cache
def _zendesk() -> dict[str, list[dict]]:
    company = _company()
    tickets = list(company.tickets.values())[:PER_KIND]
    return {
        "organization": [zendesk_json.organization(c, BASE) for c in company.customers],
        "user": [
            zendesk_json.user(p, c.org_id, BASE) for c in company.customers for p in c.contacts
        ][:PER_KIND]
        + [zendesk_json.user(a, None, BASE) for a in company.agents[:3]],
        "ticket": [
            zendesk_json.ticket(t, BASE) | {"metric_set": zendesk_json.metric_set(t, BASE)}
            for t in tickets
        ]
        + _recorded_tickets(),
        "ticket event": [zendesk_json.comment_event(c, t) for t in tickets for c in t.comments][
            :PER_KIND
        ],
    }


def _recorded_tickets() -> list[dict]:
    path = RECORDINGS / "zendesk" / "incremental_tickets_cursor.json"
    if not path.exists():
        return []
    found = []
    for interaction in json.loads(path.read_text()).get("interactions", []):
        body = (interaction.get("response") or {}).get("body")
        if isinstance(body, str):
            try:
                body = json.loads(body)
            except ValueError:
                continue
        if isinstance(body, dict):
            found += [t for t in body.get("tickets") or () if isinstance(t, dict)]
    return found[:PER_KIND]


@functools.cache
def _intercom() -> dict[str, list[dict]]:
    ws = build_workspace(_company())
    conversations = list(ws.conversations.values())[:PER_KIND]
    return {
        "company": [intercom_json.company(c, BASE) for c in ws.companies][:PER_KIND],
        "contact": [intercom_json.contact(c, BASE) for c in ws.contacts][:PER_KIND],
        "conversation": [intercom_json.conversation(ws, c, with_parts=True) for c in conversations],
    }


@functools.cache
def _stripe() -> dict[str, list[dict]]:
    state = StripeState(_company(), render_event=stripe_json.event_payload)
    subscriptions = [stripe_json.subscription(s, NOW) for s in state.subscriptions.values()]
    prices = {
        item["price"]["id"]: item["price"]
        for s in subscriptions
        for item in s["items"]["data"]
        if isinstance(item.get("price"), dict)
    }
    return {
        "price": list(prices.values())[:PER_KIND],
        "customer": [stripe_json.customer(c) for c in state.customers.values()][:PER_KIND],
        "subscription": subscriptions[:PER_KIND],
        "invoice": [stripe_json.invoice(i) for i in state.invoices.values()][:PER_KIND],
        "charge": [stripe_json.charge(c) for c in state.charges.values()][:PER_KIND],
        "event": [stripe_event(e) for e in state.events][-PER_KIND:],
    }


@functools.cache
def _salesforce() -> dict[str, list[dict]]:
    org = build_org(_company())
    return {
        sobject: [
            salesforce_render(sobject, row, list(FIELDS[sobject]), "62.0")
            for row in org.rows(sobject)
        ][:PER_KIND]
        for sobject in ("Account", "Opportunity", "Task", "Event")
    }


# (vendor, kind, normalizer, extra keyword arguments, samples)
NORMALIZERS = [
    ("zendesk", "organization", zendesk.organization, {}, _zendesk),
    ("zendesk", "user", zendesk.user, {}, _zendesk),
    ("zendesk", "ticket", zendesk.ticket, {}, _zendesk),
    ("zendesk", "ticket event", zendesk.ticket_event_comments, {}, _zendesk),
    ("intercom", "company", intercom.company, {}, _intercom),
    ("intercom", "contact", intercom.contact, {}, _intercom),
    ("intercom", "conversation", intercom.conversation, {}, _intercom),
    ("stripe", "price", stripe.price, {}, _stripe),
    ("stripe", "customer", stripe.customer, {}, _stripe),
    ("stripe", "subscription", stripe.subscription, {"now": NOW}, _stripe),
    ("stripe", "invoice", stripe.invoice, {}, _stripe),
    ("stripe", "charge", stripe.charge, {}, _stripe),
    ("stripe", "event", stripe.event, {"now": NOW}, _stripe),
    ("salesforce", "Account", salesforce.account, {}, _salesforce),
    ("salesforce", "Opportunity", salesforce.opportunity, {}, _salesforce),
    ("salesforce", "Task", salesforce.task, {}, _salesforce),
    ("salesforce", "Event", salesforce.event, {}, _salesforce),
]
GUARDS = {
    "zendesk": zendesk.guarded,
    "intercom": intercom.guarded,
    "stripe": stripe.guarded,
    "salesforce": salesforce.guarded,
}
ID_KEY = {"salesforce": "Id"}

# --- mutations -------------------------------------------------------------------------------

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([0, -1, 2**31, 2**63, -(2**63), 10**30, 2**62, 10**400]),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "\x00", "a\x00b", "x" * 100_000, "9" * 5000, "not a date", "２０２６"]),
    st.text(max_size=20),
    st.sampled_from([[], {}, [None], {"id": None}, [[[[]]]], {"": {"": {"": None}}}]),
    st.recursive(
        st.none() | st.integers() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
        max_leaves=6,
    ),
)


def _paths(value, path=()) -> list[tuple]:
    """Every place in a JSON value: dict keys and list indexes, nested."""
    found = []
    if isinstance(value, dict):
        for key, child in value.items():
            found.append((*path, key))
            found += _paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value[:3]):
            found.append((*path, index))
            found += _paths(child, (*path, index))
    return found


def _copy(value):
    return json.loads(json.dumps(value, default=str, allow_nan=True))


@st.composite
def mutated(draw, samples: list[dict]):
    raw = _copy(draw(st.sampled_from(samples)))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(raw)
        if not paths:
            break
        *parent_path, last = draw(st.sampled_from(paths))
        parent = raw
        for step in parent_path:
            parent = parent[step]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[last]
        else:
            parent[last] = _copy(draw(JUNK))  # a fresh object: no cycles, no shared state
    return raw


# --- the property ----------------------------------------------------------------------------


def _check(vendor: str, kind: str, normalize, kwargs: dict, raw) -> None:
    guarded = GUARDS[vendor](kind, normalize)
    try:
        records = guarded(raw, **kwargs)
        assert not any("\0" in text for text in _strings(records)), "PostgreSQL refuses a NUL"
    except MalformedResponse as exc:
        message = str(exc)
        assert message.startswith(f"{vendor} {kind} "), message
        assert len(message) < 600, "the message quotes a whole value"
        if isinstance(raw, dict):
            ident = raw.get(ID_KEY.get(vendor, "id"))
            assert "is malformed at field '" in message, message
            if isinstance(ident, str | int) and not isinstance(ident, bool):
                shown = repr(ident)
                assert shown[:60] in message, message


def _strings(value):
    """Every string in a normalized result: records (dataclasses), their extra, keys too."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from _strings(getattr(value, field.name))
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _strings(key)
            yield from _strings(child)
    elif isinstance(value, list | tuple):
        for child in value:
            yield from _strings(child)


def test_a_nul_in_vendor_text_is_stored_as_a_replacement_character():
    raw = zendesk_json.ticket(list(_company().tickets.values())[0], BASE)
    raw |= {"subject": "Login\x00 fails", "custom_fields": [{"id": 1, "value": "a\x00"}]}

    record = zendesk.guarded("ticket", zendesk.ticket)(raw)

    assert record.subject == "Login\ufffd fails"
    assert record.custom_fields == {"1": "a\ufffd"}


@pytest.mark.parametrize(
    ("vendor", "kind", "normalize", "kwargs", "samples"),
    NORMALIZERS,
    ids=[f"{vendor}-{kind}" for vendor, kind, *_ in NORMALIZERS],
)
def test_a_mutated_record_normalizes_or_names_what_is_wrong(
    vendor, kind, normalize, kwargs, samples
):
    records = samples()[kind]
    assert records, f"the sandbox rendered no {vendor} {kind}"
    for raw in records:  # the unmutated records are good
        GUARDS[vendor](kind, normalize)(raw, **kwargs)

    @FUZZ
    @given(raw=mutated(records))
    def fuzz(raw):
        _check(vendor, kind, normalize, kwargs, raw)

    fuzz()


@pytest.mark.parametrize(("vendor", "kind", "normalize", "kwargs", "_"), NORMALIZERS)
@pytest.mark.parametrize("raw", [None, [], "ticket", 7, math.inf], ids=repr)
def test_a_record_that_is_not_an_object_is_named(vendor, kind, normalize, kwargs, _, raw):
    try:
        GUARDS[vendor](kind, normalize)(raw, **kwargs)
    except MalformedResponse as exc:
        assert str(exc) == f"{vendor} {kind} is not a JSON object but {type(raw).__name__}"

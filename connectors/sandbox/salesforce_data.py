"""The synthetic company as a Salesforce org: Accounts, Opportunities, Tasks and Events.

Records are plain dicts of Salesforce field name → Python value (datetime, date, str, number,
bool, None), so the SOQL engine stays generic. Everything derives from the Company with its own
seeded Random, so one company always gives the same org. Mutators bump SystemModstamp the way
Salesforce does on any change, deletions included, so incremental windows see them.
"""

from __future__ import annotations

import hashlib
import random
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from .model import Company, Customer

# field name -> (describe type, custom?)
FIELDS: dict[str, dict[str, tuple[str, bool]]] = {
    "Account": {
        "Id": ("id", False), "Name": ("string", False), "Website": ("url", False),
        "Type": ("picklist", False), "Industry": ("picklist", False),
        "NumberOfEmployees": ("int", False), "Account_Key__c": ("string", True),
        "Stripe_Customer_Id__c": ("string", True), "Region__c": ("picklist", True),
    },
    "Opportunity": {
        "Id": ("id", False), "AccountId": ("reference", False), "Name": ("string", False),
        "StageName": ("picklist", False), "Amount": ("currency", False),
        "CloseDate": ("date", False), "Probability": ("percent", False),
        "IsClosed": ("boolean", False), "IsWon": ("boolean", False), "Type": ("picklist", False),
        "CurrencyIsoCode": ("picklist", False),
    },
    "Task": {
        "Id": ("id", False), "WhatId": ("reference", False), "AccountId": ("reference", False),
        "Subject": ("string", False), "Status": ("picklist", False),
        "ActivityDate": ("date", False), "TaskSubtype": ("picklist", False),
    },
    "Event": {
        "Id": ("id", False), "WhatId": ("reference", False), "AccountId": ("reference", False),
        "Subject": ("string", False), "StartDateTime": ("datetime", False),
        "EndDateTime": ("datetime", False), "Location": ("string", False),
    },
}  # fmt: skip
AUDIT_FIELDS = {
    "CreatedDate": ("datetime", False),
    "LastModifiedDate": ("datetime", False),
    "SystemModstamp": ("datetime", False),
    "IsDeleted": ("boolean", False),
}
for _fields in FIELDS.values():
    _fields.update(AUDIT_FIELDS)

KEY_PREFIX = {"Account": "001", "Opportunity": "006", "Task": "00T", "Event": "00U"}
ANNUAL = {"starter": 1_200, "pro": 6_000, "enterprise": 48_000}
INDUSTRIES = ("Software", "Retail", "Finance", "Healthcare", "Education", "Media")
TASKS = ("Onboarding call follow-up", "Quarterly business review prep", "Send renewal quote")
EVENTS = ("Kickoff meeting", "Quarterly business review", "Executive sponsor sync")


def sf_id(sobject: str, seq: int) -> str:
    """An 18-character id with the object's key prefix, stable for (object, sequence)."""
    return f"{KEY_PREFIX[sobject]}SBX{seq:012d}"


def stripe_customer_id(account_id: str) -> str:
    """The id the Stripe sandbox gives this account's customer (same hash, kept in step)."""
    return f"cus_{hashlib.sha256(account_id.encode()).hexdigest()[:14]}"


@dataclass
class SalesforceOrg:
    company: Company
    records: dict[str, dict[str, dict]]  # sobject -> Id -> fields
    lock: threading.RLock

    def rows(self, sobject: str) -> list[dict]:
        with self.lock:
            return [dict(row) for row in self.records[sobject].values()]

    def account_for(self, account_id: str) -> dict:
        """The Account of a company customer, by its product account id (acct_0042)."""
        index = int(account_id.rsplit("_", 1)[-1]) - 1
        return self.records["Account"][sf_id("Account", index + 1)]

    def update(self, sobject: str, record_id: str, *, at: datetime, **changes: object) -> None:
        with self.lock:
            row = self.records[sobject][record_id]
            unknown = set(changes) - set(FIELDS[sobject])
            if unknown:
                raise KeyError(f"{sobject} has no fields {sorted(unknown)}")
            row.update(changes)
            row["LastModifiedDate"] = row["SystemModstamp"] = at

    def delete(self, sobject: str, record_id: str, *, at: datetime) -> None:
        """Move a record to the recycle bin: only queryAll still returns it."""
        with self.lock:
            row = self.records[sobject][record_id]
            row["IsDeleted"] = True
            row["SystemModstamp"] = at


def build_org(company: Company) -> SalesforceOrg:
    rng = random.Random(company.seed * 7919 + 17)
    records: dict[str, dict[str, dict]] = {name: {} for name in FIELDS}
    seq = {name: 0 for name in FIELDS}

    def add(sobject: str, created: datetime, modified: datetime, **values: object) -> dict:
        seq[sobject] += 1
        record_id = sf_id(sobject, seq[sobject])
        row = {name: None for name in FIELDS[sobject]}
        row.update(values, Id=record_id, CreatedDate=created, IsDeleted=False)
        row["LastModifiedDate"] = row["SystemModstamp"] = max(created, modified)
        records[sobject][record_id] = row
        return row

    end = company.end_at
    for customer in company.customers:
        account = _account(add, rng, customer, end)
        if customer.plan in ANNUAL:
            _opportunities(add, customer, account["Id"], end)
        _activities(add, rng, customer, account["Id"], end)
    return SalesforceOrg(company, records, threading.RLock())


def _account(add, rng: random.Random, customer: Customer, end: datetime) -> dict:
    created = customer.signed_up_at
    modified = customer.churned_at or _between(rng, created, end)
    kind = "Former Customer" if customer.churned_at else "Customer - Direct"
    has_key = rng.random() >= 0.15  # the rest must be matched by domain
    paid = customer.plan in ANNUAL
    return add(
        "Account",
        created,
        modified,
        Name=customer.name,
        Website=f"https://www.{customer.domain}/",
        Type=kind if paid else "Prospect",
        Industry=rng.choice(INDUSTRIES),
        NumberOfEmployees=customer.seats * rng.randint(2, 8),
        Account_Key__c=customer.account_id if has_key else None,
        Stripe_Customer_Id__c=stripe_customer_id(customer.account_id)
        if paid and rng.random() < 0.5
        else None,
        Region__c=customer.region.upper(),
    )


def _opportunities(add, customer: Customer, account_id: str, end: datetime) -> None:
    amount = float(ANNUAL[customer.plan])
    start = customer.paid_from or customer.signed_up_at  # an upgrade is the new business
    close = start.date()
    add(
        "Opportunity",
        max(customer.signed_up_at, start - timedelta(days=21)),  # never before its Account
        start,
        AccountId=account_id,
        Name=f"{customer.name} - New Business",
        StageName="Closed Won",
        Amount=amount,
        CloseDate=close,
        Probability=100.0,
        IsClosed=True,
        IsWon=True,
        Type="New Business",
        CurrencyIsoCode="USD",
    )
    year = 1
    while True:
        renewal_at = start + timedelta(days=365 * year)
        opened_at = renewal_at - timedelta(days=60)
        if opened_at > end:
            return
        churned = customer.churned_at is not None and customer.churned_at < renewal_at
        if churned and customer.churned_at < opened_at:
            return
        closed = renewal_at <= end or churned
        stage = "Closed Lost" if churned else ("Closed Won" if closed else "Negotiation/Review")
        closed_at = min(customer.churned_at or renewal_at, renewal_at) if closed else opened_at
        add(
            "Opportunity",
            opened_at,
            closed_at,
            AccountId=account_id,
            Name=f"{customer.name} - Renewal {start.year + year}",
            StageName=stage,
            Amount=amount,
            CloseDate=_day(closed_at if closed else renewal_at),
            Probability=0.0 if churned else (100.0 if closed else 75.0),
            IsClosed=closed,
            IsWon=closed and not churned,
            Type="Renewal",
            CurrencyIsoCode="USD",
        )
        if churned:
            return
        year += 1


def _activities(add, rng: random.Random, customer: Customer, account_id: str, end: datetime):
    last = customer.churned_at or end
    for subject in rng.sample(TASKS, rng.randint(1, 2)):
        created = _between(rng, customer.signed_up_at, last)
        due = created + timedelta(days=rng.randint(1, 10))
        done = due <= end
        add(
            "Task",
            created,
            due if done else created,
            WhatId=account_id,
            AccountId=account_id,
            Subject=subject,
            Status="Completed" if done else "Not Started",
            ActivityDate=_day(due),
            TaskSubtype="Call" if "call" in subject else "Task",
        )
    if customer.plan in ("pro", "enterprise"):
        created = _between(rng, customer.signed_up_at, last)
        starts = (created + timedelta(days=7)).replace(hour=15, minute=0, second=0)
        add(
            "Event",
            created,
            created,
            WhatId=account_id,
            AccountId=account_id,
            Subject=rng.choice(EVENTS),
            StartDateTime=starts,
            EndDateTime=starts + timedelta(hours=1),
            Location="Zoom",
        )


def _between(rng: random.Random, lo: datetime, hi: datetime) -> datetime:
    span = max(0, int((hi - lo).total_seconds()))
    return lo + timedelta(seconds=rng.randint(0, span))


def _day(at: datetime) -> date:
    return at.astimezone(UTC).date()

"""Seeded generator of the synthetic company behind every sandbox.

The business (customers, plans, agents) is modelled first, then lived month by month: paying
customers cancel at a steady rate, customers write in (mostly the big accounts, plus a few heavy
free and starter users), and free customers upgrade, more often some weeks after a ticket. Zendesk
tickets are derived from that so later sandboxes (billing, CRM, usage) can tell one consistent
story about the same accounts.
Everything draws from one ``random.Random(seed)`` in a fixed order, so a seed and an ``end_at``
always give the same company.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

from . import vocab
from .model import Agent, Company, Contact, Customer, Ticket
from .stripe_model import enterprise_quantity
from .tickets import TicketFactory

PLANS = ("free", "starter", "pro", "enterprise")
PLAN_SHARE = (58, 21, 13, 8)  # at signup: some free customers upgrade later
FREE_CHURN_CHANCE = 0.22  # free accounts that go quiet for good at some point
# Paying customers cancel at a steady monthly rate, so churn (and LTV) is never 0 (or infinite).
MONTHLY_CHURN = {"starter": 0.03, "pro": 0.02, "enterprise": 0.008}
SEATS = {"free": (1, 3), "starter": (2, 10), "pro": (5, 40), "enterprise": (50, 500)}
CONTACTS = {"free": (1, 2), "starter": (1, 3), "pro": (2, 4), "enterprise": (3, 6)}
# Relative tickets per customer-month by the plan the customer is on at the time. Most small
# customers rarely write in; enterprise accounts (more so the bigger ones) carry most of the load.
TICKET_WEIGHT = {"free": 0.025, "starter": 0.08, "pro": 0.22, "enterprise": 3.0}
# (share, factor): some customers write in far more than their plan suggests, which is what puts
# free and starter customers on the unprofitable list.
HEAVY = {"free": (0.18, 18.0), "starter": (0.15, 7.0)}
# Free customers who filed a ticket upgrade more often, some weeks after it (correlation: the
# keen ones both ask and buy); the others upgrade at a low monthly rate on their own.
UPGRADE_AFTER_TICKET = 0.35
UPGRADE_AFTER_TICKET_HEAVY = 0.08
UPGRADE_MONTHLY = 0.006
UPGRADE_DELAY_DAYS = (14, 56)
UPGRADE_TO = ("starter", "pro")
UPGRADE_SHARE = (75, 25)
# Support volume by calendar month: New-year and back-to-work peaks, summer and holiday troughs.
SEASON = (1.25, 1.05, 1.0, 1.0, 0.95, 0.95, 0.9, 0.75, 1.25, 1.1, 1.0, 0.75)
TICKETS_PER_CUSTOMER_MONTH = 2.1
AGENT_COUNT = 8
ORG_ID_BASE = 360_000_000_000
AGENT_ID_BASE = 370_000_000_000
CONTACT_ID_BASE = 380_000_000_000
FIRST_COMMENT_ID = 10_000_000_001
GROUPS = {360000001: "Support", 360000002: "Billing", 360000003: "Engineering escalations"}
DAY = 86_400


def default_end_at() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)


def build_company(
    *,
    seed: int = 42,
    customers: int = 250,
    months: int = 24,
    end_at: datetime | None = None,
    tickets_per_month: int | None = None,
) -> Company:
    if end_at is None:
        end_at = default_end_at()
    if end_at.tzinfo is None:
        raise ValueError("end_at must be an aware datetime")
    end_at = end_at.astimezone(UTC)
    start_at = _month_start(end_at, back=months - 1)
    rng = random.Random(seed)
    agents = _agents(start_at)
    people = _customers(rng, customers, start_at, end_at)
    appetite, heavy = _appetite(rng, people)
    region_since = _month_start(end_at, back=2)
    factory = TicketFactory(rng, people, agents, GROUPS, end_at, region_since, FIRST_COMMENT_ID)
    avg = (
        tickets_per_month
        if tickets_per_month is not None
        else customers * TICKETS_PER_CUSTOMER_MONTH
    )
    life = _Lifecycle(rng, people, appetite, heavy, end_at)
    drafts = life.run(months, avg)
    tickets: dict[int, Ticket] = {}
    for ticket_id, (created, customer_index) in enumerate(drafts, start=1):
        tickets[ticket_id] = factory.make(ticket_id, created, people[customer_index], tickets)
    factory.delete_some(tickets, share=0.01)
    return Company(
        seed=seed,
        start_at=start_at,
        end_at=end_at,
        region_field_since=region_since,
        customers=people,
        agents=agents,
        tickets=tickets,
        groups=dict(GROUPS),
        next_comment_id=factory.next_comment_id,
    )


def _month_start(at: datetime, *, back: int) -> datetime:
    index = at.year * 12 + at.month - 1 - back
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def _agents(start_at: datetime) -> list[Agent]:
    agents = []
    for i, name in enumerate(vocab.AGENT_NAMES[:AGENT_COUNT]):
        created = start_at - timedelta(days=400 - 20 * i)
        email = name.lower().replace(" ", ".") + "@supportops-demo.com"
        role = "admin" if i == 0 else "agent"
        zone = ("London", "Eastern Time (US & Canada)", "Berlin")[i % 3]
        agents.append(Agent(AGENT_ID_BASE + i + 1, name, email, role, created, created, zone))
    return agents


def _company_names(rng: random.Random, count: int) -> list[str]:
    pairs = [f"{head} {tail}" for head in vocab.NAME_HEADS for tail in vocab.NAME_TAILS]
    rng.shuffle(pairs)
    return [
        pairs[i % len(pairs)] + (f" {i // len(pairs) + 1}" if i >= len(pairs) else "")
        for i in range(count)
    ]


def _customers(
    rng: random.Random, count: int, start_at: datetime, end_at: datetime
) -> list[Customer]:
    start, end = start_at.timestamp(), end_at.timestamp()
    people: list[Customer] = []
    used_domains: set[str] = set()
    next_user_id = CONTACT_ID_BASE + 1
    for index, name in enumerate(_company_names(rng, count)):
        plan = rng.choices(PLANS, PLAN_SHARE)[0]
        if rng.random() < 0.6:
            signed = start - rng.uniform(0, 3 * 365 * DAY)
        else:
            signed = rng.uniform(start, max(start, end - 14 * DAY))
        churned = None  # paying customers cancel later, month by month (_Lifecycle)
        churn_from = max(signed, start) + 30 * DAY
        if plan == "free" and rng.random() < FREE_CHURN_CHANCE and churn_from < end - DAY:
            churned = rng.uniform(churn_from, end - DAY)
        last_change = churned or rng.choice((signed, signed, rng.uniform(signed, end)))
        domain = _domain(rng, name, used_domains)
        region = rng.choices(vocab.REGIONS, (50, 35, 15))[0]
        customer = Customer(
            index=index,
            account_id=f"acct_{index + 1:04d}",
            name=name,
            domain=domain,
            plan=plan,
            region=region,
            signed_up_at=_dt(signed),
            churned_at=_dt(churned) if churned else None,
            seats=rng.randint(*SEATS[plan]),
            org_id=ORG_ID_BASE + index + 1,
            org_external_id=None if rng.random() < 0.1 else f"acct_{index + 1:04d}",
            org_updated_at=_dt(last_change),
        )
        for n in range(rng.randint(*CONTACTS[plan])):
            created = signed if n == 0 else min(end, signed + rng.uniform(0, 60 * DAY))
            updated = created if rng.random() < 0.7 else rng.uniform(created, end)
            first, last = rng.choice(vocab.FIRST_NAMES), rng.choice(vocab.LAST_NAMES)
            email = _email(first, last, domain, customer.contacts)
            zone = rng.choice(vocab.REGION_TIME_ZONES[region])
            contact = Contact(
                next_user_id, f"{first} {last}", email, index, _dt(created), _dt(updated), zone
            )
            customer.contacts.append(contact)
            next_user_id += 1
        people.append(customer)
    return people


def _domain(rng: random.Random, name: str, used: set[str]) -> str:
    stem = "".join(ch for ch in name.lower() if ch.isalnum())
    domain = f"{stem}.{rng.choice(vocab.TLDS)}"
    suffix = 2
    while domain in used:
        domain = f"{stem}{suffix}.{rng.choice(vocab.TLDS)}"
        suffix += 1
    used.add(domain)
    return domain


def _email(first: str, last: str, domain: str, taken: list[Contact]) -> str:
    local = _ascii(f"{first}.{last}".lower())
    existing = {contact.email for contact in taken}
    email, n = f"{local}@{domain}", 2
    while email in existing:
        email, n = f"{local}{n}@{domain}", n + 1
    return email


def _ascii(text: str) -> str:
    table = str.maketrans({"ü": "ue", "á": "a", "é": "e", "ó": "o", "í": "i", "ö": "oe"})
    return text.translate(table)


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(int(ts), UTC)


def _appetite(rng: random.Random, people: list[Customer]) -> tuple[list[float], dict[int, float]]:
    """How much each customer writes in relative to its plan, and the heavy users' multiple."""
    appetite, heavy = [], {}
    for customer in people:
        weight = rng.lognormvariate(0, 0.35)
        share, factor = HEAVY.get(customer.plan, (0.0, 1.0))
        if rng.random() < share:
            weight = rng.uniform(0.7, 1.3)
            heavy[customer.index] = factor
        if customer.plan == "enterprise":
            weight *= enterprise_quantity(customer.account_id, customer.seats) ** 0.6
        appetite.append(weight)
    return appetite, heavy


class _Lifecycle:
    """The company month by month, oldest first: paying customers cancel, customers write in,
    free customers upgrade (more often some weeks after their first ticket).

    Cancellations and upgrades are written to the customers; ``run`` returns the creation times
    and customers of all tickets, oldest first (ticket ids follow this order).
    """

    def __init__(
        self,
        rng: random.Random,
        people: list[Customer],
        appetite: list[float],
        heavy: dict[int, float],
        end_at: datetime,
    ) -> None:
        self.rng, self.people, self.appetite, self.heavy = rng, people, appetite, heavy
        self.end_at = end_at
        self.end = end_at.timestamp()
        self.decided: set[int] = set()  # free customers whose upgrade (or not) is settled
        self.owed = 0.0  # cancellations due but not yet made: keeps churn steady month to month

    def run(self, months: int, avg: float) -> list[tuple[int, int]]:
        spans = _spans(self.end_at, months)
        total_weight = sum(weight for _, _, _, weight in spans)
        drafts: list[tuple[int, int]] = []
        for lo, hi, covered, weight in spans:
            self._cancel(lo, hi, covered)
            volume = round(avg * months * weight / total_weight * self.rng.uniform(0.95, 1.05))
            month = self._tickets(lo, hi, volume)
            for created, index in month:
                if index not in self.decided:
                    self._upgrade_after_ticket(self.people[index], created)
            self._upgrade_unprompted(lo, hi, covered)
            drafts.extend(month)
        drafts.sort()
        return drafts

    def _tickets(self, lo: float, hi: float, volume: int) -> list[tuple[int, int]]:
        active = [
            c
            for c in self.people
            if c.signed_up_at.timestamp() < hi
            and (c.churned_at is None or c.churned_at.timestamp() > lo)
        ]
        if not active or volume <= 0:
            return []
        at = _dt(lo)
        weights = [self._weight(c, at) for c in active]
        month = []
        for customer in self.rng.choices(active, weights, k=volume):
            first = max(lo, customer.signed_up_at.timestamp())
            last = min(hi, customer.churned_at.timestamp() if customer.churned_at else hi) - 1
            month.append((_working_time(self.rng, first, max(first, last)), customer.index))
        month.sort()
        return month

    def _weight(self, customer: Customer, at: datetime) -> float:
        plan = customer.plan_at(at)
        weight = TICKET_WEIGHT[plan] * self.appetite[customer.index]
        if customer.converted_at is None or plan == "free":  # heavy on the plan it signed up on
            weight *= self.heavy.get(customer.index, 1.0)
        return weight

    def _cancel(self, lo: float, hi: float, covered: float) -> None:
        """Paying customers (for a month at least) cancel at their plan's monthly rate."""
        stop = min(hi, self.end - DAY)
        if stop <= lo:
            return
        at = _dt(lo)
        paying = [
            c
            for c in self.people
            if c.churned_at is None
            and c.plan_at(at) != "free"
            and c.paid_from is not None
            and c.paid_from.timestamp() <= lo - 30 * DAY
        ]
        hazards = [MONTHLY_CHURN[c.plan] for c in paying]
        self.owed += sum(hazards) * covered * self.rng.uniform(0.7, 1.3)
        count = min(int(self.owed), len(paying))
        self.owed -= count
        for _ in range(count):
            pick = self.rng.choices(range(len(paying)), hazards)[0]
            customer = paying.pop(pick)
            hazards.pop(pick)
            customer.churned_at = customer.org_updated_at = _dt(self.rng.uniform(lo, stop))

    def _upgrade_after_ticket(self, customer: Customer, created: int) -> None:
        self.decided.add(customer.index)
        if customer.plan != "free":
            return
        chance = (
            UPGRADE_AFTER_TICKET_HEAVY if customer.index in self.heavy else UPGRADE_AFTER_TICKET
        )
        if self.rng.random() < chance:
            self._upgrade(customer, created + self.rng.uniform(*UPGRADE_DELAY_DAYS) * DAY)

    def _upgrade_unprompted(self, lo: float, hi: float, covered: float) -> None:
        for customer in self.people:
            signed = customer.signed_up_at.timestamp()
            if customer.plan != "free" or customer.index in self.decided or signed >= hi:
                continue
            if customer.churned_at is not None and customer.churned_at.timestamp() <= lo:
                continue
            if self.rng.random() < UPGRADE_MONTHLY * covered:
                self.decided.add(customer.index)
                self._upgrade(customer, self.rng.uniform(max(lo, signed + 14 * DAY), hi))

    def _upgrade(self, customer: Customer, at: float) -> None:
        """Move a free customer to a paid plan from `at`, unless it left (or `at` is too late)."""
        plan = self.rng.choices(UPGRADE_TO, UPGRADE_SHARE)[0]
        seats = self.rng.randint(*SEATS[plan])
        left = customer.churned_at is not None and customer.churned_at.timestamp() <= at
        if left or at > self.end - DAY:
            return
        customer.plan, customer.seats = plan, seats
        customer.converted_at = _dt(at)
        customer.churned_at = None  # it upgraded instead of drifting away
        customer.org_updated_at = max(customer.org_updated_at, customer.converted_at)


def _spans(end_at: datetime, months: int) -> list[tuple[float, float, float, float]]:
    """(start, end, share of the month covered, ticket weight) of each month, oldest first."""
    spans = []
    for back in range(months - 1, -1, -1):
        lo = _month_start(end_at, back=back)
        hi = min(_month_start(end_at, back=back - 1), end_at)
        growth = 0.7 + 0.6 * (months - 1 - back) / max(1, months - 1)
        covered = (hi - lo) / (_month_start(end_at, back=back - 1) - lo)
        weight = SEASON[lo.month - 1] * growth * covered
        spans.append((lo.timestamp(), hi.timestamp(), covered, weight))
    return spans


def _working_time(rng: random.Random, lo: float, hi: float) -> int:
    """A moment in [lo, hi], preferring weekdays and office hours the way support inboxes fill."""
    ts = lo
    for _ in range(4):
        ts = rng.uniform(lo, hi)
        weekday = (math.floor(ts / DAY) + 3) % 7  # 1970-01-01 was a Thursday
        hour = ts % DAY // 3600
        keep = (0.25 if weekday >= 5 else 1.0) * (1.0 if 7 <= hour < 19 else 0.45)
        if rng.random() < keep:
            break
    return int(ts)

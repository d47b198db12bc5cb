"""Turns "customer X wrote in at time T" into a full ticket: topic, lifecycle and conversation.

Split from the company generator because this is where the support-specific realism lives (reply
and resolution times, reopens, problem/incident links, feature requests, bugs, deletions).
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime

from . import vocab
from .model import Agent, Comment, Customer, Ticket

CHANNELS = ("email", "web", "api", "chat", "voice")
CHANNEL_SHARE = (45, 30, 8, 12, 5)
PRIORITIES = (None, "low", "normal", "high", "urgent")
PRIORITY_SHARE = (5, 20, 50, 18, 7)
PRIORITY_SPEED = {None: 1.0, "low": 1.6, "normal": 1.0, "high": 0.5, "urgent": 0.2}
TYPES = ("question", "incident", "task", None)  # problems are bugs (below)
TYPE_SHARE = (46, 24, 10, 20)
# Small customers ask for integrations far more often than they report anything else.
FEATURE_SHARE = {"free": 0.12, "starter": 0.08, "pro": 0.05, "enterprise": 0.035}
BUG_SHARE = 0.08
# A bug ticket joins an open problem of its product (as an incident) this often; otherwise it
# opens a new problem this often (by whether its product has an open one), else stays a loose
# bug-tagged report.
JOIN_PROBLEM = 0.7
NEW_PROBLEM = {True: 0.04, False: 0.15}
OPEN_STATUSES = ("open", "pending", "hold")
OPEN_SHARE = (55, 35, 10)
CLOSE_AFTER = 4 * 86_400  # solved tickets auto-close after four days
PROBLEM_WINDOW = 30 * 86_400
DAY = 86_400


class TicketFactory:
    def __init__(
        self,
        rng: random.Random,
        customers: list[Customer],
        agents: list[Agent],
        groups: dict[int, str],
        end_at: datetime,
        region_since: datetime,
        first_comment_id: int,
    ) -> None:
        self.rng = rng
        self.customers = customers
        self.agents = agents
        self.group_ids = sorted(groups)
        self.end = int(end_at.timestamp())
        self.region_since = int(region_since.timestamp())
        self.next_comment_id = first_comment_id
        self.products = [value for value, _, _ in vocab.PRODUCTS]
        self.product_share = [weight for _, _, weight in vocab.PRODUCTS]
        self.product_names = {value: name for value, name, _ in vocab.PRODUCTS}
        self.integrations = vocab.INTEGRATION_REQUESTS
        self.integration_share = {
            "small": [small for _, small, _, _ in vocab.INTEGRATION_REQUESTS],
            "large": [large for _, _, large, _ in vocab.INTEGRATION_REQUESTS],
        }
        self.open_problems: dict[str, list[tuple[int, int]]] = {p: [] for p in self.products}

    def make(
        self, ticket_id: int, created: int, customer: Customer, tickets: dict[int, Ticket]
    ) -> Ticket:
        rng = self.rng
        plan = customer.plan_at(_dt(created)) if customer.converted_at else customer.plan
        kind_roll = rng.random()
        feature = kind_roll < FEATURE_SHARE[plan]
        bug = FEATURE_SHARE[plan] <= kind_roll < FEATURE_SHARE[plan] + BUG_SHARE
        product = "integrations" if feature else rng.choices(self.products, self.product_share)[0]
        tags = [f"plan_{plan}", f"product_{product}"]
        problem = None
        if feature:
            audience = "small" if plan in ("free", "starter") else "large"
            name, _, _, other = rng.choices(self.integrations, self.integration_share[audience])[0]
            subject = request_subject(rng, name, other)
            description = vocab.FEATURE_REQUEST_BODY.format(name=name)
            kind, tags = "question", [*tags, "feature_request"]
        else:
            if bug:
                problem = self._open_problem(product, created, tickets)
                if problem is not None:
                    subject, kind = problem.subject, "incident"
                    tags = [*tags, *(tag for tag in problem.tags if tag.startswith("bug"))]
                else:
                    subject, bug_tags = self._new_bug(product)
                    new_problem = rng.random() < NEW_PROBLEM[bool(self.open_problems[product])]
                    kind, tags = ("problem" if new_problem else "incident"), [*tags, *bug_tags]
            else:
                subject = rng.choice(vocab.SUBJECTS[product])
                kind = rng.choices(TYPES, TYPE_SHARE)[0]
            description = rng.choice(vocab.REQUESTER_OPENERS).format(subject=subject)
        if plan == "enterprise":
            tags.append("vip")
        priority = rng.choices(PRIORITIES, PRIORITY_SHARE)[0]
        if plan == "enterprise" and priority in ("low", "normal") and rng.random() < 0.4:
            priority = "high"
        channel = rng.choices(CHANNELS, CHANNEL_SHARE)[0]
        eligible = [c for c in customer.contacts if c.created_at.timestamp() <= created]
        requester = rng.choice(eligible or customer.contacts[:1])
        agent = rng.choice(self.agents)
        group_id = self.group_ids[1] if product == "billing" else self.group_ids[0]
        if bug and rng.random() < 0.5:
            group_id = self.group_ids[2]
        ticket = Ticket(
            id=ticket_id,
            customer_index=customer.index,
            organization_id=customer.org_id,
            requester_id=requester.user_id,
            submitter_id=agent.user_id if channel == "voice" else requester.user_id,
            assignee_id=agent.user_id,
            group_id=group_id,
            channel=channel,
            subject=subject,
            description=description,
            status="new",
            priority=priority,
            type=kind,
            product=product,
            region=customer.region if created >= self.region_since else None,
            tags=tags,
            created_at=_dt(created),
            updated_at=_dt(created),
            generated_at=_dt(created),
        )
        if problem is not None:
            ticket.problem_id, problem.has_incidents = problem.id, True
        elif kind == "problem":
            self.open_problems[product].append((created, ticket.id))
        self._live(ticket, created, agent, bug)
        return ticket

    def _open_problem(
        self, product: str, created: int, tickets: dict[int, Ticket]
    ) -> Ticket | None:
        """The problem a new bug report on `product` joins, if it joins one (the newest, mostly)."""
        recent = self.open_problems[product]
        while recent and recent[0][0] < created - PROBLEM_WINDOW:
            recent.pop(0)
        if not recent or self.rng.random() >= JOIN_PROBLEM:
            return None
        newest = len(recent) - 1
        pick = newest if self.rng.random() < 0.7 else self.rng.randrange(len(recent))
        return tickets[recent[pick][1]]

    def _new_bug(self, product: str) -> tuple[str, list[str]]:
        """A fresh bug's subject and tags: "bug", a product-specific bug tag, or both."""
        specific = self.rng.choice(vocab.BUG_TAGS[product])
        subject = self.rng.choice(vocab.BUG_SUBJECTS[specific])
        roll = self.rng.random()
        tags = ["bug"] if roll < 0.25 else [specific] if roll < 0.4 else ["bug", specific]
        return subject.format(product=self.product_names[product]), tags

    def _live(self, ticket: Ticket, created: int, agent: Agent, bug: bool) -> None:
        """Play the ticket forward: first reply, reopens, solve, auto-close, and its comments."""
        rng, end = self.rng, self.end
        if ticket.channel in ("chat", "voice"):
            reply_delay = rng.uniform(60, 900)
        else:
            minutes = rng.lognormvariate(math.log(120), 1.0) * PRIORITY_SPEED[ticket.priority]
            reply_delay = max(60.0, minutes * 60)
        first_reply = int(created + reply_delay)
        work = rng.lognormvariate(math.log(20 * 3600), 1.2) * (2.5 if bug else 1.0)
        reopen_roll = rng.random()
        ticket.reopens = 2 if reopen_roll < 0.02 else 1 if reopen_roll < 0.1 else 0
        solved = int(first_reply + work + ticket.reopens * rng.uniform(DAY, 3 * DAY))
        closed = None
        if solved <= end:
            ticket.status = "closed" if solved + CLOSE_AFTER <= end else "solved"
            closed = solved + CLOSE_AFTER if ticket.status == "closed" else None
            ticket.solved_at = _dt(solved)
        elif first_reply <= end:
            ticket.status = rng.choices(OPEN_STATUSES, OPEN_SHARE)[0]
        else:
            ticket.status = "new"
            if rng.random() < 0.5:
                ticket.assignee_id = None
        requester = ticket.requester_id
        talk = [(created, requester, ticket.description, True)]
        if ticket.status == "new":
            if rng.random() < 0.3:
                talk.append((rng.randint(created, end), requester, _pick(rng, "follow"), True))
        else:
            ticket.first_reply_at = _dt(first_reply)
            stop = solved if ticket.solved_at else end
            talk.append((first_reply, agent.user_id, vocab.AGENT_REPLIES[0], True))
            extra = rng.randint(0, 4)
            if ticket.solved_at and extra:
                talk.append((solved, agent.user_id, vocab.AGENT_REPLIES[-1], True))
                extra -= 1
            for _ in range(extra):
                at = rng.randint(first_reply, max(first_reply, stop))
                roll = rng.random()
                if roll < 0.4:
                    talk.append((at, requester, _pick(rng, "follow"), True))
                elif roll < 0.75:
                    talk.append((at, agent.user_id, _pick(rng, "reply"), True))
                else:
                    talk.append((at, agent.user_id, _pick(rng, "note"), False))
            talk.sort(key=lambda item: item[0])
        for at, author, body, public in talk:
            comment = Comment(self.next_comment_id, ticket.id, author, body, public, _dt(at))
            ticket.comments.append(comment)
            self.next_comment_id += 1
        updated = max(talk[-1][0], solved if ticket.solved_at else 0, closed or 0)
        ticket.updated_at = ticket.generated_at = _dt(updated)
        if rng.random() < 0.03:  # a system update (SLA, automation) moves only generated_timestamp
            ticket.generated_at = _dt(min(end, updated + rng.randint(60, 2 * DAY)))
        if ticket.solved_at:
            self._rate(ticket)

    def _rate(self, ticket: Ticket) -> None:
        roll = self.rng.random()
        if roll < 0.25:
            ticket.satisfaction = "good" if self.rng.random() < 0.8 else "bad"
            ticket.satisfaction_comment = self.rng.choice(vocab.SATISFACTION_COMMENTS)
        elif roll < 0.45:
            ticket.satisfaction = "offered"

    def delete_some(self, tickets: dict[int, Ticket], *, share: float) -> None:
        candidates = [t for t in tickets.values() if not t.has_incidents and t.problem_id is None]
        for ticket in self.rng.sample(candidates, round(len(tickets) * share)):
            last = int(ticket.generated_at.timestamp())
            deleted = _dt(self.rng.randint(last, max(last, self.end)))
            ticket.deleted_at = ticket.updated_at = ticket.generated_at = deleted


def request_subject(rng: random.Random, name: str, other_spelling: str) -> str:
    """`Requesting integration for Slack` the way people type it: casing, quotes, spaces vary."""
    leads, quotes = vocab.REQUEST_LEADS, vocab.REQUEST_QUOTES
    lead = rng.choices([text for text, _ in leads], [weight for _, weight in leads])[0]
    spelled = rng.choices((name, other_spelling, name.lower()), (68, 20, 12))[0]
    opening, closing, _ = rng.choices(quotes, [weight for *_, weight in quotes])[0]
    gap = "  " if rng.random() < 0.08 else " "
    tail = " " if rng.random() < 0.04 else ""
    return f"{lead}{gap}{opening}{spelled}{closing}{tail}"


def _pick(rng: random.Random, what: str) -> str:
    pool = {
        "follow": vocab.CUSTOMER_FOLLOW_UPS,
        "reply": vocab.AGENT_REPLIES,
        "note": vocab.INTERNAL_NOTES,
    }[what]
    return rng.choice(pool)


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(int(ts), UTC)

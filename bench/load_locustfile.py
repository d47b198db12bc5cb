"""The users of bench/load_test.py: signed-in people browsing the dashboards (locust).

Each user signs in once through the login form (one session for the whole run, as a person
keeps one; the bench user's password is right, so django-axes, which counts wrong ones, never
locks it out) and then browses: every visit of PLAN.visits once in an order of its own, then
again in another, with a think time between pages. A visit with several paths (the customer
pages: the heaviest customers and some median ones) picks one of them each time. Anything but
a 200 is a failure, a redirect too: a 302 to the login page is a lost session.

The runner fills PLAN before the first user starts; locust runs the users in this process
(gevent), so no setting has to travel through the environment.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from locust import HttpUser, task
from locust.exception import StopUser

from bench.web_server import BenchFailure, Browser

SIGN_IN = "sign-in"


@dataclass(frozen=True)
class Visit:
    name: str  # the row of the results table
    paths: tuple[str, ...]  # path and query; one is picked per visit


@dataclass(frozen=True)
class Plan:
    visits: tuple[Visit, ...]
    username: str
    password: str
    think: tuple[float, float]  # seconds between a response and the next request
    seed: int = 7
    timeout: float = 60  # a response slower than this is a failure


PLAN: Plan | None = None
_numbers = itertools.count()


class DashboardUser(HttpUser):
    """One signed-in person. `host` is the Environment's (the gunicorn base URL)."""

    def wait_time(self) -> float:
        low, high = PLAN.think
        return self.rng.uniform(low, high)

    def on_start(self) -> None:
        self.rng = random.Random(PLAN.seed * 1000 + next(_numbers))
        self.queue: list[Visit] = []
        self.browser = Browser(self.host, http=self.client)
        try:
            self.browser.sign_in(PLAN.username, PLAN.password, name=SIGN_IN)
        except BenchFailure as exc:
            self.environment.events.request.fire(
                request_type="POST",
                name=SIGN_IN,
                response_time=0,
                response_length=0,
                response=None,
                context={},
                exception=exc,
            )
            raise StopUser() from exc

    @task
    def browse(self) -> None:
        if not self.queue:
            self.queue = list(PLAN.visits)
            self.rng.shuffle(self.queue)
        visit = self.queue.pop()
        path = self.rng.choice(visit.paths)
        with self.browser.get(
            path, timeout=PLAN.timeout, name=visit.name, catch_response=True
        ) as response:
            if response.status_code == 200:
                response.success()
            else:
                where = response.headers.get("Location", "") if response.status_code else ""
                response.failure(f"GET {path}: {response.status_code or 'no response'} {where}")

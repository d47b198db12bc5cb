"""Dashboard and API reads from a read replica; everything else from the primary.

Installed only when DATABASE_REPLICA_URL is set (supportops/settings/base.py). A replica lags
the primary, so it serves only what may be a little old: the pages and the API's GET answers,
which a middleware marks as they come in. Everything else reads the primary: syncs and Celery
tasks (no request marks them), admin, sign-in and sign-out, any request that is not a GET or
HEAD, anything inside a transaction, and whatever decides who someone is and what they may do
(users, sessions, API tokens, lockouts, permissions): a session, a token or a lockout written a
moment ago must count on the very next request, which a lagging replica may not have yet.
Every write goes to the primary.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections

PRIMARY = "default"
REPLICA = "replica"

# Django's own apps and the sign-in ones: read from the primary even inside a page.
PRIMARY_APPS = frozenset({"admin", "auth", "contenttypes", "sessions", "knox", "axes"})

# Paths whose GETs still read the primary: admin shows what an admin is about to change (an
# edit form loaded from a lagging replica would save old values back), and sign-in and sign-out
# are about the session. The health check and static files read nothing.
PRIMARY_PATHS = ("/admin/", "/accounts/", "/healthz", "/static/")
REPLICA_METHODS = ("GET", "HEAD")

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads in this block may come from the replica (the middleware's request, a test)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def request_reads_replica(method: str, path: str) -> bool:
    return method in REPLICA_METHODS and not path.startswith(PRIMARY_PATHS)


class ReplicaReadsMiddleware:
    """Marks a page's or the API's GET so the router may send its reads to the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request_reads_replica(request.method, request.path):
            return self.get_response(request)
        with replica_reads():
            return self.get_response(request)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _replica_reads.get() or model._meta.app_label in PRIMARY_APPS:
            return PRIMARY
        # A read inside a transaction on the primary belongs to it (it may read its own
        # writes, or lock rows with select_for_update, which Django sends to db_for_write).
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one set of data: a row read from the replica is the primary's row

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY  # the replica gets its schema by replication

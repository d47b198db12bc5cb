"""Which tickets make up a bug (DESIGN.md §4 "Bug impact"), as expressions for querysets.

A bug is a problem ticket with the incidents linked to it (same source, the incident's
`problem_external_id` = the problem's `external_id`; the problem counts among the tickets), or a
bug tag of MetricSettings.bug_tags on the tickets that belong to no problem. Shared by bug
impact (metrics/bugs.py) and a bug's tickets (metrics/bug_tickets.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import NotSupportedError
from django.db.models import BooleanField, Case, CharField, F, Func, Q, Value, When

from supportops.models import MetricSettings

from .allocation import MonthSpan
from .bug_results import PROBLEM, TAG

PROBLEM_TYPE = "problem"


class HasTag(Func):
    """True when the ticket's `tags` (a JSON list) holds `tag`, case-insensitively.

    Portable SQL for what PostgreSQL's jsonb operators and SQLite's json_each each do; Django's
    `tags__contains` has no SQLite form.
    """

    output_field = BooleanField()

    def __init__(self, field: str, tag: str):
        super().__init__(F(field), Value(tag.lower()))

    def _parts(self, compiler):
        field_sql, field_params = compiler.compile(self.source_expressions[0])
        tag_sql, tag_params = compiler.compile(self.source_expressions[1])
        return field_sql, tuple(field_params), tag_sql, tuple(tag_params)

    def as_sqlite(self, compiler, connection, **extra):
        field, field_params, tag, tag_params = self._parts(compiler)
        sql = f"EXISTS (SELECT 1 FROM json_each({field}) WHERE lower(json_each.value) = {tag})"
        return sql, (*field_params, *tag_params)

    def as_postgresql(self, compiler, connection, **extra):
        field, field_params, tag, tag_params = self._parts(compiler)
        array = f"CASE WHEN jsonb_typeof({field}) = 'array' THEN {field} ELSE '[]'::jsonb END"
        sql = (
            f"EXISTS (SELECT 1 FROM jsonb_array_elements_text({array}) AS bug_tag(value) "
            f"WHERE lower(bug_tag.value) = {tag})"
        )
        return sql, (*field_params, *field_params, *tag_params)

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError(f"bug tags are not supported on {connection.vendor}")


def problem_id(prefix: str = "") -> Case:
    """The external id of the problem a ticket's group is named after (None: no problem)."""
    return Case(
        When(**{f"{prefix}type": PROBLEM_TYPE}, then=F(f"{prefix}external_id")),
        When(~Q(**{f"{prefix}problem_external_id": ""}), then=F(f"{prefix}problem_external_id")),
        default=Value(None),
        output_field=CharField(),
    )


def no_problem(prefix: str = "") -> Q:
    """Neither a problem ticket nor an incident linked to one: a bug tag's tickets."""
    return ~Q(**{f"{prefix}type": PROBLEM_TYPE}) & Q(**{f"{prefix}problem_external_id": ""})


def tag_q(tag: str, prefix: str = "") -> Q:
    return Q(HasTag(f"{prefix}tags", tag)) & no_problem(prefix)


def problem_q(source: str, external_id: str) -> Q:
    own = Q(type=PROBLEM_TYPE, external_id=external_id)
    linked = ~Q(type=PROBLEM_TYPE) & Q(problem_external_id=external_id)
    return Q(source=source) & (own | linked)


def created_in(spans: Sequence[MonthSpan], prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}created_at__gte": spans[0].start_at,
            f"{prefix}created_at__lt": spans[-1].end_at,
            f"{prefix}is_deleted": False,
        }
    )


def bug_tags(settings: MetricSettings) -> tuple[str, ...]:
    """The configured bug tags, trimmed and lower-cased, each once, in their order."""
    tags = (str(tag).strip().lower() for tag in settings.bug_tags or ())
    return tuple(dict.fromkeys(tag for tag in tags if tag))


def problem_key(source: str, external_id: str) -> str:
    return f"{PROBLEM}:{source}:{external_id}"


def tag_key(tag: str) -> str:
    return f"{TAG}:{tag}"

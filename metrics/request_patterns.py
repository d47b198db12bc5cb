"""Feature-request patterns and names, in plain Python (no Django): which configured patterns
are usable, the literal text a pattern starts with (the database prefilter of metrics/requests.py)
and the requested name a subject gives."""

from __future__ import annotations

import re

from .request_results import PatternProblem

try:  # the standard library's regex parser: finds a pattern's literal prefix reliably
    import re._parser as _sre_parse
except ImportError:  # pragma: no cover - a Python without it just skips the prefilter
    _sre_parse = None

NAME_GROUP = "name"
_TRIM = re.compile(r"^[\s\"'“”‘’]+|[\s\"'“”‘’]+$")


def request_name(text: str) -> str:
    """The key a request is grouped by: trimmed of spaces and quotes, case-folded."""
    return _TRIM.sub("", text).casefold()


def usable_patterns(configured) -> tuple[list[re.Pattern], list[PatternProblem]]:
    """The usable patterns, and the problems of the others (skipped, never fatal)."""
    if isinstance(configured, str):
        configured = [configured]
    usable, problems = [], []
    for raw in configured or ():
        if not isinstance(raw, str) or not raw.strip():
            problems.append(PatternProblem(str(raw), "not a pattern (text expected)"))
            continue
        try:
            compiled = re.compile(raw, re.IGNORECASE)
        except re.error as exc:
            problems.append(PatternProblem(raw, f"not a valid regular expression: {exc}"))
            continue
        if NAME_GROUP not in compiled.groupindex:
            problems.append(PatternProblem(raw, "has no named group (?P<name>…): skipped"))
            continue
        usable.append(compiled)
    return usable, problems


def literal_prefix(pattern: re.Pattern) -> str:
    """The plain text every match starts with ("" when there is none, or it cannot tell).

    Only ASCII letters are case-folded by SQLite's LIKE, so the prefix stops before the first
    non-ASCII character.
    """
    if _sre_parse is None:
        return ""
    try:
        parsed = _sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - a private parser: any surprise just means no prefilter
        return ""
    literal, at_begin = _sre_parse.LITERAL, _sre_parse.AT
    prefix = []
    for op, value in parsed:
        if op == at_begin and not prefix:
            continue
        if op != literal or value > 127:
            break
        prefix.append(chr(value))
    return "".join(prefix)


def match_request(patterns: list[re.Pattern], subject: str) -> tuple[str, str] | None:
    """(key, spelling) of the first pattern naming something in `subject`."""
    for pattern in patterns:
        found = pattern.search(subject or "")
        if found and found.group(NAME_GROUP):
            spelling = _TRIM.sub("", found.group(NAME_GROUP))
            if spelling:
                return spelling.casefold(), spelling
    return None

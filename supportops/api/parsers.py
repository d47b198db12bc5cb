"""The API's JSON parser: a body it cannot hold is a 400 naming the problem, never a 500.

Python's decoder recurses once per bracket, so a few kilobytes of `[[[[…` exhaust the stack
(RecursionError) before any view runs; the nesting is counted first, without recursion. A string
with a NUL or a lone surrogate decodes fine but cannot be stored (PostgreSQL text holds neither,
and psycopg cannot encode a surrogate), and neither can a number beyond a float's range.
"""

import codecs
import math
import re

from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser, get_encoding
from rest_framework.utils import json

from supportops.text import UNSTORABLE, describe_unstorable, escape_unstorable

# Deeper than any body the API takes (a team member is 2 levels) by far, shallow enough that
# walking the decoded value never comes near the recursion limit.
MAX_DEPTH = 64

# A JSON string (escapes included, possibly unterminated at the end of the body) or a bracket.
# Possessive, so a long string is consumed in runs and never backtracked: the scan is linear.
_TOKENS = re.compile(r'"(?:[^"\\]++|\\.)*+"?|[\[\]{}]', re.DOTALL)


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
        except ValueError as exc:  # UnicodeDecodeError
            raise ParseError(f"JSON parse error - {exc}") from None
        _check_depth(text)
        parse_constant = json.strict_constant if self.strict else None
        try:
            data = json.loads(text, parse_constant=parse_constant)
        except ValueError as exc:  # JSONDecodeError, an integer of too many digits
            raise ParseError(f"JSON parse error - {exc}") from None
        _check_values(data, "")
        return data


def _check_depth(text: str) -> None:
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ParseError(
                    f"JSON parse error - nested deeper than {MAX_DEPTH} levels of arrays "
                    "and objects."
                )
        elif token in "]}":
            depth -= 1


def _check_values(value, where: str) -> None:
    """Depth-first over at most MAX_DEPTH levels; `where` names the offending member."""
    if isinstance(value, str):
        if UNSTORABLE.search(value):
            raise ParseError(f"JSON parse error - {_at(where)}{describe_unstorable(value)}.")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ParseError(f"JSON parse error - {_at(where)}a number out of range.")
    elif isinstance(value, dict):
        for key, item in value.items():
            if UNSTORABLE.search(key):
                raise ParseError(
                    f"JSON parse error - a member name holds {describe_unstorable(key)}."
                )
            _check_values(item, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_values(item, f"{where}[{index}]")


def _at(where: str) -> str:
    return f'"{where}" holds ' if where else "the body holds "


def _check_form(data) -> None:
    for name, values in data.lists():
        for text in (name, *values):
            if UNSTORABLE.search(text):
                name = escape_unstorable(name)
                raise ParseError(f'Form parse error - "{name}" holds {describe_unstorable(text)}.')


class SafeFormParser(FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _check_form(data)
        return data


class SafeMultiPartParser(MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        _check_form(parsed.data)
        return parsed

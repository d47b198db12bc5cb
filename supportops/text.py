"""Characters a value may not hold on its way to the database.

PostgreSQL's text types cannot store NUL (the query fails with a DataError, which would be a
500), and a lone surrogate cannot be encoded to UTF-8 at all. Both can arrive in a request
(`%00` in a query string or form, `\\u0000` or `\\ud800` in JSON), so input is refused with a
400 before any query sees it.
"""

import re

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def describe_unstorable(text: str) -> str:
    """What is wrong with `text`, which UNSTORABLE matched, for an error message."""
    char = UNSTORABLE.search(text).group()
    if char == "\x00":
        return "a NUL character (\\u0000), which cannot be stored"
    return f"a lone surrogate (\\u{ord(char):04x}), which is not valid Unicode"


def escape_unstorable(text: str) -> str:
    """`text` fit to quote in a message: each such character as its \\u escape."""
    return UNSTORABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)

"""Metric definitions shown beside each chart, read from docs/metrics.md.

One text, two readers: the page shows the same words the docs hold, so a definition cannot
drift between them. A section is a `## ` heading; its key is the heading as a slug
("## Support cohorts" → "support-cohorts").
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import markdown

DOCS = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"


def _slug(heading: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")


@lru_cache(maxsize=1)
def _sections() -> dict[str, tuple[str, str]]:
    text = DOCS.read_text(encoding="utf-8")
    sections: dict[str, tuple[str, str]] = {}
    for chunk in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        heading, _, body = chunk.partition("\n")
        sections[_slug(heading)] = (heading.strip(), body.strip())
    return sections


def definition(key: str) -> tuple[str, str]:
    """(heading, HTML) of the section `key`; KeyError names the known keys."""
    sections = _sections()
    if key not in sections:
        raise KeyError(f"no section {key!r} in {DOCS.name}; there are {', '.join(sections)}")
    heading, body = sections[key]
    return heading, markdown.markdown(body)

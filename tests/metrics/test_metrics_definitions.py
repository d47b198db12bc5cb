"""Every definition a page shows comes from docs/metrics.md, and exists there."""

import re
from pathlib import Path

import pytest

from metrics.definitions import definition

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _keys_used():
    for path in TEMPLATES.rglob("*.html"):
        yield from re.findall(r'metric_definition "([a-z0-9-]+)"', path.read_text())


def test_every_definition_a_page_uses_is_in_the_docs():
    keys = set(_keys_used())
    assert "cost-per-ticket" in keys
    for key in keys:
        heading, html = definition(key)
        assert heading and "<p>" in html


def test_the_cost_definition_is_the_docs_text():
    heading, html = definition("cost-per-ticket")
    assert heading == "Cost per ticket"
    assert "prorated by the days of the month" in html


def test_an_unknown_key_names_the_known_ones():
    with pytest.raises(KeyError, match="cost-per-ticket"):
        definition("no-such-metric")

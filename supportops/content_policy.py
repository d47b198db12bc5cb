"""What the Content-Security-Policy (CONTENT_SECURITY_POLICY in settings/base.py) allows beyond
our own files and the response's nonce.

Plotly writes the rich-text tags of titles, labels and hover text (`<b>`, `<sub>`, ...) as style
attributes on SVG `<tspan>`s, from a fixed table in plotly.js (TAG_STYLES, svg_text_utils).
Rather than allowing every style attribute, the policy allows exactly those values by hash
('unsafe-hashes' makes a hash apply to attributes). A plotly.js upgrade changing them shows up
as a violation in the browser tests.
"""

from __future__ import annotations

import base64
import hashlib

PLOTLY_TAG_STYLES = (
    "font-size:70%",  # <sub>, <sup>
    "text-decoration:line-through",  # <s>
    "text-decoration:underline",  # <u>
    "font-weight:bold",  # <b>
    "font-style:italic",  # <i>
    "cursor:pointer",  # <a>
    "font-style:italic;font-weight:bold",  # <em>
)


def source_hash(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


def plotly_style_attributes() -> list[str]:
    """The style-src-attr sources that let Plotly's tag styles, and nothing else, apply."""
    return ["'unsafe-hashes'", *(source_hash(style) for style in PLOTLY_TAG_STYLES)]

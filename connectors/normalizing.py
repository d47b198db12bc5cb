"""Helpers every vendor's normalize module shares."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from .errors import MalformedResponse

# What a normalizer raises on a record that is not the shape it expects.
RECORD_ERRORS = (KeyError, TypeError, ValueError, AttributeError, ArithmeticError)


def vendor_guard(vendor: str, *, id_key: str = "id") -> Callable[[str, Callable], Callable]:
    """`guarded(kind, normalize)` for one vendor: a bad record fails its page with a message
    naming the vendor, the kind of record and its id, instead of a bare traceback."""

    def guarded(kind: str, normalize: Callable) -> Callable:
        def run(raw, *args, **kwargs):
            try:
                return normalize(raw, *args, **kwargs)
            except RECORD_ERRORS as exc:
                ident = raw.get(id_key) if isinstance(raw, dict) else None
                raise MalformedResponse(
                    f"{vendor} {kind} {ident!r} is malformed ({type(exc).__name__}: {exc})"
                ) from None

        return run

    return guarded


def as_id(value) -> str:
    return "" if value is None else str(value)


def unmodelled(raw: dict, known: set[str]) -> dict:
    """The vendor fields we do not map to columns: kept in `extra`, never dropped."""
    return {k: v for k, v in raw.items() if k not in known}


def website_domain(website: str | None) -> str:
    """'https://www.acme.com/about' → 'acme.com'; '' when there is no usable host."""
    text = (website or "").strip().lower()
    if not text:
        return ""
    host = urlsplit(text if "://" in text else f"//{text}").hostname or ""
    host = host.removeprefix("www.")
    return host if "." in host else ""


def parse_iso_time(value: str | None) -> datetime | None:
    """An ISO-8601 timestamp that must carry its zone ('Z', '+00:00' or '+0000')."""
    if value in (None, ""):
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {value!r}")
    return parsed

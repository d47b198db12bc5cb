"""Helpers every vendor's normalize module shares."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

import orjson

from .errors import MalformedResponse

# What a normalizer raises on a record that is not the shape it expects.
RECORD_ERRORS = (KeyError, TypeError, ValueError, AttributeError, ArithmeticError)


SHOWN = 120  # characters of a vendor's value or of the error quoted in a message


def vendor_guard(vendor: str, *, id_key: str = "id") -> Callable[[str, Callable], Callable]:
    """`guarded(kind, normalize)` for one vendor: a bad record fails its page with a message
    naming the vendor, the kind of record, its id and the field, instead of a bare traceback."""

    def guarded(kind: str, normalize: Callable) -> Callable:
        def run(raw, *args, **kwargs):
            if _has_nul(raw):
                raw = _without_nul(raw)
            try:
                return normalize(raw, *args, **kwargs)
            except RECORD_ERRORS as exc:
                if not isinstance(raw, dict):
                    problem = f"is not a JSON object but {type(raw).__name__}"
                    raise MalformedResponse(f"{vendor} {kind} {problem}") from None
                ident = _clip(repr(raw.get(id_key)))
                field = field_at_fault(normalize, raw, args, kwargs)
                where = f" at field {field!r}" if field else ""
                reason = _clip(f"{type(exc).__name__}: {exc}")
                raise MalformedResponse(
                    f"{vendor} {kind} {ident} is malformed{where} ({reason})"
                ) from None

        return run

    return guarded


def _has_nul(value) -> bool:
    """One C-level pass: orjson writes a NUL in any nested string as \\u0000 (a literal
    backslash-u0000 in the text matches too; cleaning that record then changes nothing). It is
    a tenth of the cost of repr(), which this check once was: two thirds of normalizing a
    ticket. Values orjson cannot write (not from a JSON body) fall back to repr()."""
    try:
        return b"\\u0000" in orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        pass
    try:
        return "\\x00" in repr(value)
    except (ValueError, RecursionError):  # an int past 4,300 digits; absurd nesting
        return False


def _without_nul(value):
    """A vendor's NUL characters as U+FFFD: PostgreSQL stores no NUL in text or jsonb, so one
    in a ticket body would fail every sync of its page; the rest of the text is kept."""
    if isinstance(value, str):
        return value.replace("\0", "\ufffd")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def _clip(text: str) -> str:
    return text if len(text) <= SHOWN else f"{text[:SHOWN]}..."


def field_at_fault(normalize: Callable, raw: dict, args=(), kwargs=None) -> str:
    """The field ("metric_set.solved_at", "items.data[0].price") a failing normalizer read
    last: it runs again on a copy that notes every read. Normalizers are pure, so the rerun
    fails the same way; it costs nothing while records are good. '' if it does not fail."""
    reads = _Reads()
    try:
        normalize(_traced(raw, "", reads), *args, **(kwargs or {}))
    except RECORD_ERRORS:
        return reads.last
    return ""


class _Reads:
    last = ""


def _traced(value, path: str, reads: _Reads):
    if isinstance(value, dict):
        return _TracedDict(value, path, reads)
    if isinstance(value, list):
        return _TracedList(value, path, reads)
    return value


class _TracedDict(dict):
    def __init__(self, data: dict, path: str, reads: _Reads):
        super().__init__(data)
        self._path, self._reads = path, reads

    def _read(self, key):
        path = self._reads.last = f"{self._path}.{key}" if self._path else str(key)
        return path

    def __getitem__(self, key):
        path = self._read(key)
        return _traced(super().__getitem__(key), path, self._reads)

    def get(self, key, default=None):
        path = self._read(key)
        return _traced(super().__getitem__(key), path, self._reads) if key in self else default


class _TracedList(list):
    def __init__(self, data: list, path: str, reads: _Reads):
        super().__init__(data)
        self._path, self._reads = path, reads

    def __getitem__(self, index):
        if isinstance(index, slice):
            return super().__getitem__(index)
        path = self._reads.last = f"{self._path}[{index}]"
        return _traced(super().__getitem__(index), path, self._reads)

    def __iter__(self):
        for index, value in enumerate(super().__iter__()):
            path = self._reads.last = f"{self._path}[{index}]"
            yield _traced(value, path, self._reads)


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


def unix_time(seconds: int | float) -> datetime:
    """Unix seconds as an aware UTC time; ValueError (a bad record), never the OSError or
    OverflowError the C library gives for a year past 9999."""
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError):
        raise ValueError(f"timestamp {seconds!r} is out of range") from None


def parse_iso_time(value: str | None) -> datetime | None:
    """An ISO-8601 timestamp that must carry its zone ('Z', '+00:00' or '+0000')."""
    if value in (None, ""):
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {value!r}")
    return parsed

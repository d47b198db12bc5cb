"""Credentials never leave the process in text: one function every output path calls.

A connector's reason for failing, a log line, a SyncRun row, an admin cell or a command's
output may quote a URL with a password in it (`https://user:secret@host`) or a credential a
vendor echoed back. `redact` replaces the password of any URL's userinfo, any `password=...`
of a DSN, the credentials of an `Authorization: Basic/Bearer/Token ...` value, and every configured secret value (each setting named like a credential, and the
password of each URL setting and database) with `***`. It reads the settings when they are
configured, so it also works, URLs only, before Django is set up.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit

MASK = "***"
# Values shorter than this are not redacted as text: masking every "wrong" or "revoked" would
# ruin messages, and real tokens and keys are far longer (URL passwords go by position anyway).
MIN_SECRET_LENGTH = 8
# Settings holding a credential, by how they are named.
SECRET_SUFFIXES = ("_TOKEN", "_PASSWORD", "_SECRET", "_KEY", "_CLIENT_ID")
SECRET_NAMES = ("SECRET_KEY", "SECRET_KEY_FALLBACKS")

_USERINFO = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s/?#@:]*):(?P<pw>[^\s/?#@]*)@")
# An Authorization header's credentials, should a vendor echo the request back.
_AUTH_HEADER = re.compile(r"(?P<head>\b(?:Basic|Bearer|Token)\s+)(?P<cred>[A-Za-z0-9+/=._~\-]{8,})")
_DSN_PASSWORD = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<pw>'[^']*'|\"[^\"]*\"|[^\s,;]+)", re.I)


def redact(text) -> str:
    """`text` (anything; str() of it) with URL passwords and configured secrets as `***`."""
    if text is None:
        return ""
    text = str(text)
    if not text:
        return text
    text = _USERINFO.sub(lambda m: f"{m['head']}:{MASK}@" if m["pw"] != MASK else m[0], text)
    text = _DSN_PASSWORD.sub(lambda m: f"{m['head']}{MASK}", text)
    text = _AUTH_HEADER.sub(lambda m: f"{m['head']}{MASK}", text)
    for secret in secret_values():
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def redact_url(url: str) -> str:
    """A URL as it may be shown: its userinfo's password masked."""
    return redact(url)


def secret_values() -> tuple[str, ...]:
    """Every configured credential, longest first (so a secret containing another goes whole)."""
    try:
        from django.conf import settings

        if not settings.configured:
            return ()
        return _secret_values(id(settings._wrapped))
    except Exception:  # logging before settings can be read must still work
        return ()


@lru_cache(maxsize=8)
def _secret_values(_settings_id: int) -> tuple[str, ...]:
    from django.conf import settings

    found: set[str] = set()
    for name in dir(settings):
        if not name.isupper():
            continue
        value = getattr(settings, name, None)
        if name in SECRET_NAMES or name.endswith(SECRET_SUFFIXES):
            found.update(_strings(value))
        for text in _strings(value, nested=True):
            found.update(_url_passwords(text))
    for database in getattr(settings, "DATABASES", {}).values():
        found.update(_strings(database.get("PASSWORD")))
    values = set()
    for secret in found:
        for form in (secret, unquote(secret)):
            if len(form) >= MIN_SECRET_LENGTH and form != MASK:
                values.add(form)
    return tuple(sorted(values, key=len, reverse=True))


def secrets_forget(**kwargs) -> None:
    """Settings changed (override_settings in tests): read the secrets again."""
    _secret_values.cache_clear()


def _strings(value, *, nested: bool = False) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in _strings(item, nested=nested)]
    if nested and isinstance(value, dict):
        return [v for item in value.values() for v in _strings(item, nested=nested)]
    return []


def _url_passwords(text: str) -> list[str]:
    if "://" not in text or "@" not in text:
        return []
    try:
        password = urlsplit(text).password
    except ValueError:
        password = None
    if password:
        return [password]
    match = _USERINFO.search(text)
    return [match["pw"]] if match and match["pw"] else []


class RedactingFilter(logging.Filter):
    """A logging filter that redacts a record's message and traceback before any handler
    formats it (LOGGING's handlers carry it; `record_factory_install` covers every logger)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record_redact(record)
        return True


def record_redact(record: logging.LogRecord) -> logging.LogRecord:
    if getattr(record, "_redacted", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a malformed call: leave it to the handler to report
        return record
    record.msg, record.args = redact(message), ()
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._redacted = True
    return record


def record_factory_install() -> None:
    """Redact every log record as it is made, whichever logger and handler it goes to (the
    console, Celery's worker log, pytest's caplog)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "redacting", False):
        return

    def redacting_factory(*args, **kwargs):
        return record_redact(factory(*args, **kwargs))

    redacting_factory.redacting = True
    logging.setLogRecordFactory(redacting_factory)

"""Credentials and URL passwords never leave the process (issue #10, "secrets").

Every connector is given credentials and URLs with passwords, pointed at a port nobody listens
on and at a server that refuses us (401) echoing back what we sent, or fails (500); the sync is
run as the Celery task and as the `sync` command, and every output is searched for the
secrets: SyncRun rows, the task's result, captured logs at DEBUG, the command's output and
error, admin's SyncRun list and page, and the freshness warning on the overview.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import smtplib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from connectors.tasks import sync_source_task
from metrics.report.delivery import describe_error
from supportops.models import SyncRun

URL_PASSWORD = "url-pass-0x51ab"
SECRETS = {
    "zendesk": {"ZENDESK_EMAIL": "ops@example.com", "ZENDESK_API_TOKEN": "zd-token-9f8e7d6c5b"},
    "intercom": {"INTERCOM_TOKEN": "ic-token-dG9rOjEyMzQ1Njc4"},
    "stripe": {"STRIPE_API_KEY": "sk_live_51HxSecretKeyValue"},
    "salesforce": {
        "SALESFORCE_CLIENT_ID": "3MVG9sf-client-id-abcdef",
        "SALESFORCE_CLIENT_SECRET": "sf-client-secret-7a6b5c",
        "SALESFORCE_REFRESH_TOKEN": "5Aep861sf-refresh-token-xyz",
    },
    "usage": {},
}
URL_SETTING = {
    "zendesk": "ZENDESK_URL",
    "intercom": "INTERCOM_URL",
    "stripe": "STRIPE_API_BASE",
    "salesforce": "SALESFORCE_LOGIN_URL",
    "usage": "USAGE_WAREHOUSE_URL",
}
HTTP_SOURCES = ["zendesk", "intercom", "stripe", "salesforce"]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Refusing(BaseHTTPRequestHandler):
    """A vendor that echoes back every credential it was sent, in the body of its refusal."""

    status = 401

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        sent = self.rfile.read(length).decode() if length else ""
        echo = f"{self.path} {self.headers.get('Authorization', '')} {sent}"
        body = json.dumps(
            {"error": {"message": f"bad credentials: {echo}"}, "error_description": echo}
        ).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


class _Failing(_Refusing):
    status = 500


@pytest.fixture(params=[401, 500, "closed"])
def vendor(request):
    """(host:port, what it does) of a server refusing us, failing, or nobody at all."""
    if request.param == "closed":
        yield f"127.0.0.1:{_closed_port()}", "closed"
        return
    handler = _Refusing if request.param == 401 else _Failing
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}", request.param
    server.shutdown()
    server.server_close()


def _configure(settings, source: str, host: str) -> list[str]:
    """Point `source` at `host` with a password in its URL; return the secrets to look for."""
    settings.CONNECTOR_MAX_RETRIES = 0
    settings.CONNECTOR_TIMEOUT_SECONDS = 5
    scheme = "postgresql" if source == "usage" else "http"
    setattr(settings, URL_SETTING[source], f"{scheme}://svc-user:{URL_PASSWORD}@{host}/db")
    for name, value in SECRETS[source].items():
        setattr(settings, name, value)
    secrets = [URL_PASSWORD] + [v for k, v in SECRETS[source].items() if k != "ZENDESK_EMAIL"]
    # The Basic credentials as sent, should a vendor echo them: Zendesk's own, and the URL's
    # userinfo, which requests sends instead of a Bearer header when the URL has one.
    logins = [f"svc-user:{URL_PASSWORD}"]
    if source == "zendesk":
        logins.append(
            f"{SECRETS[source]['ZENDESK_EMAIL']}/token:{SECRETS[source]['ZENDESK_API_TOKEN']}"
        )
    secrets += [base64.b64encode(login.encode()).decode() for login in logins]
    return secrets


def _leaks(secrets: list[str], **outputs: str) -> list[str]:
    return [
        f"{secret!r} in {where}"
        for where, text in outputs.items()
        for secret in secrets
        if secret in text
    ]


def _pages(client, run) -> dict[str, str]:
    return {
        "admin changelist": client.get("/admin/supportops/syncrun/").content.decode(),
        "admin change page": client.get(
            f"/admin/supportops/syncrun/{run.pk}/change/"
        ).content.decode(),
        "overview": client.get("/").content.decode(),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("source", HTTP_SOURCES + ["usage"])
def test_a_failing_sync_shows_no_credential_anywhere(
    source, vendor, settings, caplog, admin_client
):
    host, kind = vendor
    if source == "usage" and kind != "closed":
        pytest.skip("the warehouse speaks PostgreSQL, not HTTP: only the closed port applies")
    secrets = _configure(settings, source, host)
    caplog.set_level(logging.DEBUG)

    result = sync_source_task.apply(kwargs={"source": source}).get()
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("sync", source, stdout=stdout, stderr=stderr)
        command_error = ""
    except CommandError as exc:
        command_error = str(exc)

    runs = list(SyncRun.objects.filter(source=source))
    assert len(runs) == 2 and all(r.status == SyncRun.Status.FAILED for r in runs), runs
    assert all(r.error for r in runs)
    assert command_error  # the command failed, with the reason
    leaks = _leaks(
        secrets,
        syncrun_rows=" ".join(r.error for r in runs),
        task_result=json.dumps(result),
        logs=caplog.text + " ".join(r.getMessage() for r in caplog.records),
        command_stdout=stdout.getvalue(),
        command_stderr=stderr.getvalue(),
        command_error=command_error,
        **_pages(admin_client, runs[0]),
    )
    assert not leaks, leaks
    if kind == "closed" and source != "usage":  # nobody listening: the URL is quoted
        assert f"svc-user:***@{host}" in runs[0].error, runs[0].error


@pytest.mark.django_db
def test_the_vendor_echo_is_still_reported_without_the_secret(settings):
    """Redaction keeps the reason readable: what the vendor said stays, the key goes."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _configure(settings, "stripe", f"127.0.0.1:{server.server_address[1]}")
        run = sync_source_task.apply(kwargs={"source": "stripe"}).get()
    finally:
        server.shutdown()
        server.server_close()
    assert "stripe refused our credentials (HTTP 401: bad credentials: " in run["error"]
    assert "Basic ***" in run["error"]  # requests sends the URL's userinfo as Basic auth
    assert SECRETS["stripe"]["STRIPE_API_KEY"] not in run["error"]


@pytest.mark.django_db
def test_rows_saved_before_redaction_are_redacted_where_shown(settings, admin_client):
    """An error stored in clear before this fix (written past save()) is still not shown."""
    settings.ZENDESK_URL = "http://127.0.0.1:9"
    settings.ZENDESK_EMAIL = "a@b.c"
    settings.ZENDESK_API_TOKEN = "zd-token-9f8e7d6c5b"
    now = timezone.now()
    run = SyncRun.objects.create(source="zendesk", status="failed", started_at=now)
    SyncRun.objects.filter(pk=run.pk).update(
        finished_at=now,
        error=f"cannot reach zendesk at https://u:{URL_PASSWORD}@h (token zd-token-9f8e7d6c5b)",
    )
    pages = _pages(admin_client, run)
    assert "cannot reach zendesk at https://u:***@h (token ***)" in pages["overview"]
    leaks = _leaks([URL_PASSWORD, "zd-token-9f8e7d6c5b"], **pages)
    assert not leaks, leaks


def test_redact_masks_url_passwords_dsn_passwords_and_configured_secrets(settings):
    from supportops import redact as redaction

    settings.EMAIL_HOST_PASSWORD = "smtp-pass-4242"
    settings.CELERY_BROKER_URL = "redis://:broker-pw-1234@127.0.0.1:6379/0"
    settings.USAGE_WAREHOUSE_URL = "postgresql://wh:p%40ss-word-99@db/wh"
    database = settings.DATABASES["default"]
    had_password, old_password = "PASSWORD" in database, database.get("PASSWORD")
    database["PASSWORD"] = "db-password-5150"  # a dict inside settings: restored by hand
    redaction.secrets_forget()
    try:
        text = (
            "https://user:secret@host/x, postgres://u:pw@db:5432/app?x=1, "
            "host=db password='two words' user=u, mail smtp-pass-4242 broker-pw-1234 "
            "wh p@ss-word-99 db db-password-5150 http://host:80/path?a=b@c"
        )
        assert redaction.redact(text) == (
            "https://user:***@host/x, postgres://u:***@db:5432/app?x=1, "
            "host=db password=*** user=u, mail *** *** "
            "wh *** db *** http://host:80/path?a=b@c"
        )
    finally:
        if had_password:
            database["PASSWORD"] = old_password
        else:
            database.pop("PASSWORD", None)
        redaction.secrets_forget()
    assert redaction.redact("nothing to hide: a wrong token") == "nothing to hide: a wrong token"
    assert redaction.redact(None) == ""


def test_the_configured_log_handler_redacts_messages_and_tracebacks(settings):
    """LOGGING's console handler filters too: records made before the record factory was in
    place, or by a logger configured elsewhere, still go out redacted."""
    from logging.config import dictConfig

    settings.STRIPE_API_KEY = "sk_live_51HxSecretKeyValue"
    stream = io.StringIO()
    config = {**settings.LOGGING, "root": {"handlers": ["console"], "level": "DEBUG"}}
    config["handlers"] = {"console": {**config["handlers"]["console"], "stream": stream}}
    logger = logging.getLogger("tests.hardening.secrets")
    try:
        dictConfig(config)
        try:
            raise ValueError("key sk_live_51HxSecretKeyValue at https://a:b-pass@h")
        except ValueError:
            record = logging.LogRecord(
                logger.name,
                logging.ERROR,
                __file__,
                1,
                "failed: %s",
                ("sk_live_51HxSecretKeyValue",),
                exc_info=__import__("sys").exc_info(),
            )
            logger.handle(record)
    finally:
        dictConfig(settings.LOGGING)
    out = stream.getvalue()
    assert "failed: ***" in out and "ValueError: key *** at https://a:***@h" in out, out
    assert "sk_live_51HxSecretKeyValue" not in out and "b-pass" not in out


def test_an_smtp_error_echoing_the_login_is_stored_redacted(settings):
    settings.EMAIL_HOST_PASSWORD = "smtp-pass-4242"
    error = smtplib.SMTPAuthenticationError(535, b"5.7.8 bad login user / smtp-pass-4242")
    assert describe_error(error) == "SMTPAuthenticationError: 535 5.7.8 bad login user / ***"

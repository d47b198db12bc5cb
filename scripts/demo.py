#!/usr/bin/env python
"""`make demo`: a fresh demo database filled through the real connectors.

Starts the local vendor sandboxes (Zendesk, Stripe and Intercom over HTTP; Salesforce over
HTTPS with its own certificate authority), migrates a throw-away SQLite database
(var/demo.sqlite3), loads sample cost inputs, syncs every source through `manage.py sync`,
creates a login and serves the app on http://127.0.0.1:$PORT until Ctrl-C. Nothing outside
var/ is touched.

`--production` (`make demo-prod`): the same demo served as production serves it: gunicorn
(WEB_CONCURRENCY workers, default 2) with the production settings (DEBUG off, a random
SECRET_KEY, whitenoise serving the collected, hashed and compressed static files), on
PostgreSQL (DEMO_DATABASE_URL, default the supportops_demo database of `scripts/test-services`,
dropped and created anew on every start) and a cache the web workers and the sync share (a file
cache in var/demo-cache, emptied on every start). The only changes to production's settings are
those plain HTTP on loopback needs (supportops/settings/demo_production.py: cookies not marked
Secure, no redirect to https://).
"""

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SOURCES = ["zendesk", "salesforce", "stripe", "intercom"]
DEMO_DATABASE_URL = "postgres://postgres@127.0.0.1:54329/supportops_demo"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(*args: str, env: dict) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def start(args: list[str], env: dict) -> subprocess.Popen:
    """Start a sandbox and wait for its first line, printed once it is listening."""
    process = subprocess.Popen(
        [PYTHON, "-m", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    line = process.stdout.readline().strip()
    if not line:
        raise SystemExit(f"sandbox {args[0]} did not start")
    print(line.split(" zendesk_email")[0].split(" REQUESTS_CA_BUNDLE")[0], flush=True)
    return process


def recreate_database(url: str) -> None:
    """Drop the PostgreSQL database `url` names (when it exists) and create it empty."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = sql.Identifier(parts.path.lstrip("/"))
    try:
        conn = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    except psycopg2.OperationalError as exc:
        raise SystemExit(
            f"demo --production needs PostgreSQL at {parts.hostname}:{parts.port} "
            f"(`scripts/test-services up` starts one, `make demo-prod` runs it): {exc}"
        ) from exc
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(name))
    conn.close()


def production_env(env: dict, var: Path) -> dict:
    """The demo's environment as production runs: its settings, PostgreSQL, a shared cache."""
    url = os.environ.get("DEMO_DATABASE_URL") or DEMO_DATABASE_URL
    recreate_database(url)
    cache = var / "demo-cache"
    shutil.rmtree(cache, ignore_errors=True)  # the rebuilt database starts its data version anew
    env = {**env, "DJANGO_SETTINGS_MODULE": "supportops.settings.demo_production"}
    env.pop("SUPPORTOPS_DEMO")  # production refuses the published key: a random one
    env.update(
        DATABASE_URL=url,
        SECRET_KEY=secrets.token_urlsafe(48),
        CACHE_URL=f"filecache://{cache}",
    )
    return env


def serve(port: str, env: dict, production: bool) -> None:
    if not production:
        manage("runserver", f"127.0.0.1:{port}", "--noreload", env=env)
        return
    workers = os.environ.get("WEB_CONCURRENCY") or "2"
    gunicorn = Path(PYTHON).with_name("gunicorn")
    subprocess.run(
        [str(gunicorn), "supportops.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", workers, "--access-logfile", "-"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--production", action="store_true", help="gunicorn, production settings, PostgreSQL"
    )
    production = parser.parse_args().production
    port = os.environ.get("PORT", "8000")
    http_port = int(os.environ.get("SANDBOX_PORT") or free_port())
    tls_port = free_port()
    var = ROOT / "var"
    db = var / "demo.sqlite3"
    var.mkdir(exist_ok=True)
    db.unlink(missing_ok=True)
    sandbox_url = f"http://127.0.0.1:{http_port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "supportops.settings.base",
        # The demo asks for its published SECRET_KEY (supportops/settings/choose.py).
        "SUPPORTOPS_DEMO": "1",
        "DATABASE_URL": f"sqlite:///{db}",
        "ZENDESK_URL": sandbox_url,
        "ZENDESK_EMAIL": "demo@supportops.local",
        "ZENDESK_API_TOKEN": "sandbox-token",
        "STRIPE_API_BASE": sandbox_url,
        "STRIPE_API_KEY": "sk_test_sandbox",
        "INTERCOM_URL": f"{sandbox_url}/intercom",
        "INTERCOM_TOKEN": "sandbox-intercom-token",
        "SALESFORCE_LOGIN_URL": f"https://127.0.0.1:{tls_port}",
        "SALESFORCE_CLIENT_ID": "sandbox-client-id",
        "SALESFORCE_CLIENT_SECRET": "sandbox-client-secret",
        "SALESFORCE_REFRESH_TOKEN": "sandbox-refresh-token",
        "REQUESTS_CA_BUNDLE": str(var / "sandbox-tls" / "bundle.pem"),
        # Emails (the monthly report, "Send a test to myself") go to files, never to a server.
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(var / "mail"),
    }
    env.pop("CELERY_BROKER_URL", None)
    if production:
        env = production_env(env, var)
    sandboxes = []
    try:
        usage_csv = var / "demo-usage.csv"
        sandboxes.append(
            start(
                ["connectors.sandbox", "--port", str(http_port), "--usage-csv", str(usage_csv)],
                env,
            )
        )
        sandboxes.append(
            start(
                [
                    "connectors.sandbox.salesforce_tls",
                    "--port",
                    str(tls_port),
                    "--cert-dir",
                    str(var / "sandbox-tls"),
                ],
                env,
            )
        )
        manage("migrate", "--noinput", "-v", "0", env=env)
        manage("collectstatic", "--noinput", "-v", "0", env=env)
        password = secrets.token_urlsafe(12)
        manage("demo_seed", "--username", "demo", "--password", password, env=env)
        print("syncing the sandbox company through the real connectors ...", flush=True)
        manage("sync", *SOURCES, env=env)
        manage("import_usage", str(usage_csv), "--source", "segment", env=env)
        server = "gunicorn, production settings, PostgreSQL" if production else "runserver"
        print(
            f"\nSupportOps demo ({server}): http://127.0.0.1:{port}/  "
            "(admin: /admin/, API: /api/v1/)"
        )
        print(f"Sign in as: demo / {password}")
        print(f"Emails are written to {var / 'mail'}/ (one .log file per message, raw MIME)")
        print("Ctrl-C stops the demo.\n", flush=True)
        serve(port, env, production)
    except KeyboardInterrupt:
        pass
    except subprocess.CalledProcessError as exc:
        print(
            f"demo failed: {' '.join(exc.cmd[1:3])} exited with {exc.returncode}", file=sys.stderr
        )
        return 1
    finally:
        for process in sandboxes:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())

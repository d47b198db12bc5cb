#!/usr/bin/env python
"""`make demo`: a fresh demo database filled through the real connectors.

Starts the local vendor sandbox (Zendesk, Stripe, Intercom), migrates a throw-away SQLite database (var/demo.sqlite3),
loads sample cost inputs, syncs through `manage.py sync`, creates a login and serves
the app on http://127.0.0.1:$PORT until Ctrl-C. Nothing outside var/ is touched.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(*args: str, env: dict) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def main() -> int:
    port = os.environ.get("PORT", "8000")
    sandbox_port = int(os.environ.get("SANDBOX_PORT") or free_port())
    db = ROOT / "var" / "demo.sqlite3"
    db.parent.mkdir(exist_ok=True)
    db.unlink(missing_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "supportops.settings.base",
        "DATABASE_URL": f"sqlite:///{db}",
        "ZENDESK_URL": f"http://127.0.0.1:{sandbox_port}",
        "ZENDESK_EMAIL": "demo@supportops.local",
        "ZENDESK_API_TOKEN": "sandbox-token",
        "STRIPE_API_BASE": f"http://127.0.0.1:{sandbox_port}",
        "STRIPE_API_KEY": "sk_test_sandbox",
        "INTERCOM_URL": f"http://127.0.0.1:{sandbox_port}/intercom",
        "INTERCOM_TOKEN": "sandbox-intercom-token",
    }
    env.pop("CELERY_BROKER_URL", None)
    sandbox = subprocess.Popen(
        [PYTHON, "-m", "connectors.sandbox", "--port", str(sandbox_port)], cwd=ROOT, env=env
    )
    try:
        manage("migrate", "--noinput", "-v", "0", env=env)
        manage("collectstatic", "--noinput", "-v", "0", env=env)
        password = secrets.token_urlsafe(12)
        manage("demo_seed", "--username", "demo", "--password", password, env=env)
        print("syncing the sandbox company through the real connectors ...", flush=True)
        manage("sync", "zendesk", "stripe", "intercom", env=env)
        print(f"\nSupportOps demo: http://127.0.0.1:{port}/  (admin: /admin/, API: /api/v1/)")
        print(f"Sign in as: demo / {password}")
        print("Ctrl-C stops the demo.\n", flush=True)
        manage("runserver", f"127.0.0.1:{port}", "--noreload", env=env)
    except KeyboardInterrupt:
        pass
    except subprocess.CalledProcessError as exc:
        print(
            f"demo failed: {' '.join(exc.cmd[1:3])} exited with {exc.returncode}", file=sys.stderr
        )
        return 1
    finally:
        sandbox.send_signal(signal.SIGTERM)
        sandbox.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())

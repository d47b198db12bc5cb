"""Under the production settings a load balancer's plain-HTTP health check gets its 200, while
every other plain-HTTP request is still sent to HTTPS."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "supportops.settings.production",
    "SECRET_KEY": "k" * 20 + "Zq8#vL2@pX9!mR4$wT7%yU1^" + "n" * 20,
    "DATABASE_URL": "postgres://user:pw@127.0.0.1:1/supportops",
    "ALLOWED_HOSTS": "supportops.example.com,10.0.0.7",
}
REQUESTS = """
import django
django.setup()
from django.test import Client
client = Client()
for path, proto in (("/healthz", "http"), ("/healthz", "https"), ("/", "http"), ("/api/v1/", "http")):
    headers = {"HTTP_X_FORWARDED_PROTO": proto, "HTTP_HOST": "10.0.0.7"}
    response = client.get(path, **headers)
    print(path, proto, response.status_code, response.get("Location", "-"))
"""


def test_plain_http_healthz_answers_under_production_settings():
    result = subprocess.run(
        [sys.executable, "-c", REQUESTS],
        cwd=ROOT,
        env={**os.environ, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines() == [
        "/healthz http 200 -",
        "/healthz https 200 -",
        "/ http 301 https://10.0.0.7/",
        "/api/v1/ http 301 https://10.0.0.7/api/v1/",
    ]

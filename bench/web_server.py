"""What the web benchmarks share: the app served by gunicorn as production serves it, on the
benchmark's data, and a client that signs in to it.

bench/web_latency.py (one client, requests one after another) and bench/load_test.py (locust,
many signed-in users at once) both go through `production_server()`: it runs the task a
finished sync asks for ("metrics.refresh_derived") into the cache gunicorn will read, collects
the static files into a temporary directory (whitenoise serves them from its manifest, as in
production), starts gunicorn on loopback with the production settings (bench/web_settings.py)
and the clock frozen at the data's end (bench/web_wsgi.py), waits until it answers, and stops
it whatever happens.

The runner process itself runs the test settings (bench/metrics_data.setup_django); only
gunicorn runs production's.
"""

from __future__ import annotations

import math
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

USERNAME = "bench-web"


class BenchFailure(SystemExit):
    """A run that cannot go on (no login form, sign-in refused, gunicorn gone): the runner
    stops with this message and a non-zero status."""


def bench_user(username: str = USERNAME) -> str:
    """A user for the run with a fresh random password; returns the password.

    Hashed with production's hasher: this process runs the test settings, whose fast hasher
    the production settings would not accept. A user of the benchmark's own, so no lockout
    (django-axes counts wrong passwords only) or session of a real user is touched.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    password = secrets.token_urlsafe(18)
    user, _ = get_user_model().objects.get_or_create(username=username)
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt())
    user.save(update_fields=["password"])
    return password


def shared_cache_url(tmp: str) -> str:
    return os.environ.get("CACHE_URL") or f"filecache://{tmp}/cache"


def warm_derived(cache_url: str) -> float:
    """Run "metrics.refresh_derived" here, into the cache gunicorn reads: milliseconds."""
    import environ
    from django.test import override_settings

    from metrics.tasks import refresh_derived

    with override_settings(CACHES={"default": environ.Env.cache_url_config(cache_url)}):
        started = time.perf_counter()
        result = refresh_derived.apply().get()
        elapsed = (time.perf_counter() - started) * 1000
    print(f"metrics.refresh_derived (as after a sync): {elapsed:,.0f} ms; {result}", flush=True)
    return elapsed


def server_env(
    url: str, static_root: str, cache_url: str, *, compress_static: bool = True
) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("CELERY_BROKER_URL", "DEBUG", "SECURE_SSL_REDIRECT")
        and not key.startswith("PYTEST")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="bench.web_settings",
        DATABASE_URL=url,
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1",
        BENCH_STATIC_ROOT=static_root,
        CACHE_URL=cache_url,
        PYTHONPATH=str(ROOT),
        LOG_LEVEL="WARNING",
        BENCH_STATIC_COMPRESS="1" if compress_static else "0",
    )
    env.pop("DATABASE_REPLICA_URL", None)  # the benchmark's database only
    return env


def collect_static(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen(
        [
            str(gunicorn),
            "bench.web_wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


@contextmanager
def production_server(
    url: str, *, port: int, workers: int, compress_static: bool = True
) -> Iterator[str]:
    """gunicorn serving database `url` on 127.0.0.1:`port`; yields its base URL.

    The derived figures are refreshed first, as after a sync, into the cache gunicorn shares
    with this process (so an overview's first request is its first after a sync).
    `compress_static=False` skips whitenoise's gzip and brotli copies (bench/web_settings.py):
    seconds instead of minutes, for a short run that requests no static file."""
    from django.db import connection

    connection.close()
    with tempfile.TemporaryDirectory(prefix="bench-web-static-") as static_root:
        cache_url = shared_cache_url(static_root)
        warm_derived(cache_url)
        connection.close()  # the runner's connection is not needed while gunicorn serves
        env = server_env(url, static_root, cache_url, compress_static=compress_static)
        collect_static(env)
        server = start_gunicorn(env, port, workers)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(Browser(base), server)
            yield base
        finally:
            stop(server)


# --- HTTP --------------------------------------------------------------------------------------


class Browser:
    """Requests with the cookies kept by hand: the production settings mark them Secure, which
    a client only sends over HTTPS, and this talks to gunicorn over loopback HTTP as a TLS
    proxy would (X-Forwarded-Proto: https).

    `http` is what sends: the `requests` module (default), or a session with the same
    get/post, such as a locust user's client, which records every request it sends; extra
    keyword arguments of `get` go to it (locust's `name=`, `catch_response=`)."""

    def __init__(self, base: str, http=None):
        import requests

        self.requests = requests
        self.http = http or requests
        self.base = base
        self.origin = "https://" + urlsplit(base).netloc
        self.cookies: dict[str, str] = {}

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"X-Forwarded-Proto": "https", **(extra or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def keep(self, response) -> None:
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value

    def get(self, path: str, timeout: float = 120, **kwargs):
        response = self.http.get(
            self.base + path,
            headers=self.headers(),
            allow_redirects=False,
            timeout=timeout,
            **kwargs,
        )
        self.keep(response)
        return response

    def sign_in(self, username: str, password: str, **kwargs) -> None:
        """Through the login form, as a person signs in: one session from here on."""
        form = self.get("/accounts/login/", **kwargs)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        if form.status_code != 200 or not match:
            raise BenchFailure(f"no login form at /accounts/login/ ({form.status_code})")
        response = self.http.post(
            self.base + "/accounts/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": match[1]},
            headers=self.headers(
                {"Referer": self.origin + "/accounts/login/", "Origin": self.origin}
            ),
            allow_redirects=False,
            timeout=60,
            **kwargs,
        )
        self.keep(response)
        if response.status_code != 302 or "sessionid" not in self.cookies:
            raise BenchFailure(f"sign-in failed: {response.status_code} {response.text[:300]}")


def wait_until_up(browser: Browser, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchFailure(f"gunicorn exited with {server.returncode}")
        try:
            browser.get("/accounts/login/", timeout=10)
            return
        except (browser.requests.ConnectionError, browser.requests.Timeout):
            time.sleep(0.2)
    raise BenchFailure(f"gunicorn did not answer within {seconds:g} s")


def percentile(sorted_ms: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    return sorted_ms[max(0, math.ceil(q * len(sorted_ms)) - 1)]

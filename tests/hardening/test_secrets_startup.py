"""`gunicorn supportops.wsgi` and `celery -A supportops` never start on the demo key by accident.

Without DJANGO_SETTINGS_MODULE they run the production settings, which refuse a missing or
demo SECRET_KEY with a message saying how to set one; only the demo (SUPPORTOPS_DEMO=1) or
DEBUG=1 gets the base settings and their published key.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_KEY = "insecure-demo-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz"
REAL_KEY = "k" * 20 + "Zq8#vL2@pX9!mR4$wT7%yU1^" + "n" * 20
LOADED = "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.SECRET_KEY)"


def _env(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG")}
    env.pop("SECRET_KEY", None)
    env.pop("SUPPORTOPS_DEMO", None)
    env.pop("DATABASE_URL", None)
    return {**env, **extra}


def _python(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _refused(result: subprocess.CompletedProcess) -> bool:
    return (
        result.returncode != 0
        and "ImproperlyConfigured: SECRET_KEY is" in result.stderr
        and "SUPPORTOPS_DEMO=1" in result.stderr
        and "get_random_secret_key" in result.stderr
    )


@pytest.mark.parametrize("key", [None, DEMO_KEY], ids=["no key", "the demo key"])
def test_wsgi_without_settings_refuses_a_missing_or_demo_key(key):
    env = {"SECRET_KEY": key} if key else {}
    result = _python("import supportops.wsgi", **env)
    assert _refused(result), result.stderr[-2000:]


def test_a_celery_worker_without_settings_refuses_the_demo_key():
    result = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "supportops", "worker", "--pool=solo",
         "--without-heartbeat", "--without-mingle", "--without-gossip"],
        cwd=ROOT,
        env=_env(SECRET_KEY=DEMO_KEY),
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert _refused(result), (result.stdout + result.stderr)[-2000:]


@pytest.mark.parametrize("asked", [{"SUPPORTOPS_DEMO": "1"}, {"DEBUG": "1"}])
@pytest.mark.parametrize("module", ["supportops.wsgi", "supportops.celery"])
def test_the_demo_or_debug_may_ask_for_the_demo_key(module, asked):
    result = _python(f"import {module}; {LOADED}", **asked)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["supportops.settings.base", DEMO_KEY]


def test_production_is_the_default_and_explicit_settings_win():
    real = _python(
        f"import supportops.wsgi; {LOADED}",
        SECRET_KEY=REAL_KEY,
        DATABASE_URL="postgres://u:p@127.0.0.1:1/x",
    )
    assert real.returncode == 0, real.stderr[-2000:]
    assert real.stdout.split() == ["supportops.settings.production", REAL_KEY]
    explicit = _python(
        f"import supportops.celery; {LOADED}", DJANGO_SETTINGS_MODULE="supportops.settings.base"
    )
    assert explicit.returncode == 0, explicit.stderr[-2000:]
    assert explicit.stdout.split() == ["supportops.settings.base", DEMO_KEY]

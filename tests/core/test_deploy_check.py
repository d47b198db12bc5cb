"""`manage.py check --deploy` is clean under production settings."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_check(**env):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "supportops.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_production_settings():
    result = run_check(
        SECRET_KEY="k" * 20 + "Zq8#vL2@pX9!mR4$wT7%yU1^" + "n" * 20,
        DATABASE_URL="postgres://user:pw@127.0.0.1:5432/supportops",
        ALLOWED_HOSTS="supportops.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_demo_secret_key():
    result = run_check(SECRET_KEY="", DATABASE_URL="postgres://u:p@127.0.0.1/x")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr

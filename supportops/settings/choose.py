"""Which settings a server process starts with when DJANGO_SETTINGS_MODULE does not say.

`gunicorn supportops.wsgi` and `celery -A supportops` are how production starts SupportOps, so
production is their default: it refuses the published demo SECRET_KEY (and a missing one) with
a message saying how to set it. Only a process that asks for the demo, with SUPPORTOPS_DEMO=1
(scripts/demo.py sets it) or DEBUG=1, gets the base settings and their demo key by default.
`manage.py` keeps the base settings: it is what a developer types.
"""

from __future__ import annotations

import os
from pathlib import Path

import environ

BASE = "supportops.settings.base"
PRODUCTION = "supportops.settings.production"


def settings_module_default() -> str:
    env = environ.Env()
    env_file = Path(__file__).resolve().parents[2] / ".env"
    if env_file.exists():  # base.py reads it too; DEBUG or SUPPORTOPS_DEMO may be set there
        environ.Env.read_env(str(env_file))
    demo = env.bool("SUPPORTOPS_DEMO", default=False) or env.bool("DEBUG", default=False)
    return BASE if demo else PRODUCTION


def settings_module_choose() -> str:
    """Set DJANGO_SETTINGS_MODULE unless the environment already names it; return it."""
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module_default()
    return os.environ["DJANGO_SETTINGS_MODULE"]

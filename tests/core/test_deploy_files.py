"""deploy/: the compose file and the systemd units agree with the settings they run.

Docker cannot run here; the compose file is read as YAML (anchors merged as Compose does) and
checked for what matters: every Celery queue has a worker, one beat, the web entry point and
its health check, one environment for every SupportOps process. The units are checked the same
way, and by `systemd-analyze verify` where it exists.
"""

import re
import shutil
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import resolve

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
ENV_FILE = "/etc/supportops/env"
APP_DIR = "/opt/supportops"
# What every web and worker machine needs (README "Several machines").
SHARED_VARIABLES = {
    "SECRET_KEY",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "ALLOWED_HOSTS",
    "EMAIL_URL",
    "SITE_URL",
}


def queues() -> set[str]:
    """Every queue a task can be sent to: the routes' and the default one."""
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    return routed | set(settings.CELERY_TASK_QUEUES) | {settings.CELERY_TASK_DEFAULT_QUEUE}


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]


def command(service: dict) -> list[str]:
    return service.get("command") or []


def celery(service: dict, kind: str) -> bool:
    words = command(service)
    return words[:3] == ["celery", "-A", "supportops"] and kind in words


def worker_queues(words: list[str]) -> set[str]:
    return set(words[words.index("-Q") + 1].split(","))


def app_services(services: dict) -> dict:
    return {name: s for name, s in services.items() if s.get("image") == "supportops:latest"}


def test_compose_has_every_process_and_its_backing_services(services):
    assert {"web", "beat", "postgres", "redis", "smtp", "migrate"} <= set(services)
    assert any(celery(s, "worker") for s in services.values())
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")


def test_every_queue_has_a_worker_and_no_worker_listens_to_an_unknown_queue(services):
    served = [worker_queues(command(s)) for s in services.values() if celery(s, "worker")]
    assert set().union(*served) == queues()
    assert {"syncs", "reports", "recompute"} <= queues()
    # A sync and a report never share a worker: a long sync must not delay a report.
    assert not any({"syncs", "reports"} <= queues_of_one for queues_of_one in served)


def test_exactly_one_beat(services):
    beats = [name for name, s in services.items() if celery(s, "beat")]
    assert beats == ["beat"]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1


def test_web_is_gunicorn_with_the_health_check(services):
    web = services["web"]
    assert command(web)[:2] == ["gunicorn", "supportops.wsgi"]
    assert find_spec("supportops.wsgi") is not None
    check = " ".join(web["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/healthz" in check
    assert resolve("/healthz").url_name == "healthz"


def test_migrations_run_once_before_the_processes_start(services):
    assert command(services["migrate"]) == ["python", "manage.py", "migrate", "--noinput"]
    for name, service in app_services(services).items():
        if name != "migrate":
            condition = service["depends_on"]["migrate"]["condition"]
            assert condition == "service_completed_successfully", name


def test_every_supportops_process_has_one_and_the_same_environment(services):
    apps = app_services(services)
    assert {"web", "beat", "migrate"} <= set(apps)
    environments = [s["environment"] for s in apps.values()]
    assert all(e == environments[0] for e in environments)
    environment = environments[0]
    assert SHARED_VARIABLES <= set(environment)
    assert environment["DJANGO_SETTINGS_MODULE"] == "supportops.settings.production"
    assert environment["CELERY_BROKER_URL"].startswith("redis://redis:")
    # The warm overview reaches web only through a cache shared with the worker.
    assert environment["CACHE_URL"].startswith("redis://redis:")
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert "@postgres:5432/" in environment["DATABASE_URL"]
    assert environment["EMAIL_URL"].endswith("smtp://smtp:1025}")


def test_compose_sets_only_variables_the_settings_read(services):
    source = "".join(p.read_text() for p in (ROOT / "supportops" / "settings").glob("*.py"))
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"(\w+)"', source))
    environment = services["web"]["environment"]  # every process's (the test above)
    unknown = set(environment) - read - {"DJANGO_SETTINGS_MODULE"}
    assert not unknown
    assert "DATABASE_REPLICA_URL" in read  # documented in deploy/README.md


def test_the_image_has_what_the_report_needs():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    for needed in ("chromium", "poppler-utils", "pip install -r requirements.txt", "collectstatic"):
        assert needed in dockerfile, needed
    assert "CHROMIUM_BIN=/usr/bin/chromium" in dockerfile


def unit(name: str) -> dict[str, dict[str, list[str]]]:
    """Section → key → values (systemd repeats keys such as Environment=)."""
    sections: dict[str, dict[str, list[str]]] = {}
    for line in (UNITS / name).read_text().splitlines():
        if line.startswith("[") and line.endswith("]"):
            section = sections.setdefault(line[1:-1], {})
        elif line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            section.setdefault(key, []).append(value)
    return sections


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("supportops-web.service", "gunicorn supportops.wsgi "),
        ("supportops-worker@.service", "celery -A supportops worker -Q %I "),
        ("supportops-beat.service", "celery -A supportops beat "),
    ],
)
def test_each_unit_starts_its_entry_point_with_the_shared_environment(name, entry):
    service = unit(name)["Service"]
    assert service["EnvironmentFile"] == [ENV_FILE]
    assert "DJANGO_SETTINGS_MODULE=supportops.settings.production" in service["Environment"]
    assert service["WorkingDirectory"] == [APP_DIR]
    (start,) = service["ExecStart"]
    executable, _, arguments = start.partition(" ")
    assert executable.startswith(f"{APP_DIR}/.venv/bin/")
    program = executable.rsplit("/", 1)[1]
    assert (Path(sys.executable).parent / program).exists(), program  # installed by requirements
    assert f"{program} {arguments} ".startswith(entry)


def test_the_units_are_exactly_web_one_worker_template_and_one_beat():
    assert sorted(p.name for p in UNITS.iterdir()) == [
        "supportops-beat.service",
        "supportops-web.service",
        "supportops-worker@.service",
    ]


def test_the_readme_starts_a_worker_for_every_queue_and_one_beat():
    readme = (DEPLOY / "README.md").read_text()
    for queue in queues():
        assert f"supportops-worker@{queue}" in readme, queue
    assert "exactly one" in readme.lower()
    assert "DATABASE_REPLICA_URL" in readme
    for variable in SHARED_VARIABLES:
        assert f"`{variable}`" in readme, variable


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
def test_systemd_accepts_the_units(tmp_path):
    """The units as installed under /opt/supportops, here pointed at this checkout (verify
    refuses an ExecStart that does not exist)."""
    for path in UNITS.iterdir():
        text = path.read_text().replace(APP_DIR + "/.venv", str(Path(sys.executable).parents[1]))
        (tmp_path / path.name).write_text(text.replace(APP_DIR, str(ROOT)))
    shutil.copy(
        tmp_path / "supportops-worker@.service", tmp_path / "supportops-worker@syncs.service"
    )
    names = ["supportops-web.service", "supportops-beat.service", "supportops-worker@syncs.service"]
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(tmp_path / n) for n in names)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Unknown" not in result.stderr, result.stderr

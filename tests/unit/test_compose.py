"""The production description (docker-compose.yml, Dockerfile, constraints.txt) holds together.

No Docker engine is needed: `docker compose config` only reads the file, and runs when the
docker client has the compose plugin (skipped with the reason otherwise). The rest reads the
files themselves.
"""

import os
import re
import shutil
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = {"migrate", "web", "worker", "worker-mail", "beat"}
SERVICES = APP_SERVICES | {"postgres", "redis", "mailpit"}
COMPOSE_ENV = {
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "docket.example.org",
    "SITE_URL": "https://docket.example.org",
    "POSTGRES_PASSWORD": "compose-test-password",
}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def test_the_stack_has_every_service(services):
    assert set(services) == SERVICES


def test_app_services_run_production_settings_with_required_secrets(services):
    for name in APP_SERVICES:
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production", name
        for required in ("SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"):
            assert env[required].startswith(f"${{{required}:?"), (name, required)
        assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"], name
        assert env["DATABASE_URL"].startswith("postgres://"), name
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
        assert env["EMAIL_URL"] == "${EMAIL_URL:-smtp://mailpit:1025}", name


def test_servers_are_the_versions_the_project_runs_on(services):
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert services["mailpit"]["image"].startswith("axllent/mailpit:")


def test_web_is_gunicorn_and_the_worker_and_beat_are_celery(services):
    assert services["web"]["command"][:2] == ["gunicorn", "config.wsgi:application"]
    assert services["worker"]["command"][:3] == ["celery", "--app=config", "worker"]
    assert services["beat"]["command"][:3] == ["celery", "--app=config", "beat"]


def test_migrations_run_once_before_the_app_starts(services):
    command = services["migrate"]["command"]
    assert command[:2] == ["sh", "-c"]
    # The deploy checks first: a demo account's known password stops the stack (issue 11).
    assert command[2] == "python manage.py check --deploy && python manage.py migrate --noinput"
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in APP_SERVICES - {"migrate"}:
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["redis"]["condition"] == "service_healthy", name


def test_every_long_running_service_is_started_again_when_it_dies(services):
    """A worker that exits (out of memory, a broker lost for good) must come back by itself;
    only the one-shot migration is not restarted."""
    for name in SERVICES - {"migrate"}:
        assert services[name]["restart"] == "unless-stopped", name
    for name in ("worker", "worker-mail", "beat"):
        assert services[name]["restart"] == "unless-stopped", name
    assert services["migrate"]["restart"] == "no"


def test_workers_can_scale_and_beat_stays_single(services):
    assert "container_name" not in services["worker"]
    assert services["beat"]["deploy"]["replicas"] == 1


def test_servers_and_the_app_have_healthchecks(services):
    for name in ("postgres", "redis", "web", "worker"):
        assert services[name]["healthcheck"]["test"], name
    assert services["web"]["healthcheck"]["test"][-2:] == ["scripts/healthcheck.py", "web"]
    assert (ROOT / "scripts" / "healthcheck.py").is_file()


def test_database_and_media_live_in_volumes(compose, services):
    assert {"pgdata", "media"} <= set(compose["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "media:/app/var/media" in services["web"]["volumes"]
    assert "media:/app/var/media" in services["worker"]["volumes"]


def _compose_cli() -> list[str] | None:
    docker = shutil.which("docker")
    if docker is None:
        return None
    probe = subprocess.run(
        [docker, "compose", "version"], capture_output=True, text=True, timeout=30
    )
    return [docker, "compose"] if probe.returncode == 0 else None


def _compose_config(cli: list[str], tmp_path: Path, env: dict[str, str]):
    empty_env_file = tmp_path / "empty.env"  # the developer's .env must not fill the gaps
    empty_env_file.write_text("")
    clean = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), **env}
    compose_file = str(ROOT / "docker-compose.yml")
    return subprocess.run(
        [*cli, "--env-file", str(empty_env_file), "-f", compose_file, "config", "-q"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_docker_compose_accepts_the_file(tmp_path):
    cli = _compose_cli()
    if cli is None:
        pytest.skip("`docker compose` (the docker client with the compose plugin) is not installed")
    result = _compose_config(cli, tmp_path, COMPOSE_ENV)
    assert result.returncode == 0, result.stderr


def test_docker_compose_refuses_to_run_without_a_secret_key(tmp_path):
    cli = _compose_cli()
    if cli is None:
        pytest.skip("`docker compose` (the docker client with the compose plugin) is not installed")
    env = {k: v for k, v in COMPOSE_ENV.items() if k != "SECRET_KEY"}
    result = _compose_config(cli, tmp_path, env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_image_installs_pinned_dependencies_as_an_unprivileged_user():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, flags=re.MULTILINE)
    assert "-c constraints.txt" in dockerfile
    assert "collectstatic --noinput" in dockerfile
    users = re.findall(r"^USER\s+(\S+)", dockerfile, flags=re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", ".venv", "var", ".git"} <= set(ignored)


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version
    return pins


def _closure(requirements: list[str]) -> set[str]:
    """Every distribution the requirements pull in, following extras and markers."""
    seen: set[tuple[str, str]] = set()
    names: set[str] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        names.add(name)
        for extra in req.extras or {""}:
            if (name, extra) in seen:
                continue
            seen.add((name, extra))
            for line in metadata.requires(req.name) or []:
                child = Requirement(line)
                if child.marker is None or child.marker.evaluate({"extra": extra}):
                    todo.append(child)
    return names


def _runtime_requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return project["dependencies"]


def test_every_runtime_package_is_pinned_in_constraints():
    """The image installs only runtime dependencies: each of them must have a pin."""
    pins = _pins()
    unpinned = sorted(_closure(_runtime_requirements()) - set(pins))
    assert not unpinned, f"not in constraints.txt (run `make lock`): {unpinned}"
    for name, version in pins.items():
        assert metadata.version(name) == version, f"{name}: .venv differs from constraints.txt"


def test_runtime_dependencies_carry_what_the_redis_broker_imports():
    """kombu's Redis transport imports `redis` and `packaging`: only celery[redis] brings both.

    Without them the production worker (runtime dependencies only, no pytest to bring
    `packaging` along) fails on its first connection to the broker.
    """
    missing = {"redis", "packaging"} - _closure(_runtime_requirements())
    assert not missing, f"add the redis extra: celery[redis] (missing {sorted(missing)})"


def _queues_of(command: list[str]) -> set[str]:
    for i, arg in enumerate(command):
        if arg.startswith("--queues="):
            return set(arg.split("=", 1)[1].split(","))
        if arg == "-Q":
            return set(command[i + 1].split(","))
    return {"celery"}


def test_every_routed_queue_has_a_worker_in_production_and_in_make_run(services):
    """A queue nobody consumes silently stops e-mail or flow steps."""
    from django.conf import settings

    from scripts import run

    routed = set(settings.DOCKET_QUEUES)
    consumed = set()
    for service in services.values():
        command = service.get("command") or []
        if command[:3] == ["celery", "--app=config", "worker"]:
            consumed |= _queues_of(command)
    assert consumed == routed
    assert _queues_of(run.WORKER_ARGV) == routed
    assert {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} <= routed

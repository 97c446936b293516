"""docker-compose.yml and the Dockerfile agree with trendforge.settings and the CLI.

No Docker engine is needed: the files are parsed, and `docker compose config -q` runs only
when a compose CLI is installed (it validates offline)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from models.names import SEARCH_ATTRIBUTES
from trendforge.cli import app as cli_app
from trendforge.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

EXPECTED_SERVICES = {
    "certs",
    "postgres",
    "temporal",
    "temporal-setup",
    "temporal-ui",
    "migrate",
    "api",
    "worker",
    "worker-cpu",
}
ONE_SHOT = {"certs", "migrate", "temporal-setup"}
APP_SERVICES = {"migrate", "api", "worker", "worker-cpu"}
WORKERS = {"worker", "worker-cpu"}
PINNED_IMAGES = {
    "certs": "alpine",
    "postgres": "postgres",
    "temporal": "temporalio/auto-setup",
    "temporal-ui": "temporalio/ui",
    "temporal-setup": "temporalio/admin-tools",
}
ENV_ANCHOR = "x-trendforge-env"


def _default(field: str) -> Any:
    return Settings.model_fields[field].default


ENV_TO_FIELD = {f"TRENDFORGE_{name.upper()}": name for name in Settings.model_fields}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def env_of(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a dict, whichever of the two compose syntaxes it uses."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def ports_of(service: dict[str, Any]) -> list[tuple[int | None, int]]:
    """(published host port or None, container port) for each entry, short or long syntax."""
    out: list[tuple[int | None, int]] = []
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            published = entry.get("published")
            out.append((int(published) if published is not None else None, int(entry["target"])))
        else:
            parts = str(entry).split("/", 1)[0].split(":")
            host = int(parts[-2]) if len(parts) >= 2 and parts[-2] else None
            out.append((host, int(parts[-1])))
    return out


def strings_of(node: Any) -> list[str]:
    """Every string inside a YAML node (commands, entrypoints, healthchecks)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in strings_of(v)]
    if isinstance(node, list):
        return [s for v in node for s in strings_of(v)]
    return []


def test_expected_services_exist(services: dict[str, Any]) -> None:
    missing = EXPECTED_SERVICES - set(services)
    assert not missing, f"missing services: {sorted(missing)}"


@pytest.mark.parametrize("service,repository", sorted(PINNED_IMAGES.items()))
def test_third_party_images_are_pinned(
    services: dict[str, Any], service: str, repository: str
) -> None:
    image = services[service]["image"]
    name, sep, tag = image.rpartition(":")
    assert sep and "/" not in tag, f"{service}: {image!r} has no tag"
    assert name == repository
    assert tag and tag != "latest", f"{service}: {image!r} is not pinned"


def test_shared_environment_is_one_anchor(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    assert f"{ENV_ANCHOR}: &tf-env" in COMPOSE_FILE.read_text()
    shared = compose[ENV_ANCHOR]
    assert shared, "the shared environment is empty"
    for name in APP_SERVICES:
        env = env_of(services[name])
        missing = {k: v for k, v in shared.items() if env.get(k) != str(v)}
        assert not missing, f"{name} does not carry the shared environment: {missing}"


def _interpolated(value: Any) -> Any:
    """A value as compose gives it: ${X:-default} → default, ${X:?why} → what an operator sets."""
    if not isinstance(value, str):
        return value
    return re.sub(
        r"\$\{\w+:?([-?])([^}]*)\}",
        lambda m: m.group(2) if m.group(1) == "-" else "operator-provided-value",
        value,
    )


def test_every_trendforge_variable_is_a_settings_field(services: dict[str, Any]) -> None:
    for name, service in services.items():
        env = env_of(service)
        values = {}
        for key, value in env.items():
            if not key.startswith("TRENDFORGE_"):
                continue
            assert key in ENV_TO_FIELD, f"{name}: {key} is not a field of Settings"
            values[ENV_TO_FIELD[key]] = _interpolated(value)
        if values:
            Settings(_env_file=None, **values)  # the values parse, too


def test_api_port_matches_settings(services: dict[str, Any]) -> None:
    api_port = _default("api_port")
    api = services["api"]
    assert ports_of(api) == [(api_port, api_port)]
    env = env_of(api)
    assert int(env["TRENDFORGE_API_PORT"]) == api_port
    assert env["TRENDFORGE_API_HOST"] == "0.0.0.0", "the API must listen beyond the container"
    assert f"127.0.0.1:{api_port}/healthz" in " ".join(strings_of(api["healthcheck"]))


def test_temporal_ports_match_settings(services: dict[str, Any]) -> None:
    temporal_port = _default("temporal_port")
    assert (temporal_port, temporal_port) in ports_of(services["temporal"])
    ui_hosts = [host for host, _ in ports_of(services["temporal-ui"])]
    assert ui_hosts == [_default("temporal_ui_port")]


def test_temporal_address_points_at_the_temporal_service(services: dict[str, Any]) -> None:
    container_ports = {target for _, target in ports_of(services["temporal"])}
    expected = {f"temporal:{port}" for port in container_ports}
    assert env_of(services["temporal-ui"])["TEMPORAL_ADDRESS"] in expected
    for name in APP_SERVICES - {"migrate"}:
        address = env_of(services[name])["TRENDFORGE_TEMPORAL_ADDRESS"]
        host, _, port = address.rpartition(":")
        assert host in services, f"{name}: {host!r} is not a service"
        assert address in expected, f"{name}: {address!r} is not {expected}"
        assert int(port) == _default("temporal_port")


def test_database_url_points_at_the_postgres_service(services: dict[str, Any]) -> None:
    pg_env = env_of(services["postgres"])
    for name in APP_SERVICES:
        url = make_url(env_of(services[name])["TRENDFORGE_DATABASE_URL"])
        assert url.get_backend_name() == "postgresql"
        assert url.host == "postgres" and url.host in services
        assert (url.port or 5432) == 5432
        assert url.username == pg_env["POSTGRES_USER"] == "trendforge"
        assert url.password == pg_env["POSTGRES_PASSWORD"]
        assert url.database == pg_env["POSTGRES_DB"] == "trendforge"
    temporal_env = env_of(services["temporal"])
    assert temporal_env["DB"] == "postgres12"
    assert temporal_env["POSTGRES_SEEDS"] == "postgres"
    assert temporal_env["POSTGRES_USER"] == pg_env["POSTGRES_USER"]
    assert temporal_env["POSTGRES_PWD"] == pg_env["POSTGRES_PASSWORD"]


@pytest.mark.parametrize("name", sorted(WORKERS))
def test_workers_can_scale(services: dict[str, Any], name: str) -> None:
    worker = services[name]
    assert "ports" not in worker, f"{name} publishes host ports: it could not scale"
    assert "container_name" not in worker, f"{name} has a fixed name: it could not scale"
    assert isinstance(worker.get("deploy", {}).get("replicas", 1), int)


def test_worker_runs_replicas(services: dict[str, Any]) -> None:
    assert services["worker"]["deploy"]["replicas"] >= 2


@pytest.mark.parametrize(
    "name,command",
    [
        ("migrate", ["trendforge", "db", "upgrade"]),
        ("api", ["trendforge", "api"]),
        ("worker", ["trendforge", "worker", "--queue", "light"]),
        ("worker-cpu", ["trendforge", "worker", "--queue", "cpu"]),
    ],
)
def test_app_commands_exist_in_the_cli(
    services: dict[str, Any], name: str, command: list[str]
) -> None:
    service = services[name]
    assert service["command"] == command
    assert service["build"] in (".", {"context": "."})
    result = CliRunner().invoke(cli_app, [*command[1:], "--help"])
    assert result.exit_code == 0, result.output


def test_long_running_services_have_healthchecks(services: dict[str, Any]) -> None:
    for name, service in services.items():
        if name in ONE_SHOT:
            assert service.get("restart", "no") == "no", f"{name} is a one-shot job"
            continue
        check = service.get("healthcheck")
        assert check and not check.get("disable") and check.get("test"), f"{name}: no healthcheck"


def test_depends_on_references_exist(services: dict[str, Any]) -> None:
    conditions = {"service_started", "service_healthy", "service_completed_successfully"}
    completed: set[str] = set()
    for name, service in services.items():
        deps = service.get("depends_on") or {}
        if isinstance(deps, list):
            deps = {d: {"condition": "service_started"} for d in deps}
        for dep, spec in deps.items():
            assert dep in services, f"{name} depends on unknown service {dep!r}"
            condition = spec.get("condition", "service_started")
            assert condition in conditions
            if condition == "service_healthy":
                assert services[dep].get("healthcheck"), f"{dep} has no healthcheck to wait for"
            if condition == "service_completed_successfully":
                completed.add(dep)
    assert completed == ONE_SHOT
    for name in APP_SERVICES - {"migrate"}:
        deps = services[name]["depends_on"]
        assert deps["migrate"]["condition"] == "service_completed_successfully"
        assert deps["temporal-setup"]["condition"] == "service_completed_successfully"


def test_search_attributes_are_registered(compose: dict[str, Any]) -> None:
    registered: dict[str, str] = {}
    for text in strings_of(compose["services"]):
        if "search-attribute create" not in text:
            continue
        registered.update(re.findall(r"--name\s+(\S+)\s+--type\s+(\S+)", text))
        namespace = re.search(r"--namespace\s+(\S+)", text)
        assert (
            namespace and namespace.group(1) == compose[ENV_ANCHOR]["TRENDFORGE_TEMPORAL_NAMESPACE"]
        )
        address = re.search(r"--address\s+(\S+)", text)
        assert address and address.group(1) == compose[ENV_ANCHOR]["TRENDFORGE_TEMPORAL_ADDRESS"]
    assert registered == SEARCH_ATTRIBUTES
    assert set(registered.values()) == {"Keyword"}


CERTS_SCRIPT = ROOT / "deploy" / "temporal" / "certs.sh"
CERTS_VOLUME, CA_VOLUME = "temporal-certs", "temporal-ca"
TEMPORAL_CLIENTS = {"temporal", "temporal-setup", "temporal-ui", "api", "worker", "worker-cpu"}


def mounts_of(service: dict[str, Any]) -> dict[str, tuple[str, bool]]:
    """container path -> (source, read-only) for each short-syntax volume."""
    out = {}
    for entry in service.get("volumes") or []:
        source, target, *mode = str(entry).split(":")
        out[target] = (source, "ro" in mode)
    return out


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The files deploy/temporal/certs.sh (the `certs` job) really makes, run here."""
    if not (shutil.which("openssl") and shutil.which("sh")):
        pytest.skip("certs.sh needs sh and openssl")
    where = tmp_path_factory.mktemp("compose-certs")
    env = {"PATH": "/usr/bin:/bin", "CA_DIR": str(where / "ca"), "CERTS_DIR": str(where / "certs")}
    done = subprocess.run(["sh", str(CERTS_SCRIPT)], env=env, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert {p.name for p in (where / "ca").iterdir()} == {"ca.key", "ca.pem"}
    return {p.name for p in (where / "certs").iterdir()}


def test_the_certs_job_makes_the_certificates_into_their_volumes(
    services: dict[str, Any], compose: dict[str, Any]
) -> None:
    job = services["certs"]
    assert mounts_of(job) == {
        "/usr/local/bin/certs.sh": ("./deploy/temporal/certs.sh", True),
        "/ca": (CA_VOLUME, False),
        "/certs": (CERTS_VOLUME, False),
    }
    assert job["entrypoint"] == ["/bin/sh", "/usr/local/bin/certs.sh"]
    assert {CA_VOLUME, CERTS_VOLUME} <= set(compose["volumes"])
    for name, service in services.items():  # the CA's key reaches the job alone
        if name != "certs":
            assert CA_VOLUME not in {src for src, _ in mounts_of(service).values()}, name
    temporal_deps = services["temporal"]["depends_on"]
    assert temporal_deps["certs"]["condition"] == "service_completed_successfully"


def test_temporal_requires_client_certificates(services: dict[str, Any]) -> None:
    env = env_of(services["temporal"])
    assert env["TEMPORAL_TLS_REQUIRE_CLIENT_AUTH"] == "true"
    for key in ("SERVER_CERT", "SERVER_KEY", "FRONTEND_CERT", "FRONTEND_KEY", "SERVER_CA_CERT"):
        assert env[f"TEMPORAL_TLS_{key}"], key
    assert env["TEMPORAL_TLS_CLIENT1_CA_CERT"] == env["TEMPORAL_TLS_SERVER_CA_CERT"]
    assert env["TEMPORAL_TLS_FRONTEND_SERVER_NAME"] == "temporal"


def _certificate_paths(service: dict[str, Any]) -> list[str]:
    """Every certificate or key file a service is configured with (env and CLI flags)."""
    paths = [
        v for k, v in env_of(service).items()
        if "TLS" in k and v.startswith("/") and v.endswith((".pem", ".key"))
    ]  # fmt: skip
    for text in strings_of({k: service.get(k) for k in ("command", "healthcheck")}):
        paths += re.findall(r"--tls-(?:ca|cert|key)-path\s+(\S+)", text)
    return paths


def test_every_temporal_client_presents_a_certificate_the_job_issues(
    services: dict[str, Any], issued: set[str]
) -> None:
    assert {"ca.pem", "server.pem", "server.key", "app.pem", "app.key"} <= issued
    for name in TEMPORAL_CLIENTS:
        service = services[name]
        mount = mounts_of(service).get("/certs")
        assert mount == (CERTS_VOLUME, True), f"{name}: the certificates are not mounted read-only"
        paths = _certificate_paths(service)
        assert paths, f"{name}: no TLS files configured"
        for path in paths:
            folder, _, file = path.rpartition("/")
            assert folder == "/certs" and file in issued, f"{name}: {path} is not a made file"
    for name in APP_SERVICES - {"migrate"}:
        env = env_of(services[name])
        assert env["TRENDFORGE_TEMPORAL_TLS_CERT"] == "/certs/app.pem"
        assert env["TRENDFORGE_TEMPORAL_TLS_KEY"] == "/certs/app.key"
        assert env["TRENDFORGE_TEMPORAL_TLS_SERVER_NAME"] == "temporal"
    ui = env_of(services["temporal-ui"])
    assert {ui["TEMPORAL_TLS_CERT"], ui["TEMPORAL_TLS_KEY"]} == {"/certs/ui.pem", "/certs/ui.key"}


def test_every_temporal_cli_call_speaks_mtls(services: dict[str, Any]) -> None:
    calls = [
        text
        for name in ("temporal", "temporal-setup")
        for text in strings_of({k: services[name].get(k) for k in ("command", "healthcheck")})
        if "temporal operator" in text
    ]
    assert len(calls) == 2
    for text in calls:
        for call in re.split(r"&&|;", text):
            if "temporal operator" not in call:
                continue
            for flag in ("--tls-ca-path", "--tls-cert-path", "--tls-key-path"):
                assert flag in call, f"{flag} missing in {call.strip()!r}"
            assert re.search(r"--tls-server-name\s+temporal\b", call), call


def test_the_server_name_is_in_the_server_certificate() -> None:
    script = CERTS_SCRIPT.read_text()
    sans = re.search(r'^leaf server \S+ \S+ "([^"]+)"', script, re.M)
    assert sans and "DNS:temporal" in sans.group(1).split(",")
    assert "DNS:localhost" in sans.group(1).split(",")  # the published port, from the host


def _compose_cli() -> list[str] | None:
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run(
            [docker, "compose", "version"], capture_output=True, text=True, timeout=30
        )
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_compose_cli_validates_the_file() -> None:
    cli = _compose_cli()
    if cli is None:
        pytest.skip("no compose CLI (neither the `docker compose` plugin nor docker-compose)")
    result = subprocess.run(
        [*cli, "-f", str(COMPOSE_FILE), "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_matches_settings_and_compose() -> None:
    instructions = _dockerfile_instructions()
    by_kind: dict[str, list[str]] = {}
    for kind, args in instructions:
        by_kind.setdefault(kind, []).append(args)

    assert by_kind["FROM"][-1].split()[0] == "python:3.11-slim"
    exposed = {int(p.split("/")[0]) for args in by_kind["EXPOSE"] for p in args.split()}
    assert exposed == {_default("api_port")}

    env: dict[str, str] = {}
    for args in by_kind["ENV"]:
        env.update(token.split("=", 1) for token in shlex.split(args) if "=" in token)
    for key in env:
        if key.startswith("TRENDFORGE_"):
            assert key in ENV_TO_FIELD, f"Dockerfile: {key} is not a field of Settings"
    assert int(env["TRENDFORGE_API_PORT"]) == _default("api_port")
    assert env["TRENDFORGE_API_HOST"] == "0.0.0.0"

    user = by_kind["USER"][-1]
    assert user not in ("root", "0"), "the image must not run as root"
    assert "127.0.0.1" in by_kind["HEALTHCHECK"][-1] and "/healthz" in by_kind["HEALTHCHECK"][-1]
    assert yaml.safe_load(by_kind["CMD"][-1]) == ["trendforge", "api"]

    # `pip install .` needs every package pyproject.toml ships.
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {
        p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    copied = {args.split()[0] for args in by_kind["COPY"] if not args.startswith("--from")}
    assert packages <= copied, packages - copied
    assert {"pyproject.toml", "README.md"} <= set(" ".join(by_kind["COPY"]).split())

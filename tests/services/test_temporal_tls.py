"""Temporal over mTLS, for real: the certificates deploy/temporal/certs.sh makes (the compose
`certs` job), a TLS front that requires a client certificate signed by that CA (Python's ssl,
ALPN h2) relaying to the real dev server, and the app's own settings and connect.

The embedded `temporal server start-dev` has no TLS options, so the TLS end is this front and
not the Temporal frontend; the client side -- the SDK's rustls, our settings, errors and
retries -- is exactly what production runs."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import ssl
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from temporalio.service import TLSConfig

from models.contracts import PipelineConfig
from services.temporal import connect
from tests.helpers.apps import make_app
from trendforge.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]
CERTS_SCRIPT = ROOT / "deploy" / "temporal" / "certs.sh"
HANG_GUARD_S = 60  # a refused connection must fail, not hang; far above any real handshake

pytestmark = pytest.mark.skipif(
    not (shutil.which("openssl") and shutil.which("sh")), reason="certs.sh needs sh and openssl"
)


def make_certs(where: Path) -> Path:
    """Run the compose job's script; the certificates directory it fills."""
    env = {**os.environ, "CA_DIR": str(where / "ca"), "CERTS_DIR": str(where / "certs")}
    done = subprocess.run(
        ["sh", str(CERTS_SCRIPT)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return where / "certs"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_certs(tmp_path_factory.mktemp("temporal-tls"))


@pytest.fixture(scope="module")
def other_certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second, unrelated CA and its certificates."""
    return make_certs(tmp_path_factory.mktemp("temporal-tls-other"))


@dataclass
class TlsFront:
    address: str
    clients: list[str] = field(default_factory=list)  # CNs of the verified client certificates


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


@pytest.fixture
async def tls_front(dev_env, certs: Path) -> AsyncIterator[TlsFront]:  # type: ignore[no-untyped-def]
    """127.0.0.1:<port> speaking TLS with the script's server certificate, requiring a client
    certificate from its CA, relaying to the dev server."""
    host, _, port = dev_env.client.service_client.config.target_host.rpartition(":")
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(certs / "server.pem", certs / "server.key")
    ctx.load_verify_locations(certs / "ca.pem")
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.set_alpn_protocols(["h2"])
    front = TlsFront(address="")
    tasks: set[asyncio.Task] = set()

    async def relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peercert") or {}
        front.clients += [v for rdn in peer.get("subject", ()) for k, v in rdn if k == "commonName"]
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.ensure_future(relay(reader, writer))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ctx)
    front.address = f"127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        yield front
    finally:
        server.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def tls_settings(address: str, certs: Path, client: str | None = "app", **more: object) -> Settings:
    fields: dict[str, object] = {
        "temporal_address": address,
        "temporal_tls_ca": certs / "ca.pem",
        "temporal_tls_server_name": "temporal",
    }
    if client:
        fields |= {
            "temporal_tls_cert": certs / f"{client}.pem",
            "temporal_tls_key": certs / f"{client}.key",
        }
    return Settings(_env_file=None, **(fields | more))  # type: ignore[arg-type]


async def refused(address: str, tls: TLSConfig | None) -> str:
    """The error of connecting (with connect's default retries), guarded against a hang."""
    with pytest.raises(RuntimeError) as caught:
        await asyncio.wait_for(connect(address, tls=tls), HANG_GUARD_S)
    return str(caught.value)


async def test_the_app_reaches_temporal_over_mtls_with_the_compose_certificates(
    dev_env, certs: Path, tls_front: TlsFront
) -> None:  # type: ignore[no-untyped-def]
    settings = tls_settings(tls_front.address, certs)
    tls = settings.temporal_tls()
    assert tls is not None and tls.domain == "temporal"
    client = await connect(tls_front.address, tls=tls, attempts=1)
    wid = f"tls-{uuid.uuid4().hex[:8]}"
    await client.start_workflow("NoSuchWorkflow", id=wid, task_queue=f"nobody-{wid}")
    # the plaintext client of the same server sees what went through the TLS front
    seen = await dev_env.client.get_workflow_handle(wid).describe()
    assert seen.workflow_type == "NoSuchWorkflow"
    await dev_env.client.get_workflow_handle(wid).terminate("test over")
    assert "trendforge" in tls_front.clients  # the app's certificate, verified by the front


async def test_a_client_without_a_trusted_certificate_is_refused_at_once(
    certs: Path, other_certs: Path, tls_front: TlsFront
) -> None:
    no_cert = tls_settings(tls_front.address, certs, client=None).temporal_tls()
    why = await refused(tls_front.address, no_cert)
    assert why.startswith(f"TLS to Temporal at {tls_front.address} failed")
    assert "client certificate" in why
    # a certificate from another CA, presented to a server it does not know
    stranger = TLSConfig(
        server_root_ca_cert=(certs / "ca.pem").read_bytes(),
        client_cert=(other_certs / "app.pem").read_bytes(),
        client_private_key=(other_certs / "app.key").read_bytes(),
        domain="temporal",
    )
    assert "client certificate" in await refused(tls_front.address, stranger)
    assert tls_front.clients == []  # neither got through the handshake


async def test_a_server_the_settings_do_not_trust_is_refused_with_the_setting_to_fix(
    dev_env, certs: Path, other_certs: Path, tls_front: TlsFront
) -> None:  # type: ignore[no-untyped-def]
    other_ca = tls_settings(tls_front.address, certs, temporal_tls_ca=other_certs / "ca.pem")
    why = await refused(tls_front.address, other_ca.temporal_tls())
    assert "not signed by TRENDFORGE_TEMPORAL_TLS_CA" in why
    wrong_name = tls_settings(tls_front.address, certs, temporal_tls_server_name="elsewhere")
    why = await refused(tls_front.address, wrong_name.temporal_tls())
    assert "TRENDFORGE_TEMPORAL_TLS_SERVER_NAME" in why
    # TLS against the plaintext dev server itself
    plain = dev_env.client.service_client.config.target_host
    why = await refused(plain, tls_settings(plain, certs).temporal_tls())
    assert "does not speak TLS" in why


async def test_the_api_connects_over_tls_from_its_settings(
    engine, jwt_secret: str, certs: Path, tls_front: TlsFront
) -> None:  # type: ignore[no-untyped-def]
    queue = f"nobody-{uuid.uuid4().hex[:8]}"
    fields = {
        "temporal_address": tls_front.address,
        "task_queue": queue,
        "pipeline": PipelineConfig(cpu_task_queue=f"{queue}-cpu"),
    }
    tls = tls_settings(tls_front.address, certs).temporal_tls()
    for app_tls, expected in ((tls, f"no worker polls {queue}"), (None, "does not answer")):
        app = make_app(engine, jwt_secret, temporal_tls=app_tls, **fields)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://tf", timeout=60) as c:
            r = await c.get("/readyz")
        assert r.status_code == 503 and expected in r.json()["status"], r.text
    assert "trendforge" in tls_front.clients


def test_tls_settings_read_the_files_and_name_the_one_that_fails(
    tmp_path: Path, certs: Path
) -> None:
    assert Settings(_env_file=None, temporal_address="t:7233").temporal_tls() is None
    tls = tls_settings("temporal:7233", certs).temporal_tls()
    assert tls is not None
    assert tls.server_root_ca_cert == (certs / "ca.pem").read_bytes()
    assert tls.client_cert == (certs / "app.pem").read_bytes()
    assert tls.client_private_key == (certs / "app.key").read_bytes()
    not_pem = tmp_path / "ca.der"
    not_pem.write_bytes(b"\x30\x82\x01\x0a")
    cases = [
        ({"temporal_tls_ca": tmp_path / "missing.pem"}, "TRENDFORGE_TEMPORAL_TLS_CA=", "cannot be read"),
        ({"temporal_tls_key": tmp_path}, "TRENDFORGE_TEMPORAL_TLS_KEY=", "cannot be read"),
        ({"temporal_tls_cert": not_pem}, "TRENDFORGE_TEMPORAL_TLS_CERT=", "not a PEM file"),
        ({"temporal_tls_key": None}, "TRENDFORGE_TEMPORAL_TLS_KEY go together", ""),
        ({"temporal_address": None}, "need TRENDFORGE_TEMPORAL_ADDRESS", ""),
    ]  # fmt: skip
    for change, names, why in cases:
        with pytest.raises(SettingsError) as caught:
            tls_settings("temporal:7233", certs, **change).temporal_tls()
        assert names in str(caught.value) and why in str(caught.value)


@pytest.fixture
def cli_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRENDFORGE_")}
    yield env | {"PYTHONPATH": str(ROOT), "TRENDFORGE_DATA_DIR": str(tmp_path)}


@pytest.mark.parametrize("command", [["worker"], ["api"], ["up"]])
def test_a_missing_tls_file_stops_the_start_with_its_setting(
    cli_env: dict[str, str], tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "nowhere" / "ca.pem"
    env = cli_env | {
        "TRENDFORGE_TEMPORAL_ADDRESS": "127.0.0.1:1",
        "TRENDFORGE_TEMPORAL_TLS_CA": str(missing),
    }
    done = subprocess.run(
        [sys.executable, "-m", "trendforge.cli", *command],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert f"TRENDFORGE_TEMPORAL_TLS_CA={missing} cannot be read" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "trendforge.db").exists()  # nothing started


async def test_the_stack_connects_over_tls_from_trendforge_settings(
    certs: Path, tls_front: TlsFront, tmp_path: Path
) -> None:
    from trendforge.stack import running_stack

    settings = tls_settings(tls_front.address, certs, data_dir=tmp_path / "data")
    async with running_stack(settings, api=False, worker=False) as stack:
        assert stack.client.service_client.config.tls == settings.temporal_tls()
        await stack.client.count_workflows()  # a real call through the TLS front
    assert "trendforge" in tls_front.clients

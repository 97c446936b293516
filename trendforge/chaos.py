"""Crash durability: the stack in separate processes, killed with SIGKILL at random moments.

`run_chaos` starts the Temporal dev server (on an SQLite file), the API and the workers as
subprocesses of the `trendforge` CLI, submits N ideas over HTTP, plays the people with the
demo's simulator, and meanwhile kills (SIGKILL, whole process group) and restarts the chosen
victims: `worker`, `temporal` (restarted on the same SQLite file) or `api`. At the end it
checks from the database that every pipeline reached its end state exactly once: one set of
variants, one prototype, one match with non-duplicated reservations, one run, shipments that
add up to the order, one of each milestone.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func
from sqlmodel import Session, col, select

from models.contracts import DELIVERY_MILESTONES, DONE_STAGES, MILESTONE_ORDER, TERMINAL_STAGES
from models.db import make_engine
from models.names import SEARCH_ATTRIBUTES, run_workflow_id, trend_workflow_id
from models.tables import (
    DesignVariant,
    Milestone,
    ProductionPlan,
    ProductionRun,
    ProgressEvent,
    Prototype,
    Shipment,
    SourcingMatch,
    SupplierReservation,
    Trend,
)
from trendforge.temporal import dev_server_dynamic_config, free_port, port_open

PRODUCTS = (
    "crying horse plush toy",
    "palm-sized straw sun hat",
    "cat-shaped phone holder",
    "robot keychain charm",
    "bunny handle ceramic mug",
    "dinosaur figurine",
)


def db_url(data: Path) -> str:
    return f"sqlite:///{(data / 'trendforge.db').resolve()}"


def wait_port(port: int, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if port_open("127.0.0.1", port):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port} within {timeout_s:.0f} s")


@dataclass
class Proc:
    """One restartable component of the stack, in its own process group."""

    name: str
    cmd: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    ready_marker: bytes | None = None  # a log line that says it is working (the worker's banner)
    popen: subprocess.Popen[bytes] | None = None
    kills: int = 0
    exits: int = 0  # times it ended by itself (a crash we did not cause)

    def _markers(self) -> int:
        if self.ready_marker is None or not self.log.exists():
            return 0
        return self.log.read_bytes().count(self.ready_marker)

    def start(self, timeout_s: float = 180.0) -> None:
        """Start it and return once it is ready: its port answers, or its log says it is up."""
        before = self._markers()
        out = self.log.open("ab")
        self.popen = subprocess.Popen(
            self.cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        out.close()
        if self.port:
            wait_port(self.port)
        if self.ready_marker is not None:
            deadline = time.monotonic() + timeout_s
            while self._markers() <= before:
                if self.popen.poll() is not None or time.monotonic() > deadline:
                    return  # it died or hangs: the chaos loop counts it and starts it again
                time.sleep(0.1)

    def kill(self) -> None:
        if self.popen and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()
            self.kills += 1

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class ChaosReport:
    pipelines: int
    reached_end: int
    shipped: int
    kills: dict[str, int]
    exits: dict[str, int]
    seconds: float
    problems: list[str] = field(default_factory=list)
    stages: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.reached_end == self.pipelines and not self.problems


def _stack(
    data: Path, variant_count: int, database_url: str | None = None, fairness: bool = True
) -> dict[str, Proc]:
    """Temporal, the API and a worker as restartable processes on `data` (not started);
    `fairness` False starts Temporal without fair dispatch (the fairness bench's baseline)."""
    cli = str(Path(sys.executable).parent / "trendforge")
    temporal = str(Path(sys.executable).parent / "temporal")
    t_port, ui_port, api_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "TRENDFORGE_DATA_DIR": str(data),
        "TRENDFORGE_TEMPORAL_ADDRESS": f"127.0.0.1:{t_port}",
        "TRENDFORGE_API_PORT": str(api_port),
        "TRENDFORGE_VARIANT_COUNT": str(variant_count),
        "TRENDFORGE_DESIGN_EMBEDDINGS": "0",  # restarts should not spend their time loading a model
        "TRENDFORGE_PIPELINE": '{"plan_time_limit_s": 1.0, "use_slicer": false, "seed": 3}',
        # a load and durability harness, not a quota test: no merchant is held back
        "TRENDFORGE_IDEAS_PER_MINUTE": "1000000",
        "TRENDFORGE_IDEAS_IN_FLIGHT": "1000000",
        # one payload key for every process of the run, whichever starts first
        "TRENDFORGE_PAYLOAD_SECRET": f"chaos-{data.name}-payload-secret",
    }
    if database_url:
        env["TRENDFORGE_DATABASE_URL"] = database_url
    tcmd = [
        temporal,
        "server",
        "start-dev",
        "--ip",
        "127.0.0.1",
        "--port",
        str(t_port),
        "--ui-port",
        str(ui_port),
        "--db-filename",
        str(data / "temporal.db"),
        "--log-level",
        "error",
        "--headless",
    ]
    for name, kind in SEARCH_ATTRIBUTES.items():
        tcmd += ["--search-attribute", f"{name}={kind}"]
    tcmd += dev_server_dynamic_config(fairness)
    return {
        "temporal": Proc("temporal", tcmd, env, data / "temporal.log", t_port),
        "api": Proc("api", [cli, "api"], env, data / "api.log", api_port),
        "worker": Proc(
            "worker", [cli, "worker"], env, data / "worker.log", ready_marker=b"TrendForge is up"
        ),
    }


async def _drive(
    api_url: str, db_url: str, n: int, rng: random.Random, deadline: float, stall_s: float
) -> str | None:
    """Submit n ideas, then play merchant, planner and factory until all are terminal.

    Gives up when nothing moved (no idea changed stage, no unit was reported) for `stall_s`,
    or at `deadline`; returns why, or None when every idea ended."""
    from trendforge.demo import DemoDriver

    engine = make_engine(db_url)  # the simulated people's accounts are made in the database
    driver = DemoDriver(api_url, 0.0, engine, seed=rng.randrange(1 << 30))
    submitted: set[int] = set()
    seen: object = None
    moved = time.monotonic()

    def stalled(state: object) -> str | None:
        nonlocal seen, moved
        now = time.monotonic()
        if state != seen:
            seen, moved = state, now
        if now - moved > stall_s:
            return f"nothing moved for {stall_s:.0f} s"
        if now > deadline:
            return "the run's time limit was reached"
        return None

    try:
        while len(submitted) < n:
            if why := stalled(len(submitted)):
                return why
            i = len(submitted)
            idea = {
                "text": f"{PRODUCTS[i % len(PRODUCTS)]} batch {i}",
                "merchant_id": f"chaos-{i % 7}",
                "expected_volume": rng.choice((1200, 2500, 4000)),
                "due_in_days": 14,
            }
            with contextlib.suppress(httpx.HTTPError):
                r = await driver.submit(idea)
                if r.status_code in (200, 201):
                    submitted.add(r.json()["id"])
                    continue
            await asyncio.sleep(0.5)  # the API or Temporal is restarting
        ideas: list[dict[str, Any]] = []
        while True:
            produced = sum(int(r.get("produced", 0)) for r in driver.runs.values())
            if why := stalled((tuple((i["id"], i["stage"]) for i in ideas), produced)):
                return why
            try:
                ideas = await driver.all_ideas()
                if len(ideas) >= n and all(i["stage"] in TERMINAL_STAGES for i in ideas):
                    return None
                await driver.step([i for i in ideas if i["stage"] not in TERMINAL_STAGES])
            except (httpx.HTTPError, ValueError):
                pass  # a restart in progress: the next round retries
            await asyncio.sleep(0.3)
    finally:
        await driver.close()
        engine.dispose()


async def _chaos(
    procs: dict[str, Proc],
    victims: list[str],
    rng: random.Random,
    every_s: tuple[float, float],
    stop: asyncio.Event,
) -> None:
    """Kill a random victim every few seconds and bring it straight back; restart any that died.

    The next kill is counted from the moment the victim is ready again, so every life gets
    its `every_s` of work however slowly the machine starts processes (a slow CI machine
    once spent most of each 8-20 s life importing, and the run crawled)."""
    next_kill = time.monotonic() + rng.uniform(*every_s)
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=0.5)
        if stop.is_set():
            return
        for p in procs.values():
            if p.popen is not None and p.popen.poll() is not None:
                p.exits += 1
                await asyncio.to_thread(p.start)
        if not victims or time.monotonic() < next_kill:
            continue
        victim = procs[rng.choice(victims)]
        victim.kill()
        await asyncio.sleep(rng.uniform(0.0, 1.0))
        await asyncio.to_thread(victim.start)
        next_kill = time.monotonic() + rng.uniform(*every_s)


@contextlib.contextmanager
def serving(data: Path) -> Iterator[str]:
    """Temporal and the API (no workers) on an existing data folder; yields the API's URL."""
    procs = _stack(data, variant_count=4)
    try:
        for name in ("temporal", "api"):
            procs[name].start()
        yield f"http://127.0.0.1:{procs['api'].port}"
    finally:
        for name in ("api", "temporal"):
            procs[name].stop()


def check_database(url: str, ids: list[int] | None = None) -> tuple[list[str], Counter[str]]:
    """Every duplicate or missing row the pipelines could have left, and the stage counts."""
    engine = make_engine(url)
    problems: list[str] = []
    with Session(engine) as s:
        trends = list(s.exec(select(Trend)))
        stages = Counter(t.stage for t in trends)

        def per_trend(model: Any) -> Counter[int]:
            rows = s.exec(select(model.trend_id, func.count()).group_by(model.trend_id))
            return Counter(dict(rows.all()))

        variants, protos, matches, runs = (
            per_trend(m) for m in (DesignVariant, Prototype, SourcingMatch, ProductionRun)
        )
        shipped_units = Counter(
            dict(
                s.exec(
                    select(Shipment.trend_id, func.sum(Shipment.units)).group_by(Shipment.trend_id)
                ).all()
            )
        )
        held_twice = s.exec(
            select(
                SupplierReservation.trend_id,
                SupplierReservation.supplier_id,
                SupplierReservation.process,
                func.count(),
            )
            .group_by(
                SupplierReservation.trend_id,
                SupplierReservation.supplier_id,
                SupplierReservation.process,
            )
            .having(func.count() > 1)
        ).all()
        problems += [f"idea {r[0]}: {r[3]} reservations of {r[1]}/{r[2]}" for r in held_twice]
        marks = Counter(
            (tid, name) for tid, name in s.exec(select(Milestone.trend_id, Milestone.name))
        )
        problems += [f"idea {k[0]}: milestone {k[1]} × {v}" for k, v in marks.items() if v > 1]
        for t in trends:
            if t.stage not in DONE_STAGES:
                continue
            run = s.exec(select(ProductionRun).where(ProductionRun.trend_id == t.id)).one()
            if shipped_units[t.id] != run.quantity:
                problems.append(f"idea {t.id}: shipped {shipped_units[t.id]} of {run.quantity}")
            for what, counts in (("prototype", protos), ("match", matches), ("run", runs)):
                if counts[t.id] != 1:
                    problems.append(f"idea {t.id}: {counts[t.id]} {what} rows")
            if variants[t.id] == 0:
                problems.append(f"idea {t.id}: no variants")
            expected = [
                m for m in MILESTONE_ORDER if t.stage == "delivered" or m not in DELIVERY_MILESTONES
            ]
            missing = [m.value for m in expected if (t.id, m.value) not in marks]
            if missing:
                problems.append(f"idea {t.id}: missing milestones {missing}")
    engine.dispose()
    return problems, stages


def describe_stuck(url: str, temporal_port: int | None) -> str:
    """What each idea that did not end waits for: its row, run, plans and last reports in the
    database, and its workflows' pending activities and last events in Temporal."""
    engine = make_engine(url)
    out: list[str] = []
    try:
        with Session(engine) as s:
            for t in s.exec(select(Trend).where(col(Trend.stage).not_in(TERMINAL_STAGES))):
                run = s.exec(select(ProductionRun).where(ProductionRun.trend_id == t.id)).first()
                plans = s.exec(select(ProductionPlan).where(ProductionPlan.trend_id == t.id))
                events = s.exec(
                    select(ProgressEvent)
                    .where(ProgressEvent.trend_id == t.id)
                    .order_by(col(ProgressEvent.id).desc())
                    .limit(5)
                ).all()
                out.append(f"== idea {t.id} stage={t.stage} text={t.text!r}")
                if run is not None:
                    out.append(
                        f"run {run.id}: status={run.status} produced={run.produced} "
                        f"shipped={run.shipped} quantity={run.quantity} plan={run.plan_id}"
                    )
                out += [f"plan {p.id} rev {p.revision} status={p.status}" for p in plans]
                out += [f"report {e.line_id} day {e.day}: {e.units}" for e in events]
                if temporal_port is not None and t.id is not None:
                    for wid in (trend_workflow_id(t.id), run_workflow_id(t.id)):
                        out.append(_temporal_text(temporal_port, wid))
    finally:
        engine.dispose()
    return "\n".join(out) + "\n"


def _temporal_text(port: int, workflow_id: str) -> str:
    """`temporal workflow describe` and the last events of one workflow (best effort)."""
    temporal = str(Path(sys.executable).parent / "temporal")
    address = ["--address", f"127.0.0.1:{port}"]
    texts = []
    for cmd in (["describe"], ["show"]):
        try:
            done = subprocess.run(
                [temporal, "workflow", *cmd, "-w", workflow_id, *address],
                capture_output=True,
                text=True,
                timeout=30,
            )
            text = done.stdout + done.stderr
        except (OSError, subprocess.TimeoutExpired) as err:
            text = f"{err}"
        lines = text.splitlines()
        texts.append(f"-- temporal workflow {cmd[0]} {workflow_id}\n" + "\n".join(lines[-40:]))
    return "\n".join(texts)


async def run_chaos(
    data: Path,
    pipelines: int = 100,
    victims: tuple[str, ...] = ("worker",),
    seed: int = 1,
    every_s: tuple[float, float] = (3.0, 9.0),
    variant_count: int = 4,
    timeout_s: float = 3600.0,
    stall_s: float = 600.0,
    database_url: str | None = None,
) -> ChaosReport:
    """Run `pipelines` ideas end to end while killing `victims`; the report of what survived.
    The database is an SQLite file under `data` unless `database_url` names another (PostgreSQL).
    The run ends when every idea ended, when nothing moved for `stall_s` (a stuck pipeline)
    or after `timeout_s` (a slow machine is given time, a stuck one is not)."""
    data.mkdir(parents=True, exist_ok=True)
    procs = _stack(data, variant_count, database_url)
    url = database_url or db_url(data)
    rng = random.Random(seed)
    started = time.monotonic()
    for name in ("temporal", "api", "worker"):
        await asyncio.to_thread(procs[name].start)
    stop = asyncio.Event()
    monkey = asyncio.create_task(_chaos(procs, list(victims), rng, every_s, stop))
    try:
        api_url = f"http://127.0.0.1:{procs['api'].port}"
        gave_up = await _drive(api_url, url, pipelines, rng, started + timeout_s, stall_s)
        if gave_up:  # while Temporal still runs: what the stuck pipelines wait for
            stuck = await asyncio.to_thread(describe_stuck, url, procs["temporal"].port)
            (data / "stuck.txt").write_text(stuck)
            gave_up += f"; see {data / 'stuck.txt'}:\n{stuck[:4000]}"
    finally:
        stop.set()
        await monkey
        for name in ("api", "worker", "temporal"):
            procs[name].stop()
    problems, stages = check_database(url)
    ended = sum(v for k, v in stages.items() if k in TERMINAL_STAGES)
    if ended < pipelines:
        problems.append(
            f"only {ended} of {pipelines} pipelines reached an end state ({gave_up}): "
            f"{dict(stages)}"
        )
    return ChaosReport(
        pipelines=pipelines,
        reached_end=ended,
        shipped=sum(stages.get(k, 0) for k in DONE_STAGES),
        kills={k: p.kills for k, p in procs.items() if p.kills},
        exits={k: p.exits for k, p in procs.items() if p.exits},
        seconds=round(time.monotonic() - started, 1),
        problems=problems,
        stages=dict(stages),
    )

"""Prototype stage: repair, orient, check, slice and export the picked variant's mesh.

Mesh work is CPU-bound and holds the GIL, so it runs in a process pool (spawned once per
worker) while the activity's thread heartbeats. A pool whose process died (killed, out of
memory) is broken for good: it is dropped and the next job spawns a fresh one. The activity
never lets `BrokenProcessPool` reach the Temporal worker, which would shut itself down on a
broken executor; a job lost with the pool fails the attempt retryably instead.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.common import await_with_heartbeats, domain_errors, insert_once
from activities.mappers import prototype_result, prototype_row
from models.contracts import PrototypeRequest, PrototypeResult
from models.names import Act
from models.tables import DesignVariant, Prototype, Trend

T = TypeVar("T")
MESH_POOL_BROKEN = "MeshPoolBroken"  # a retryable failure: the pool is replaced
log = logging.getLogger("trendforge")

_MESH_POOL: ProcessPoolExecutor | None = None
_MESH_POOL_LOCK = threading.Lock()


def _die_with_worker() -> None:
    """In each pool process: die with the worker, so a killed worker leaves no orphan."""
    from services.processes import die_with_parent

    die_with_parent()


def mesh_pool() -> ProcessPoolExecutor:
    """The worker's process pool for mesh work (spawned once, two processes for two cores)."""
    global _MESH_POOL
    with _MESH_POOL_LOCK:
        if _MESH_POOL is None:
            _MESH_POOL = ProcessPoolExecutor(
                max_workers=2, mp_context=get_context("spawn"), initializer=_die_with_worker
            )
        return _MESH_POOL


def discard_mesh_pool(pool: ProcessPoolExecutor) -> None:
    """Drop a broken pool, so that the next job spawns a fresh one."""
    global _MESH_POOL
    with _MESH_POOL_LOCK:
        if _MESH_POOL is pool:
            _MESH_POOL = None
    pool.shutdown(wait=False, cancel_futures=True)


def run_in_mesh_pool(detail: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """fn(*args, **kwargs) in the mesh pool, heartbeating. A pool found broken before the job
    starts is replaced at once; a job lost with its process is a retryable MeshPoolBroken."""
    pool = mesh_pool()
    try:
        job = pool.submit(fn, *args, **kwargs)
    except BrokenExecutor:  # a process died while idle: nothing was lost, start afresh
        log.warning("the mesh pool was broken (a process died while idle): spawning a new one")
        discard_mesh_pool(pool)
        pool = mesh_pool()
        job = pool.submit(fn, *args, **kwargs)
    try:
        return await_with_heartbeats(job, detail)
    except BrokenExecutor as err:
        discard_mesh_pool(pool)
        raise ApplicationError(
            f"a mesh process died while {detail} ({err}); the next attempt runs on a new pool",
            type=MESH_POOL_BROKEN,
        ) from err


class PrototypeActivities:
    """Holds the database engine, the files folder (the prototype's STL, 3MF and G-code) and
    whether pymeshfix (the optional GPL extra) may close what the default repair cannot."""

    def __init__(self, engine: Engine, files_dir: Path, gpl_repair: bool = False) -> None:
        self.engine = engine
        self.files_dir = Path(files_dir)
        self.gpl_repair = gpl_repair

    @activity.defn(name=Act.prepare_prototype)
    @domain_errors
    def prepare_prototype(self, req: PrototypeRequest) -> PrototypeResult:
        from engines.printprep import prepare
        from engines.printprep.errors import UnprintableMesh

        row = self._stored(req.workflow_id)
        if row is None:
            out = self.files_dir.joinpath(f"trend-{req.trend_id}", "prototype")
            out.mkdir(parents=True, exist_ok=True)
            report = run_in_mesh_pool(
                "preparing prototype",
                prepare,
                self._mesh_path(req),
                out,
                target_size_mm=req.target_size_mm,
                printer=req.printer,
                material=req.material,
                layer_height_mm=req.layer_height_mm,
                infill_fraction=req.infill_fraction,
                stem=f"trend-{req.trend_id}-v{req.variant_id}",
                units=req.units,  # generated variants: mm; a merchant's model: as they chose
                scale=req.scale,
                allow_split=req.allow_split,
                use_slicer=req.use_slicer,
                gpl_repair=self.gpl_repair,
                previews=True,
            )
            insert_once(self.engine, prototype_row(req, report))  # unprintable too: the page
            row = self._stored(req.workflow_id)  # shows why, the fix and the repair pictures
            assert row is not None
        if row.status == "unprintable":  # no estimate for a part that will not print
            raise UnprintableMesh(f"this design will not print: {row.reason}; {row.fix}")
        return prototype_result(row)

    def _mesh_path(self, req: PrototypeRequest) -> str:
        """The file to prepare: the merchant's original upload when they picked their own
        model (its units and objects as sent), else the variant's STL."""
        with Session(self.engine) as s:
            variant = s.get(DesignVariant, req.variant_id)
            trend = s.get(Trend, req.trend_id)
        own = variant is not None and variant.source == "merchant"
        if own and trend is not None and trend.reference_mesh_path:
            path = Path(trend.reference_mesh_path)
            return str(path if path.is_absolute() else self.files_dir / path)
        return req.mesh_path

    def _stored(self, workflow_id: str) -> Prototype | None:
        """The pipeline's prototype row, when an earlier attempt wrote it."""
        with Session(self.engine) as s:
            return s.exec(select(Prototype).where(Prototype.workflow_id == workflow_id)).first()

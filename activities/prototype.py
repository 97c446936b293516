"""Prototype stage: repair, orient, check, slice and export the picked variant's mesh.

Mesh work is CPU-bound and holds the GIL, so it runs in a process pool (spawned once per
worker) while the activity's thread heartbeats.
"""

from __future__ import annotations

import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio import activity

from activities.common import await_with_heartbeats, domain_errors, insert_once
from activities.mappers import prototype_result, prototype_row
from models.contracts import PrototypeRequest, PrototypeResult
from models.names import Act
from models.tables import Prototype

_MESH_POOL: ProcessPoolExecutor | None = None
_MESH_POOL_LOCK = threading.Lock()


def mesh_pool() -> ProcessPoolExecutor:
    """The worker's process pool for mesh work (spawned once, two processes for two cores)."""
    global _MESH_POOL
    with _MESH_POOL_LOCK:
        if _MESH_POOL is None:
            _MESH_POOL = ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn"))
        return _MESH_POOL


class PrototypeActivities:
    """Holds the database engine and the files folder (the prototype's STL, 3MF and G-code)."""

    def __init__(self, engine: Engine, files_dir: Path) -> None:
        self.engine = engine
        self.files_dir = Path(files_dir)

    @activity.defn(name=Act.prepare_prototype)
    @domain_errors
    def prepare_prototype(self, req: PrototypeRequest) -> PrototypeResult:
        from engines.printprep import prepare

        row = self._stored(req.workflow_id)
        if row is None:
            out = self.files_dir.joinpath(f"trend-{req.trend_id}", "prototype")
            out.mkdir(parents=True, exist_ok=True)
            job = mesh_pool().submit(
                prepare,
                req.mesh_path,
                out,
                target_size_mm=req.target_size_mm,
                printer=req.printer,
                material=req.material,
                layer_height_mm=req.layer_height_mm,
                infill_fraction=req.infill_fraction,
                stem=f"trend-{req.trend_id}-v{req.variant_id}",
                units="mm",  # our own variants are in millimetres, however small
                use_slicer=req.use_slicer,
            )
            report = await_with_heartbeats(job, "preparing prototype")
            insert_once(self.engine, prototype_row(req, report))
            row = self._stored(req.workflow_id)
            assert row is not None
        return prototype_result(row)

    def _stored(self, workflow_id: str) -> Prototype | None:
        """The pipeline's prototype row, when an earlier attempt wrote it."""
        with Session(self.engine) as s:
            return s.exec(select(Prototype).where(Prototype.workflow_id == workflow_id)).first()

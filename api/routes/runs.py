"""Production runs: a run with its shipments, and the factory's progress reports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlmodel import select

from api.calls import signal_run
from api.deps import EngineDep, FactoryDep, ReadableRun, SessionDep, TemporalDep
from api.problems import WORKFLOW_ANSWERS
from api.schemas import BatchAccepted, ProgressAccepted, RunDetail, ShipmentOut
from models.contracts import ProgressReport, ProgressReports
from models.tables import Shipment
from workflows.production_run import ProductionRun

router = APIRouter(prefix="/runs/{run_id}", tags=["factory"])


@router.get("", response_model=RunDetail)
def get_run(run: ReadableRun, s: SessionDep) -> Any:
    """A production run with its shipments."""
    ships = s.exec(select(Shipment).where(Shipment.trend_id == run.trend_id)).all()
    shipments = [ShipmentOut.model_validate(x, from_attributes=True) for x in ships]
    return RunDetail(**run.model_dump(), shipments=shipments)


@router.post(
    "/progress", status_code=202, response_model=ProgressAccepted, responses=WORKFLOW_ANSWERS
)
async def progress(
    run_id: int, report: ProgressReport, who: FactoryDep, engine: EngineDep, temporal: TemporalDep
) -> Any:
    """A line's finished units for one factory day (repeats of the same line/day count once)."""
    lines = {report.line_id}
    await signal_run(temporal, engine, run_id, lines, ProductionRun.report_progress, report)
    return ProgressAccepted(run_id=run_id, accepted=report)


@router.post(
    "/progress/batch", status_code=202, response_model=BatchAccepted, responses=WORKFLOW_ANSWERS
)
async def progress_batch(
    run_id: int, batch: ProgressReports, who: FactoryDep, engine: EngineDep, temporal: TemporalDep
) -> Any:
    """Several lines' reports at once, e.g. a shift's worth from the MES (1 to 500); the run
    records them together. Any unknown line refuses the whole batch."""
    lines = {r.line_id for r in batch.reports}
    await signal_run(temporal, engine, run_id, lines, ProductionRun.report_shift, batch)
    return BatchAccepted(run_id=run_id, accepted=len(batch.reports))

"""The factory's own lines: what each makes and how fast, the time plans hold on it, and a CSV
import for planners (all or nothing, errors by line)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from api.deps import EngineDep, FactoryReaderDep, PlannerDep
from api.routes.suppliers import _csv_text
from api.schemas import FactoryLineOut, LinesImportOut
from services.factory import import_lines_csv, lines_with_bookings

router = APIRouter(prefix="/factory", tags=["planner"])


@router.get("/lines", response_model=list[FactoryLineOut])
def factory_lines(who: FactoryReaderDep, engine: EngineDep) -> Any:
    """Every own line with the bookings that hold it now (held until approved, or firm)."""
    return [
        FactoryLineOut(**line.model_dump(), bookings=[b.model_dump() for b in held])
        for line, held in lines_with_bookings(engine)
    ]


@router.post("/lines/import", response_model=LinesImportOut)
async def import_lines(request: Request, who: PlannerDep, engine: EngineDep) -> Any:
    """Upsert own lines from CSV (multipart `file` or text/csv body) by line_id; 422 lists the
    bad lines (a zero rate, no working time, an unknown column) and imports nothing."""
    report = await run_in_threadpool(import_lines_csv, engine, await _csv_text(request))
    if report.errors:
        raise HTTPException(
            422,
            {"message": "CSV rejected, nothing imported", "rows": report.rows,
             "errors": report.errors},
        )  # fmt: skip
    return LinesImportOut(rows=report.rows, created=report.created, updated=report.updated)

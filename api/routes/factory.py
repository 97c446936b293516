"""The factory's own lines: what each makes and how fast, the time plans hold on it, a CSV
import for planners (all or nothing, errors by line), and the portfolio replan."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from temporalio.service import RPCError

from api.calls import portfolio_replan_state, update
from api.deps import EngineDep, FactoryReaderDep, PlannerDep, SettingsDep, TemporalDep
from api.exports import bookings_csv as as_csv
from api.routes.suppliers import _csv_text
from api.schemas import FactoryLineOut, LinesImportOut
from models.contracts import PortfolioDecision, PortfolioReplanRequest, PortfolioReplanResult
from models.names import portfolio_replan_workflow_id
from services.factory import booking_days, import_lines_csv, lines_with_bookings
from workflows.portfolio_replan import PortfolioReplan

QUERY_TIMEOUT_S = 5.0

router = APIRouter(prefix="/factory", tags=["planner"])


@router.get("/lines", response_model=list[FactoryLineOut])
def factory_lines(who: FactoryReaderDep, engine: EngineDep) -> Any:
    """Every own line with the bookings that hold it now (held until approved, or firm)."""
    return [
        FactoryLineOut(**line.model_dump(), bookings=[b.model_dump() for b in held])
        for line, held in lines_with_bookings(engine)
    ]


@router.get("/bookings.csv", response_class=Response)
def bookings_csv(who: FactoryReaderDep, engine: EngineDep) -> Response:
    """Every own line × day booked now, as CSV: hours, firm or tentative, the idea."""
    text = as_csv(booking_days(engine))
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="factory-bookings.csv"'},
    )


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


class ReplanBody(BaseModel):
    reason: str = Field(default="", max_length=2000)
    process: str | None = Field(default=None, max_length=64, description="Only its lines")


class ReplanDecisionBody(BaseModel):
    approve: bool
    reason: str = Field(default="", max_length=2000)


@router.post("/replans", response_model=PortfolioReplanResult, status_code=202)
async def start_portfolio_replan(
    body: ReplanBody, who: PlannerDep, engine: EngineDep, temporal: TemporalDep,
    settings: SettingsDep,
) -> Any:  # fmt: skip
    """Ask for a portfolio replan: the CPU workers propose moving every idea's not-started lots
    on the own lines by priority (running lots stay put); GET it, then decide it as one."""
    if body.process and not any(
        line.process == body.process for line, _ in lines_with_bookings(engine)
    ):
        raise HTTPException(422, f"no own line makes '{body.process}'")
    req = PortfolioReplanRequest(
        requested_by=who.user, role=who.role, reason=body.reason, process=body.process,
        cpu_task_queue=settings.pipeline.cpu_task_queue,
    )  # fmt: skip
    rid = portfolio_replan_workflow_id(uuid.uuid4().hex[:12])
    client = await temporal.client()
    try:
        await client.start_workflow(
            PortfolioReplan.run, req, id=rid, task_queue=settings.task_queue
        )
    except RPCError as err:
        raise HTTPException(503, f"the portfolio replan could not start: {err.message}") from err
    return PortfolioReplanResult(replan_id=rid, status="proposing")


def _replan_id(replan_id: str) -> str:
    if not replan_id.startswith(portfolio_replan_workflow_id("")):
        raise HTTPException(404, f"portfolio replan {replan_id} does not exist")
    return replan_id


@router.get("/replans/{replan_id}", response_model=PortfolioReplanResult)
async def get_portfolio_replan(replan_id: str, who: PlannerDep, temporal: TemporalDep) -> Any:
    """The replan as it stands: proposing, or its proposal (every affected idea's completion
    and lateness before and after) awaiting review, or how it was decided."""
    return await portfolio_replan_state(await temporal.client(), replan_id)


@router.post("/replans/{replan_id}/decision", response_model=PortfolioReplanResult)
async def decide_portfolio_replan(
    replan_id: str, body: ReplanDecisionBody, who: PlannerDep, temporal: TemporalDep
) -> Any:
    """Approve (the bookings move, in one transaction) or reject (nothing changes, a reason
    needed) the whole proposal."""
    if not body.approve and not body.reason.strip():
        raise HTTPException(422, "a rejection needs a reason")
    decision = PortfolioDecision(
        approve=body.approve, reason=body.reason, reviewer=who.user, role=who.role
    )
    client = await temporal.client()
    status = await update(client, _replan_id(replan_id), PortfolioReplan.decide, decision)
    return PortfolioReplanResult(replan_id=replan_id, status=status)  # type: ignore[arg-type]

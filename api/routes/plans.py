"""Production plans: the planner's review queue, a plan with its lines and days, its CSV
downloads, the review decision, and what-if scenarios next to it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.calls import update, what_if
from api.deps import (
    EngineDep,
    FactoryReaderDep,
    PlannerDep,
    PlanReaderDep,
    ReadablePlan,
    SessionDep,
    SettingsDep,
    TemporalDep,
    plan_or_404,
)
from api.exports import daily_csv, lots_csv
from api.problems import ID_MAX, WORKFLOW_ANSWERS
from api.schemas import PlanConflictsOut, PlanListItem, PlanOut, ReviewOut
from models.contracts import (
    PlanConstraints,
    PlanReview,
    ReservedCapacity,
    WhatIfBody,
    WhatIfRequest,
    WhatIfResult,
)
from models.names import run_workflow_id
from models.tables import ProductionPlan, Trend
from services.factory import plan_conflicts
from services.suppliers import reservations_of
from workflows.production_run import ProductionRun
from workflows.trend_to_production import TrendToProduction

router = APIRouter(prefix="/plans", tags=["planner"])
REVIEW_QUEUE = ("pending", "escalated", "proposed")
# every status a plan row has (models.contracts PlanDraft, PlanDecision)
PlanStatus = Literal["pending", "proposed", "approved", "rejected", "escalated", "superseded"]


class ReviewBody(BaseModel):
    approve: bool
    reason: str = Field(default="", max_length=2000)
    constraints: PlanConstraints | None = None


@router.get("", response_model=list[PlanListItem])
def list_plans(
    who: PlanReaderDep,
    s: SessionDep,
    status_: Annotated[PlanStatus | None, Query(alias="status")] = None,
    trend_id: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None,
) -> Any:
    """Plans; `status=pending` is the review queue (escalated plans and proposed replans too)."""
    q = select(ProductionPlan)
    if who.role == "merchant":
        mine = select(Trend.id).where(Trend.merchant_id == who.user)
        q = q.where(col(ProductionPlan.trend_id).in_(mine))
    if status_ == "pending":
        q = q.where(col(ProductionPlan.status).in_(REVIEW_QUEUE))
    elif status_:
        q = q.where(ProductionPlan.status == status_)
    if trend_id is not None:
        q = q.where(ProductionPlan.trend_id == trend_id)
    return s.exec(q.order_by(col(ProductionPlan.id))).all()


@router.get("/{plan_id}", response_model=PlanOut)
def get_plan(plan: ReadablePlan) -> Any:
    """One plan with its line-by-line daily quantities."""
    return plan


def _csv(plan: ProductionPlan, kind: str, text: str) -> Response:
    """A plan's CSV as an attachment named after the plan and revision."""
    name = f"plan-{plan.id}-rev{plan.revision}-{kind}.csv"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/{plan_id}/daily.csv", response_class=Response)
def get_plan_daily_csv(plan: ReadablePlan) -> Response:
    """Units the finishing lines ship per factory day, as CSV (the plan's `daily`)."""
    return _csv(plan, "daily", daily_csv(plan))


@router.get("/{plan_id}/lots.csv", response_class=Response)
def get_plan_lots_csv(plan: ReadablePlan) -> Response:
    """Every lot per line and stage with start and end (factory days), as CSV."""
    return _csv(plan, "lots", lots_csv(plan))


@router.get("/{plan_id}/conflicts", response_model=PlanConflictsOut)
def get_plan_conflicts(plan_id: int, who: FactoryReaderDep, engine: EngineDep) -> Any:
    """Before approving: the other ideas' tentative or firm holds overlapping the line time the
    plan books (lines and dates), its own expired holds, and the holds its ramp would take."""
    plan = plan_or_404(engine, plan_id)
    found = plan_conflicts(engine, plan.workflow_id, plan.revision)
    return PlanConflictsOut(
        plan_id=plan_id, status=plan.status, **found, recruit=(plan.ramp or {}).get("recruit", [])
    )


@router.post("/{plan_id}/review", response_model=ReviewOut, responses=WORKFLOW_ANSWERS)
async def review(
    plan_id: int, body: ReviewBody, who: PlannerDep, engine: EngineDep, temporal: TemporalDep
) -> Any:
    """Approve or reject (with a reason, optionally constraints for a replan) a plan."""
    plan = plan_or_404(engine, plan_id)
    if not body.approve and not body.reason.strip():
        raise HTTPException(422, "a rejection needs a reason")
    decision = PlanReview(
        plan_id=plan_id,
        approve=body.approve,
        reason=body.reason,
        reviewer=who.user,
        role=who.role,  # planner or admin (PlannerDep): the workflow checks it again
        constraints=body.constraints,
    )
    client = await temporal.client()
    # a replan proposed during production is decided by the run, the first plans by the pipeline
    if plan.status == "proposed":
        run_id = run_workflow_id(plan.trend_id)
        outcome = await update(client, run_id, ProductionRun.review_replan, decision)
    else:
        outcome = await update(client, plan.workflow_id, TrendToProduction.review_plan, decision)
    return ReviewOut(plan_id=plan_id, decision=outcome)


def _reserved(engine: Engine, plan: ProductionPlan) -> list[ReservedCapacity]:
    """The capacity the plan's idea holds (the held reservations, else all it had); 409 when
    there is none to plan on."""
    with Session(engine) as s:
        rows = reservations_of(s, plan.trend_id)
    held = [(r, sup) for r, sup in rows if r.status == "held"] or list(rows)
    if not held:
        raise HTTPException(409, f"plan {plan.id} has no supplier reservations to plan on")
    return [
        ReservedCapacity(
            supplier_code=sup.code,
            supplier_name=sup.name,
            process=r.process,
            units_per_day=r.units_per_day,
            lead_time_days=sup.lead_time_days,
        )
        for r, sup in held
    ]


@router.post("/{plan_id}/whatif", response_model=WhatIfResult, responses=WORKFLOW_ANSWERS)
async def plan_whatif(
    plan_id: int,
    body: WhatIfBody,
    who: PlannerDep,
    engine: EngineDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> Any:
    """Replan the plan's order per scenario (on the CPU workers); baseline first; nothing is
    stored."""
    names = [sc.name for sc in body.scenarios]
    if len(set(names)) != len(names) or "baseline" in names:
        raise HTTPException(422, "scenario names must be unique and not 'baseline'")
    plan = plan_or_404(engine, plan_id)
    request = WhatIfRequest(
        **body.model_dump(),
        plan_id=plan_id,
        quantity=plan.quantity,
        due_day=plan.due_day,
        completion_day=plan.completion_day,
        on_time=plan.on_time,
        created_at=plan.created_at,
        workflow_id=plan.workflow_id,
        constraints=PlanConstraints.model_validate(plan.constraints or {}),
        reserved=_reserved(engine, plan),
        cpu_task_queue=settings.pipeline.cpu_task_queue,
    )
    return await what_if(await temporal.client(), settings, request)

"""Planner what-if: replan a stored plan's order under scenarios and compare them side by side."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from engines.scheduling import (
    DeadlineInfeasible,
    Line,
    Schedule,
    compare_plans,
    lines_from_assignments,
    pick_bottleneck,
    routing_of,
    what_if,
)
from models.tables import ProductionPlan, Supplier, SupplierReservation

MAX_SCENARIOS = 8


class LineSpec(BaseModel):
    """Extra lines to recruit: `count` lines of one process at a rate (units/day) > 0."""

    process: str = Field(min_length=1, max_length=64)
    rate_units_per_day: float = Field(gt=0, le=100_000)
    count: int = Field(default=1, ge=1, le=50)
    available_from_day: int = Field(default=0, ge=0, le=365)
    extra_cost: float = Field(default=0.0, ge=0, description="USD per line, paid once if used")
    ramp_days: int = Field(default=3, ge=0, le=60)
    owner: str = Field(default="what-if", max_length=200)


class Scenario(BaseModel):
    """One alternative: add lines, overtime hours/day, split the order in lots, exclude lines."""

    name: str = Field(min_length=1, max_length=64)
    add_lines: list[LineSpec] = Field(default_factory=list, max_length=20)
    overtime_hours_per_day: float | None = Field(default=None, ge=0, le=12)
    split_lots: int | None = Field(default=None, ge=1, le=150)
    exclude_lines: list[str] = Field(default_factory=list, max_length=200)
    max_lines: int | None = Field(default=None, ge=1)
    quantity: int | None = Field(default=None, gt=0, le=100_000_000)


class WhatIfBody(BaseModel):
    """Scenarios to plan next to the baseline (the plan's own constraints), CP-SAT seconds each."""

    scenarios: list[Scenario] = Field(min_length=1, max_length=MAX_SCENARIOS)
    time_limit_s: float = Field(default=1.0, ge=0, le=10)


def _lines(s: Session, plan: ProductionPlan) -> list[Line]:
    """The plan's lines: its idea's reservations as supplier lines plus the own-factory lines."""
    rows = s.exec(
        select(SupplierReservation, Supplier)
        .join(Supplier, col(Supplier.id) == SupplierReservation.supplier_id)
        .where(SupplierReservation.trend_id == plan.trend_id)
        .order_by(col(SupplierReservation.id))
    ).all()
    held = [(r, sup) for r, sup in rows if r.status == "held"] or list(rows)
    if not held:
        raise HTTPException(409, f"plan {plan.id} has no supplier reservations to plan on")
    reserved = [
        {"supplier_code": sup.code, "supplier_name": sup.name, "process": r.process,
         "units_per_day": r.units_per_day, "lead_time_days": sup.lead_time_days}
        for r, sup in held
    ]  # fmt: skip
    bottleneck = pick_bottleneck(lines_from_assignments(reserved, own_lines=0))
    return lines_from_assignments(reserved, own_process=bottleneck)


def _added(specs: list[LineSpec], name: str) -> list[Line]:
    """Scenario lines WHATIF-<scenario>-<process>-k."""
    return [
        Line(
            f"WHATIF-{name}-{spec.process}-{k + 1}",
            spec.owner,
            spec.process,
            spec.rate_units_per_day,
            ramp_days=spec.ramp_days,
            available_from_day=spec.available_from_day,
            extra_cost=spec.extra_cost,
        )
        for spec in specs
        for k in range(spec.count)
    ]


def _keywords(sc: Scenario, base: dict[str, Any], known: set[str]) -> dict[str, Any]:
    """plan_order keywords of a scenario on top of the baseline constraints."""
    unknown = sorted(set(sc.exclude_lines) - known)
    if unknown:
        raise HTTPException(422, f"scenario '{sc.name}': unknown lines {', '.join(unknown)}")
    kw = dict(base)
    kw["exclude_lines"] = [*base["exclude_lines"], *sc.exclude_lines]
    kw["add_lines"] = _added(sc.add_lines, sc.name)
    if sc.overtime_hours_per_day is not None:
        kw["max_overtime_hours_per_day"] = sc.overtime_hours_per_day
    if sc.split_lots is not None:
        kw["lots"] = sc.split_lots
    if sc.max_lines is not None:
        kw["max_lines"] = sc.max_lines
    return kw


def _summary(s: Schedule, row: dict[str, Any], day0: Any) -> dict[str, Any]:
    """A scenario's comparison row plus dates (day 0 = the plan's creation), gap, shipments, lines."""
    return row | {
        "completion_date": (day0 + timedelta(days=s.completion_day + 1)).date().isoformat(),
        "due_day": s.due_day,
        "gap": s.gap,
        "shipments": [{"day": d, "units": u} for d, u in s.shipments],
        "lines": s.lines,
        "notes": s.notes,
    }


def _plan_all(plan: ProductionPlan, lines: list[Line], body: WhatIfBody) -> list[dict[str, Any]]:
    """Baseline plus each scenario, planned with the engine (CPU: call in a thread)."""
    c = plan.constraints or {}
    base = {
        "exclude_lines": list(c.get("exclude_lines") or []),
        "max_overtime_hours_per_day": float(c.get("max_overtime_hours_per_day") or 0.0),
        "max_lines": c.get("max_lines"),
        "routing": routing_of(lines),
        "time_limit_s": body.time_limit_s,
        "workers": 1,
    }
    known = {ln.line_id for ln in lines}
    due = plan.due_day + 1
    out: list[dict[str, Any]] = []
    for sc in [Scenario(name="baseline"), *body.scenarios]:
        kw = _keywords(sc, base, known)
        qty = sc.quantity or plan.quantity
        try:
            plans = what_if(qty, lines, due, {sc.name: kw})
        except DeadlineInfeasible as err:
            raise HTTPException(422, f"scenario '{sc.name}': {err.reason}") from err
        except ValueError as err:
            raise HTTPException(422, f"scenario '{sc.name}': {err}") from err
        row = compare_plans(plans)[0] | {"quantity": qty}
        out.append(_summary(plans[sc.name], row, plan.created_at))
    return out


def whatif_router(get_engine: Callable[[], Engine], planner: Callable[..., Any]) -> APIRouter:
    """What-if routes; `planner` is the app's role dependency (e.g. require("planner"))."""
    router = APIRouter(tags=["planner"])

    @router.post("/plans/{plan_id}/whatif", dependencies=[Depends(planner)])
    async def plan_whatif(plan_id: int, body: WhatIfBody) -> dict[str, Any]:
        """Replan the plan's order per scenario; baseline first; nothing is stored."""
        names = [sc.name for sc in body.scenarios]
        if len(set(names)) != len(names) or "baseline" in names:
            raise HTTPException(422, "scenario names must be unique and not 'baseline'")
        with Session(get_engine()) as s:
            plan = s.get(ProductionPlan, plan_id)
            if plan is None:
                raise HTTPException(404, f"plan {plan_id} does not exist")
            lines = _lines(s, plan)
            s.expunge(plan)
        rows = await run_in_threadpool(_plan_all, plan, lines, body)
        return {
            "plan_id": plan_id,
            "quantity": plan.quantity,
            "due_day": plan.due_day,
            "stored": {"completion_day": plan.completion_day, "on_time": plan.on_time},
            "scenarios": rows,
        }

    return router

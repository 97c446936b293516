"""Planning stage: plan an order on its reserved lines (first plans and replans), record the
planner's review, and plan what-if scenarios next to a stored plan (nothing stored then)."""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.common import await_with_heartbeats, domain_errors, row_or_fail
from activities.mappers import plan_result, plan_row
from models.contracts import (
    LineSpec,
    PlanRequest,
    PlanResult,
    PlanReviewRecord,
    Scenario,
    ScenarioPlan,
    StoredOutcome,
    WhatIfRequest,
    WhatIfResult,
)
from models.db import as_utc, session_scope
from models.names import Act, Err
from models.tables import ProductionPlan, utcnow
from services.factory import (
    blocked_days,
    confirm_bookings,
    conflicts,
    own_lines,
    release_held,
    serialise_bookings,
    used_intervals,
    write_bookings,
)

T = TypeVar("T")
BOOKING_ATTEMPTS = 5  # schedules tried when other plans take the same line time meanwhile


class _Taken(Exception):
    """Another plan booked the line time this schedule uses, after it was read."""


def plan_lines(
    engine: Engine, reserved: list[dict[str, Any]], workflow_id: str, day0: datetime
) -> tuple[list[Any], set[str]]:
    """The reserved supplier lines plus the factory's own lines of the scarcest reserved process
    (the one the plan schedules), each blocked where other pipelines hold it (days from day0);
    and the own lines' ids."""
    from engines.scheduling import Line, lines_from_assignments, pick_bottleneck

    suppliers = lines_from_assignments(reserved, own_lines=0)
    rows = own_lines(engine, pick_bottleneck(suppliers)) if suppliers else []
    held = blocked_days(engine, [r.line_id for r in rows], workflow_id, day0)
    own = [
        Line(
            r.line_id,
            r.site,
            r.process,
            r.rate_units_per_day,
            ramp_days=r.ramp_days,
            ramp_start_fraction=r.ramp_start_fraction,
            changeover_days=r.changeover_days,
            shift_hours=r.shift_hours,
            days_off=tuple(r.days_off or ()),
            blocked_days=tuple(held[r.line_id]),
        )  # fmt: skip
        for r in rows
    ]
    return suppliers + own, {r.line_id for r in rows}


def solve_heartbeating(solve: functools.partial[T], detail: str) -> T:
    """Run a solver in a helper thread (CP-SAT releases the GIL) while this thread heartbeats."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cpsat") as pool:
        return await_with_heartbeats(pool.submit(solve), detail)


class PlanningActivities:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name=Act.plan_production)
    @domain_errors
    def plan_production(self, req: PlanRequest) -> PlanResult:
        row = self._stored(req.workflow_id, req.revision)
        if row is None:
            row = self._plan_and_book(req)
        return plan_result(row)

    def _plan_and_book(self, req: PlanRequest) -> ProductionPlan:
        """Schedule around the lines other pipelines hold, then store the plan and hold its own
        line time in one serialised transaction; if another plan booked the same time
        meanwhile, schedule again around it."""
        from engines.scheduling import plan_order, routing_of

        start = req.start_date or utcnow()  # the date of the plan's start day
        reserved = [a.model_dump() for a in req.sourcing.assignments]
        for _ in range(BOOKING_ATTEMPTS):
            lines, own = plan_lines(self.engine, reserved, req.workflow_id, start)
            # every stage of the routing on its lines: CP-SAT warm-started from the greedy plan
            solve = functools.partial(
                plan_order,
                req.quantity,
                lines,
                max(req.due_in_days - req.start_day, 1),
                routing=routing_of(lines),
                family=req.family,
                exclude_lines=list(req.constraints.exclude_lines),
                max_overtime_hours_per_day=req.constraints.max_overtime_hours_per_day,
                max_lines=req.constraints.max_lines,
                produced_so_far=req.produced_so_far,
                time_limit_s=req.time_limit_s,
                workers=2,
            )
            schedule = solve_heartbeating(solve, "scheduling").shifted(req.start_day)
            row = plan_row(req, schedule, start)
            day0 = start - timedelta(days=req.start_day)  # the Gantt's days count from day 0
            used = used_intervals(row.gantt or [], own)
            try:
                with session_scope(self.engine) as s:
                    serialise_bookings(s)
                    if conflicts(s, used, req.workflow_id, day0):
                        raise _Taken()
                    write_bookings(
                        s, used, workflow_id=req.workflow_id, trend_id=req.trend_id,
                        revision=req.revision, day0=day0,
                    )  # fmt: skip
                    s.add(row)
            except _Taken:
                if activity.in_activity():
                    activity.heartbeat("another plan took these lines: scheduling again")
                continue
            except IntegrityError:  # another attempt of this activity stored the plan first
                pass
            stored = self._stored(req.workflow_id, req.revision)
            assert stored is not None
            return stored
        raise ApplicationError(
            f"other plans kept booking the same lines {BOOKING_ATTEMPTS} times; trying again"
        )

    def _stored(self, workflow_id: str, revision: int) -> ProductionPlan | None:
        """The plan of this revision, when an earlier attempt wrote it."""
        with Session(self.engine) as s:
            return s.exec(
                select(ProductionPlan).where(
                    ProductionPlan.workflow_id == workflow_id,
                    ProductionPlan.revision == revision,
                )
            ).first()

    @activity.defn(name=Act.record_plan_review)
    def record_plan_review(self, r: PlanReviewRecord) -> None:
        with session_scope(self.engine) as s:
            plan = row_or_fail(s, ProductionPlan, r.plan_id, "plan")
            if r.status == "approved":  # its line time becomes firm, a replaced plan's is freed
                confirm_bookings(s, plan.workflow_id, plan.revision)
            elif r.status == "rejected":
                release_held(s, plan.workflow_id, "plan rejected", plan.revision)
            if r.status == "approved":  # an approved replan replaces the plan the lines follow
                for old in s.exec(
                    select(ProductionPlan).where(
                        ProductionPlan.workflow_id == plan.workflow_id,
                        ProductionPlan.status == "approved",
                        ProductionPlan.id != plan.id,
                    )
                ):
                    old.status = "superseded"
                    s.add(old)
            plan.status = r.status
            plan.reviewer = r.reviewer
            plan.review_reason = r.reason[:2000]
            plan.reviewed_at = r.at
            s.add(plan)

    @activity.defn(name=Act.plan_what_if)
    def plan_what_if(self, req: WhatIfRequest) -> WhatIfResult:
        """The stored plan's order replanned per scenario, baseline first; nothing is stored.
        A bad scenario fails as BadScenario, with its reason."""
        reserved = [r.model_dump() for r in req.reserved]
        lines, _ = plan_lines(self.engine, reserved, req.workflow_id, as_utc(req.created_at))
        rows = solve_heartbeating(functools.partial(_plan_scenarios, lines, req), "what-if")
        return WhatIfResult(
            plan_id=req.plan_id,
            quantity=req.quantity,
            due_day=req.due_day,
            stored=StoredOutcome(completion_day=req.completion_day, on_time=req.on_time),
            scenarios=rows,
        )


def _added(specs: list[LineSpec], name: str) -> list[Any]:
    """Scenario lines WHATIF-<scenario>-<process>-k."""
    from engines.scheduling import Line

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


def _refuse(scenario: str, reason: str) -> ApplicationError:
    return ApplicationError(
        f"scenario '{scenario}': {reason}", type=Err.bad_scenario, non_retryable=True
    )


def _keywords(sc: Scenario, base: dict[str, Any], known: set[str]) -> dict[str, Any]:
    """plan_order keywords of a scenario on top of the baseline constraints."""
    unknown = sorted(set(sc.exclude_lines) - known)
    if unknown:
        raise _refuse(sc.name, f"unknown lines {', '.join(unknown)}")
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


def _plan_scenarios(lines: list[Any], req: WhatIfRequest) -> list[ScenarioPlan]:
    """Baseline plus each scenario, planned with the engine; day 0 is the plan's creation."""
    from engines.scheduling import DeadlineInfeasible, compare_plans, routing_of, what_if

    c = req.constraints
    base = {
        "exclude_lines": list(c.exclude_lines),
        "max_overtime_hours_per_day": c.max_overtime_hours_per_day,
        "max_lines": c.max_lines,
        "routing": routing_of(lines),
        "time_limit_s": req.time_limit_s,
        "workers": 1,
    }
    known = {ln.line_id for ln in lines}
    out = []
    for sc in [Scenario(name="baseline"), *req.scenarios]:
        kw = _keywords(sc, base, known)
        qty = sc.quantity or req.quantity
        try:
            s = what_if(qty, lines, req.due_day + 1, {sc.name: kw})[sc.name]
        except DeadlineInfeasible as err:
            raise _refuse(sc.name, err.reason) from err
        except ValueError as err:
            raise _refuse(sc.name, str(err)) from err
        out.append(
            ScenarioPlan(
                **compare_plans({sc.name: s})[0],
                quantity=qty,
                completion_date=(req.created_at + timedelta(days=s.completion_day + 1))
                .date()
                .isoformat(),
                due_day=s.due_day,
                gap=s.gap,
                shipments=[{"day": d, "units": u} for d, u in s.shipments],
                lines=s.lines,
                notes=s.notes,
            )
        )
    return out

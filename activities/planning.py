"""Planning stage: plan an order on its reserved lines (first plans and replans), record the
planner's review, and plan what-if scenarios next to a stored plan (nothing stored then)."""

from __future__ import annotations

import contextlib
import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
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
    Hold,
    confirm_bookings,
    conflicts,
    ensure_factory,
    holds_on,
    idea_priorities,
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


@dataclass
class PlanLines:
    """The lines a plan may use: reserved supplier lines plus the own lines of the process it
    schedules (blocked where other pipelines hold them), with those holds."""

    lines: list[Any]
    own: set[str]
    process: str | None
    holds: dict[str, list[Hold]] = field(default_factory=dict)


def plan_of(s: Session, workflow_id: str, revision: int) -> ProductionPlan | None:
    """A pipeline's plan of one revision, if stored."""
    return s.exec(
        select(ProductionPlan).where(
            ProductionPlan.workflow_id == workflow_id, ProductionPlan.revision == revision
        )
    ).first()


def factory_plan_lines(
    engine: Engine, reserved: list[dict[str, Any]], workflow_id: str, day0: datetime
) -> PlanLines:
    """The reserved supplier lines plus the factory's own lines of the scarcest reserved process
    (the one the plan schedules), each blocked where other pipelines hold it (days from day0)."""
    from engines.scheduling import Line, lines_from_assignments, pick_bottleneck

    suppliers = lines_from_assignments(reserved, own_lines=0)
    process = pick_bottleneck(suppliers) if suppliers else None
    rows = own_lines(engine, process) if process else []
    held = holds_on(engine, [r.line_id for r in rows], workflow_id, day0)
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
            blocked_days=tuple((h.start_day, h.end_day) for h in held[r.line_id]),
        )  # fmt: skip
        for r in rows
    ]
    return PlanLines(suppliers + own, {r.line_id for r in rows}, process, held)


def plan_lines(
    engine: Engine, reserved: list[dict[str, Any]], workflow_id: str, day0: datetime
) -> tuple[list[Any], set[str]]:
    """factory_plan_lines' lines and own line ids."""
    fl = factory_plan_lines(engine, reserved, workflow_id, day0)
    return fl.lines, fl.own


def supplier_offers(
    engine: Engine, req: PlanRequest, process: str | None
) -> tuple[list[Any], dict[str, dict[str, Any]]]:
    """More supplier lines of the ramp's process the plan could recruit: the match's
    alternatives (within its travel limit) with the capacity they have left now, cheapest
    first, then nearest; as lines, and each line's offer (the supplier, left capacity)."""
    from activities.sourcing import capacity_left
    from engines.scheduling import lines_from_assignments

    taken = {(a.supplier_id, a.process) for a in req.sourcing.assignments}
    alts = [a for a in req.sourcing.alternatives
            if a.process == process and (a.supplier_id, a.process) not in taken]  # fmt: skip
    if not alts or process is None:
        return [], {}
    left = capacity_left(engine, process, [a.supplier_id for a in alts], req.workflow_id)
    offers = [a.model_copy(update={"units_per_day": min(a.units_per_day, left[a.supplier_id])})
              for a in alts if left.get(a.supplier_id, 0) > 0]  # fmt: skip
    offers.sort(key=lambda a: (a.unit_cost_usd, a.travel_minutes, a.supplier_code))
    lines, by_line = [], {}
    for a in offers:
        for ln in lines_from_assignments([a.model_dump()], own_lines=0):
            lines.append(ln)
            by_line[ln.line_id] = {**a.model_dump(), "line_rate": ln.rate_units_per_day}
    return lines, by_line


def movable(hold: Hold, priorities: dict[int, float], trend_id: int) -> bool:
    """A hold the idea may take over: lower-priority work whose time has not started."""
    mine = priorities.get(trend_id, 0.0)
    return not hold.started and priorities.get(hold.trend_id, 0.0) < mine


def takeover_lines(fl: PlanLines, priorities: dict[int, float], trend_id: int) -> dict[str, Any]:
    """Own lines with lower-priority, not started holds: line_id → the line without them, the
    line whose takeover displaces the lowest priority (then frees the most days) first."""
    from engines.scheduling.ramp import unblocked

    by_id = {ln.line_id: ln for ln in fl.lines}
    ranked = []
    for line_id, holds in fl.holds.items():
        gone = [h for h in holds if movable(h, priorities, trend_id)]
        if not gone:
            continue
        keep = [(h.start_day, h.end_day) for h in holds if h not in gone]
        low = min(priorities.get(h.trend_id, 0.0) for h in gone)
        freed = sum(h.end_day - h.start_day for h in gone)
        ranked.append((low, -freed, line_id, unblocked(by_id[line_id], keep)))
    return {line_id: line for _, _, line_id, line in sorted(ranked)}


def _ramp_and_schedule(
    req: PlanRequest, fl: PlanLines, priorities: dict[int, float], suppliers: list[Any]
) -> tuple[Any, Any]:
    """The ramp on the own lines' process (the fewest lines meeting the due day, the curve, the
    lines to take over when the free ones miss it), then the plan on the chosen lines; both
    days from the plan's start."""
    from engines.scheduling import plan_order, routing_of
    from engines.scheduling.ramp import ramp_curve

    kw: dict[str, Any] = {
        "routing": routing_of(fl.lines),
        "family": req.family,
        "exclude_lines": list(req.constraints.exclude_lines),
        "max_overtime_hours_per_day": req.constraints.max_overtime_hours_per_day,
        "max_lines": req.constraints.max_lines,
        "produced_so_far": req.produced_so_far,
    }
    due = max(req.due_in_days - req.start_day, 1)
    ramp = None
    if fl.process and req.produced_so_far < req.quantity:
        takeover = takeover_lines(fl, priorities, req.trend_id)
        ramp = ramp_curve(
            req.quantity, fl.lines, due, fl.process, takeover=takeover, suppliers=suppliers, **kw
        )
        chosen = set(ramp.curve[[p.lines for p in ramp.curve].index(ramp.chosen)].line_ids)
        pool = {ln.line_id for ln in fl.lines if ln.process == fl.process}
        kw["exclude_lines"] = [*kw["exclude_lines"], *sorted(pool - chosen)]
    schedule = plan_order(
        req.quantity, fl.lines, due, **kw, time_limit_s=req.time_limit_s, workers=2
    )
    return schedule, ramp


def ramp_record(
    ramp: Any,
    fl: PlanLines,
    priorities: dict[int, float],
    trend_id: int,
    shift: int,
    offers: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The ramp as the plan stores it (days from the plan's day 0): the curve, the lines to
    recruit with their cost (line-days of changeover and ramp-up) and the other ideas each
    displaces, with an estimate of how many days later those finish."""
    from engines.scheduling.ramp import delay_estimate_days, takeover_cost_line_days

    def point(p: Any) -> dict[str, Any]:
        return {
            "lines": p.lines,
            "completion_day": p.completion_day + shift,
            "on_time": p.on_time,
            "line_ids": list(p.line_ids),
            "taken": list(p.taken),
            "added": list(p.added),
        }

    by_id = {ln.line_id: ln for ln in fl.lines}
    until = (ramp.recruit_curve[-1].completion_day + 1) if ramp.recruit else 0
    recruit: list[dict[str, Any]] = []
    effect_days: dict[int, float] = {}
    lines_held: dict[int, set[str]] = {}
    for line_id, holds in fl.holds.items():
        for h in holds:
            lines_held.setdefault(h.trend_id, set()).add(line_id)
    for line_id in ramp.recruit:
        displaced = []
        for h in fl.holds.get(line_id, []):
            days = max(min(h.end_day, until) - h.start_day, 0.0)
            if days <= 0 or not movable(h, priorities, trend_id):
                continue
            displaced.append({"trend_id": h.trend_id, "workflow_id": h.workflow_id,
                              "status": h.status, "line_days": round(days, 2),
                              "priority": priorities.get(h.trend_id)})  # fmt: skip
            effect_days[h.trend_id] = effect_days.get(h.trend_id, 0.0) + days
        recruit.append({"line_id": line_id,
                        "cost_line_days": takeover_cost_line_days(by_id[line_id]),
                        "displaces": displaced})  # fmt: skip
    effects = [
        {"trend_id": t, "line_days": round(d, 2),
         "delay_days": delay_estimate_days(d, len(lines_held.get(t, ())))}
        for t, d in sorted(effect_days.items())
    ]  # fmt: skip
    return {
        "process": ramp.process,
        "due_day": ramp.due_day + shift,
        "chosen": ramp.chosen,
        "on_time": ramp.on_time,
        "curve": [point(p) for p in ramp.curve],
        "recruit": recruit,
        "recruit_meets": ramp.recruit_meets,
        "recruit_curve": [point(p) for p in ramp.recruit_curve],
        "effects": effects,
        "earliest_day": ramp.earliest_day + shift,
        "binding": ramp.binding,
        "suppliers": supplier_record(ramp, offers or {}),
        "suppliers_meet": ramp.suppliers_meet,
        "supplier_curve": [point(p) for p in ramp.supplier_curve],
    }


def supplier_record(ramp: Any, offers: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The supplier lines the ramp would add, each with its supplier, the units it would make
    and what they cost at its unit price (it takes no other idea's line time)."""
    out = []
    for line_id in ramp.suppliers:
        offer = offers.get(line_id, {})
        units = ramp.supplier_units.get(line_id, 0)
        price = float(offer.get("unit_cost_usd", 0.0))
        out.append({
            "line_id": line_id,
            **{k: offer.get(k) for k in ("supplier_id", "supplier_code", "supplier_name", "town",
                                          "travel_minutes", "lead_time_days", "unit_cost_usd")},
            "units_per_day": offer.get("line_rate"),
            "units": units,
            "cost_usd": round(units * price, 2),
        })  # fmt: skip
    return out


def ramp_notes(ramp: dict[str, Any], start: datetime, shift: int) -> list[str]:
    """What the ramp means for the planner, in words."""
    curve = ramp["curve"]
    notes = [
        f"ramp on {ramp['process']}: "
        + ", ".join(f"{p['lines']} lines → day {p['completion_day']}" for p in curve)
        + f"; planned on {ramp['chosen']}"
    ]
    if ramp["on_time"]:
        return notes
    if ramp["recruit_meets"]:
        taken = ", ".join(r["line_id"] for r in ramp["recruit"])
        done = ramp["recruit_curve"][-1]["completion_day"]
        ideas = sorted({d["trend_id"] for r in ramp["recruit"] for d in r["displaces"]})
        notes.append(
            f"recruit {taken} from lower-priority ideas {', '.join(map(str, ideas)) or '-'}: "
            f"completes day {done}, due day {ramp['due_day']} (ask for a portfolio replan)"
        )
    if ramp.get("suppliers_meet"):
        added = ramp["suppliers"]
        names = ", ".join(
            f"{a['supplier_code']} {a['supplier_name']} ({a['town']}, "
            f"{a['travel_minutes']:.0f} min, {a['units_per_day']:,.0f}/day)"
            for a in added
        )
        cost = sum(a["cost_usd"] for a in added)
        notes.append(
            f"or add supplier lines {names}: completes day "
            f"{ramp['supplier_curve'][-1]['completion_day']}, their {sum(a['units'] for a in added):,}"
            f" units ${cost:,.0f} at their prices; no other idea's line time is taken"
        )
    date = (start + timedelta(days=ramp["earliest_day"] - shift + 1)).date().isoformat()
    notes.append(
        f"earliest feasible: day {ramp['earliest_day']} ({date}); binding lines: "
        + ", ".join(ramp["binding"])
    )
    return notes


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

        start = req.start_date or utcnow()  # the date of the plan's start day
        ensure_factory(self.engine)  # seeded before any try, never while one holds the lock
        taken = ""
        for attempt in range(BOOKING_ATTEMPTS):
            # the last try plans holding the booking lock: when optimistic tries keep losing
            # the race to faster planners, this one cannot lose it (the others wait on it)
            with contextlib.ExitStack() as hold:
                locked = None
                if attempt == BOOKING_ATTEMPTS - 1:
                    locked = hold.enter_context(session_scope(self.engine))
                    serialise_bookings(locked)
                taken = self._plan_once(req, start, locked)
            if not taken:  # committed (the lock's session too, when it closed)
                stored = self._stored(req.workflow_id, req.revision)
                assert stored is not None
                return stored
            if activity.in_activity():
                activity.heartbeat("another plan took these lines: scheduling again")
        raise ApplicationError(
            f"other plans kept booking the same lines {BOOKING_ATTEMPTS} times; trying again "
            f"(last: {taken})"
        )

    def _plan_once(self, req: PlanRequest, start: datetime, locked: Session | None) -> str:
        """Schedule around the lines others hold and book it: "" when booked, else the booking
        another plan made meanwhile on the same time, in words. With `locked` (a session
        holding the booking lock) it books in that session, where nobody can have booked
        meanwhile (it commits when closed)."""
        reserved = [a.model_dump() for a in req.sourcing.assignments]
        fl = factory_plan_lines(self.engine, reserved, req.workflow_id, start)
        trends = {h.trend_id for v in fl.holds.values() for h in v} | {req.trend_id}
        priorities = idea_priorities(self.engine, trends)
        offer_lines, offers = supplier_offers(self.engine, req, fl.process)
        solve = functools.partial(_ramp_and_schedule, req, fl, priorities, offer_lines)
        schedule, ramp = solve_heartbeating(solve, "scheduling")
        schedule = schedule.shifted(req.start_day)
        row = plan_row(req, schedule, start)
        if ramp is not None:
            row.ramp = ramp_record(ramp, fl, priorities, req.trend_id, req.start_day, offers)
            row.notes = [*row.notes, *ramp_notes(row.ramp, start, req.start_day)]
        day0 = start - timedelta(days=req.start_day)  # the Gantt's days count from day 0
        # book the schedule's exact times: the stored Gantt rounds to 0.001 day, which can
        # start a lot up to 43 s inside the booking it was scheduled after (every try lost)
        used = used_intervals(schedule.gantt, fl.own)
        try:
            with contextlib.ExitStack() as scope:
                s = locked or scope.enter_context(session_scope(self.engine))
                if locked is None:
                    serialise_bookings(s)
                if found := conflicts(s, used, req.workflow_id, day0):
                    b = found[0]
                    raise _Taken(f"{b.workflow_id} holds {b.line_id} {b.start_at}–{b.end_at}")
                write_bookings(
                    s, used, workflow_id=req.workflow_id, trend_id=req.trend_id,
                    revision=req.revision, day0=day0,
                )  # fmt: skip
                s.add(row)
                s.flush()  # a plan another attempt stored first shows here, in either case
        except _Taken as taken:
            return str(taken)
        except IntegrityError:  # another attempt of this activity stored the plan first
            if locked is not None:
                locked.rollback()
        return ""

    def _stored(self, workflow_id: str, revision: int) -> ProductionPlan | None:
        """The plan of this revision, when an earlier attempt wrote it."""
        with Session(self.engine) as s:
            return plan_of(s, workflow_id, revision)

    @activity.defn(name=Act.record_plan_review)
    def record_plan_review(self, r: PlanReviewRecord) -> None:
        with session_scope(self.engine) as s:
            if r.status == "approved":  # firm bookings are checked against others': one writer
                serialise_bookings(s)
            plan = row_or_fail(s, ProductionPlan, r.plan_id, "plan")
            if r.status == "approved":  # its line time becomes firm, a replaced plan's is freed
                lost = confirm_bookings(s, plan.workflow_id, plan.revision)
                if lost:  # never double booked: the planner reads what it lost
                    plan.notes = [*plan.notes, *(f"line time lost: {x}" for x in lost)]
            elif r.status in ("rejected", "superseded"):  # its held line time is freed
                release_held(s, plan.workflow_id, f"plan {r.status}", plan.revision)
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

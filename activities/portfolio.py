"""Portfolio replan: every idea's not-started lots on the own lines placed again by priority
(one proposal), and, once a planner approves it, the bookings moved in one serialised
transaction with the overlap check."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.mappers import plan_result
from activities.planning import plan_of, solve_heartbeating
from models.contracts import (
    BookedSpan,
    IdeaReplan,
    PlanAdopted,
    PortfolioApplied,
    PortfolioApply,
    PortfolioProposal,
    PortfolioReplanRequest,
    Stage,
)
from models.db import as_utc, session_scope
from models.names import Act, Err, run_workflow_id
from models.tables import (
    FactoryLine,
    LineBooking,
    ProductionPlan,
    ProductionRun,
    Trend,
    utcnow,
)
from services.factory import (
    BOOKING_HOLD,
    DAY,
    ensure_factory,
    holding_bookings,
    idea_priorities,
    serialise_bookings,
)

SAME = timedelta(seconds=1)  # a booking moved by less than this has not moved
SUPPLIER = "supplier"  # a span of a late idea's work on a supplier's line: no booking of ours


@dataclass(frozen=True)
class SupplierSpan:
    """A late idea's bars on one supplier line of the process, merged: [start_at, end_at)."""

    workflow_id: str
    line_id: str
    start_at: datetime
    end_at: datetime


def _days(t: datetime, now: datetime) -> float:
    return (as_utc(t) - now) / DAY


def _span(b: LineBooking) -> BookedSpan:
    return BookedSpan(
        line_id=b.line_id, workflow_id=b.workflow_id, trend_id=b.trend_id, revision=b.revision,
        status=b.status, start_at=as_utc(b.start_at), end_at=as_utc(b.end_at), booking_id=b.id,
    )  # fmt: skip


def _stale(reason: str) -> ApplicationError:
    return ApplicationError(
        f"the factory changed since the proposal: {reason}; ask for a new portfolio replan",
        type=Err.stale_replan,
        non_retryable=True,
    )


class PortfolioActivities:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name=Act.propose_portfolio_replan)
    def propose_portfolio_replan(self, req: PortfolioReplanRequest) -> PortfolioProposal:
        """Read the bookings, place every not-started one again by priority (engine), and say
        what changes for each idea; nothing is written. A late idea's work on its suppliers'
        lines of the process is movable too (onto own lines; other ideas never go on those
        supplier lines), also for a late plan awaiting review that holds no own line."""
        from engines.scheduling.portfolio import Block, Idea, PortfolioLine, replan_portfolio

        ensure_factory(self.engine)
        now = utcnow()
        with Session(self.engine) as s:
            q = select(FactoryLine).where(col(FactoryLine.active).is_(True))
            if req.process:
                q = q.where(FactoryLine.process == req.process)
            lines = list(s.exec(q))
            ids = {ln.line_id for ln in lines}
            processes = {ln.process for ln in lines}
            rows = [
                b for b in holding_bookings(s, now) if as_utc(b.end_at) > now and b.line_id in ids
            ]
            holding = {b.workflow_id for b in rows}
            revision = {w: _followed(s, w, rows) for w in holding}
            # a newer revision than the one followed (a slippage replan awaiting its planner)
            # is the same idea's work again: left out; moving the idea supersedes it
            rows = [b for b in rows if b.revision == revision[b.workflow_id]]
            plans = {w: plan_of(s, w, revision[w]) for w in holding}
            plans |= _waiting_late(s, processes, ids, set(holding))
            flows = sorted(plans)
            trend_of = {b.workflow_id: b.trend_id for b in rows}
            trend_of |= {w: p.trend_id for w, p in plans.items() if p is not None}
            trends = {
                t.id: t
                for t in s.exec(select(Trend).where(col(Trend.id).in_(set(trend_of.values()))))
            }
        key = {w: k for k, w in enumerate(flows)}
        priority = idea_priorities(self.engine, set(trend_of.values()))
        blocks = [
            Block(b.id or 0, key[b.workflow_id], b.line_id, _days(b.start_at, now),
                  _days(b.end_at, now), as_utc(b.start_at) <= now)
            for b in rows
        ]  # fmt: skip
        portfolio = [
            PortfolioLine(ln.line_id, ln.process, ln.rate_units_per_day, ln.changeover_days)
            for ln in lines
        ]
        supplier: dict[int, SupplierSpan] = {}  # negative block key → a late idea's bars
        for w in flows:
            plan = plans[w]
            if plan is None or plan.on_time or plan.eta is None:
                continue
            for line, (process, rate, spans) in _supplier_work(plan, processes, ids).items():
                portfolio.append(PortfolioLine(line, process, rate, 0.0, only=key[w]))
                # its reservation of the line starts with its first bar there: a started
                # fence before it, then the bars (each a negative key)
                first = min(a for a, _ in spans)
                for n, (at, until) in enumerate([(now - DAY, first), *spans]):
                    k = -len(supplier) - 1
                    supplier[k] = SupplierSpan(w, line, at, until)
                    blocks.append(Block(k, key[w], line, _days(at, now), _days(until, now),
                                        n == 0 or at <= now))  # fmt: skip
        ideas = []
        for w in flows:
            trend = trends[trend_of[w]]
            due = as_utc(trend.created_at) + trend.due_in_days * DAY
            done, start = _completion_and_start(plans[w], [b for b in rows if b.workflow_id == w])
            ideas.append(
                Idea(key[w], priority.get(trend_of[w], 0.0), _days(due, now),
                     _days(done, now), _days(start, now))
            )  # fmt: skip
        solve = functools.partial(replan_portfolio, blocks, portfolio, ideas)
        result = solve_heartbeating(solve, "portfolio replan")
        kept = sum(k > 0 for k in result.kept)  # bookings (not supplier spans or fences)
        proposal = PortfolioProposal(replan_id=req.replan_id, created_at=now, kept=kept)
        placed: dict[int, list[tuple[str, float, float]]] = defaultdict(list)
        for k, line_id, a, z in result.placed:
            placed[k].append((line_id, a, z))
        by_id = {b.id: b for b in rows}
        replaced = set(result.replaced)
        for out in result.outcomes:
            w = flows[out.trend_id]
            mine = [b.key for b in blocks if b.trend_id == out.trend_id and b.key in replaced]
            old = sorted((by_id[k] for k in mine if k > 0), key=lambda b: (b.line_id, b.start_at))
            off = [supplier[k] for k in mine if k < 0]  # its bars moved off supplier lines
            new = sorted(
                (line_id, now + a * DAY, now + z * DAY) for line_id, a, z in placed[out.trend_id]
            )
            if not off and _unchanged(old, new):
                continue
            plan = plans[w]
            rev = max((b.revision for b in old), default=plan.revision if plan else 0)
            status = max(old, key=lambda b: b.revision).status if old else "held"
            proposal.replaced += [_span(b) for b in old]
            proposal.replaced += [
                BookedSpan(line_id=x.line_id, workflow_id=w, trend_id=trend_of[w], revision=rev,
                           status=SUPPLIER, start_at=x.start_at, end_at=x.end_at)
                for x in off
            ]  # fmt: skip
            proposal.bookings += [
                BookedSpan(line_id=line_id, workflow_id=w, trend_id=trend_of[w], revision=rev,
                           status=status if line_id in ids else SUPPLIER, start_at=a, end_at=z)
                for line_id, a, z in new
            ]  # fmt: skip
            proposal.ideas.append(
                IdeaReplan(
                    trend_id=trend_of[w],
                    workflow_id=w,
                    plan_id=plan.id if plan else None,
                    priority=out.priority,
                    due_at=now + out.due_day * DAY,
                    completion_before=now + out.completion_before * DAY,
                    completion_after=now + out.completion_after * DAY,
                    lateness_days_before=round(out.lateness_before, 2),
                    lateness_days_after=round(out.lateness_after, 2),
                    moved_lots=out.moved_blocks,
                )  # fmt: skip
            )
        proposal.ideas.sort(key=lambda i: -i.priority)
        return proposal

    @activity.defn(name=Act.apply_portfolio_replan)
    def apply_portfolio_replan(self, req: PortfolioApply) -> PortfolioApplied:
        """Move the bookings as approved, all or nothing: refused (StaleReplan) when a replaced
        booking changed or a new one would overlap time someone else holds now. Each moved idea
        gets a new plan revision (the old one superseded, its bookings on the new revision):
        what the workflow tells the pipelines. An earlier attempt's work is found, not redone."""
        p = req.proposal
        moved = f"moved by {p.replan_id}"[:500]
        ids = {r.booking_id for r in p.replaced if r.booking_id is not None}
        ours = [n for n in p.bookings if n.status != SUPPLIER]  # suppliers' lines: no booking
        now = utcnow()
        with session_scope(self.engine) as s:
            serialise_bookings(s)
            if s.exec(select(LineBooking.id).where(LineBooking.reason == moved)).first():
                return PortfolioApplied(bookings=0, plans=_revised_before(s, p))
            rows = {
                b.id: b for b in s.exec(select(LineBooking).where(col(LineBooking.id).in_(ids)))
            }
            for idea in p.ideas:  # each plan the proposal read is still the one to move
                plan = s.get(ProductionPlan, idea.plan_id) if idea.plan_id else None
                if plan is not None and plan.status not in ("pending", "approved"):
                    raise _stale(f"plan {plan.id} of idea {idea.trend_id} is {plan.status}")
            for r in p.replaced:
                if r.booking_id is None:
                    continue
                b = rows.get(r.booking_id)
                if b is None or b.status != r.status or b.line_id != r.line_id:
                    raise _stale(f"booking {r.booking_id} on {r.line_id} was released or changed")
                if abs(as_utc(b.start_at) - r.start_at) > SAME or as_utc(b.start_at) <= now:
                    raise _stale(f"booking {r.booking_id} on {r.line_id} moved or started")
            followed = {r.workflow_id: r.revision for r in p.replaced}
            moot = _pending_replans(s, followed)
            gone = ids | {b.id for b in moot}
            for n in ours:
                clash = [
                    b for b in holding_bookings(s, now, line_id=n.line_id)
                    if b.id not in gone and as_utc(b.start_at) < n.end_at and as_utc(b.end_at) > n.start_at
                ]  # fmt: skip
                if clash:
                    c = clash[0]
                    raise _stale(f"{n.line_id} is held by {c.workflow_id} from {c.start_at}")
            for b in rows.values():
                b.status, b.reason, b.released_at = "released", moved, now
                s.add(b)
            _supersede(s, p.replan_id, followed, moot, now)
            for n in ours:
                s.add(
                    LineBooking(
                        line_id=n.line_id, workflow_id=n.workflow_id, trend_id=n.trend_id,
                        revision=n.revision, status=n.status, start_at=n.start_at,
                        end_at=n.end_at, reason=moved,
                        expires_at=now + BOOKING_HOLD if n.status == "held" else None,
                    )
                )  # fmt: skip
            s.flush()
            known = {ln.line_id: (ln.site, ln.process, ln.rate_units_per_day)
                     for ln in s.exec(select(FactoryLine))}  # fmt: skip
            plans = [_revise_plan(s, idea, req, known, now) for idea in p.ideas]
        return PortfolioApplied(bookings=len(ours), plans=[x for x in plans if x])


def _revise_plan(
    s: Session,
    idea: IdeaReplan,
    req: PortfolioApply,
    known: dict[str, tuple[str, str, float]],
    now: datetime,
) -> PlanAdopted | None:
    """The idea's plan as the replan moves it, stored as its next revision (same status; the
    old one superseded): ETA and completion day as the proposal says, the moved lots' Gantt
    bars, daily units and lines on their new time; the idea's bookings and run row follow it."""
    from engines.scheduling.moved import move_daily, move_gantt, move_lines

    old = s.get(ProductionPlan, idea.plan_id) if idea.plan_id else None
    if old is None or old.eta is None:
        return None
    p, w = req.proposal, idea.workflow_id
    shift = idea.completion_after - idea.completion_before
    day0 = _day0(old, as_utc(old.eta))

    def span(b: BookedSpan) -> tuple[str, float, float]:
        return b.line_id, (b.start_at - day0) / DAY, (b.end_at - day0) / DAY

    gone = [span(b) for b in p.replaced if b.workflow_id == w]
    came = [span(b) for b in p.bookings if b.workflow_id == w]
    last = s.exec(select(func.max(ProductionPlan.revision)).where(ProductionPlan.workflow_id == w))
    row = ProductionPlan.model_validate(old.model_dump(exclude={"id", "created_at"}))
    row.revision = (last.one() or 0) + 1
    row.eta = as_utc(old.eta) + shift
    row.completion_day = old.completion_day + round(shift / DAY)
    row.on_time = row.completion_day <= row.due_day
    row.gantt = move_gantt(old.gantt or [], gone, came)
    daily = [(d["line_id"], int(d["day"]), int(d["units"])) for d in old.daily]
    row.daily = [
        {"line_id": ln, "day": d, "units": u} for ln, d, u in move_daily(daily, gone, came)
    ]
    touched = {x[0] for x in gone + came}
    row.lines = move_lines(old.lines, row.gantt, touched, known)
    row.notes = [
        *old.notes,
        f"{p.replan_id}: completes {row.eta.date().isoformat()} (day {row.completion_day}, "
        f"{'on time' if row.on_time else 'late'}), was {as_utc(old.eta).date().isoformat()}",
    ]
    if old.status == "approved":  # approved again, as one, by the replan's planner
        row.reviewer, row.reviewed_at = req.reviewer, now
        row.review_reason = f"{p.replan_id}: {req.reason}"[:2000]
    old.status = "superseded"
    s.add_all([old, row])
    s.flush()
    assert row.id is not None
    for b in s.exec(
        select(LineBooking).where(
            LineBooking.workflow_id == w,
            LineBooking.revision == old.revision,
            col(LineBooking.status) != "released",
        )
    ):
        b.revision = row.revision
        s.add(b)
    run = s.exec(select(ProductionRun).where(ProductionRun.workflow_id == w)).first()
    if run is not None and run.plan_id == old.id:
        run.plan_id = row.id
        s.add(run)
    running = run is not None and run.status == "running"
    return PlanAdopted(
        trend_id=idea.trend_id, workflow_id=w, plan=plan_result(row), by=p.replan_id,
        run_id=run_workflow_id(idea.trend_id) if running else None,
    )  # fmt: skip


def _revised_before(s: Session, p: PortfolioProposal) -> list[PlanAdopted]:
    """The revisions an earlier attempt of this replan wrote (each idea's newest plan, when
    its last note names the replan)."""
    out = []
    for idea in p.ideas:
        q = select(ProductionPlan).where(ProductionPlan.workflow_id == idea.workflow_id)
        newest = s.exec(q.order_by(col(ProductionPlan.revision).desc())).first()
        if newest is not None and newest.notes and newest.notes[-1].startswith(p.replan_id):
            out.append(
                PlanAdopted(trend_id=idea.trend_id, workflow_id=idea.workflow_id,
                            plan=plan_result(newest), by=p.replan_id)
            )  # fmt: skip
    return out


def _pending_replans(s: Session, followed: dict[str, int]) -> list[LineBooking]:
    """The holding bookings of the moved ideas' revisions newer than the one the replan moves
    (`followed`, per workflow: a slippage replan awaiting its planner, planned from the old
    dates)."""
    if not followed:
        return []
    q = select(LineBooking).where(
        col(LineBooking.workflow_id).in_(followed), col(LineBooking.status) != "released"
    )
    return [b for b in s.exec(q) if b.revision > followed[b.workflow_id]]


def _supersede(
    s: Session, replan_id: str, followed: dict[str, int], moot: list[LineBooking], now: datetime
) -> None:
    """Release the moot replans' line time and mark the moved ideas' newer plans awaiting
    review superseded: the replan moved the plan they replanned, so approving one would undo
    the move (the run proposes again from the moved plan when it slips)."""
    why = f"superseded: {replan_id} moved the plan this replans"
    for b in moot:
        b.status, b.reason, b.released_at = "released", why[:500], now
        s.add(b)
    for w, revision in followed.items():
        newer = select(ProductionPlan).where(
            ProductionPlan.workflow_id == w,
            ProductionPlan.revision > revision,
            col(ProductionPlan.status).in_(("proposed", "pending")),
        )
        for plan in s.exec(newer):
            plan.status, plan.review_reason, plan.reviewed_at = "superseded", why, now
            plan.reviewer = "system"
            s.add(plan)


def _waiting_late(
    s: Session, processes: set[str], own: set[str], holding: set[str]
) -> dict[str, ProductionPlan | None]:
    """Late plans awaiting their planner's review that hold none of these own lines but make
    one of these processes on suppliers' lines (each pipeline's newest): the replan may give
    them own-line time."""
    q = (
        select(ProductionPlan)
        .join(Trend, col(Trend.id) == ProductionPlan.trend_id)
        .where(
            ProductionPlan.status == "pending",
            col(ProductionPlan.on_time).is_(False),
            Trend.stage == Stage.awaiting_plan_review,
        )
        .order_by(col(ProductionPlan.revision))
    )
    newest = {p.workflow_id: p for p in s.exec(q)}
    return {
        w: p for w, p in newest.items() if w not in holding and _supplier_work(p, processes, own)
    }


def _supplier_work(
    plan: ProductionPlan, processes: set[str], own: set[str]
) -> dict[str, tuple[str, float, list[tuple[datetime, datetime]]]]:
    """Per supplier line, the plan's bars of the processes there: (process, units/day while
    working, the bars merged where they touch, as times)."""
    from engines.scheduling.portfolio import merge_spans

    if plan.eta is None:
        return {}
    day0 = _day0(plan, as_utc(plan.eta))
    bars: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    process: dict[str, str] = {}
    for row in plan.gantt or []:
        line, stage = str(row[0]), str(row[2])
        if stage in processes and line not in own and float(row[4]) > float(row[3]):
            bars[line].append((float(row[3]), float(row[4]), int(row[5]) if len(row) > 5 else 0))
            process[line] = stage
    out = {}
    for line, rows in bars.items():
        busy = sum(z - a for a, z, _ in rows)
        units = sum(u for *_, u in rows)
        if units <= 0:
            continue
        merged = merge_spans([(a, z) for a, z, _ in rows], gap=1e-6)
        spans = [(day0 + a * DAY, day0 + z * DAY) for a, z in merged]
        out[line] = (process[line], units / busy, spans)
    return out


def _followed(s: Session, workflow_id: str, rows: list[LineBooking]) -> int:
    """The plan revision an idea's lines follow: its approved plan's, when one holds line time
    (a newer revision is then a replan still awaiting review), else its newest holding one."""
    held = {b.revision for b in rows if b.workflow_id == workflow_id}
    approved = s.exec(
        select(ProductionPlan.revision).where(
            ProductionPlan.workflow_id == workflow_id,
            ProductionPlan.status == "approved",
            col(ProductionPlan.revision).in_(held),
        )
    ).all()
    return max(approved) if approved else max(held)


def _day0(plan: ProductionPlan, eta: datetime) -> datetime:
    """The date of the plan's day 0, from its ETA (plan_row: ETA = day 0 + completion + 1)."""
    return eta - (plan.completion_day + 1) * DAY


def _completion_and_start(
    plan: ProductionPlan | None, rows: list[LineBooking]
) -> tuple[datetime, datetime]:
    """When an idea's plan completes (its ETA, else its last booking's end) and when its
    production starts (its plan's first Gantt bar, else its first booking)."""
    if plan is None or plan.eta is None:
        return max(as_utc(b.end_at) for b in rows), min(as_utc(b.start_at) for b in rows)
    eta = as_utc(plan.eta)
    day0 = _day0(plan, eta)
    starts = [float(r[3]) for r in plan.gantt or []]
    if not starts:
        return eta, min((as_utc(b.start_at) for b in rows), default=day0)
    return eta, day0 + min(starts) * DAY


def _unchanged(old: list[LineBooking], new: list[tuple[str, datetime, datetime]]) -> bool:
    """The same intervals (to the second) on the same lines."""
    if len(old) != len(new):
        return False
    return all(
        b.line_id == n[0]
        and abs(as_utc(b.start_at) - n[1]) <= SAME
        and abs(as_utc(b.end_at) - n[2]) <= SAME
        for b, n in zip(old, new, strict=True)
    )

"""Portfolio replan: every idea's not-started lots on the own lines placed again by priority
(one proposal), and, once a planner approves it, the bookings moved in one serialised
transaction with the overlap check."""

from __future__ import annotations

import functools
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.planning import plan_of, solve_heartbeating
from models.contracts import (
    BookedSpan,
    IdeaReplan,
    PortfolioApply,
    PortfolioProposal,
    PortfolioReplanRequest,
)
from models.db import as_utc, session_scope
from models.names import Act, Err
from models.tables import FactoryLine, LineBooking, ProductionPlan, Trend, utcnow
from services.factory import (
    BOOKING_HOLD,
    DAY,
    ensure_factory,
    holding_bookings,
    idea_priorities,
    serialise_bookings,
)

SAME = timedelta(seconds=1)  # a booking moved by less than this has not moved


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
        what changes for each idea; nothing is written."""
        from engines.scheduling.portfolio import Block, Idea, PortfolioLine, replan_portfolio

        ensure_factory(self.engine)
        now = utcnow()
        with Session(self.engine) as s:
            q = select(FactoryLine).where(col(FactoryLine.active).is_(True))
            if req.process:
                q = q.where(FactoryLine.process == req.process)
            lines = list(s.exec(q))
            ids = {ln.line_id for ln in lines}
            rows = [
                b for b in holding_bookings(s, now) if as_utc(b.end_at) > now and b.line_id in ids
            ]
            flows = sorted({b.workflow_id for b in rows})
            key = {w: k for k, w in enumerate(flows)}
            trend_of = {b.workflow_id: b.trend_id for b in rows}
            revision = {w: max(b.revision for b in rows if b.workflow_id == w) for w in flows}
            plans = {w: plan_of(s, w, revision[w]) for w in flows}
            trends = {
                t.id: t
                for t in s.exec(select(Trend).where(col(Trend.id).in_(set(trend_of.values()))))
            }
        priority = idea_priorities(self.engine, set(trend_of.values()))
        blocks = [
            Block(b.id or 0, key[b.workflow_id], b.line_id, _days(b.start_at, now),
                  _days(b.end_at, now), as_utc(b.start_at) <= now)
            for b in rows
        ]  # fmt: skip
        ideas = []
        for w in flows:
            trend = trends[trend_of[w]]
            due = as_utc(trend.created_at) + trend.due_in_days * DAY
            done, start = _completion_and_start(plans[w], [b for b in rows if b.workflow_id == w])
            ideas.append(
                Idea(key[w], priority.get(trend_of[w], 0.0), _days(due, now),
                     _days(done, now), _days(start, now))
            )  # fmt: skip
        portfolio = [
            PortfolioLine(ln.line_id, ln.process, ln.rate_units_per_day, ln.changeover_days)
            for ln in lines
        ]
        solve = functools.partial(replan_portfolio, blocks, portfolio, ideas)
        result = solve_heartbeating(solve, "portfolio replan")
        proposal = PortfolioProposal(replan_id=req.replan_id, created_at=now, kept=len(result.kept))
        placed: dict[int, list[tuple[str, float, float]]] = defaultdict(list)
        for k, line_id, a, z in result.placed:
            placed[k].append((line_id, a, z))
        by_id = {b.id: b for b in rows}
        for out in result.outcomes:
            w = flows[out.trend_id]
            old = sorted((by_id[b.key] for b in blocks if b.trend_id == out.trend_id
                          and b.key in set(result.replaced)), key=lambda b: (b.line_id, b.start_at))  # fmt: skip
            new = sorted(
                (line_id, now + a * DAY, now + z * DAY) for line_id, a, z in placed[out.trend_id]
            )
            if _unchanged(old, new):
                continue
            last = max(old, key=lambda b: b.revision)
            proposal.replaced += [_span(b) for b in old]
            proposal.bookings += [
                BookedSpan(line_id=line_id, workflow_id=w, trend_id=trend_of[w],
                           revision=last.revision, status=last.status, start_at=a, end_at=z)
                for line_id, a, z in new
            ]  # fmt: skip
            plan = plans[w]
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
    def apply_portfolio_replan(self, req: PortfolioApply) -> int:
        """Move the bookings as approved, all or nothing: refused (StaleReplan) when a replaced
        booking changed or a new one would overlap time someone else holds now. How many
        bookings were written (0 when an earlier attempt already applied it)."""
        p = req.proposal
        moved = f"moved by {p.replan_id}"[:500]
        ids = {r.booking_id for r in p.replaced}
        now = utcnow()
        with session_scope(self.engine) as s:
            serialise_bookings(s)
            rows = {
                b.id: b for b in s.exec(select(LineBooking).where(col(LineBooking.id).in_(ids)))
            }
            if rows and all(b.status == "released" and b.reason == moved for b in rows.values()):
                return 0  # an earlier attempt committed
            for r in p.replaced:
                b = rows.get(r.booking_id)
                if b is None or b.status != r.status or b.line_id != r.line_id:
                    raise _stale(f"booking {r.booking_id} on {r.line_id} was released or changed")
                if abs(as_utc(b.start_at) - r.start_at) > SAME or as_utc(b.start_at) <= now:
                    raise _stale(f"booking {r.booking_id} on {r.line_id} moved or started")
            for n in p.bookings:
                clash = [
                    b for b in holding_bookings(s, now, line_id=n.line_id)
                    if b.id not in ids and as_utc(b.start_at) < n.end_at and as_utc(b.end_at) > n.start_at
                ]  # fmt: skip
                if clash:
                    c = clash[0]
                    raise _stale(f"{n.line_id} is held by {c.workflow_id} from {c.start_at}")
            for b in rows.values():
                b.status, b.reason, b.released_at = "released", moved, now
                s.add(b)
            for n in p.bookings:
                s.add(
                    LineBooking(
                        line_id=n.line_id, workflow_id=n.workflow_id, trend_id=n.trend_id,
                        revision=n.revision, status=n.status, start_at=n.start_at,
                        end_at=n.end_at, reason=moved,
                        expires_at=now + BOOKING_HOLD if n.status == "held" else None,
                    )
                )  # fmt: skip
            for idea in p.ideas:
                _move_plan(s, idea, p.replan_id)
        return len(p.bookings)


def _move_plan(s: Session, idea: IdeaReplan, replan_id: str) -> None:
    """The idea's plan completes when the replan says: ETA, completion day, on time, a note."""
    plan = s.get(ProductionPlan, idea.plan_id) if idea.plan_id else None
    if plan is None or plan.eta is None:
        return
    shift = round((idea.completion_after - idea.completion_before) / DAY)
    plan.eta = as_utc(plan.eta) + (idea.completion_after - idea.completion_before)
    plan.completion_day += shift
    plan.on_time = plan.completion_day <= plan.due_day
    plan.notes = [
        *plan.notes,
        f"{replan_id}: completes {plan.eta.date().isoformat()} (day {plan.completion_day}, "
        f"{'on time' if plan.on_time else 'late'}), was "
        f"{(plan.eta - (idea.completion_after - idea.completion_before)).date().isoformat()}",
    ]
    s.add(plan)


def _completion_and_start(
    plan: ProductionPlan | None, rows: list[LineBooking]
) -> tuple[datetime, datetime]:
    """When an idea's plan completes (its ETA, else its last booking's end) and when its
    production starts (its plan's first Gantt bar, else its first booking)."""
    last = max(as_utc(b.end_at) for b in rows)
    first = min(as_utc(b.start_at) for b in rows)
    if plan is None or plan.eta is None:
        return last, first
    eta = as_utc(plan.eta)
    day0 = eta - (plan.completion_day + 1) * DAY  # the plan's day 0 (plan_row's ETA)
    starts = [float(r[3]) for r in plan.gantt or []]
    return eta, (day0 + min(starts) * DAY) if starts else first


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

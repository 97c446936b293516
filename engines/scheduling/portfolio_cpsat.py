"""The portfolio replan as one CP-SAT model over every idea's not-started lots (issue 21).

Running lots are fixed. Each movable lot either stays exactly where it is booked, or moves:
whole (an idea on time) or in up to `max_pieces` equal pieces (a late idea), each piece on one
line of the lot's process (optional intervals over a few candidate lines), never before the
idea's production starts. No overlap per line. A piece on a line new to the idea pays that
line's changeover first. The objective, in priority × days: Σ priority × lateness of every
idea, plus the changeover days it adds (each charged like `replan_portfolio`'s capacity
weight: Σ priority / lines per line-day), plus a little for every lot moved, so it only moves
what pays. The hint is "change nothing", so any solution is at least as good by the objective;
an answer that is not strictly better (in real days, after rounding to ticks) proposes nothing.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from engines.scheduling.portfolio import (
    CAPACITY_WEIGHT,
    Block,
    Idea,
    Outcome,
    PortfolioLine,
    Proposal,
)

TICKS_PER_DAY = 24  # the model's time unit: an hour
MOVE_WEIGHT_DAYS = 0.05  # moving a lot costs as much as this many days late at mean priority
TIME_LIMIT_S = 3.0


@dataclass
class _Piece:
    """One piece of a moved lot: start and end (ticks) and its presence per candidate line."""

    start: cp_model.IntVar
    end: cp_model.IntVar
    work: cp_model.IntVar  # units
    on: dict[str, tuple[cp_model.IntVar, cp_model.IntVar, int]]  # line → presence, ticks, setup


EPS_TICKS = 1e-12  # float noise of days × ticks; far below a microsecond (2.8e-10 h ticks)


def _ticks(days: float, t: int) -> int:
    return math.floor(days * t + EPS_TICKS)


def _ceil_ticks(days: float, t: int) -> int:
    return math.ceil(days * t - EPS_TICKS)


def _obstacles(spans: Sequence[tuple[float, float, int]], t: int) -> dict[int, tuple[int, int]]:
    """Per key, the [start, end) ticks of fixed or staying time on one line: covering the real
    interval (floor start, ceil end), clipped where rounding would overlap the one before."""
    out, prev = {}, None
    for a, b, key in sorted(spans):
        s, e = _ticks(a, t), _ceil_ticks(b, t)
        if prev is not None:
            s = max(s, prev)
        e = max(e, s)
        out[key], prev = (s, e), e
    return out


def replan_cpsat(
    blocks: Sequence[Block],
    lines: Sequence[PortfolioLine],
    ideas: Sequence[Idea],
    *,
    time_limit_s: float = TIME_LIMIT_S,
    capacity_weight: float = CAPACITY_WEIGHT,
    move_weight_days: float = MOVE_WEIGHT_DAYS,
    ticks_per_day: int = TICKS_PER_DAY,
    max_pieces: int = 3,
    candidate_lines: int = 8,
    workers: int = 2,
    seed: int = 0,
) -> Proposal:
    """The proposal minimising Σ priority × lateness (days) + changeover and move charges, or
    none when nothing beats keeping every booking (see the module docstring)."""
    t = ticks_per_day
    by_line = {ln.line_id: ln for ln in lines}
    by_idea = {i.trend_id: i for i in ideas}
    kept = [b for b in blocks if b.started or b.line_id not in by_line or b.trend_id not in by_idea]
    nothing = Proposal(kept=[b.key for b in blocks if b.started or b.line_id not in by_line])
    fixed = {b.key for b in kept}
    movable = [b for b in blocks if b.key not in fixed]
    if not movable:
        return nothing
    weight = {i.trend_id: max(i.priority, 0.01) for i in ideas}
    mean_w = sum(weight.values()) / len(weight)
    per_line_day = capacity_weight * sum(weight.values()) / max(len(lines), 1)

    spans: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for b in blocks:
        spans[b.line_id].append((b.start_day, b.end_day, b.key))
    ticks: dict[int, tuple[int, int]] = {}
    for parts in spans.values():
        ticks.update(_obstacles(parts, t))
    used: dict[int, set[str]] = defaultdict(set)
    for b in blocks:
        used[b.trend_id].add(b.line_id)
    busy_ticks = {
        ln: sum(max(e, 0) - max(s, 0) for s, e in (ticks[k] for _, _, k in spans.get(ln, [])))
        for ln in by_line
    }
    late = {
        i.trend_id
        for i in ideas
        if i.completion_day > i.due_day + 1e-9 and any(b.trend_id == i.trend_id for b in movable)
    }

    m = cp_model.CpModel()
    horizon = max(e for _, e in ticks.values())
    options: dict[int, list[tuple[str, int, int, int]]] = {}  # block → line, rate, setup, most
    units: dict[int, int] = {}
    for b in movable:
        src = by_line[b.line_id]
        units[b.key] = max(round((b.end_day - b.start_day) * src.rate_units_per_day), 1)
        same = [ln for ln in lines if ln.process == src.process and ln.rate_units_per_day > 0]
        own = [ln for ln in same if ln.line_id in used[b.trend_id]]
        others = sorted(
            (ln for ln in same if ln.line_id not in used[b.trend_id]),
            key=lambda ln: (busy_ticks[ln.line_id], -ln.rate_units_per_day, ln.line_id),
        )[:candidate_lines]
        opts = []
        for ln in [*own, *others]:
            setup = 0 if ln.line_id in used[b.trend_id] else _ceil_ticks(ln.changeover_days, t)
            rate = max(round(ln.rate_units_per_day), 1)
            opts.append((ln.line_id, rate, setup, math.ceil(units[b.key] * t / rate) + setup))
        options[b.key] = opts
        horizon += max(d for *_, d in opts) * (max_pieces if b.trend_id in late else 1)

    stay: dict[int, cp_model.IntVar] = {}
    pieces: dict[int, list[_Piece]] = {}
    on_line: dict[str, list[cp_model.IntervalVar]] = defaultdict(list)
    for b in kept:
        s, e = ticks[b.key]
        if b.line_id in by_line:
            on_line[b.line_id].append(m.new_fixed_size_interval_var(s, e - s, f"k{b.key}"))
    for b in movable:
        s, e = ticks[b.key]
        st = stay[b.key] = m.new_bool_var(f"stay{b.key}")
        on_line[b.line_id].append(m.new_optional_fixed_size_interval_var(s, e - s, st, f"s{b.key}"))
        release = max(_ceil_ticks(by_idea[b.trend_id].release_day, t), 0)
        u = units[b.key]
        mine_pieces: list[_Piece] = []
        for p in range(max_pieces if b.trend_id in late else 1):
            start = m.new_int_var(release, horizon, f"a{b.key}_{p}")
            end = m.new_int_var(release, horizon, f"z{b.key}_{p}")
            work = m.new_int_var(0, u, f"w{b.key}_{p}")
            on: dict[str, tuple[cp_model.IntVar, cp_model.IntVar, int]] = {}
            for line_id, rate, setup, most in options[b.key]:
                x = m.new_bool_var(f"x{b.key}_{p}_{line_id}")
                size = m.new_int_var(0, most, f"d{b.key}_{p}_{line_id}")
                # size = setup + ⌈work / rate⌉ (ticks) on the line it is on, else 0
                m.add(size * rate >= work * t + setup * rate).only_enforce_if(x)
                m.add(size * rate <= work * t + (setup + 1) * rate - 1).only_enforce_if(x)
                m.add(size == 0).only_enforce_if(x.Not())
                on_line[line_id].append(
                    m.new_optional_interval_var(start, size, end, x, f"i{b.key}_{p}_{line_id}")
                )
                on[line_id] = (x, size, setup)
            here = sum(x for x, _, _ in on.values())
            if mine_pieces:  # more pieces only after the ones before, in order of start
                m.add(here <= sum(x for x, _, _ in mine_pieces[-1].on.values()))
                m.add(start >= mine_pieces[-1].start)
            else:
                m.add(here + st == 1)
            m.add(work <= u * here)
            m.add(work >= here)
            m.add(end == start + sum(d for _, d, _ in on.values()))
            mine_pieces.append(_Piece(start, end, work, on))
        m.add(sum(pc.work for pc in mine_pieces) == u * (1 - st))
        for pc in mine_pieces:
            m.add(pc.start == release).only_enforce_if(st)
        pieces[b.key] = mine_pieces
    for ivs in on_line.values():
        m.add_no_overlap(ivs)

    cost: list[cp_model.LinearExprT] = []
    for tid in sorted({b.trend_id for b in movable}):
        idea = by_idea[tid]
        lots = [b for b in movable if b.trend_id == tid]
        old_end = max(_ceil_ticks(b.end_day, t) for b in lots)
        offset = _ticks(idea.completion_day - max(b.end_day for b in lots), t)
        due = _ticks(idea.due_day, t)
        end = m.new_int_var(0, horizon, f"end{tid}")
        for b in lots:
            m.add(end >= _ceil_ticks(b.end_day, t) * stay[b.key])
            for pc in pieces[b.key]:
                m.add(end >= pc.end).only_enforce_if(stay[b.key].Not())
        tardy = m.new_int_var(0, horizon + abs(offset) + abs(due), f"late{tid}")
        m.add(tardy >= end + offset - due)
        cost.append(max(1, round(100 * weight[tid])) * tardy)
        m.add_hint(end, old_end)
        m.add_hint(tardy, max(old_end + offset - due, 0))
    setup_coef = max(1, round(100 * per_line_day / t))
    move_coef = max(1, round(100 * move_weight_days * t * mean_w))
    for b in movable:
        cost.append(move_coef * (1 - stay[b.key]))
        m.add_hint(stay[b.key], 1)
        release = max(_ceil_ticks(by_idea[b.trend_id].release_day, t), 0)
        for pc in pieces[b.key]:
            m.add_hint(pc.start, release)
            m.add_hint(pc.end, release)
            m.add_hint(pc.work, 0)
            for x, size, setup in pc.on.values():
                m.add_hint(x, 0)
                m.add_hint(size, 0)
                if setup:
                    cost.append(setup_coef * setup * x)
    m.minimize(sum(cost))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_search_workers = workers
    solver.parameters.random_seed = seed
    code = solver.solve(m)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return nothing
    proposal = _read(solver, movable, stay, pieces, by_idea, t)
    proposal.kept = nothing.kept
    charge = per_line_day * sum(
        setup / t for b in movable if not solver.boolean_value(stay[b.key])
        for pc in pieces[b.key] for x, _, setup in pc.on.values() if solver.boolean_value(x)
    )  # fmt: skip
    charge += move_weight_days * mean_w * len(proposal.replaced)
    before = sum(weight[o.trend_id] * o.lateness_before for o in proposal.outcomes)
    after = sum(weight[o.trend_id] * o.lateness_after for o in proposal.outcomes)
    if not proposal.replaced or after + charge >= before - 1e-9:
        return nothing
    return proposal


def _read(
    solver: cp_model.CpSolver,
    movable: Sequence[Block],
    stay: dict[int, cp_model.IntVar],
    pieces: dict[int, list[_Piece]],
    by_idea: dict[int, Idea],
    t: int,
) -> Proposal:
    """The moved lots' pieces (merged where they touch on a line) and each idea's outcome."""
    proposal = Proposal()
    for tid in sorted({b.trend_id for b in movable}):
        mine = [b for b in movable if b.trend_id == tid]
        moved = [b for b in mine if not solver.boolean_value(stay[b.key])]
        if not moved:
            continue
        gone = {b.key for b in moved}
        parts: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for b in moved:
            for pc in pieces[b.key]:
                on = [ln for ln, (x, _, _) in pc.on.items() if solver.boolean_value(x)]
                if on:  # a piece left empty is not on any line
                    parts[on[0]].append((solver.value(pc.start), solver.value(pc.end)))
        new_end = max((b.end_day for b in mine if b.key not in gone), default=0.0)
        for line_id in sorted(parts):
            merged: list[list[int]] = []
            for a, z in sorted(parts[line_id]):
                if merged and a <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], z)
                else:
                    merged.append([a, z])
            for a, z in merged:
                proposal.placed.append((tid, line_id, a / t, z / t))
                new_end = max(new_end, z / t)
        idea = by_idea[tid]
        old_end = max(b.end_day for b in mine)
        proposal.replaced += [b.key for b in moved]
        proposal.outcomes.append(
            Outcome(tid, idea.priority, idea.due_day, idea.completion_day,
                    idea.completion_day + new_end - old_end, len(moved))
        )  # fmt: skip
    return proposal

"""The portfolio replan as one CP-SAT model over every idea's not-started lots (issue 21).

Running lots are fixed. Each movable lot either stays exactly where it is booked, or moves:
whole (an idea on time) or in up to `max_pieces` pieces of any size (a late idea), each on one
line of the lot's process (optional intervals over a few candidate lines), never before the
idea's production starts. No overlap per line. A piece on a line new to the idea pays that
line's changeover first. The objective, in priority × days: Σ priority × lateness of every
idea (and, shared among its lots, of each lot), plus the line-days a moved lot takes beyond its
time on its own line (changeovers, slower lines; charged like `replan_greedy`'s capacity
weight: Σ priority / lines per line-day), plus a little for every lot moved, so it only moves
what pays. The hint is the better of "change nothing" and a priority resequencing per line,
and the objective is bounded by "change nothing"; an answer whose net gain (`net_gain`, in
real days after rounding to ticks) less its move charge is not positive proposes nothing.
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
    net_gain,
)

TICKS_PER_DAY = 24  # the model's time unit: an hour
MOVE_WEIGHT_DAYS = 0.002  # moving a lot costs as much as this many days late at mean priority
# each lot's own lateness counts too (the idea's weight × this, shared among its lots): an idea
# spread over many lines completes with its last lot, and without this the search sees no gain
# until every lot ends sooner
LOT_SHARE = 1.0
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


def _resequence(
    movable: Sequence[Block],
    kept: Sequence[Block],
    ticks: dict[int, tuple[int, int]],
    length: dict[int, int],
    release: dict[int, int],
    weight: dict[int, float],
    late: set[int],
) -> dict[int, int]:
    """A second hint: on each line, highest priority first, a late idea's lot starts at the
    earliest gap (when sooner), any other lot stays unless that time was taken, then takes the
    earliest gap; whole, on its own line. The lots that move → their new start tick."""
    busy: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for b in kept:
        busy[b.line_id].append(ticks[b.key])
    moved: dict[int, int] = {}
    for b in sorted(movable, key=lambda b: (-weight[b.trend_id], b.start_day, b.key)):
        here = sorted(busy[b.line_id])
        s, e = ticks[b.key]
        gap = _gap(here, release[b.key], length[b.key])
        clash = any(min(e, z) > max(s, a) for a, z in here)
        if (b.trend_id in late and gap < s) or clash:
            moved[b.key] = gap
            busy[b.line_id].append((gap, gap + length[b.key]))
        else:
            busy[b.line_id].append((s, e))
    return moved


def _gap(busy: list[tuple[int, int]], release: int, length: int) -> int:
    """The earliest start ≥ release of `length` ticks free between busy intervals (sorted)."""
    t = release
    for a, z in busy:
        if t + length <= a:
            return t
        t = max(t, z)
    return t


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
    candidate_lines: int = 6,
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

    lots_of = {tid: sum(b.trend_id == tid for b in movable) for tid in by_idea}
    # a late idea may split its lots (fewer pieces the more lots it has already spread over)
    n_pieces = {
        b.key: (max_pieces if lots_of[b.trend_id] <= 2 else min(max_pieces, 2))
        if b.trend_id in late and lots_of[b.trend_id] <= 6
        else 1
        for b in movable
    }
    m = cp_model.CpModel()
    horizon = max(e for _, e in ticks.values())
    options: dict[int, list[tuple[str, int, int, int]]] = {}  # block → line, rate, setup, most
    units: dict[int, int] = {}
    for b in movable:
        src = by_line[b.line_id]
        units[b.key] = max(math.ceil((b.end_day - b.start_day) * src.rate_units_per_day - 1e-6), 1)
        same = [
            ln
            for ln in lines
            if ln.process == src.process and ln.rate_units_per_day > 0 and ln.takes(b.trend_id)
        ]
        others = sorted(
            (ln for ln in same if ln.line_id != b.line_id),
            key=lambda ln: (busy_ticks[ln.line_id], -ln.rate_units_per_day, ln.line_id),
        )[:candidate_lines]
        opts = []
        for ln in [src, *others]:
            setup = 0 if ln.line_id in used[b.trend_id] else _ceil_ticks(ln.changeover_days, t)
            rate = max(round(ln.rate_units_per_day), 1)
            opts.append((ln.line_id, rate, setup, math.ceil(units[b.key] * t / rate) + setup))
        options[b.key] = opts
        horizon += max(d for *_, d in opts) * n_pieces[b.key]

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
        for p in range(n_pieces[b.key]):
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

    # the objective, in (priority / 100) × ticks
    cost: list[cp_model.LinearExprT] = []
    coef: dict[int, int] = {}
    share: dict[int, int] = {}
    shape: dict[int, tuple[int, int]] = {}  # idea → offset (completion − own-line end), due
    ends: dict[int, tuple[cp_model.IntVar, cp_model.IntVar]] = {}  # idea → end, tardiness
    lot_ends: dict[int, tuple[cp_model.IntVar, cp_model.IntVar]] = {}  # lot → end, lateness
    for tid in sorted({b.trend_id for b in movable}):
        idea = by_idea[tid]
        lots = [b for b in movable if b.trend_id == tid]
        shape[tid] = (
            _ticks(idea.completion_day - max(b.end_day for b in lots), t),
            _ticks(idea.due_day, t),
        )
        offset, due = shape[tid]
        top = horizon + abs(offset) + abs(due)
        end = m.new_int_var(0, horizon, f"end{tid}")
        coef[tid] = max(1, round(100 * weight[tid]))
        share[tid] = max(1, round(100 * weight[tid] * LOT_SHARE / len(lots)))
        for b in lots:
            lot_end = m.new_int_var(0, horizon, f"end{tid}_{b.key}")
            m.add(lot_end >= _ceil_ticks(b.end_day, t) * stay[b.key])
            for pc in pieces[b.key]:
                m.add(lot_end >= pc.end).only_enforce_if(stay[b.key].Not())
            m.add(end >= lot_end)
            lot_late = m.new_int_var(0, top, f"late{tid}_{b.key}")
            m.add(lot_late >= lot_end + offset - due)
            cost.append(share[tid] * lot_late)
            lot_ends[b.key] = (lot_end, lot_late)
        tardy = m.new_int_var(0, top, f"late{tid}")
        m.add(tardy >= end + offset - due)
        cost.append(coef[tid] * tardy)
        ends[tid] = (end, tardy)
    # line time a moved lot takes beyond its time on its own line (changeovers, slower lines)
    line_coef = max(1, round(100 * per_line_day / t))
    move_coef = max(1, round(100 * move_weight_days * t * mean_w))
    own_ticks = {b.key: options[b.key][0][3] for b in movable}  # whole, on its own line
    for b in movable:
        cost.append(move_coef * (1 - stay[b.key]))
        taken = sum(size for pc in pieces[b.key] for _, size, _ in pc.on.values())
        cost.append(line_coef * (taken - own_ticks[b.key] * (1 - stay[b.key])))
    m.minimize(sum(cost))

    ready = {b.key: max(_ceil_ticks(by_idea[b.trend_id].release_day, t), 0) for b in movable}

    def value(plan: dict[int, int]) -> int:
        """The objective of keeping every lot but those in plan, moved whole on its own line
        to start at the tick given."""
        total = move_coef * len(plan)
        for tid, (offset, due) in shape.items():
            lot_end = {
                b.key: plan[b.key] + own_ticks[b.key]
                if b.key in plan
                else _ceil_ticks(b.end_day, t)
                for b in movable
                if b.trend_id == tid
            }
            total += coef[tid] * max(max(lot_end.values()) + offset - due, 0)
            total += share[tid] * sum(max(e + offset - due, 0) for e in lot_end.values())
        return total

    keep_all: dict[int, int] = {}
    resequenced = _resequence(movable, kept, ticks, own_ticks, ready, weight, late)
    no_change = value(keep_all)
    m.add(sum(cost) <= no_change)  # never worse than changing nothing
    plan = resequenced if value(resequenced) < no_change else keep_all
    for b in movable:
        moved = b.key in plan
        m.add_hint(stay[b.key], 0 if moved else 1)
        begin = plan.get(b.key, ready[b.key])
        for p, pc in enumerate(pieces[b.key]):
            whole = moved and p == 0
            m.add_hint(pc.start, begin)
            m.add_hint(pc.end, begin + (own_ticks[b.key] if whole else 0))
            m.add_hint(pc.work, units[b.key] if whole else 0)
            for k, (x, size, _) in enumerate(pc.on.values()):
                m.add_hint(x, 1 if whole and k == 0 else 0)
                m.add_hint(size, own_ticks[b.key] if whole and k == 0 else 0)
        finish = begin + own_ticks[b.key] if moved else _ceil_ticks(b.end_day, t)
        lag = finish + shape[b.trend_id][0] - shape[b.trend_id][1]
        m.add_hint(lot_ends[b.key][0], finish)
        m.add_hint(lot_ends[b.key][1], max(lag, 0))
    for tid, (idea_end, idea_late) in ends.items():
        last = max(
            plan[b.key] + own_ticks[b.key] if b.key in plan else _ceil_ticks(b.end_day, t)
            for b in movable
            if b.trend_id == tid
        )
        m.add_hint(idea_end, last)
        m.add_hint(idea_late, max(last + shape[tid][0] - shape[tid][1], 0))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_search_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.cp_model_probing_level = 0  # probing costs seconds on 2k optional intervals
    code = solver.solve(m)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return nothing
    proposal = _read(solver, movable, stay, pieces, by_idea, t)
    proposal.kept = nothing.kept
    charge = move_weight_days * mean_w * len(proposal.replaced)
    gain = net_gain(proposal, blocks, lines, ideas, capacity_weight)
    if not proposal.replaced or gain - charge <= 1e-9:
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

"""CP-SAT core for a Problem: optional intervals, no-overlap per machine, campaigns, hints."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from engines.scheduling import local
from engines.scheduling.problem import Problem, Solution, job_end, objective, weights

Var = cp_model.IntVar


@dataclass
class _Model:
    """The CP-SAT model and the variables a solution is read from."""

    m: cp_model.CpModel
    horizon: int
    start: dict[tuple[int, int], Var] = field(default_factory=dict)
    end: dict[tuple[int, int], Var] = field(default_factory=dict)
    pres: dict[tuple[int, int, int], Var] = field(default_factory=dict)
    on_machine: list[list[tuple[tuple[int, int], Var, cp_model.IntervalVar]]] = field(
        default_factory=list
    )
    blocks: dict[tuple[int, int], tuple[Var, Var, Var]] = field(default_factory=dict)
    used: dict[int, Var] = field(default_factory=dict)
    sizes: dict[tuple[int, int], Var] = field(default_factory=dict)
    makespan: Var | None = None
    tardy: list[Var] = field(default_factory=list)


def _operations(p: Problem, md: _Model) -> None:
    """Start/end per operation, one optional interval per alternative, stage precedence."""
    m, h = md.m, md.horizon
    md.on_machine = [[] for _ in range(p.n_machines)]
    for j, stages in enumerate(p.jobs):
        for s, alts in enumerate(stages):
            lo = p.job_release[j] if s == 0 else 0
            st, en = m.new_int_var(lo, h, f"s{j}_{s}"), m.new_int_var(0, h, f"e{j}_{s}")
            md.start[(j, s)], md.end[(j, s)] = st, en
            lits = []
            for mach, dur in alts.items():
                lit = m.new_constant(1) if len(alts) == 1 else m.new_bool_var(f"p{j}_{s}_{mach}")
                iv = m.new_optional_interval_var(st, dur, en, lit, f"i{j}_{s}_{mach}")
                md.pres[(j, s, mach)] = lit
                md.on_machine[mach].append(((j, s), lit, iv))
                lits.append(lit)
            m.add_exactly_one(lits)
            if s:
                m.add(st >= md.end[(j, s - 1)])


def _stage_cumulatives(p: Problem, md: _Model) -> None:
    """Redundant cumulative per set of parallel machines: strengthens the makespan bound."""
    m, pools = md.m, dict[frozenset[int], list[tuple[int, int]]]()
    for j, stages in enumerate(p.jobs):
        for s, alts in enumerate(stages):
            if len(alts) > 1:
                pools.setdefault(frozenset(alts), []).append((j, s))
    for machines, keys in pools.items():
        ivs = []
        for j, s in keys:
            alts = p.jobs[j][s]
            size = m.new_int_var(min(alts.values()), max(alts.values()), f"z{j}_{s}")
            m.add(size == sum(d * md.pres[(j, s, k)] for k, d in alts.items()))
            md.sizes[(j, s)] = size
            ivs.append(m.new_interval_var(md.start[(j, s)], size, md.end[(j, s)], f"c{j}_{s}"))
        m.add_cumulative(ivs, [1] * len(ivs), len(machines))


def _machines(p: Problem, md: _Model) -> None:
    """No-overlap per machine with its blocked intervals and its release tick."""
    m = md.m
    for mach, ops in enumerate(md.on_machine):
        fixed = [
            m.new_fixed_size_interval_var(a, b - a, f"b{mach}_{a}")
            for a, b in p.blocked[mach]
            if a < md.horizon and b > a
        ]
        if p.release[mach] > 0:
            fixed.append(m.new_fixed_size_interval_var(0, p.release[mach], f"r{mach}"))
        if len(ops) + len(fixed) > 1:
            m.add_no_overlap([iv for _, _, iv in ops] + fixed)


def _campaigns(p: Problem, md: _Model) -> None:
    """Per (group, machine) with a setup: an optional block holding setup + that group's work."""
    m, h = md.m, md.horizon
    for mach, ops in enumerate(md.on_machine):
        setup = p.setup[mach]
        groups = sorted({p.group[j] for (j, _), _, _ in ops})
        if setup <= 0 or not ops:
            continue
        blocks = []
        for g in groups:
            mine = [(key, lit) for key, lit, _ in ops if p.group[key[0]] == g]
            if len(mine) == 1:  # one operation: its setup directly precedes it
                (key, lit), dur = mine[0], p.jobs[mine[0][0][0]][mine[0][0][1]][mach]
                st = md.start[key]
                m.add(st >= p.release[mach] + setup).only_enforce_if(lit)
                blocks.append(
                    m.new_optional_interval_var(st - setup, dur + setup, md.end[key], lit, "x")
                )
                continue
            b = m.new_bool_var(f"u{g}_{mach}")
            bs = m.new_int_var(p.release[mach], h, f"bs{g}_{mach}")
            be = m.new_int_var(0, h, f"be{g}_{mach}")
            size = m.new_int_var(setup, h, f"bz{g}_{mach}")
            blocks.append(m.new_optional_interval_var(bs, size, be, b, f"bk{g}_{mach}"))
            md.blocks[(g, mach)] = (b, bs, be)
            m.add_bool_or([lit for _, lit in mine]).only_enforce_if(b)
            for key, lit in mine:
                m.add_implication(lit, b)
                m.add(md.start[key] >= bs + setup).only_enforce_if(lit)
                m.add(md.end[key] <= be).only_enforce_if(lit)
        if len(blocks) > 1:
            m.add_no_overlap(blocks)


def _objective(p: Problem, md: _Model) -> None:
    """Weighted lexicographic objective: tardiness, then makespan, then cost of used machines."""
    m, h = md.m, md.horizon
    ends = [md.end[(j, len(st) - 1)] for j, st in enumerate(p.jobs)]
    md.makespan = m.new_int_var(0, h, "makespan")
    m.add_max_equality(md.makespan, ends)
    wt, wm, wc = weights(p, h)
    for g, due in enumerate(p.due):
        if due is None or wt == 0:
            continue
        t = m.new_int_var(0, h, f"t{g}")
        for j, gj in enumerate(p.group):
            if gj == g:
                m.add(t >= ends[j] - due)
        md.tardy.append(t)
    for mach, ops in enumerate(md.on_machine):
        if p.cost[mach] > 0 and ops:
            u = m.new_bool_var(f"used{mach}")
            for _, lit, _ in ops:
                m.add_implication(lit, u)
            md.used[mach] = u
    for mach, ops in enumerate(md.on_machine):
        load = [p.jobs[j][s][mach] * lit for (j, s), lit, _ in ops]
        if len(load) > 1:  # redundant: a machine's work fits before the makespan (LP bound)
            m.add(sum(load) + p.release[mach] <= md.makespan)
    cost = sum(p.cost[k] * u for k, u in md.used.items())
    m.minimize(wt * sum(md.tardy) + wm * md.makespan + wc * cost)


def _hint(p: Problem, md: _Model, sol: Solution) -> None:
    """Warm start from a (greedy) solution: machine choice, times, campaigns, objective terms."""
    m = md.m
    for (j, s), (mach, st, en) in sol.ops.items():
        m.add_hint(md.start[(j, s)], st)
        m.add_hint(md.end[(j, s)], en)
        for other in p.jobs[j][s]:
            lit = md.pres[(j, s, other)]
            if len(p.jobs[j][s]) > 1:
                m.add_hint(lit, int(other == mach))
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for (j, _), (mach, st, en) in sol.ops.items():
        key = (p.group[j], mach)
        lo, hi = spans.get(key, (st, en))
        spans[key] = (min(lo, st), max(hi, en))
    for (g, mach), (b, bs, be) in md.blocks.items():
        span = spans.get((g, mach))
        m.add_hint(b, int(span is not None))
        m.add_hint(bs, span[0] - p.setup[mach] if span else p.release[mach])
        m.add_hint(be, span[1] if span else p.release[mach] + p.setup[mach])
    for key, size in md.sizes.items():
        m.add_hint(size, sol.ops[key][2] - sol.ops[key][1])
    if md.makespan is not None:
        m.add_hint(md.makespan, sol.makespan)
    ends = [0] * p.n_groups
    for j, g in enumerate(p.group):
        ends[g] = max(ends[g], job_end(p, sol, j))
    dues = [(g, d) for g, d in enumerate(p.due) if d is not None and md.tardy]
    for t, (g, due) in zip(md.tardy, dues, strict=True):
        m.add_hint(t, max(0, ends[g] - due))
    used = {mach for mach, _, _ in sol.ops.values()}
    for mach, u in md.used.items():
        m.add_hint(u, int(mach in used))


def build(p: Problem, horizon: int, hint: Solution | None = None, makespan_lb: int = 0) -> _Model:
    """The full CP-SAT model of a Problem over [0, horizon) ticks."""
    md = _Model(cp_model.CpModel(), horizon)
    _operations(p, md)
    _machines(p, md)
    _stage_cumulatives(p, md)
    _campaigns(p, md)
    _objective(p, md)
    if makespan_lb and md.makespan is not None:  # a valid cut known from outside (fluid bound)
        md.m.add(md.makespan >= min(makespan_lb, horizon))
    if hint is not None:
        _hint(p, md, hint)
    return md


def solve(
    p: Problem,
    *,
    hint: Solution | None = None,
    horizon: int | None = None,
    time_limit_s: float = 10.0,
    workers: int = 2,
    seed: int = 0,
    makespan_lb: int = 0,
    local_search_s: float = 0.0,
) -> Solution:
    """Solve with CP-SAT within time_limit_s seconds; never worse than the hint, if one is given.

    local_search_s of those seconds first polish the hint on flow lines (engines.scheduling.local).
    """
    h = horizon or (hint.makespan if hint else sum(max(a.values()) for st in p.jobs for a in st))
    t0 = time.perf_counter()
    if hint is not None and local_search_s > 0:
        hint = local.improve(p, hint, min(local_search_s, time_limit_s / 2), seed)
    md = build(p, h, hint, makespan_lb)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit_s - (time.perf_counter() - t0), 0.1)
    solver.parameters.num_search_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.cp_model_probing_level = 0  # probing costs seconds on 10k optional intervals
    code = solver.solve(md.m)
    status = solver.status_name(code)
    wall = time.perf_counter() - t0
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if hint is None:
            raise RuntimeError(f"CP-SAT found no schedule ({status})")
        bound = float(weights(p, h)[1] * makespan_lb)  # the outside cut still bounds the objective
        value = float(objective(p, hint, h))
        return Solution(dict(hint.ops), value, bound, f"GREEDY ({status})", wall)
    ops = {}
    for (j, s), st in md.start.items():
        mach = next(k for k in p.jobs[j][s] if solver.boolean_value(md.pres[(j, s, k)]))
        ops[(j, s)] = (mach, solver.value(st), solver.value(md.end[(j, s)]))
    sol = Solution(ops, solver.objective_value, solver.best_objective_bound, status, wall)
    assert all(job_end(p, sol, j) <= h for j in range(len(p.jobs)))
    kept = float(objective(p, hint, h)) if hint is not None else None
    if hint is not None and kept is not None and kept < solver.objective_value:
        # CP-SAT may drop a hint it cannot repair in time and stop at a worse first solution
        return Solution(dict(hint.ops), kept, sol.bound, f"{status} (hint kept)", wall)
    return sol

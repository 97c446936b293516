"""`python -m bench.scheduling`: greedy vs CP-SAT makespan (hours) and CP-SAT gap to its bound.

The bound is CP-SAT's own objective bound; the model carries the best valid lower bound of
engines.scheduling.bounds as a cut (fluid stage capacity raised by pipeline fill and drain, and
the lot-transfer bound of two stages), so the solver's bound is at least that. Of the CP-SAT
seconds, `--local-search` first polish the greedy (engines.scheduling.local), counted in them.
`--lp` also prints the LP relaxation of each stage's line assignment with integer durations, to
show how much any per-stage capacity bound can give. `--proven K` instead solves K small instances
of the same family (8 orders, 2 lines per stage) to proven optimality and prints how far the
best lower bound and the polished greedy fall from each optimum (on these, whole-lot packing
weighs more than on the bench: a hint of which side of the gap is slack, not a proof).
`--stages cut,sew` (or any of the three) keeps only those stages of the same orders and lines.
Each run also prints where each stage's hours go in the CP-SAT plan (see `losses`): the gap of
the bottleneck stage is its start, gap, tail and rounding hours.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.optimize import linprog

from engines.scheduling import cpsat
from engines.scheduling.bounds import (
    lot_transfer_lower_bound,
    makespan_lower_bound,
    pipeline_lower_bound,
)
from engines.scheduling.lines import Line
from engines.scheduling.local import improve
from engines.scheduling.orders import (
    TICKS_PER_DAY,
    TICKS_PER_HOUR,
    Order,
    build_orders,
    fluid_lower_bound,
)
from engines.scheduling.problem import greedy

STAGES = ("cut", "sew", "pack")


def hours(ticks: float) -> float:
    """Ticks as hours (TICKS_PER_HOUR ticks to the hour)."""
    return ticks / TICKS_PER_HOUR


def instance(
    orders: int,
    lines_per_stage: int,
    changeover_h: float,
    seed: int,
    stages: tuple[str, ...] = STAGES,
):
    """Random orders (500–5,000 units, one lot) on lines of 800–2,400 units/day per stage.

    `stages` keeps some of cut, sew, pack: the same lines and orders, the others left out.
    """
    rng = np.random.default_rng(seed)
    lines = [
        Line(
            f"{p}-{k + 1}",
            "bench",
            p,
            float(rng.integers(800, 2400)),
            ramp_days=0,
            changeover_days=changeover_h / 24,
            available_from_day=int(rng.integers(0, 2)),
        )
        for p in STAGES
        for k in range(lines_per_stage)
    ]
    qty = rng.integers(500, 5000, size=orders)
    kept = [ln for ln in lines if ln.process in stages]
    return build_orders([Order(f"O{i}", int(q), stages, lots=1) for i, q in enumerate(qty)], kept)


def stage_lps(built) -> list[int]:  # type: ignore[no-untyped-def]
    """Per stage: min T with lots fractionally on lines, Σ ticks ≤ T − start − shortest tail."""
    p, out = built.problem, []
    for s in range(len(p.jobs[0])):
        jobs = range(len(p.jobs))
        pairs = [(j, m) for j in jobs for m in p.jobs[j][s]]
        machines = sorted({m for _, m in pairs})
        head = min(p.job_release[j] + sum(min(a.values()) for a in p.jobs[j][:s]) for j in jobs)
        tail = min(sum(min(a.values()) for a in p.jobs[j][s + 1 :]) for j in jobs)
        row = {m: k for k, m in enumerate(machines)}
        a_ub = np.zeros((len(machines), len(pairs) + 1))
        a_eq = np.zeros((len(p.jobs), len(pairs) + 1))
        for v, (j, m) in enumerate(pairs):
            a_ub[row[m], v], a_eq[j, v] = p.jobs[j][s][m], 1.0
        a_ub[:, -1] = -1.0
        b_ub = [-(max(p.release[m], head) + tail) for m in machines]
        cost = np.zeros(len(pairs) + 1)
        cost[-1] = 1.0
        r = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=np.ones(len(p.jobs)))
        out.append(int(np.ceil(r.fun - 1e-6)))
    return out


LOSSES = ("work", "release", "start", "gaps", "tail", "rounding")


def losses(built, sol) -> list[dict[str, float]]:  # type: ignore[no-untyped-def]
    """Per stage: the makespan split into stage-equivalent hours (rate-weighted over its lines).

    work: units / pooled rate; release: lines not yet available; start: released but before
    their first lot; gaps: idle between lots (blocked time such as days off included); tail:
    after their last lot until the makespan; rounding: whole-tick durations beyond units / rate.
    The parts add up to the makespan. A line with no lot counts all its time after release as
    tail.
    """
    p, out = built.problem, []
    for s in range(len(p.jobs[0])):
        machines = sorted({m for st in p.jobs for m in st[s]})
        rate = {m: built.rates_per_day[m] / TICKS_PER_DAY for m in machines}
        ops: dict[int, list[tuple[int, int, int]]] = {m: [] for m in machines}
        for (j, stage), (m, st, en) in sol.ops.items():
            if stage == s:
                ops[m].append((st, en, built.lots[j][2]))
        part = dict.fromkeys(LOSSES, 0.0)
        for m, mine in ops.items():
            r, rel = rate[m], p.release[m]
            part["release"] += r * rel
            if not mine:
                part["tail"] += r * (sol.makespan - rel)
                continue
            first, last = min(o[0] for o in mine), max(o[1] for o in mine)
            busy, units = sum(en - st for st, en, _ in mine), sum(u for _, _, u in mine)
            part["start"] += r * (first - rel)
            part["gaps"] += r * (last - first - busy)
            part["tail"] += r * (sol.makespan - last)
            part["rounding"] += r * busy - units
            part["work"] += units
        pooled = sum(rate.values())
        out.append({k: hours(v / pooled) for k, v in part.items()})
    return out


def proven(k: int, changeover_h: float, workers: int) -> None:
    """Small instances solved to optimality: bound and heuristic distance to the optimum."""
    below, above = [], []
    for seed in range(k):
        p = (built := instance(8, 2, changeover_h, seed)).problem
        heuristic = improve(p, greedy(p), 0.5)
        lb = makespan_lower_bound(built)
        sol = cpsat.solve(
            p, hint=heuristic, horizon=heuristic.makespan, time_limit_s=30.0, workers=workers
        )
        if sol.status != "OPTIMAL":
            print(
                f"seed {seed}: not proven in 30 s ({hours(sol.makespan):.2f} h, "
                f"bound {hours(sol.bound):.2f} h)"
            )
            continue
        below.append((sol.makespan - lb) / sol.makespan)
        above.append((heuristic.makespan - sol.makespan) / sol.makespan)
        print(
            f"seed {seed}: optimum {hours(sol.makespan):.2f} h, lower bound {hours(lb):.2f} h "
            f"({below[-1]:.1%} below), greedy + 0.5 s local search "
            f"{hours(heuristic.makespan):.2f} h ({above[-1]:.1%} above)"
        )
    if below:
        print(
            f"{len(below)} proven: bound {np.mean(below):.1%} below the optimum on average, "
            f"heuristic {np.mean(above):.1%} above"
        )


def main() -> None:
    """Print greedy and CP-SAT figures for one instance."""
    ap = argparse.ArgumentParser(prog="python -m bench.scheduling")
    ap.add_argument("--orders", type=int, default=200)
    ap.add_argument("--lines", type=int, default=36, help="total lines, split over 3 stages")
    ap.add_argument("--time-limit", type=float, default=10.0, help="CP-SAT seconds")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--local-search", type=float, default=3.0, help="of the CP-SAT seconds, polishing first"
    )
    ap.add_argument("--changeover-hours", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--stages", default=",".join(STAGES), help="some of cut,sew,pack (same lines and orders)"
    )
    ap.add_argument("--lp", action="store_true", help="print per-stage LP relaxation bounds")
    ap.add_argument("--proven", type=int, default=0, metavar="K", help="K small proven instances")
    a = ap.parse_args()
    if a.proven:
        proven(a.proven, a.changeover_hours, a.workers)
        return
    stages = tuple(a.stages.split(","))
    if not stages or any(st not in STAGES for st in stages):
        ap.error(f"--stages: some of {','.join(STAGES)}")
    built = instance(a.orders, a.lines // len(STAGES), a.changeover_hours, a.seed, stages)
    p = built.problem
    t0 = time.perf_counter()
    warm = greedy(p)
    greedy_s = time.perf_counter() - t0
    fluid, pipeline = fluid_lower_bound(built), pipeline_lower_bound(built)
    lot_transfer = lot_transfer_lower_bound(built)
    sol = cpsat.solve(
        p,
        hint=warm,
        horizon=warm.makespan,
        time_limit_s=a.time_limit,
        workers=a.workers,
        makespan_lb=max(pipeline, lot_transfer),
        local_search_s=a.local_search,
    )
    gap = (sol.makespan - sol.bound) / sol.makespan
    print(
        f"instance: {a.orders} orders × {len(stages)} stages ({a.stages}) × "
        f"{a.lines // len(STAGES) * len(stages)} lines, "
        f"changeover {a.changeover_hours:g} h, seed {a.seed}"
    )
    print(f"greedy: {greedy_s * 1000:.1f} ms, makespan {hours(warm.makespan):.2f} h")
    print(
        f"cp-sat: {sol.wall_s:.1f} s (limit {a.time_limit:g} s incl. {a.local_search:g} s local "
        f"search, {a.workers} workers), "
        f"makespan {hours(sol.makespan):.2f} h, bound {hours(sol.bound):.2f} h, status {sol.status}"
    )
    print(
        f"bounds: fluid {hours(fluid):.2f} h, pipeline {hours(pipeline):.2f} h, "
        f"lot transfer {hours(lot_transfer):.2f} h "
        "(the larger is a cut in the model)"
    )
    if a.lp:
        print(
            "stage LP relaxations (integer durations): "
            + ", ".join(f"{hours(t):.2f}" for t in stage_lps(built))
            + " h"
        )
    print("where each stage's hours go in the cp-sat plan (rate-weighted over its lines):")
    for name, part in zip(stages, losses(built, sol), strict=True):
        print(f"  {name}: " + ", ".join(f"{k} {part[k]:.1f}" for k in LOSSES) + " h")
    print(f"ratio greedy/cp-sat makespan: {warm.makespan / sol.makespan:.3f}")
    print(f"cp-sat gap to bound: {gap:.2%} (target ≤ 3%)")


if __name__ == "__main__":
    main()

"""`python -m bench.scheduling`: greedy vs CP-SAT makespan (hours) and CP-SAT gap to its bound."""

from __future__ import annotations

import argparse
import time

import numpy as np

from engines.scheduling import cpsat
from engines.scheduling.lines import Line
from engines.scheduling.orders import Order, build_orders, fluid_lower_bound
from engines.scheduling.problem import greedy

STAGES = ("cut", "sew", "pack")


def instance(orders: int, lines_per_stage: int, changeover_h: float, seed: int):
    """Random orders (500–5,000 units, one lot) on lines of 800–2,400 units/day per stage."""
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
    return build_orders([Order(f"O{i}", int(q), STAGES, lots=1) for i, q in enumerate(qty)], lines)


def main() -> None:
    """Print greedy and CP-SAT figures for one instance."""
    ap = argparse.ArgumentParser(prog="python -m bench.scheduling")
    ap.add_argument("--orders", type=int, default=200)
    ap.add_argument("--lines", type=int, default=36, help="total lines, split over 3 stages")
    ap.add_argument("--time-limit", type=float, default=10.0, help="CP-SAT seconds")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--changeover-hours", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    built = instance(a.orders, a.lines // len(STAGES), a.changeover_hours, a.seed)
    p = built.problem
    t0 = time.perf_counter()
    warm = greedy(p)
    greedy_s = time.perf_counter() - t0
    fluid = fluid_lower_bound(built)
    sol = cpsat.solve(
        p,
        hint=warm,
        horizon=warm.makespan,
        time_limit_s=a.time_limit,
        workers=a.workers,
        makespan_lb=fluid,
    )
    gap = (sol.makespan - sol.bound) / sol.makespan
    print(
        f"instance: {a.orders} orders × {len(STAGES)} stages × {a.lines} lines, "
        f"changeover {a.changeover_hours:g} h, seed {a.seed}"
    )
    print(f"greedy: {greedy_s * 1000:.1f} ms, makespan {warm.makespan} h")
    print(
        f"cp-sat: {sol.wall_s:.1f} s (limit {a.time_limit:g} s, {a.workers} workers), "
        f"makespan {sol.makespan} h, bound {sol.bound:.0f} h, status {sol.status}"
    )
    print(f"fluid capacity bound (a cut in the model): {fluid} h")
    print(f"ratio greedy/cp-sat makespan: {warm.makespan / sol.makespan:.3f}")
    print(f"cp-sat gap to bound: {gap:.2%} (target ≤ 3%)")


if __name__ == "__main__":
    main()

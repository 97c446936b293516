"""`python -m bench.sourcing [sizes...]`: exact match latency (pruned, DP or MILP) vs a brute-force scan."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable

import numpy as np

from engines.sourcing import (
    HUBS,
    NoFeasibleSuppliers,
    SupplierArrays,
    SupplierIndex,
    Weights,
    effective_unit_cost_usd,
    generate_yiwu_arrays,
    match_suppliers,
    travel_minutes,
)
from engines.sourcing.optimise import greedy_fill

SIZES = (10_000, 100_000, 2_100_000)
REQUESTS: list[tuple[list[str], float]] = [
    (["plush_sewing", "stuffing", "embroidery", "packaging"], 0.02),
    (["injection_moulding", "mould_making", "electronics_assembly", "packaging"], 0.01),
    (["straw_weaving", "hat_blocking", "printing"], 0.005),
    (["3d_printing", "assembly"], 0.002),
    (["textile_cutting", "textile_dyeing", "plush_sewing"], 0.015),
    (["metal_stamping", "ceramic_glazing", "packaging", "printing"], 0.008),
]
W = Weights()


def demand_units(n: int, share: float) -> int:
    """Demand units/day scaled to the network (share of ~5,000 units/day per 1,000 suppliers)."""
    return max(500, int(round(n * 5 * share, -2)))


def scan_match(a: SupplierArrays, processes: list[str], demand: int, limit: float) -> float:
    """Brute force: every supplier, every hub, no index or pruning; greedy cost USD/unit."""
    best = np.inf
    for lat, lon in HUBS.values():
        t_all = travel_minutes(lat, lon, a.lat, a.lon)
        t_cap = t_all[a.cap_row]
        total = 0.0
        for p in processes:
            ci = np.flatnonzero((a.cap_process == a.processes.index(p)) & (t_cap <= limit))
            rows = a.cap_row[ci]
            eff = effective_unit_cost_usd(
                a.cap_usd[ci], t_cap[ci], a.lead_days[rows], a.quality[rows], W
            )
            order = np.argsort(eff)
            take = greedy_fill(a.cap_units[ci][order], demand)
            total = np.inf if take.sum() < demand else total + float(np.dot(take, eff[order]))
        best = min(best, total / demand)
    return best


def timed(fn: Callable[[], object]) -> float:
    """Wall seconds of one call."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def pct(xs: list[float], q: float) -> float:
    """Percentile q of xs, in ms."""
    return float(np.percentile(xs, q)) * 1000.0


def _match(index: SupplierIndex, procs: list[str], demand: int) -> str:
    """One match: how it was solved, or "infeasible" (timed all the same)."""
    try:
        return match_suppliers(procs, demand, index).method
    except NoFeasibleSuppliers:
        return "infeasible"


def _forget(index: SupplierIndex, isochrones: bool) -> None:
    """Drop the ranked candidates (and the isochrones when asked) the index has cached."""
    for key in [k for k in index.memo if k[0] == "ranked" or isochrones]:
        del index.memo[key]
    if isochrones:
        index._reach.clear()


def run(n: int, repeats: int) -> None:
    """Generate, index, then time cold / isochrones-cached / steady matches and the scan."""
    t0 = time.perf_counter()
    arrays = generate_yiwu_arrays(n, seed=11)
    gen_s = time.perf_counter() - t0
    index = SupplierIndex(arrays)
    build_s = timed(index.build)
    iso_s = timed(lambda: index.warm(HUBS, 30.0))
    cold: list[float] = []
    first: list[float] = []
    steady: list[float] = []
    scan: list[float] = []
    methods: Counter[str] = Counter()
    for r in range(repeats):
        for procs, share in REQUESTS:
            demand = demand_units(n, share) + 100 * r
            _forget(index, isochrones=True)
            t0 = time.perf_counter()
            methods[_match(index, procs, demand)] += 1
            cold.append(time.perf_counter() - t0)
            _forget(index, isochrones=False)
            first.append(timed(lambda p=procs, d=demand: _match(index, p, d)))
            steady.append(timed(lambda p=procs, d=demand: _match(index, p, d + 1)))
            scan.append(timed(lambda p=procs, d=demand: scan_match(arrays, p, d, 30.0)))
    print(
        f"n={n:>9,}  generate {gen_s:5.2f} s (excluded)  index build {build_s:5.2f} s  "
        f"isochrones 4 hubs x {len(arrays.processes)} processes {iso_s:5.2f} s  "
        f"matches {len(cold)} ({', '.join(f'{m} {k}' for m, k in sorted(methods.items()))})"
    )
    for label, xs in (
        ("match, nothing cached  ", cold),
        ("match, isochrones only ", first),
        ("match, steady state    ", steady),
        ("brute-force scan       ", scan),
    ):
        print(
            f"  {label} p50 {pct(xs, 50):8.1f} ms  p95 {pct(xs, 95):8.1f} ms  "
            f"scan/this p50 {np.median(scan) / np.median(xs):6.1f}x  "
            f"p95 {np.percentile(scan, 95) / np.percentile(xs, 95):6.1f}x"
        )


def main(argv: list[str]) -> None:
    sizes = [int(a.replace("_", "")) for a in argv] or list(SIZES)
    print("sourcing: exact match (4 hubs, 30 min) vs brute-force scan; generation excluded")
    for n in sizes:
        run(n, repeats=5 if n <= 100_000 else 2)


if __name__ == "__main__":
    main(sys.argv[1:])

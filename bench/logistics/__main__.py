"""`python -m bench.logistics [batches]`: mode choice for batches x 10 markets, all at once
(`choose_modes`, the target: 1,000 batches in under 1 s) and one at a time (`choose_mode`), and
a brute-force enumeration of every single lane and every fast/rest split (in whole cartons) on
a sample, measured in the same run: time per choice, their ratios, and whether all pick the
same plan. Each timing starts from freshly loaded lanes and customs books (no kept answers)."""

from __future__ import annotations

import datetime as dt
import math
import os
import sys
import time
from collections.abc import Callable

import numpy as np

from engines.logistics import (
    CustomsBook,
    DeliveryChoice,
    Demand,
    LaneBook,
    choose_mode,
    choose_modes,
    load_customs,
    load_lanes,
    pack,
    unit_from_dimensions,
)
from engines.logistics.choice import _arrays, _quotes

LANES, CUSTOMS = load_lanes(), load_customs()
PRODUCTS = [  # keychain, figurine, plush: extents mm, mass g, material
    pack(unit_from_dimensions((50, 30, 8), 12, "plastic")),
    pack(unit_from_dimensions((100, 70, 60), 320, "resin")),
    pack(unit_from_dimensions((180, 140, 120), 150, "plush")),
]
CATEGORIES = sorted(CUSTOMS.categories)


def demands(batches: int, seed: int = 7) -> list[tuple[int, Demand]]:
    """Batches x the first 10 markets: ready dates over 2025-26, deadlines 2-70 days."""
    rng = np.random.default_rng(seed)
    markets = sorted(LANES.markets)[:10]
    out = []
    for _ in range(batches):
        ready = dt.date(2025, 1, 1) + dt.timedelta(days=int(rng.integers(0, 700)))
        product = int(rng.integers(0, len(PRODUCTS)))
        category = CATEGORIES[int(rng.integers(0, len(CATEGORIES)))]
        for market in markets:
            units = int(rng.integers(100, 8000))
            due = ready + dt.timedelta(days=int(rng.integers(2, 71)))
            value = float(rng.uniform(0.5, 10.0))
            out.append((product, Demand(market, units, ready, due, value, category)))
    return out


def brute_force(product: int, d: Demand) -> tuple[int, float]:
    """(units on time, landed USD) of the best plan over every lane and every split."""
    packing = PRODUCTS[product]
    idx = LANES.for_market(d.market)
    horizon = (d.deadline - d.ready_date).days
    per = packing.carton.units
    plans: list[tuple[int, float]] = []
    for q in _quotes(LANES, CUSTOMS, _arrays(LANES, idx, packing, d.units, horizon), d, d.units):
        plans.append((d.units if q.meets_deadline else 0, q.landed_usd))
    cartons = -(-d.units // per)
    for k_cartons in range(1, cartons):
        k = k_cartons * per
        fast = _quotes(LANES, CUSTOMS, _arrays(LANES, idx, packing, k, horizon), d, k)
        rest = _quotes(
            LANES, CUSTOMS, _arrays(LANES, idx, packing, d.units - k, horizon), d, d.units - k
        )
        for f in fast:
            for r in (r for r in rest if r.lane_id != f.lane_id):
                on_time = (k if f.meets_deadline else 0) + (r.units if r.meets_deadline else 0)
                plans.append((on_time, f.landed_usd + r.landed_usd))
    full = [p for p in plans if p[0] == d.units]
    if full:
        return d.units, min(c for _, c in full)
    best_units = max(u for u, _ in plans)
    if best_units == 0:  # nothing in time: the earliest arrival (our rule), not comparable
        return 0, float("nan")
    return best_units, min(c for u, c in plans if u == best_units)


def timed(
    run: Callable[[LaneBook, CustomsBook], list[DeliveryChoice]], repeat: int = 3
) -> tuple[float, list[DeliveryChoice]]:
    """Best wall time (s) of `repeat` runs, each on freshly loaded books, and the choices."""
    best, out = math.inf, []
    for _ in range(repeat):
        lanes, customs = load_lanes(), load_customs()
        t0 = time.perf_counter()
        out = run(lanes, customs)
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(batches: int) -> None:
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} cores (timings stretch with it)")
    work = demands(batches)
    pairs = [(PRODUCTS[p], d) for p, d in work]
    fast_s, chosen = timed(lambda lanes, customs: choose_modes(pairs, lanes, customs))
    statuses = {s: sum(c.status == s for c in chosen) for s in ("on_time", "split", "late")}
    print(
        f"{len(work):,} choices ({batches:,} batches x 10 markets) at once: {fast_s:.2f} s "
        f"(best of 3), {fast_s / len(work) * 1e3:.3f} ms each; {statuses}"
    )
    t0 = time.perf_counter()
    written = [c.explanation for c in chosen]
    explain_s = time.perf_counter() - t0
    print(
        f"their explanations, written when first read (a booked leg's): {explain_s:.2f} s for "
        f"all {len(work):,}, {explain_s / len(work) * 1e3:.3f} ms each"
    )
    single_s, single = timed(
        lambda lanes, customs: [choose_mode(p, d, lanes, customs) for p, d in pairs]
    )
    print(
        f"one at a time: {single_s:.2f} s, {single_s / len(work) * 1e3:.3f} ms each "
        f"(at once / one at a time = {fast_s / single_s:.2f}); "
        f"same choices: {sum(a == b for a, b in zip(chosen, single, strict=True))}/{len(work)}, "
        f"same explanations: {sum(w == b.explanation for w, b in zip(written, single, strict=True))}"
    )
    splits = [i for i, c in enumerate(chosen) if c.status == "split"][:60]  # the hard cases
    sample = splits + list(range(0, len(work), max(1, len(work) // 60)))[:60]
    t0 = time.perf_counter()
    brute = [brute_force(*work[i]) for i in sample]
    brute_s = time.perf_counter() - t0
    per_fast = fast_s / len(work)
    per_brute = brute_s / len(sample)
    same = worse = 0
    for i, (units, cost) in zip(sample, brute, strict=True):
        c = chosen[i]
        if units == 0:
            same += c.status == "late"
            continue
        ok = c.units_on_time == units and c.landed_usd <= cost * 1.0001 + 1e-6
        same += ok
        worse += not ok
    print(
        f"brute force on {len(sample)} of them ({len(splits)} splits): {per_brute * 1e3:.1f} ms each; "
        f"choice / brute force = {per_fast / per_brute:.4f} (x{per_brute / per_fast:,.0f} faster); "
        f"same plan {same}/{len(sample)}, brute force better {worse}"
    )


if __name__ == "__main__":
    numbers = [int(a) for a in sys.argv[1:] if a.isdigit()]  # `python -m bench logistics` too
    main(numbers[0] if numbers else 1000)

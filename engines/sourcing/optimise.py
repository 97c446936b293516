"""Exact hub plan over pruned candidates: a dynamic programme over units (MILP via HiGHS when the
table would be too large), greedy fallback."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import minimum_filter1d
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

MILP_TIME_LIMIT_S = 5.0
DP_MAX_CELLS = 2_000_000  # (candidates + 1) × (demand cells + 1) per process: 16 MB of float64


@dataclass(frozen=True)
class Weights:
    """Objective weights, all in USD per unit of product."""

    freight_usd_per_unit_minute: float = 0.0005  # a 5,000-unit truck at ~150 USD/hour
    lead_usd_per_unit_day: float = 0.004  # per unit, per day of its supplier's lead time
    makespan_usd_per_unit_day: float = 0.01  # per unit, per day of the slowest chosen supplier
    risk_usd_per_unit: float = 0.15  # per unit at quality 0 (scaled by 1 − quality)


@dataclass
class Candidates:
    """One process's candidate suppliers at one hub: capacity rows, USD/unit, days, units/day."""

    ci: np.ndarray  # capability rows
    rows: np.ndarray  # supplier rows
    minutes: np.ndarray
    eff_usd: np.ndarray  # effective cost USD/unit (cost + freight + lead + risk)
    cap_units: np.ndarray  # usable units/day (capacity capped at demand)
    moq_units: np.ndarray
    lead_days: np.ndarray


def plan_objective(
    cands: list[Candidates], takes: list[np.ndarray], demand: int, w: Weights
) -> float:
    """Objective USD/unit of product: Σ effective cost × units / demand + makespan penalty."""
    eff = sum(float(np.dot(c.eff_usd, x)) for c, x in zip(cands, takes, strict=True)) / demand
    used = [c.lead_days[x > 0] for c, x in zip(cands, takes, strict=True)]
    span = max((float(u.max()) for u in used if u.size), default=0.0)
    return eff + w.makespan_usd_per_unit_day * span


def _makespan_rows(
    proc: np.ndarray, lead: np.ndarray, demand: int, p: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Level steps (days) and COO rows Σ x(process, lead ≥ level) − D·s(level) ≤ 0."""
    n = lead.size
    levels = np.unique(lead)
    steps = np.diff(levels)
    k, j = (g.ravel() for g in np.meshgrid(np.arange(steps.size), np.arange(p), indexing="ij"))
    hit = (lead[None, :] >= levels[1:][k][:, None]) & (proc[None, :] == j[:, None])
    r, i = np.nonzero(hit)
    rows = np.concatenate([r, np.arange(k.size)])
    cols = np.concatenate([i, 2 * n + k])
    vals = np.concatenate([np.ones(r.size), np.full(k.size, -float(demand))])
    return steps, rows, cols, vals


def solve_milp(cands: list[Candidates], demand: int, w: Weights) -> list[np.ndarray] | None:
    """Exact units/day per candidate (MOQ, capacity, makespan); None if infeasible or timed out."""
    sizes = [c.ci.size for c in cands]
    n, p = sum(sizes), len(cands)
    if n == 0:
        return None
    cap = np.concatenate([c.cap_units for c in cands]).astype(float)
    moq = np.concatenate([c.moq_units for c in cands]).astype(float)
    lead = np.concatenate([c.lead_days for c in cands])
    eff = np.concatenate([c.eff_usd for c in cands])
    proc = np.repeat(np.arange(p), sizes)
    steps, mr, mc, mv = _makespan_rows(proc, lead, demand, p)
    if w.makespan_usd_per_unit_day == 0:
        steps, mr, mc, mv = steps[:0], mr[:0], mc[:0], mv[:0]
    m = steps.size * p
    i, one = np.arange(n), np.ones(n)
    # variables: x (n, continuous units/day), z (n, used), s (steps, makespan ≥ level)
    rows = np.concatenate([proc, p + i, p + i, p + n + i, p + n + i, p + 2 * n + mr])
    cols = np.concatenate([i, i, n + i, i, n + i, mc])
    vals = np.concatenate([one, one, -cap, one, -moq, mv])
    a = coo_matrix((vals, (rows, cols)), shape=(p + 2 * n + m, 2 * n + steps.size)).tocsr()
    inf = np.full(n, np.inf)
    lb = np.concatenate([np.full(p, demand), -inf, np.zeros(n), np.full(m, -np.inf)])
    ub = np.concatenate([np.full(p, demand), np.zeros(n), inf, np.zeros(m)])
    res = milp(
        c=np.concatenate([eff / demand, np.zeros(n), w.makespan_usd_per_unit_day * steps]),
        constraints=LinearConstraint(a, lb, ub),
        integrality=np.concatenate([np.zeros(n), np.ones(n + steps.size)]),
        bounds=Bounds(0, np.concatenate([cap, np.ones(n + steps.size)])),
        options={"time_limit": MILP_TIME_LIMIT_S, "mip_rel_gap": 1e-9},
    )
    if res.x is None or res.status not in (0, 1):
        return None
    return [
        _integral(x, c, demand)
        for x, c in zip(np.split(res.x[:n], np.cumsum(sizes)[:-1]), cands, strict=True)
    ]


def _integral(x: np.ndarray, c: Candidates, demand: int) -> np.ndarray:
    """Round units/day (vertices are integral for fixed choices); put any residue on the largest."""
    take = np.round(x).astype(np.int64)
    k = int(np.argmax(take))
    take[k] = min(int(c.cap_units[k]), max(take[k] + demand - int(take.sum()), 0))
    return take


def greedy_fill(capacity_units: np.ndarray, demand_units: int) -> np.ndarray:
    """Units/day taken from each supplier, already sorted cheapest first, until demand is met."""
    before = np.cumsum(capacity_units) - capacity_units
    return np.clip(demand_units - before, 0, capacity_units).astype(int)


def greedy_process(c: Candidates, demand: int) -> tuple[np.ndarray, int | None]:
    """Greedy by effective cost; a marginal share below MOQ moves on, else its index is returned."""
    order = np.argsort(c.eff_usd, kind="stable")
    take = np.zeros(c.ci.size, dtype=np.int64)
    take[order] = greedy_fill(c.cap_units[order], demand)
    used = order[take[order] > 0]
    if used.size == 0:
        return take, None
    last = int(used[-1])
    rem = int(take[last])
    if rem >= c.moq_units[last]:
        return take, None
    later = order[int(np.flatnonzero(order == last)[0]) + 1 :]
    ok = later[(c.moq_units[later] <= rem) & (c.cap_units[later] >= rem)]
    if ok.size:
        take[last], take[ok[0]] = 0, rem
        return take, None
    return take, last


def _level_fill(c: Candidates, levels: np.ndarray, demand: int) -> tuple[np.ndarray, np.ndarray]:
    """Cheapest fill per lead cap (rows: levels): units/day taken and USD cost, inf if short."""
    order = np.argsort(c.eff_usd, kind="stable")
    ok = c.lead_days[order][None, :] <= levels[:, None]
    units = np.where(ok, c.cap_units[order][None, :], 0)
    before = np.cumsum(units, axis=1) - units
    take = np.clip(demand - before, 0, units)
    cost = take @ c.eff_usd[order]
    cost[units.sum(axis=1) < demand] = np.inf
    full = np.zeros_like(take)
    full[:, order] = take
    return full, cost


def relaxed_plan(
    cands: list[Candidates], demand: int, w: Weights
) -> tuple[float, list[np.ndarray], bool]:
    """Optimum without MOQs (exact per lead cap, days): objective USD/unit, takes, MOQs respected."""
    levels = np.unique(np.concatenate([c.lead_days for c in cands]))
    fills = [_level_fill(c, levels, demand) for c in cands]
    total = sum(cost for _, cost in fills) / demand + w.makespan_usd_per_unit_day * levels
    k = int(np.argmin(total))
    takes = [take[k] for take, _ in fills]
    moq_ok = all(np.all((x == 0) | (x >= c.moq_units)) for x, c in zip(takes, cands, strict=True))
    return float(total[k]), takes, moq_ok


def _cell_units(cands: list[Candidates], demand: int) -> int:
    """The largest unit (units/day) dividing the demand, every capacity and every MOQ."""
    values = [np.array([demand])] + [np.r_[c.cap_units, c.moq_units] for c in cands]
    return int(np.gcd.reduce(np.concatenate(values).astype(np.int64)))


def _trailing_min(g: np.ndarray, width: int) -> np.ndarray:
    """out[v] = min(g[v − width + 1 .. v]) (inf before the start)."""
    return minimum_filter1d(g, size=width, origin=(width - 1) // 2, mode="constant", cval=np.inf)


def _dp_table(c: Candidates, order: np.ndarray, cells: int, unit: int) -> np.ndarray:
    """Row s, column u: least cost USD of exactly u cells from the first s candidates of `order`."""
    table = np.full((order.size + 1, cells + 1), np.inf)
    table[0, 0] = 0.0
    u = np.arange(cells + 1, dtype=float)
    for s, i in enumerate(order):
        lo, hi = max(int(c.moq_units[i]) // unit, 1), int(c.cap_units[i]) // unit
        table[s + 1] = table[s]
        if lo > min(hi, cells):
            continue
        e = float(c.eff_usd[i]) * unit
        best = _trailing_min(table[s] - e * u, hi - lo + 1)  # over v in [u − hi, u − lo]
        np.minimum(table[s + 1, lo:], best[: cells + 1 - lo] + e * u[lo:], out=table[s + 1, lo:])
    return table


def _dp_takes(
    c: Candidates, order: np.ndarray, table: np.ndarray, stage: int, unit: int
) -> np.ndarray:
    """Units/day per candidate of the optimum in row `stage`, column `cells` (backtracked)."""
    take = np.zeros(c.ci.size, dtype=np.int64)
    cells = table.shape[1] - 1
    for s in range(stage, 0, -1):
        if cells == 0:
            break
        if table[s, cells] == table[s - 1, cells]:
            continue
        i = int(order[s - 1])
        lo, hi = max(int(c.moq_units[i]) // unit, 1), int(c.cap_units[i]) // unit
        e = float(c.eff_usd[i]) * unit
        v = np.arange(max(cells - hi, 0), cells - lo + 1)
        prev = int(v[np.argmin(table[s - 1, v] - e * v)])
        take[i] = (cells - prev) * unit
        cells = prev
    return take


def dp_fits(cands: list[Candidates], demand: int) -> bool:
    """Whether the DP tables stay within DP_MAX_CELLS (else the MILP solves the plan)."""
    cells = demand // _cell_units(cands, demand)
    return bool(cands) and max(c.ci.size + 1 for c in cands) * (cells + 1) <= DP_MAX_CELLS


def solve_dp(cands: list[Candidates], demand: int, w: Weights) -> list[np.ndarray] | None:
    """Exact integer optimum (MOQ, capacity, makespan); None if infeasible or too large."""
    # Per process, candidates enter in lead order, so row s of its table is the optimum under
    # the makespan cap "lead of the s-th candidate"; the best cap is then a minimum over levels.
    if not dp_fits(cands, demand):
        return None
    unit = _cell_units(cands, demand)
    cells = demand // unit
    levels = np.unique(np.concatenate([c.lead_days for c in cands]))
    orders = [np.lexsort((c.eff_usd, c.lead_days)) for c in cands]
    tables = [_dp_table(c, o, cells, unit) for c, o in zip(cands, orders, strict=True)]
    stages = [
        np.searchsorted(c.lead_days[o], levels, side="right")
        for c, o in zip(cands, orders, strict=True)
    ]
    total = sum(t[s, cells] for t, s in zip(tables, stages, strict=True)) / demand
    total = total + w.makespan_usd_per_unit_day * levels
    if not np.isfinite(total).any():
        return None
    k = int(np.argmin(total))
    return [
        _dp_takes(c, o, t, int(s[k]), unit)
        for c, o, t, s in zip(cands, orders, tables, stages, strict=True)
    ]

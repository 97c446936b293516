"""Makespan lower bounds (ticks) for lots flowing through stages: fluid, plus pipeline fill/drain.

Fluid: a stage's pooled line capacity must cover its units between the earliest arrival and the
shortest tail. Pipeline: a line starts only once a whole lot has left the feeding stage, and the
lots a stage finishes last must still pass the next stage whole. The i-th line to start cannot
start before σ_i, the earliest moment i lots can have left the feeder (fluid on the feeder for
the i smallest lots, the i-th smallest single-lot finish, or the i-th smallest of the feeder
lines' own running sums of their shortest lots); the i-th line to stop leaves at least τ_i ticks
(the same on the next stage, time reversed). Giving the earliest starts and the
shortest drains to the fastest lines maximises capacity, so any schedule has at most
Σ_m rate_m · (T − start slot − drain slot) of capacity: T is at least the smallest horizon where
that covers the units. That sum counts every line; it is an upper bound once each term is ≥ 0,
which holds when the fluid bound already exceeds the latest slot pair (checked, else skipped).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import linear_sum_assignment

from engines.scheduling.orders import TICKS_PER_DAY, Built, _stage_jobs, fluid_lower_bound
from engines.scheduling.problem import Problem


def _fill_ticks(rates: np.ndarray, ready: np.ndarray, units: np.ndarray) -> np.ndarray:
    """Per k = 1..: earliest tick pooled fluid capacity (units/day from `ready`) covers units[:k]."""
    order = np.argsort(ready)
    r, a = rates[order] / TICKS_PER_DAY, ready[order].astype(float)
    out = np.empty(units.size)
    need = np.cumsum(units)
    for k, u in enumerate(need):  # capacity is piecewise linear: walk its breakpoints
        made, t = 0.0, a[0]
        for i in range(a.size):
            nxt = a[i + 1] if i + 1 < a.size else math.inf
            slope = r[: i + 1].sum()
            if made + slope * (nxt - t) >= u:
                break
            made, t = made + slope * (nxt - t), nxt
        out[k] = t + (u - made) / slope
    return out


def _line_sums(
    p: Problem, jobs: list[int], stage: int, k: int, start: dict[int, int]
) -> np.ndarray:
    """The k smallest of {start_m + Σ of its i shortest lots' ticks : line m, i = 1..k}.

    The i-th lot a line finishes ends no sooner than its start plus its i shortest lots, so
    the i-th earliest of all lines' completions is at least the i-th smallest of these sums.
    """
    sums = [
        start[m]
        + np.cumsum(np.sort([p.jobs[j][stage][m] for j in jobs if m in p.jobs[j][stage]]))[:k]
        for m in start
    ]
    return np.sort(np.concatenate(sums))[:k].astype(float)


def _first_done(p: Problem, built: Built, jobs: list[int], stage: int, k: int) -> np.ndarray:
    """Lower bounds on the 1st..k-th earliest moments a distinct lot has finished `stage`."""
    fast = [[min(a.values()) for a in p.jobs[j]] for j in jobs]
    heads = np.array([p.job_release[j] + sum(f[:stage]) for j, f in zip(jobs, fast, strict=True)])
    single = np.sort(
        [
            min(max(p.release[m] + p.setup[m], h) + d for m, d in p.jobs[j][stage].items())
            for j, h in zip(jobs, heads, strict=True)
        ]
    )[:k]
    machines = sorted({m for j in jobs for m in p.jobs[j][stage]})
    ready = np.array([max(p.release[m] + p.setup[m], heads.min()) for m in machines])
    units = np.sort([built.lots[j][2] for j in jobs])[:k].astype(float)
    fill = _fill_ticks(built.rates_per_day[machines], ready, units)
    own = {m: int(r) for m, r in zip(machines, ready, strict=True)}
    return np.maximum(np.maximum(single, fill), _line_sums(p, jobs, stage, k, own))


def _last_drain(p: Problem, built: Built, jobs: list[int], stage: int, k: int) -> np.ndarray:
    """Lower bounds on the ticks after the 1st..k-th latest lot end at stage − 1 (drain)."""
    fast = [[min(a.values()) for a in p.jobs[j]] for j in jobs]
    tails = np.array([sum(f[stage + 1 :]) for f in fast])
    single = np.sort([f[stage] + t for f, t in zip(fast, tails, strict=True)])[:k]
    machines = sorted({m for j in jobs for m in p.jobs[j][stage]})
    units = np.sort([built.lots[j][2] for j in jobs])[:k].astype(float)
    fill = _fill_ticks(built.rates_per_day[machines], np.zeros(len(machines)), units)
    sums = _line_sums(p, jobs, stage, k, dict.fromkeys(machines, 0))  # time reversed from T
    return np.maximum(single, np.maximum(fill, sums) + tails.min())


def _stage_bound(p: Problem, built: Built, jobs: list[int], stage: int) -> tuple[float, float]:
    """(T*, latest slot pair) of one stage pool: T* is valid when the fluid bound ≥ the pair."""
    machines = sorted({m for j in jobs for m in p.jobs[j][stage]})
    k = min(len(machines), len(jobs))
    rates = built.rates_per_day[machines] / TICKS_PER_DAY
    n_stages = len(p.jobs[jobs[0]])
    own = np.array([p.release[m] + p.setup[m] for m in machines], dtype=float)
    if stage:
        sigma = _first_done(p, built, jobs, stage - 1, k)
    else:
        sigma = np.sort([p.job_release[j] for j in jobs])[:k].astype(float)
    tau = _last_drain(p, built, jobs, stage + 1, k) if stage + 1 < n_stages else np.zeros(k)
    sigma = np.concatenate([sigma, np.full(len(machines) - k, sigma[-1])])
    tau = np.concatenate([tau, np.full(len(machines) - k, tau[-1])])
    cost = rates[:, None] * np.maximum(own[:, None], sigma[None, :])
    rows, cols = linear_sum_assignment(cost)
    start_loss = cost[rows, cols].sum()
    drain_loss = float(np.sort(rates)[::-1] @ np.sort(tau))  # fastest line, shortest drain
    units = sum(built.lots[j][2] for j in jobs)
    t_star = (units + start_loss + drain_loss) / rates.sum()
    return t_star, float(max(own.max(), sigma.max()) + tau.max())


def pipeline_lower_bound(built: Built) -> int:
    """Makespan lower bound (ticks): the fluid bound, raised by pipeline fill and drain."""
    p, fluid = built.problem, fluid_lower_bound(built)
    bound = fluid
    for (_, stage), jobs in _stage_jobs(built).items():
        if len({len(p.jobs[j]) for j in jobs}) != 1:  # drains differ: leave the pool to fluid
            continue
        t_star, pair = _stage_bound(p, built, jobs, stage)
        if fluid >= pair:
            bound = max(bound, math.ceil(t_star - 1e-6))
    return bound


def _pool_capacity(built: Built, stage: int, head: int, horizon: int) -> np.ndarray:
    """Units per tick the stage's lines can make, each from max(release + setup, head)."""
    p, cap = built.problem, np.zeros(horizon)
    for m in sorted({m for st in p.jobs for m in st[stage]}):
        avail = np.zeros(horizon)
        avail[max(p.release[m] + p.setup[m], head) :] = built.rates_per_day[m] / TICKS_PER_DAY
        for a, b in p.blocked[m]:
            avail[a:b] = 0.0
        cap += avail
    return cap


def _least_unit_ticks(q: np.ndarray, ticks_per_unit: np.ndarray, units_cap: np.ndarray) -> float:
    """min Σ_j q_j · ticks_j over fractional lots on lines within their unit capacities.

    Northwest corner: biggest lots onto the fastest lines first; optimal because the cost of a
    unit of lot j on line m is the product q_j · ticks_per_unit_m (a Monge array). inf if the
    lines cannot take every unit.
    """
    lines = np.argsort(ticks_per_unit, kind="stable")
    caps, k, cost = units_cap[lines].astype(float), 0, 0.0
    for need in np.sort(q)[::-1]:
        left = float(need)
        while left > 1e-9:
            if k == caps.size:
                return math.inf
            take = min(left, caps[k])
            cost += take * need * ticks_per_unit[lines[k]]
            caps[k] -= take
            left -= take
            k += caps[k] <= 1e-9
    return cost


class _Lots:
    """Least Σ_j q_j · ticks_j / 2 at one stage if every lot must be done there by a tick."""

    def __init__(self, built: Built, stage: int, head: int, horizon: int) -> None:
        p = built.problem
        self.q = np.array([u for _, _, u in built.lots], dtype=float)
        self.fastest = float(self.q @ [min(st[stage].values()) for st in p.jobs]) / 2
        machines = sorted({m for st in p.jobs for m in st[stage]})
        self.ticks_per_unit = TICKS_PER_DAY / built.rates_per_day[machines]
        self.open_ticks = []  # per line: cumulative ticks it may work at this stage
        for m in machines:
            avail = np.zeros(horizon + 1)
            avail[max(p.release[m] + p.setup[m], head) :] = 1.0
            for lo, hi in p.blocked[m]:
                avail[lo:hi] = 0.0
            self.open_ticks.append(np.concatenate([[0.0], np.cumsum(avail)]))

    def half_ticks(self, by: int) -> float:
        """Lower bound on Σ_j q_j p_j / 2 when each line works only its open ticks before `by`."""
        units_cap = np.array([o[min(max(by, 0), o.size - 1)] for o in self.open_ticks])
        half = _least_unit_ticks(self.q, self.ticks_per_unit, units_cap / self.ticks_per_unit) / 2
        return max(half - 1e-6 * self.q.sum(), self.fastest)  # ticks are rounded up: margin


class _Pair:
    """The lot-transfer test of stages a < b for a candidate makespan T (see the bound)."""

    def __init__(self, built: Built, a: int, b: int, horizon: int) -> None:
        p = built.problem
        fast = np.array([[min(alts.values()) for alts in st] for st in p.jobs], dtype=float)
        q = np.array([u for _, _, u in built.lots], dtype=float)
        rel = np.array(p.job_release, dtype=float)
        head_a = int((rel + fast[:, :a].sum(axis=1)).min())
        head_b = int((rel + fast[:, :b].sum(axis=1)).min())
        made_a = np.full(horizon, np.inf)  # K'_a(0, t + 1): stage a or any feeder, shifted
        for c in range(a + 1):
            head_c = int((rel + fast[:, :c].sum(axis=1)).min())
            made_c = np.cumsum(_pool_capacity(built, c, head_c, horizon))
            shift = int(fast[:, c + 1 : a].sum(axis=1).min()) if c < a else 0
            made_a[shift:] = np.minimum(made_a[shift:], made_c[: horizon - shift])
            made_a[:shift] = 0.0
        self.base = float(np.clip(q.sum() - made_a, 0.0, None).sum())  # ≤ ∫ (U − K'_a)⁺
        self.between = [  # stages between a and b: (lots, shortest tail after it)
            (
                _Lots(built, c, int((rel + fast[:, :c].sum(axis=1)).min()), horizon),
                int(fast[:, c + 1 :].sum(axis=1).min()),
            )
            for c in range(a + 1, b)
        ]
        cap_b = _pool_capacity(built, b, head_b, horizon)
        self.made_b = np.concatenate([[0.0], np.cumsum(cap_b)])  # K_b(0, t)
        self.units = float(q.sum())
        self.tail_a = int(fast[:, a + 1 :].sum(axis=1).min())
        self.tail_b = int(fast[:, b + 1 :].sum(axis=1).min())
        self.lots_a = _Lots(built, a, head_a, horizon)
        self.lots_b = _Lots(built, b, head_b, horizon)

    def feasible(self, t: int) -> bool:
        """False when no schedule can end by tick t (the two sides of the proof cannot meet)."""
        t_a, t_b = t - self.tail_a, t - self.tail_b
        if t_a <= 0 or t_b <= 0 or t_b >= self.made_b.size:
            return t_b >= self.made_b.size
        need = self.base + self.lots_a.half_ticks(t_a) + self.lots_b.half_ticks(t_b)
        need += sum(2 * lots.half_ticks(t - tail) for lots, tail in self.between)  # Σ q_j d_j
        left = self.made_b[t_b] - self.made_b[:t_b]  # K_b(t, T_b) per tick t < T_b
        return bool(np.minimum(left, self.units).sum() >= need - 1e-6)  # ≥ ∫ min(K_b, U)


def _pair_bound(built: Built, a: int, b: int, horizon: int) -> int:
    """Smallest tick the lot-transfer test of stages a < b allows (binary search)."""
    pair = _Pair(built, a, b, horizon)
    lo, hi = 1, horizon + pair.tail_b
    if not pair.feasible(hi):
        return 0
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if pair.feasible(mid) else (mid + 1, hi)
    return lo


def lot_transfer_lower_bound(built: Built) -> int:
    """Makespan lower bound (ticks) from whole-lot transfer between two stages a < b.

    Proof. Lot j (q_j units) runs on one line per stage without preemption; spread its units
    evenly over its stage-a interval, so P_a(t), the units stage a has made by t, is at most
    K_a(0, t), the stage's pooled capacity over [0, t) (each line makes at most its rate, only
    after its release and setup and the earliest arrival head_a, never in blocked time). A lot
    with units made at a by t had left every earlier stage c by t − δ_c (δ_c: least fastest
    ticks strictly between c and a), so P_a(t) ≤ K_c(0, t − δ_c) too: call the least K'_a.
    With c_j its stage-a end and p_j its stage-a ticks, Σ_j q_j (c_j − p_j / 2) =
    ∫ (U − P_a(t)) dt ≥ ∫ (U − K'_a(0, t))⁺ dt. Σ_j q_j p_j is at least its least value when
    lots may split over the lines, each line within its open ticks before T − (shortest tail
    after a) at its rate (_least_unit_ticks), and at least Σ_j q_j (fastest line's ticks).
    Spread units the same way over the stage-b intervals [s_j, s_j + p'_j]: P_b(t), the units
    stage b has made by t, has ∫₀^T_b P_b dt = Σ_j q_j (T_b − s_j − p'_j / 2), where every lot
    leaves b by T_b = T − (shortest tail after b). Lot j cannot start b before c_j + d_j (d_j:
    its ticks at the stages between, Σ_j q_j d_j bounded per stage like Σ_j q_j p_j).
    P_b(T_b) = U and U − P_b(t) ≤ min(K_b(t, T_b), U), so integrating over [0, T_b] gives
    T_b U − ∫₀^T_b min(K_b, U) dt ≤ ∫₀^T_b P_b ≤ Σ_j q_j (T_b − c_j − d_j − p'_j / 2), that is
    Σ_j q_j (c_j + d_j + p'_j / 2) ≤ ∫₀^T_b min(K_b(t, T_b), U) dt, with Σ_j q_j p'_j bounded like
    Σ_j q_j p_j (lines of b, open ticks before T_b). The left side is bounded below and only
    falls as T grows, the right side grows with T_b: the makespan is at least the smallest T
    where the right side (summed per tick, which overstates it) covers the left side (summed
    per tick, which understates it), found by binary search.
    The bound bites when two stages are about equally loaded: the later one waits for whole lots.
    Needs every lot on the same routing (else 0).
    """
    p = built.problem
    pools = _stage_jobs(built)
    n = len(p.jobs)
    if not n or len(pools) != len(p.jobs[0]) or any(len(js) != n for js in pools.values()):
        return 0
    blocked_end = max((e for bl in p.blocked for _, e in bl), default=0)
    serial = sum(max(alts.values()) for st in p.jobs for alts in st)
    horizon = max(blocked_end, *p.release, *p.job_release) + max(p.setup) + serial + 1
    stages = len(p.jobs[0])
    return max(
        (_pair_bound(built, a, b, horizon) for a in range(stages) for b in range(a + 1, stages)),
        default=0,
    )


def makespan_lower_bound(built: Built) -> int:
    """The best valid makespan lower bound here (ticks): pipeline and lot-transfer bounds."""
    return max(pipeline_lower_bound(built), lot_transfer_lower_bound(built))

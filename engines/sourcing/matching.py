"""Match demanded processes to suppliers within a travel-time limit of an assembly hub."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engines.sourcing.geo import HUBS
from engines.sourcing.network import SupplierArrays, SupplierRecord, records_to_arrays
from engines.sourcing.optimise import (
    Candidates,
    Weights,
    dp_fits,
    greedy_process,
    plan_objective,
    relaxed_plan,
    solve_dp,
    solve_milp,
)
from engines.sourcing.reach import Point, SupplierIndex
from engines.sourcing.roads import RoadGraph

DEFAULT_WEIGHTS = Weights()
TOP_K = 12  # cheapest candidates kept per process per hub (more when capacity needs it)
_COVER = 2  # keep candidates until they offer this many times the demand
_MAX_CANDIDATES = 80
_LEAD_QUANTILES = (0.1, 0.3, 0.6)
SOLVERS = ("exact", "milp", "greedy")  # exact: DP over units, the MILP when the DP is too large

Suppliers = list[SupplierRecord] | SupplierArrays | SupplierIndex


class NoFeasibleSuppliers(ValueError):
    """No hub has enough capacity for every process within the travel-time limit."""

    def __init__(
        self, reason: str, processes: list[str], capacity_by_minutes: dict[float, dict[str, int]]
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.processes = processes
        self.capacity_by_minutes = capacity_by_minutes


@dataclass
class Assignment:
    """Capacity (units/day) reserved at one supplier for one process, at unit cost USD."""

    supplier_code: str
    supplier_id: int | None
    supplier_name: str
    town: str
    process: str
    units_per_day: int
    unit_cost_usd: float
    travel_minutes: float
    lead_time_days: float


@dataclass
class MatchResult:
    """The chosen hub, its assignments, runner-up suppliers and why; landed cost USD/unit."""

    hub: str
    hub_lat: float
    hub_lon: float
    assignments: list[Assignment]
    alternatives: list[Assignment]
    explanation: list[str]
    landed_unit_cost_usd: float
    objective_usd: float = 0.0  # landed + lead + risk penalties, USD/unit
    method: str = "milp"
    hub_objectives_usd: dict[str, float] = field(default_factory=dict)


@dataclass
class _HubPlan:
    """One hub's plan: candidates and units/day taken per process, capacity units/day in reach."""

    hub: str
    at: Point
    cands: list[Candidates]
    takes: list[np.ndarray]
    available: np.ndarray
    demand: int
    objective: float = np.inf
    method: str = "milp"
    bound: float = np.inf  # relaxation (no MOQ) objective USD/unit, a lower bound
    below_moq: list[tuple[int, int]] = field(default_factory=list)  # (process, candidate)

    @property
    def feasible(self) -> bool:
        return bool(np.all(self.available >= self.demand))

    @property
    def solved(self) -> bool:
        return bool(self.takes)

    def landed_usd(self, arrays: SupplierArrays, w: Weights) -> float:
        """Landed cost USD/unit: units-weighted unit cost plus freight, summed over processes."""
        total = sum(
            float(np.dot(x, arrays.cap_usd[c.ci] + w.freight_usd_per_unit_minute * c.minutes))
            for c, x in zip(self.cands, self.takes, strict=True)
        )
        return total / self.demand


def effective_unit_cost_usd(
    unit_cost_usd: np.ndarray | float,
    travel_min: np.ndarray | float,
    lead_time_days: np.ndarray | float,
    quality: np.ndarray | float,
    weights: Weights = DEFAULT_WEIGHTS,
) -> np.ndarray:
    """Ranking cost USD/unit: unit cost + freight + lead-time and (1 − quality) penalties."""
    return (
        np.asarray(unit_cost_usd, dtype=float)
        + weights.freight_usd_per_unit_minute * np.asarray(travel_min, dtype=float)
        + weights.lead_usd_per_unit_day * np.asarray(lead_time_days, dtype=float)
        + weights.risk_usd_per_unit * (1.0 - np.asarray(quality, dtype=float))
    )


def as_index(suppliers: Suppliers, road: RoadGraph | None = None) -> SupplierIndex:
    """A SupplierIndex for records, columns or an existing index (reused as is)."""
    if isinstance(suppliers, SupplierIndex):
        return suppliers
    arrays = suppliers if isinstance(suppliers, SupplierArrays) else records_to_arrays(suppliers)
    return SupplierIndex(arrays, road=road)


def _ranked(
    index: SupplierIndex, hub: Point, limit: float, process: str, w: Weights
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Capability rows in reach, their minutes and effective cost USD/unit (unsorted); cached."""
    key = ("ranked", hub, float(limit), process, w)
    if key not in index.memo:
        cols = index.columns(process)
        local, t = index.reach_local(hub, limit, process)
        eff = effective_unit_cost_usd(
            cols.usd[local], t, cols.lead_days[local], cols.quality[local], w
        )
        index.memo[key] = (cols.ci[local], t, eff)
    return index.memo[key]  # type: ignore[no-any-return]


def _cheapest(ranked: tuple[np.ndarray, ...], size: int) -> tuple[np.ndarray, ...]:
    """The `size` cheapest entries by effective cost, sorted (argpartition, then sort)."""
    eff = ranked[2]
    if size < eff.size:
        part = np.argpartition(eff, size - 1)[:size]
        order = part[np.argsort(eff[part], kind="stable")]
    else:
        order = np.argsort(eff, kind="stable")
    return tuple(r[order] for r in ranked)


def _prefix(units: np.ndarray, mask: np.ndarray, need: int, k: int) -> np.ndarray:
    """Positions of the first masked entries whose units cover `need`, at least k of them."""
    pos = np.flatnonzero(mask)
    cover = int(np.searchsorted(np.cumsum(units[pos]), need)) + 1
    return pos[: max(k, cover)]


def _head(
    index: SupplierIndex, ranked: tuple[np.ndarray, ...], demand: int, k: int
) -> tuple[np.ndarray, ...]:
    """The cheapest rows holding 4 × cover × demand in capacity (at least 64), sorted."""
    size = max(64, 4 * k)
    while True:
        head = _cheapest(ranked, size)
        units = int(index.arrays.cap_units[head[0]].sum())
        if size >= ranked[0].size or units >= 4 * _COVER * demand:
            return head
        size *= 4


def _lead_thresholds(lead_days: np.ndarray) -> np.ndarray:
    """Lead days at the _LEAD_QUANTILES (lower order statistic, no interpolation)."""
    if lead_days.size == 0:
        return lead_days
    k = np.floor((lead_days.size - 1) * np.asarray(_LEAD_QUANTILES)).astype(np.int64)
    return np.partition(lead_days, k)[k]


def candidates(
    index: SupplierIndex, hub: Point, limit: float, process: str, demand: int, w: Weights, k: int
) -> Candidates:
    """The cheapest k suppliers (extended to cover twice the demand) plus fast-lead runners-up."""
    a = index.arrays
    ci, t, eff = _head(index, _ranked(index, hub, limit, process, w), demand, k)
    rows = a.cap_row[ci]
    units = np.minimum(a.cap_units[ci], demand)
    usable = a.moq_units[rows] <= units
    if int(units[usable].sum()) < demand:  # MOQs block: keep everyone for the greedy fallback
        usable = np.ones(ci.size, dtype=bool)
    picks = [_prefix(units, usable, _COVER * demand, k)]
    if ci.size > picks[0].size:
        lead = a.lead_days[rows]
        for q in _lead_thresholds(lead[usable]):
            picks.append(_prefix(units, usable & (lead <= q), _COVER * demand, max(k // 2, 1)))
    sel = np.unique(np.concatenate(picks))[: max(_MAX_CANDIDATES, picks[0].size)]
    return Candidates(
        ci=ci[sel],
        rows=rows[sel],
        minutes=t[sel],
        eff_usd=eff[sel],
        cap_units=units[sel],
        moq_units=a.moq_units[rows[sel]],
        lead_days=a.lead_days[rows[sel]],
    )


def _prepare_hub(
    index: SupplierIndex,
    processes: list[str],
    demand: int,
    hub: str,
    at: Point,
    limit: float,
    w: Weights,
    k: int,
) -> tuple[_HubPlan, float]:
    """A hub's candidates and its lower bound USD/unit (inf when capacity in reach is short)."""
    plan = _HubPlan(hub, at, [], [], index.available(at, limit, processes), demand)
    if not np.all(plan.available >= demand):
        return plan, np.inf
    plan.cands = [candidates(index, at, limit, p, demand, w, k) for p in processes]
    bound, takes, moq_ok = relaxed_plan(plan.cands, demand, w)
    if moq_ok:  # the relaxation's optimum already respects every MOQ: it is the optimum
        plan.takes, plan.objective, plan.method = takes, bound, "exact"
    plan.bound = bound
    return plan, bound


def _exact(plan: _HubPlan, w: Weights, solver: str) -> list[np.ndarray] | None:
    """The exact takes: the DP ("exact"), the MILP ("milp", or a DP too large); None if greedy."""
    if solver == "greedy":
        return None
    if solver == "exact" and dp_fits(plan.cands, plan.demand):
        plan.method = "dp"
        return solve_dp(plan.cands, plan.demand, w)
    plan.method = "milp"
    return solve_milp(plan.cands, plan.demand, w)


def _solve_hub(plan: _HubPlan, w: Weights, solver: str) -> None:
    """Fill the plan exactly (DP or MILP over its candidates), greedy when that fails or is asked."""
    takes = _exact(plan, w, solver)
    if takes is None:
        plan.method = "greedy"
        fills = [greedy_process(c, plan.demand) for c in plan.cands]
        takes = [t for t, _ in fills]
        plan.below_moq = [(j, m) for j, (_, m) in enumerate(fills) if m is not None]
    plan.takes = takes
    plan.objective = plan_objective(plan.cands, takes, plan.demand, w)


def _solve_hubs(prepared: list[tuple[_HubPlan, float]], w: Weights, solver: str) -> None:
    """Solve hubs in order of lower bound, skipping those that cannot beat the best exact plan."""
    best = np.inf
    for plan, bound in sorted(prepared, key=lambda pb: pb[1]):
        if bound == np.inf or bound > best + 1e-9:
            plan.takes = []  # cannot beat the best found
            continue
        if not plan.takes or solver == "greedy":
            _solve_hub(plan, w, solver)
        if plan.method != "greedy":  # a greedy plan may break an MOQ: it never prunes
            best = min(best, plan.objective)


def _assignment(a: SupplierArrays, ci: int, t: float, units: int, process: str) -> Assignment:
    """An Assignment of `units`/day of `process` at capability row ci."""
    i = int(a.cap_row[ci])
    return Assignment(
        supplier_code=a.code(i),
        supplier_id=a.supplier_id(i),
        supplier_name=a.name(i),
        town=a.town(i),
        process=process,
        units_per_day=int(units),
        unit_cost_usd=float(a.cap_usd[ci]),
        travel_minutes=round(float(t), 1),
        lead_time_days=float(a.lead_days[i]),
    )


def _picks(a: SupplierArrays, plan: _HubPlan, j: int, process: str) -> list[Assignment]:
    """Chosen suppliers of process j, biggest share first."""
    c, x = plan.cands[j], plan.takes[j]
    used = np.flatnonzero(x > 0)
    used = used[np.lexsort((c.eff_usd[used], -x[used]))]
    return [_assignment(a, int(c.ci[u]), float(c.minutes[u]), int(x[u]), process) for u in used]


def _alternatives(a: SupplierArrays, plan: _HubPlan, j: int, process: str) -> list[Assignment]:
    """The two cheapest unchosen candidates of process j (units: what they could take)."""
    c, x = plan.cands[j], plan.takes[j]
    spare = np.flatnonzero(x == 0)
    spare = spare[np.argsort(c.eff_usd[spare], kind="stable")][:2]
    return [
        _assignment(a, int(c.ci[u]), float(c.minutes[u]), int(c.cap_units[u]), process)
        for u in spare
    ]


def _widened(limit: float) -> tuple[float, float]:
    """The two wider limits (minutes) an infeasibility message quotes: 45 and 60 by default."""
    return max(45.0, 1.5 * limit), max(60.0, 2.0 * limit)


def _infeasible(
    index: SupplierIndex,
    processes: list[str],
    demand: int,
    hubs: dict[str, Point],
    limit: float,
) -> NoFeasibleSuppliers:
    """The error naming short processes, best capacity in reach, and what 45/60 min would give."""
    names = list(hubs)
    minutes = (limit, *_widened(limit))
    avail = {
        m: np.array([index.available(hubs[h], m, processes) for h in names]).reshape(len(names), -1)
        for m in minutes
    }
    best = {m: avail[m].max(axis=0, initial=0) for m in minutes}
    lacking = [j for j in range(len(processes)) if best[limit][j] < demand]
    if lacking:
        w1, w2 = minutes[1:]
        parts = [
            f"{processes[j]}: at most {best[limit][j]:,} units/day within {limit:g} min of a hub"
            f"{_at_hub(names, avail[limit][:, j])} vs {demand:,} demanded "
            f"({demand - best[limit][j]:,} short); "
            f"{w1:g} min would give {best[w1][j]:,}, {w2:g} min {best[w2][j]:,}"
            for j in lacking
        ]
        head = f"not enough supplier capacity within {limit:g} min for {demand:,} units/day"
    else:
        short = [
            (h, [processes[j] for j in np.flatnonzero(avail[limit][i] < demand)])
            for i, h in enumerate(names)
        ]
        closest = min(short, key=lambda hs: len(hs[1]))
        lacking = [processes.index(p) for p in closest[1]]
        parts = [f"{h} hub lacks {', '.join(ps)}" for h, ps in short]
        head = f"no single hub covers every process within {limit:g} min at {demand:,} units/day"
    parts.append(_widened_verdict(names, [avail[m] for m in minutes[1:]], demand, minutes[1:]))
    capacity = {m: {processes[j]: int(best[m][j]) for j in lacking} for m in minutes}
    return NoFeasibleSuppliers(
        f"{head}: " + "; ".join(parts), [processes[j] for j in lacking], capacity
    )


def _at_hub(names: list[str], capacity: np.ndarray) -> str:
    """' (Futian hub)' for the hub with the most capacity, or '' when there is none."""
    return (
        f" ({names[int(np.argmax(capacity))]} hub)" if capacity.size and capacity.max() > 0 else ""
    )


def _widened_verdict(
    names: list[str], avail: list[np.ndarray], demand: int, minutes: tuple[float, ...]
) -> str:
    """Which wider limit (minutes) first makes some hub feasible, if any."""
    for m, table in zip(minutes, avail, strict=True):
        ok = [h for h, row in zip(names, table, strict=True) if np.all(row >= demand)]
        if ok:
            return f"at {m:g} min {ok[0]} hub would be feasible"
    return f"widening to {' or '.join(f'{m:g}' for m in minutes)} min would not be enough"


def _process_line(
    a: SupplierArrays, plan: _HubPlan, j: int, process: str, picks: list[Assignment]
) -> str:
    """Why these suppliers: share, price, distance, and rank by effective cost among candidates."""
    c, x = plan.cands[j], plan.takes[j]
    first = picks[0]
    rank = 1 + int(np.sum(c.eff_usd < c.eff_usd[np.flatnonzero(x > 0)].min() - 1e-12))
    line = (
        f"{process}: {first.supplier_code} {first.supplier_name} covers "
        f"{first.units_per_day:,}/{plan.demand:,} units/day at ${first.unit_cost_usd:.2f}, "
        f"{first.travel_minutes:.0f} min from {plan.hub} hub"
    )
    if len(picks) > 1:
        line += f"; split across {len(picks)} suppliers"
    reach = int(plan.available[j])
    return line + (
        f"; cheapest chosen is #{rank} by effective cost of {c.ci.size} shortlisted "
        f"({reach:,} units/day in reach)"
    )


def _explain(
    a: SupplierArrays,
    best: _HubPlan,
    feasible: list[_HubPlan],
    plans: list[_HubPlan],
    processes: list[str],
    limit: float,
    w: Weights,
) -> list[str]:
    """Human sentences: hub choice, one line per process, binding constraints, MOQ caveats."""
    head = (
        f"hub: {best.hub} hub, landed ${best.landed_usd(a, w):.3f}/unit, "
        f"objective ${best.objective:.3f}/unit ({best.method})"
    )
    if len(feasible) > 1:
        head += f"; next best {feasible[1].hub} at ${feasible[1].objective:.3f}"
    pruned = [f"{p.hub} ≥ ${p.bound:.3f}" for p in plans if p.feasible and not p.solved]
    if pruned:
        head += f"; other hubs by lower bound: {', '.join(pruned)}"
    out_of_reach = [f"{p.hub} ({_short(p, processes)})" for p in plans if not p.feasible]
    if out_of_reach:
        head += f"; infeasible within {limit:g} min: " + ", ".join(out_of_reach)
    lines = [head]
    for j, process in enumerate(processes):
        lines.append(_process_line(a, best, j, process, _picks(a, best, j, process)))
    lines.append(_binding(a, best, processes, limit))
    lines.append(_lead_line(a, best, processes))
    return lines + [
        f"{processes[j]}: {a.code(int(best.cands[j].rows[m]))} takes "
        f"{int(best.takes[j][m]):,} units/day, below its MOQ of "
        f"{int(best.cands[j].moq_units[m]):,} (accepted)"
        for j, m in best.below_moq
    ]


def _binding(a: SupplierArrays, plan: _HubPlan, processes: list[str], limit: float) -> str:
    """The constraint that shapes the plan: capacity in reach, lead time, or cheap capacity."""
    use = plan.demand / np.maximum(plan.available, 1)
    k = int(np.argmax(use))
    capacity = (
        f"binding constraint: {processes[k]} capacity within {limit:g} min "
        f"({plan.demand:,} of {int(plan.available[k]):,} units/day in reach used, {use[k]:.0%})"
    )
    lead = _lead_binding(a, plan, processes)
    if lead or use[k] >= 0.5:
        return lead or capacity
    slack = (
        f"binding constraint: none: {processes[k]} uses {use[k]:.0%} of the "
        f"{int(plan.available[k]):,} units/day within {limit:g} min and the cheapest supplier "
        "of every process covers it alone"
    )
    return _cheap_binding(a, plan, processes) or slack


def _lead_binding(a: SupplierArrays, plan: _HubPlan, processes: list[str]) -> str | None:
    """A cheaper supplier left out because its lead time (days) would lengthen the plan."""
    span = max(float(c.lead_days[x > 0].max()) for c, x in zip(plan.cands, plan.takes, strict=True))
    best: tuple[float, int, int] | None = None
    for j, (c, x) in enumerate(zip(plan.cands, plan.takes, strict=True)):
        dearest = float(c.eff_usd[x > 0].max())
        skipped = np.flatnonzero((x == 0) & (c.lead_days > span) & (c.eff_usd < dearest))
        for u in skipped:
            saving = dearest - float(c.eff_usd[u])
            if best is None or saving > best[0]:
                best = (saving, j, int(u))
    if best is None:
        return None
    saving, jj, uu = best
    c = plan.cands[jj]
    return (
        f"binding constraint: {processes[jj]} lead time: {a.code(int(c.rows[uu]))} is "
        f"${saving:.3f}/unit cheaper but its {float(c.lead_days[uu]):g}-day lead exceeds "
        f"the plan's {span:g} days"
    )


def _cheap_binding(a: SupplierArrays, plan: _HubPlan, processes: list[str]) -> str | None:
    """The cheapest supplier that is full, forcing the rest onto a dearer one."""
    for j, (c, x) in enumerate(zip(plan.cands, plan.takes, strict=True)):
        used = np.flatnonzero(x > 0)
        if used.size < 2:
            continue
        used = used[np.argsort(c.eff_usd[used], kind="stable")]
        full, last = int(used[0]), int(used[-1])
        return (
            f"binding constraint: {processes[j]} capacity of the cheapest suppliers: "
            f"{a.code(int(c.rows[full]))} is full at {int(x[full]):,} units/day, "
            f"{int(x[last]):,} go to {a.code(int(c.rows[last]))} "
            f"(+${float(c.eff_usd[last] - c.eff_usd[full]):.3f}/unit)"
        )
    return None


def _lead_line(a: SupplierArrays, plan: _HubPlan, processes: list[str]) -> str:
    """Which chosen supplier sets the lead time (days)."""
    lead = [
        (float(c.lead_days[u]), j, int(c.rows[u]))
        for j, (c, x) in enumerate(zip(plan.cands, plan.takes, strict=True))
        for u in np.flatnonzero(x > 0)
    ]
    days, j, row = max(lead)
    return f"lead time: {days:g} days, set by {a.code(row)} ({processes[j]})"


def _short(plan: _HubPlan, processes: list[str]) -> str:
    """Comma-separated processes a hub cannot cover."""
    return ", ".join(processes[j] for j in np.flatnonzero(plan.available < plan.demand))


def _validate(processes: list[str], units_per_day: int, hubs: dict[str, Any]) -> list[str]:
    """Deduplicated processes in order; rejects no processes, no hubs or non-positive demand."""
    wanted = list(dict.fromkeys(processes))
    if not wanted or not hubs:
        raise ValueError("need at least one process and one hub")
    if units_per_day <= 0:
        raise ValueError("units_per_day must be positive")
    return wanted


def _result(
    a: SupplierArrays,
    best: _HubPlan,
    feasible: list[_HubPlan],
    plans: list[_HubPlan],
    wanted: list[str],
    limit: float,
    w: Weights,
) -> MatchResult:
    """The MatchResult of the best hub plan."""
    return MatchResult(
        hub=best.hub,
        hub_lat=best.at[0],
        hub_lon=best.at[1],
        assignments=[x for j, p in enumerate(wanted) for x in _picks(a, best, j, p)],
        alternatives=[x for j, p in enumerate(wanted) for x in _alternatives(a, best, j, p)],
        explanation=_explain(a, best, feasible, plans, wanted, limit, w),
        landed_unit_cost_usd=round(best.landed_usd(a, w), 4),
        objective_usd=round(best.objective, 6),
        method=best.method,
        hub_objectives_usd={p.hub: round(p.objective, 6) for p in feasible},
    )


def match_suppliers(
    processes: list[str],
    units_per_day: int,
    suppliers: Suppliers,
    max_travel_minutes: float = 30.0,
    hubs: dict[str, Point] | None = None,
    *,
    weights: Weights | None = None,
    road: RoadGraph | None = None,
    top_k: int = TOP_K,
    solver: str = "exact",
) -> MatchResult:
    """Cover every process at `units_per_day` from suppliers within the limit (minutes) of a hub."""
    hubs = HUBS if hubs is None else hubs
    w = weights or DEFAULT_WEIGHTS
    wanted = _validate(processes, units_per_day, hubs)
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {', '.join(SOLVERS)}, got {solver!r}")
    index = as_index(suppliers, road)
    prepared = [
        _prepare_hub(index, wanted, units_per_day, h, at, max_travel_minutes, w, top_k)
        for h, at in hubs.items()
    ]
    _solve_hubs(prepared, w, solver)
    plans = [p for p, _ in prepared]
    feasible = sorted(
        (p for p in plans if p.solved), key=lambda p: (p.method == "greedy", p.objective, p.hub)
    )
    if not feasible:
        raise _infeasible(index, wanted, units_per_day, hubs, max_travel_minutes)
    return _result(index.arrays, feasible[0], feasible, plans, wanted, max_travel_minutes, w)

"""Match demanded processes to suppliers within a travel-time limit of an assembly hub."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from engines.sourcing.geo import HUBS, ROAD_FACTOR, SPEED_KMH, project_km, travel_minutes
from engines.sourcing.network import SupplierRecord

FREIGHT_USD_PER_UNIT_MINUTE = 0.0005  # a 5,000-unit truck at ~150 USD/hour
LEAD_USD_PER_UNIT_DAY = 0.004  # ranking penalty per day of lead time
QUALITY_USD_PER_UNIT = 0.15  # ranking penalty at quality 0 (scaled by 1 − quality)
_PRUNE_MARGIN = 1.01  # projected km vs haversine km over the Yiwu area


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


@dataclass(frozen=True)
class _Network:
    """Supplier columns for the demanded processes (capacity units/day, cost USD, inf = none)."""

    suppliers: list[SupplierRecord]
    lat: np.ndarray
    lon: np.ndarray
    lead_days: np.ndarray
    quality: np.ndarray
    moq_units: np.ndarray
    capacity: np.ndarray
    cost_usd: np.ndarray
    tree: cKDTree


@dataclass
class _HubPlan:
    """One hub's greedy fill: picks and alternatives per process, capacity units/day in reach."""

    hub: str
    lat: float
    lon: float
    picks: list[list[Assignment]]
    alternatives: list[list[Assignment]]
    available: np.ndarray
    demand: int
    moq_notes: list[str]

    @property
    def feasible(self) -> bool:
        return bool(np.all(self.available >= self.demand))

    @property
    def landed_usd(self) -> float:
        """Landed cost USD/unit: units-weighted unit cost plus freight, summed over processes."""
        total = sum(
            a.units_per_day * (a.unit_cost_usd + FREIGHT_USD_PER_UNIT_MINUTE * a.travel_minutes)
            for picks in self.picks
            for a in picks
        )
        return total / self.demand


def effective_unit_cost_usd(
    unit_cost_usd: np.ndarray | float,
    travel_min: np.ndarray | float,
    lead_time_days: np.ndarray | float,
    quality: np.ndarray | float,
) -> np.ndarray:
    """Ranking cost USD/unit: unit cost + freight + lead-time and (1 − quality) penalties."""
    return (
        np.asarray(unit_cost_usd, dtype=float)
        + FREIGHT_USD_PER_UNIT_MINUTE * np.asarray(travel_min, dtype=float)
        + LEAD_USD_PER_UNIT_DAY * np.asarray(lead_time_days, dtype=float)
        + QUALITY_USD_PER_UNIT * (1.0 - np.asarray(quality, dtype=float))
    )


def greedy_fill(capacity_units: np.ndarray, demand_units: int) -> np.ndarray:
    """Units/day taken from each supplier, already sorted cheapest first, until demand is met."""
    before = np.cumsum(capacity_units) - capacity_units
    return np.clip(demand_units - before, 0, capacity_units).astype(int)


def _network(suppliers: list[SupplierRecord], processes: list[str]) -> _Network:
    """Column arrays and a km-space KD-tree for the suppliers."""
    n, col = len(suppliers), {p: j for j, p in enumerate(processes)}
    capacity = np.zeros((n, len(processes)), dtype=int)
    cost = np.full((n, len(processes)), np.inf)
    for i, s in enumerate(suppliers):
        for process, (units, usd) in s.capabilities.items():
            if (j := col.get(process)) is not None:
                capacity[i, j], cost[i, j] = units, usd
    lat = np.array([s.lat for s in suppliers], dtype=float)
    lon = np.array([s.lon for s in suppliers], dtype=float)
    return _Network(
        suppliers=suppliers,
        lat=lat,
        lon=lon,
        lead_days=np.array([s.lead_time_days for s in suppliers], dtype=float),
        quality=np.array([s.quality for s in suppliers], dtype=float),
        moq_units=np.array([s.moq_units for s in suppliers], dtype=int),
        capacity=capacity,
        cost_usd=cost,
        tree=cKDTree(project_km(lat, lon).reshape(n, 2)),
    )


def _within(
    net: _Network, hub: tuple[float, float], minutes: float
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of suppliers within `minutes` of the hub, and their travel minutes."""
    radius_km = minutes / 60.0 * SPEED_KMH / ROAD_FACTOR * _PRUNE_MARGIN
    idx = np.sort(np.asarray(net.tree.query_ball_point(project_km(*hub), radius_km), dtype=int))
    t = travel_minutes(hub[0], hub[1], net.lat[idx], net.lon[idx])
    keep = t <= minutes
    return idx[keep], t[keep]


def _available(net: _Network, hub: tuple[float, float], minutes: float) -> np.ndarray:
    """Capacity units/day per demanded process within `minutes` of the hub."""
    idx, _ = _within(net, hub, minutes)
    return net.capacity[idx].sum(axis=0)


def _assignment(net: _Network, i: int, j: int, process: str, units: int, t: float) -> Assignment:
    """An Assignment of `units`/day of `process` at supplier row i."""
    s = net.suppliers[i]
    return Assignment(
        supplier_code=s.code,
        supplier_id=s.id,
        supplier_name=s.name,
        town=s.town,
        process=process,
        units_per_day=int(units),
        unit_cost_usd=float(net.cost_usd[i, j]),
        travel_minutes=round(float(t), 1),
        lead_time_days=s.lead_time_days,
    )


def _respect_moq(
    net: _Network, idx: np.ndarray, j: int, take: np.ndarray
) -> tuple[np.ndarray, str | None]:
    """Move a marginal share below its supplier's MOQ to the next supplier that accepts it."""
    used = np.flatnonzero(take)
    if used.size == 0:
        return take, None
    last = used[-1]
    rem, moq, cap = int(take[last]), net.moq_units[idx], net.capacity[idx, j]
    if rem >= moq[last]:
        return take, None
    later = np.flatnonzero((moq[last + 1 :] <= rem) & (cap[last + 1 :] >= rem))
    if later.size:
        take = take.copy()
        take[last], take[last + 1 + later[0]] = 0, rem
        return take, None
    code = net.suppliers[idx[last]].code
    return take, f"{code} takes {rem:,} units/day, below its MOQ of {moq[last]:,} (accepted)"


def _plan_process(
    net: _Network, idx: np.ndarray, t: np.ndarray, j: int, process: str, demand: int
) -> tuple[list[Assignment], list[Assignment], str | None]:
    """Greedy fill of one process by effective cost; picks, next-best two, MOQ note."""
    offer = net.capacity[idx, j] > 0
    idx, t = idx[offer], t[offer]
    eff = effective_unit_cost_usd(net.cost_usd[idx, j], t, net.lead_days[idx], net.quality[idx])
    order = np.argsort(eff, kind="stable")
    idx, t = idx[order], t[order]
    take, note = _respect_moq(net, idx, j, greedy_fill(net.capacity[idx, j], demand))
    picks = [
        _assignment(net, i, j, process, u, m) for i, u, m in zip(idx, take, t, strict=True) if u
    ]
    spare = [k for k in range(idx.size) if not take[k]][:2]
    alts = [
        _assignment(net, idx[k], j, process, min(net.capacity[idx[k], j], demand), t[k])
        for k in spare
    ]
    return picks, alts, note


def _plan_hub(
    net: _Network,
    processes: list[str],
    demand: int,
    hub: str,
    at: tuple[float, float],
    limit: float,
) -> _HubPlan:
    """Greedy plan for every process from suppliers within `limit` minutes of one hub."""
    idx, t = _within(net, at, limit)
    plan = _HubPlan(hub, at[0], at[1], [], [], net.capacity[idx].sum(axis=0), demand, [])
    for j, process in enumerate(processes):
        picks, alts, note = _plan_process(net, idx, t, j, process, demand)
        plan.picks.append(picks)
        plan.alternatives.append(alts)
        plan.moq_notes += [f"{process}: {note}"] if note else []
    return plan


def _widened(limit: float) -> tuple[float, float]:
    """The two wider limits (minutes) an infeasibility message quotes: 45 and 60 by default."""
    return max(45.0, 1.5 * limit), max(60.0, 2.0 * limit)


def _infeasible(
    net: _Network,
    processes: list[str],
    demand: int,
    hubs: dict[str, tuple[float, float]],
    limit: float,
) -> NoFeasibleSuppliers:
    """The error naming short processes, best capacity in reach, and what 45/60 min would give."""
    names = list(hubs)
    minutes = (limit, *_widened(limit))
    avail = {
        m: np.array([_available(net, hubs[h], m) for h in names]).reshape(len(names), -1)
        for m in minutes
    }
    best = {m: avail[m].max(axis=0, initial=0) for m in minutes}
    lacking = [j for j in range(len(processes)) if best[limit][j] < demand]
    if lacking:
        w1, w2 = minutes[1:]
        parts = [
            f"{processes[j]}: at most {best[limit][j]:,} units/day within {limit:g} min of a hub"
            f"{_at_hub(names, avail[limit][:, j])} vs {demand:,} demanded; "
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


def _explain(
    best: _HubPlan,
    feasible: list[_HubPlan],
    plans: list[_HubPlan],
    processes: list[str],
    limit: float,
) -> list[str]:
    """Human sentences: hub choice, one line per process, binding constraint, MOQ caveats."""
    demand = best.demand
    head = f"hub: {best.hub} hub, landed ${best.landed_usd:.3f}/unit"
    if len(feasible) > 1:
        head += f"; next best {feasible[1].hub} at ${feasible[1].landed_usd:.3f}"
    out_of_reach = [f"{p.hub} ({_short(p, processes)})" for p in plans if not p.feasible]
    if out_of_reach:
        head += f"; infeasible within {limit:g} min: " + ", ".join(out_of_reach)
    lines = [head]
    for process, picks in zip(processes, best.picks, strict=True):
        a = picks[0]
        line = (
            f"{process}: {a.supplier_code} {a.supplier_name} covers {a.units_per_day:,}/{demand:,} "
            f"units/day at ${a.unit_cost_usd:.2f}, {a.travel_minutes:.0f} min from {best.hub} hub"
        )
        lines.append(line + (f"; split across {len(picks)} suppliers" if len(picks) > 1 else ""))
    j = int(np.argmax(demand / np.maximum(best.available, 1)))
    lines.append(
        f"binding constraint: {processes[j]} capacity within {limit:g} min "
        f"({demand:,} of {int(best.available[j]):,} units/day in reach used, "
        f"{demand / best.available[j]:.0%})"
    )
    return lines + best.moq_notes


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


def match_suppliers(
    processes: list[str],
    units_per_day: int,
    suppliers: list[SupplierRecord],
    max_travel_minutes: float = 30.0,
    hubs: dict[str, tuple[float, float]] | None = None,
) -> MatchResult:
    """Cover every process at `units_per_day` from suppliers within the limit (minutes) of a hub."""
    hubs = HUBS if hubs is None else hubs
    wanted = _validate(processes, units_per_day, hubs)
    net = _network(suppliers, wanted)
    plans = [
        _plan_hub(net, wanted, units_per_day, h, at, max_travel_minutes) for h, at in hubs.items()
    ]
    feasible = sorted((p for p in plans if p.feasible), key=lambda p: (p.landed_usd, p.hub))
    if not feasible:
        raise _infeasible(net, wanted, units_per_day, hubs, max_travel_minutes)
    best = feasible[0]
    return MatchResult(
        hub=best.hub,
        hub_lat=best.lat,
        hub_lon=best.lon,
        assignments=[a for picks in best.picks for a in picks],
        alternatives=[a for alts in best.alternatives for a in alts],
        explanation=_explain(best, feasible, plans, wanted, max_travel_minutes),
        landed_unit_cost_usd=round(best.landed_usd, 4),
    )

"""plan_order: multi-stage, lot-split finite-capacity plan (greedy preview or CP-SAT) → Schedule."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from engines.scheduling import cpsat
from engines.scheduling.bounds import makespan_lower_bound
from engines.scheduling.lines import Line
from engines.scheduling.orders import TICKS_PER_DAY, Built, Order, build_orders
from engines.scheduling.problem import Solution, greedy, objective, used_cost
from engines.scheduling.schedule import DeadlineInfeasible, Schedule, line_row

OpKey = tuple[int, int]
LOCAL_SEARCH_SHARE = 0.3  # of the solver's seconds, spent polishing the greedy on flow lines


def routing_of(lines: Sequence[Line]) -> tuple[str, ...]:
    """Processes in order of first appearance: the default routing (stage order)."""
    return tuple(dict.fromkeys(ln.process for ln in lines))


def _day(tick: int) -> int:
    """0-based day in which an end tick falls (end of day d is tick TICKS_PER_DAY · (d + 1))."""
    return max(math.ceil(tick / TICKS_PER_DAY) - 1, 0)


def _ramp_factor(line: Line, ticks: int, origins: list[int]) -> np.ndarray:
    """Learning-curve factor per tick: f0 → 1 over ramp_days from each campaign origin tick."""
    factor = np.ones(ticks)
    bounds = [*sorted(origins), ticks]
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        if line.ramp_days <= 0 or a >= ticks:
            continue
        days = np.arange(b - a) // TICKS_PER_DAY
        f0 = line.ramp_start_fraction
        factor[a:b] = f0 + (1 - f0) * np.minimum(days / line.ramp_days, 1.0)
    return factor


def _line_output(built: Built, k: int, ops: list[tuple[OpKey, int, int]], ticks: int) -> np.ndarray:
    """Units made per day on machine k: work-conserving at ramp-limited capacity (units/day)."""
    p, line = built.problem, built.lines[k]
    first: dict[int, int] = {}
    for (j, _), st, _ in sorted(ops, key=lambda o: o[1]):
        first.setdefault(p.group[j], st - int(built.ramp_loss_ticks[k]))
    cap = np.full(ticks, built.rates_per_day[k] / TICKS_PER_DAY)
    for a, b in p.blocked[k]:
        cap[max(a, 0) : max(min(b, ticks), 0)] = 0.0
    cum = np.concatenate([[0.0], np.cumsum(cap * _ramp_factor(line, ticks, list(first.values())))])
    day_ends = np.arange(TICKS_PER_DAY, ticks + 1, TICKS_PER_DAY)
    made, free, seen = np.zeros(day_ends.size), 0, set()
    for (j, _), st, _ in sorted(ops, key=lambda o: o[1]):
        g, units = p.group[j], built.lots[j][2]
        rel = first[g] if g not in seen else st
        seen.add(g)
        b = max(rel, free, 0)
        free = min(int(np.searchsorted(cum, cum[b] + units - 1e-6)), ticks)
        made += np.clip(cum[np.minimum(day_ends, free)] - cum[b], 0.0, units)
    return np.diff(np.floor(made + 1e-6), prepend=0.0).astype(np.int64)


def _per_line(built: Built, sol: Solution) -> dict[int, list[tuple[OpKey, int, int]]]:
    """Operations grouped by machine: (job, stage), start tick, end tick."""
    out: dict[int, list[tuple[OpKey, int, int]]] = {}
    for key, (m, st, en) in sol.ops.items():
        out.setdefault(m, []).append((key, st, en))
    return out


def _rows(built: Built, per_day: dict[int, np.ndarray]) -> list[dict[str, Any]]:
    """Per-line summary rows at each line's built rate."""
    rows = (
        line_row(built.lines[k], units, float(built.rates_per_day[k]))
        for k, units in sorted(per_day.items())
    )
    return [r for r in rows if r is not None]


def _shipments(built: Built, sol: Solution) -> list[tuple[int, int]]:
    """(day, units) shipped: each lot ships on the day its last stage ends."""
    by_day: dict[int, int] = {}
    for j, stages in enumerate(built.problem.jobs):
        day = _day(sol.ops[(j, len(stages) - 1)][2])
        by_day[day] = by_day.get(day, 0) + built.lots[j][2]
    return sorted(by_day.items())


def report(built: Built, sol: Solution, due_in_days: int, warm: Solution) -> Schedule:
    """A Schedule (days, units/day) from a solution of a one-order Problem."""
    order, p = built.orders[0], built.problem
    ticks = TICKS_PER_DAY * (math.ceil(2 * sol.makespan / TICKS_PER_DAY) + 30)
    on_line = _per_line(built, sol)
    per_day = {k: _line_output(built, k, ops, ticks) for k, ops in on_line.items()}
    last = order.routing[-1]
    daily = [
        (built.lines[k].line_id, int(d), int(u))
        for k, units in per_day.items()
        if built.lines[k].process == last
        for d, u in zip(np.flatnonzero(units), units[units > 0], strict=True)
    ]
    daily.sort(key=lambda e: (e[1], e[0]))
    stage_daily = [
        (built.lines[k].process, built.lines[k].line_id, int(d), int(units[d]))
        for k, units in per_day.items()
        for d in np.flatnonzero(units)
    ]
    completion = max(_day(sol.makespan), max((d for _, d, _ in daily), default=0))
    rows = _rows(built, per_day)
    rate = {built.lines[k].line_id: float(built.rates_per_day[k]) for k in per_day}
    active = sum((r["end_day"] - r["start_day"] + 1) * rate[r["line_id"]] for r in rows)
    gantt = sorted(
        (
            built.lines[m].line_id,
            built.lots[j][1],
            order.routing[s],
            st / TICKS_PER_DAY,
            en / TICKS_PER_DAY,
        )
        for (j, s), (m, st, en) in sol.ops.items()
    )
    gap = (sol.objective - sol.bound) / sol.objective if sol.objective > 0 else 0.0
    return Schedule(
        rows,
        daily,
        completion,
        due_in_days - 1,
        completion <= due_in_days - 1,
        gantt=gantt,
        lot_units=[units for _, _, units in sorted(built.lots, key=lambda lot: lot[1])],  # 1 order
        stage_daily=sorted(stage_daily, key=lambda e: (e[2], e[0], e[1])),
        shipments=_shipments(built, sol),
        makespan_days=sol.makespan / TICKS_PER_DAY,
        utilisation=round(sum(r["units"] for r in rows) / active, 4) if active else None,
        extra_cost=float(used_cost(p, sol)),
        objective=sol.objective,
        lower_bound=sol.bound,
        gap=round(gap, 6) if sol.status != "GREEDY" and sol.bound > 0 else None,
        solver_status=sol.status.lower(),
        greedy_completion_day=_day(warm.makespan),
    )


def _solve(built: Built, time_limit_s: float, workers: int) -> tuple[Solution, Solution]:
    """(best solution, greedy solution): CP-SAT warm-started by greedy, never worse than it."""
    p = built.problem
    warm = greedy(p)
    horizon = warm.makespan + (warm.makespan // 4 if any(d is not None for d in p.due) else 0)
    warm.objective = warm.bound = float(objective(p, warm, horizon))
    if time_limit_s <= 0:
        return warm, warm
    lb = makespan_lower_bound(built)
    sol = cpsat.solve(
        p,
        hint=warm,
        horizon=horizon,
        time_limit_s=time_limit_s,
        workers=workers,
        makespan_lb=lb,
        local_search_s=LOCAL_SEARCH_SHARE * time_limit_s,
    )
    return sol, warm  # cpsat.solve never returns worse than its hint


def _notes(
    built: Built, s: Schedule, exclude: Sequence[str], overtime: float, done: int
) -> list[str]:
    """Human notes: routing, lots, solver, overtime, exclusions, lateness."""
    order = built.orders[0]
    notes = [
        f"routing: {' → '.join(order.routing)}; {len(built.lots)} lots of ≤"
        f"{max(u for _, _, u in built.lots):,} units",
        f"lines: {len({r['line_id'] for r in s.lines})} used of {len(built.lines)} eligible",
        f"solver: {s.solver_status}"
        + (f", gap {s.gap:.1%} to bound" if s.gap is not None else " (preview)"),
    ]
    if done:
        notes.insert(0, f"{done:,} already made; planning {order.quantity:,}")
    if overtime:
        notes.append(f"overtime {overtime:g} h/day scales rates by (shift + overtime) / shift")
    if exclude:
        notes.append("excluded lines: " + ", ".join(exclude))
    if not s.on_time:
        notes.append(
            f"late: completes on day {s.completion_day}, {s.completion_day - s.due_day} day(s) "
            f"after due day {s.due_day}"
        )
    return notes


def plan_order(
    quantity: int,
    lines: Sequence[Line],
    due_in_days: int,
    *,
    routing: Sequence[str] | None = None,
    family: str = "",
    lots: int | None = None,
    exclude_lines: Iterable[str] = (),
    max_overtime_hours_per_day: float = 0.0,
    max_lines: int | None = None,
    produced_so_far: int = 0,
    time_limit_s: float = 5.0,
    workers: int = 2,
    strict: bool = False,
) -> Schedule:
    """Finite-capacity plan of an order (units, days); time_limit_s=0 gives the greedy preview."""
    if quantity <= 0 or due_in_days < 1:
        raise ValueError("quantity must be > 0 units and due_in_days ≥ 1 day")
    remaining, exclude = max(quantity - produced_so_far, 0), list(exclude_lines)
    if remaining == 0:
        note = f"nothing left: {produced_so_far:,} of {quantity:,} made"
        return Schedule([], [], 0, due_in_days - 1, True, [note])
    route = tuple(routing) if routing else routing_of(lines)
    order = Order("order", remaining, route, due_in_days, family, lots)
    ot = max_overtime_hours_per_day
    built = build_orders(
        [order], lines, overtime_hours=ot, exclude_lines=exclude, max_lines=max_lines
    )
    sol, warm = _solve(built, time_limit_s, workers)
    s = report(built, sol, due_in_days, warm)
    s.notes = _notes(built, s, exclude, ot, produced_so_far)
    if strict and not s.on_time:
        raise DeadlineInfeasible(s.notes[-1], s.completion_day)
    return s


def what_if(
    quantity: int,
    lines: Sequence[Line],
    due_in_days: int,
    scenarios: dict[str, dict[str, Any]],
    **common: Any,
) -> dict[str, Schedule]:
    """Plan each scenario: plan_order keywords plus add_lines=[Line, ...] (extra capacity)."""
    plans = {}
    for name, kw in scenarios.items():
        kw = {**common, **kw}
        extra = list(kw.pop("add_lines", []))
        plans[name] = plan_order(quantity, [*lines, *extra], due_in_days, **kw)
    return plans


def compare_plans(plans: dict[str, Schedule]) -> list[dict[str, Any]]:
    """Side-by-side rows: completion day, on time, makespan (days), lines, cost, utilisation."""
    return [
        {
            "scenario": name,
            "completion_day": s.completion_day,
            "on_time": s.on_time,
            "makespan_days": round(s.makespan_days or 0.0, 2),
            "lines_used": len(s.lines),
            "extra_cost": s.extra_cost,
            "utilisation": s.utilisation,
            "solver": s.solver_status,
        }
        for name, s in plans.items()
    ]


def format_comparison(rows: list[dict[str, Any]]) -> str:
    """The comparison rows as a fixed-width text table."""
    if not rows:
        return ""
    cols = list(rows[0])
    cells = [[str(r[c]) for c in cols] for r in rows]
    width = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    fmt = "  ".join(f"{{:<{w}}}" for w in width)
    return "\n".join([fmt.format(*cols), *(fmt.format(*row) for row in cells)])

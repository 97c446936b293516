"""Orders on lines as a Problem in quarter-hour ticks: lots × routing stages, setups, calendars."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from engines.scheduling.lines import Line
from engines.scheduling.problem import Problem
from engines.scheduling.schedule import MAX_HORIZON_DAYS, DeadlineInfeasible, overtime_scale

# One tick = a quarter hour of the factory calendar. A lot's ticks on a line round its units /
# rate up to whole ticks: with hour ticks that wasted half an hour per lot and stage on average
# (about 1 % of a 200-lot plan's makespan); a quarter hour keeps it near 8 minutes.
TICKS_PER_HOUR = 4
TICKS_PER_DAY = 24 * TICKS_PER_HOUR
MAX_AUTO_LOTS = 150


@dataclass
class Order:
    """Q units of a family through routing stages (processes), due by the end of due_in_days."""

    order_id: str
    quantity: int
    routing: tuple[str, ...]
    due_in_days: int | None = None
    family: str = ""
    lots: int | None = None
    release_day: float = 0.0

    def __post_init__(self) -> None:
        if self.quantity < 0 or not self.routing:
            raise ValueError(f"order {self.order_id}: quantity ≥ 0 and a non-empty routing")


@dataclass
class Built:
    """A Problem plus what its indices mean: machines are lines, jobs are (order, lot, units)."""

    problem: Problem
    lines: list[Line]
    orders: list[Order]
    lots: list[tuple[int, int, int]]  # per job: (order index, lot index, units)
    rates_per_day: np.ndarray  # per machine, units/day with overtime
    ramp_loss_ticks: np.ndarray  # per machine


def ramp_loss_days(line: Line) -> float:
    """Output lost to the learning curve, in full-rate days: (1 − f0)(N + 1) / 2."""
    return (1.0 - line.ramp_start_fraction) * (line.ramp_days + 1) / 2 if line.ramp_days else 0.0


def split_lots(units: int, lots: int) -> list[int]:
    """Split units into `lots` near-equal positive lots (fewer if units < lots)."""
    n = max(1, min(lots, units))
    base, extra = divmod(units, n)
    return [base + (k < extra) for k in range(n)]


def auto_lots(quantity: int, lines: Sequence[Line]) -> int:
    """Default lot count: lots of about one day on a median line, ≥ 2 per line of a stage."""
    if not quantity:
        return 1
    by_process: dict[str, int] = {}
    for ln in lines:
        by_process[ln.process] = by_process.get(ln.process, 0) + 1
    per_day = float(np.median([ln.rate_units_per_day for ln in lines]))
    n = max(2 * max(by_process.values()), math.ceil(quantity / max(per_day, 1.0)))
    return int(np.clip(n, 4, MAX_AUTO_LOTS))


def stage_lines(
    lines: Sequence[Line], process: str, exclude: Iterable[str], max_lines: int | None
) -> list[Line]:
    """Eligible lines of a process in recruiting order (earliest available, then fastest)."""
    skip = set(exclude)
    of_process = [ln for ln in lines if ln.process == process]
    ok = [ln for ln in of_process if ln.line_id not in skip and ln.rate_units_per_day > 0]
    if not ok:
        why = " (all excluded)" if of_process else ""
        raise DeadlineInfeasible(f"no {process} line left to schedule on{why}", -1)
    ok.sort(key=lambda ln: (ln.available_from_day, -ln.rate_units_per_day, ln.line_id))
    return ok[:max_lines] if max_lines is not None else ok


def _blocked_ticks(line: Line, horizon_days: int) -> list[tuple[int, int]]:
    """Days off (weekday = day % 7) and existing commitments as [start, end) ticks."""
    off = [d for d in range(horizon_days) if d % 7 in line.days_off]
    out = [(d * TICKS_PER_DAY, (d + 1) * TICKS_PER_DAY) for d in off]
    out += [
        (math.floor(a * TICKS_PER_DAY), math.ceil(b * TICKS_PER_DAY)) for a, b in line.blocked_days
    ]
    return sorted(out)


def _horizon_days(orders: Sequence[Order], per_stage_rate: list[float], lines: list[Line]) -> int:
    """Generous calendar horizon (days) for days off: 3 × serial work + latest start + 30."""
    units = sum(o.quantity for o in orders)
    work = sum(units / max(r, 1e-9) for r in per_stage_rate)
    late = max(ln.available_from_day + ln.changeover_days + ln.ramp_days for ln in lines)
    days = int(3 * work + late + 30 + max(o.release_day for o in orders))
    if days > MAX_HORIZON_DAYS * 3:
        raise DeadlineInfeasible(f"{units:,} units would take over {MAX_HORIZON_DAYS:,} days", -1)
    return days


def build_orders(
    orders: Sequence[Order],
    lines: Sequence[Line],
    *,
    overtime_hours: float = 0.0,
    exclude_lines: Iterable[str] = (),
    max_lines: int | None = None,
) -> Built:
    """Problem for orders on lines: each lot visits one eligible line per routing stage."""
    exclude = list(exclude_lines)
    routes = {p: stage_lines(lines, p, exclude, max_lines) for o in orders for p in o.routing}
    machines = list({id(ln): ln for group in routes.values() for ln in group}.values())
    index = {id(ln): k for k, ln in enumerate(machines)}
    scale = overtime_scale(np.array([ln.shift_hours for ln in machines]), overtime_hours)
    loss = np.array([ramp_loss_days(ln) for ln in machines]) * TICKS_PER_DAY
    jobs, group, lots, due, rel = [], [], [], [], []
    rates = np.zeros(len(machines))
    for g, o in enumerate(orders):
        day_rate = {id(ln): ln.rate_for(o.family) * scale[index[id(ln)]] for ln in machines}
        for k, ln in enumerate(machines):
            rates[k] = max(rates[k], day_rate[id(ln)])
        due.append(None if o.due_in_days is None else o.due_in_days * TICKS_PER_DAY)
        n_lots = o.lots or auto_lots(o.quantity, [ln for p in o.routing for ln in routes[p]])
        for lot, units in enumerate(split_lots(o.quantity, n_lots)):
            jobs.append([_alternatives(routes[p], units, day_rate, index) for p in o.routing])
            group.append(g)
            lots.append((g, lot, units))
            rel.append(math.ceil(o.release_day * TICKS_PER_DAY))
    stage_rate = [sum(ln.rate_units_per_day for ln in routes[p]) for p in routes]
    horizon = _horizon_days(orders, stage_rate, machines)
    problem = Problem(
        len(machines),
        jobs,
        group,
        due=due,
        setup=[
            math.ceil(ln.changeover_days * TICKS_PER_DAY + lo - 1e-9)  # never shorter
            for ln, lo in zip(machines, loss, strict=True)
        ],
        release=[ln.available_from_day * TICKS_PER_DAY for ln in machines],
        blocked=[_blocked_ticks(ln, horizon) for ln in machines],
        cost=[round(ln.extra_cost) for ln in machines],
        job_release=rel,
    )
    return Built(problem, machines, list(orders), lots, rates, loss)


def _alternatives(
    group: list[Line], units: int, day_rate: dict[int, float], index: dict[int, int]
) -> dict[int, int]:
    """Machine → ticks to make `units` at that line's rate (lines of zero rate left out)."""
    out = {
        index[id(ln)]: max(1, math.ceil(units * TICKS_PER_DAY / day_rate[id(ln)] - 1e-9))
        for ln in group
        if day_rate[id(ln)] > 0
    }
    if not out:
        raise DeadlineInfeasible(f"no line of {group[0].process} makes this family", -1)
    return out


def _heads_tails(p: Problem, stage: int, jobs: list[int]) -> tuple[int, int]:
    """Least ticks any job needs before (release + earlier stages) and after a stage."""
    fastest = [[min(a.values()) for a in p.jobs[j]] for j in jobs]
    head = min(p.job_release[j] + sum(f[:stage]) for j, f in zip(jobs, fastest, strict=True))
    tail = min(sum(f[stage + 1 :]) for f in fastest)
    return head, tail


def fluid_lower_bound(built: Built) -> int:
    """Makespan lower bound (ticks): per stage, pooled line capacity must cover its units."""
    p, bound = built.problem, 0
    blocked_end = max((e for b in p.blocked for _, e in b), default=0)
    serial = sum(max(a.values()) for st in p.jobs for a in st)
    horizon = max(blocked_end, *p.release, *p.job_release) + max(p.setup) + serial + 1
    for (_, stage), jobs in _stage_jobs(built).items():
        machines = sorted({m for j in jobs for m in p.jobs[j][stage]})
        head, tail = _heads_tails(p, stage, jobs)
        units = sum(built.lots[j][2] for j in jobs)
        cap = np.zeros(horizon)
        for m in machines:
            avail = np.zeros(horizon)
            # the setup may run before the first lot arrives, not before the line is released
            avail[max(p.release[m] + p.setup[m], head) :] = built.rates_per_day[m] / TICKS_PER_DAY
            for a, b in p.blocked[m]:
                avail[a:b] = 0.0
            cap += avail
        reach = int(np.searchsorted(np.cumsum(cap), units - 1e-6)) + 1
        bound = max(bound, reach + tail)
    return bound


def _stage_jobs(built: Built) -> dict[tuple[int, int], list[int]]:
    """Jobs per (routing pool, stage index): stages of all orders sharing the same process."""
    out: dict[tuple[int, int], list[int]] = {}
    for j, (g, _, _) in enumerate(built.lots):
        for s, process in enumerate(built.orders[g].routing):
            out.setdefault((hash(process), s), []).append(j)
    return out

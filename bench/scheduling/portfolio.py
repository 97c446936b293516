"""`python -m bench.scheduling.portfolio`: 50 ideas arriving over 30 days on 40 own lines.

Four policies on the same ideas, in the same run:
- alone: each idea planned as if the lines were all its own (the behaviour before issue 21):
  its promised dates, and the line-days it double books with the others;
- fcfs: first come, first served: each idea planned on arrival around what earlier ones hold,
  on the fewest lines that meet its due day (engines.scheduling.ramp), never double booking;
- portfolio-greedy / portfolio-cpsat: as fcfs, and when the new idea is late a portfolio
  replan (engines.scheduling.portfolio.replan_portfolio, solver "greedy" or "cpsat", the
  default) moves not-started lots by priority; the planner approves it when it lowers the
  priority-weighted lateness of the ideas it moves.
Reported: on-time rate, mean and p90 lateness (days), priority-weighted lateness, utilisation
(booked line-days / lines × span) and double-booked line-days, the replans approved and the
seconds per replan solve; then the time per new plan with
the 50 runs booked (ramp + greedy preview, and ramp + CP-SAT) as ratios to the same plan on an
empty factory and to the targets (2 s preview, 10 s full solve).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field, replace

import numpy as np

from engines.scheduling.lines import Line
from engines.scheduling.plan import plan_order
from engines.scheduling.portfolio import (
    CAPACITY_WEIGHT,
    Block,
    Idea,
    PortfolioLine,
    priority_score,
    replan_portfolio,
)
from engines.scheduling.ramp import ramp_curve
from engines.scheduling.schedule import Schedule

PROCESS = "sew"
PREVIEW_TARGET_S, FULL_TARGET_S = 2.0, 10.0
SCALE = 2.0  # order sizes × 2: the lines are busy enough for ideas to compete


@dataclass
class Ask:
    """One idea: arrives on a day, `units` due by the end of `due` (absolute days)."""

    k: int
    arrival: float
    units: int
    due: int
    value_usd: float
    hot: bool


@dataclass
class Book:
    """Booked line time (absolute days)."""

    idea: int
    line_id: str
    start: float
    end: float


@dataclass
class World:
    lines: list[Line]
    bookings: list[Book] = field(default_factory=list)
    completion: dict[int, float] = field(default_factory=dict)  # absolute end day


def ideas(n: int, days: float, seed: int, scale: float = 1.0) -> list[Ask]:
    """Ideas arriving uniformly over `days`: 5k–40k units (× scale) due in 10–30 days; a fifth
    are hot trends (20k–60k units × scale, due in 5–8 days, worth more)."""
    rng = np.random.default_rng(seed)
    arrivals = np.sort(rng.uniform(0, days, n))
    out = []
    for k, a in enumerate(arrivals):
        hot = bool(rng.random() < 0.2)
        units = int(scale * (rng.integers(20_000, 60_000) if hot else rng.integers(5_000, 40_000)))
        lead = int(rng.integers(5, 9) if hot else rng.integers(10, 31))
        price = float(rng.uniform(8, 20) if hot else rng.uniform(3, 12))
        out.append(Ask(k, float(a), units, int(np.ceil(a)) + lead, price * units, hot))
    return out


def factory(n: int, seed: int) -> list[Line]:
    """n own lines of 800–2,400 units/day, half a day of changeover, three days of ramp-up."""
    rng = np.random.default_rng(seed + 1)
    return [Line(f"L{k + 1:02d}", "own", PROCESS, float(rng.integers(800, 2401))) for k in range(n)]


def _blocked(world: World, day0: float) -> list[Line]:
    """The lines blocked where others hold them, days from day0."""
    held: dict[str, list[tuple[float, float]]] = {}
    for b in world.bookings:
        if b.end > day0:
            held.setdefault(b.line_id, []).append((max(b.start - day0, 0.0), b.end - day0))
    return [replace(ln, blocked_days=tuple(sorted(held.get(ln.line_id, [])))) for ln in world.lines]


def _priority(ask: Ask, day: float) -> float:
    return priority_score(ask.due - day, ask.value_usd)


def plan(ask: Ask, lines: list[Line], day0: float, time_limit_s: float = 0.0) -> Schedule:
    """What the planning activity does: the ramp, then the plan on the fewest lines."""
    due = max(ask.due - int(day0), 1)
    ramp = ramp_curve(ask.units, lines, due, PROCESS)
    chosen = set(next(p.line_ids for p in ramp.curve if p.lines == ramp.chosen))
    skip = [ln.line_id for ln in lines if ln.line_id not in chosen]
    return plan_order(ask.units, lines, due, exclude_lines=skip, time_limit_s=time_limit_s)


def _book(world: World, ask: Ask, s: Schedule, day0: float) -> None:
    spans: dict[str, list[tuple[float, float]]] = {}
    for line, _, _, a, b in s.gantt:
        spans.setdefault(line, []).append((a + day0, b + day0))
    for line, parts in spans.items():
        parts.sort()
        start, end = parts[0]
        for a, b in parts[1:]:
            if a > end:
                world.bookings.append(Book(ask.k, line, start, end))
                start = a
            end = max(end, b)
        world.bookings.append(Book(ask.k, line, start, end))
    world.completion[ask.k] = int(day0) + s.completion_day


def run_alone(asks: list[Ask], lines: list[Line]) -> World:
    world = World(lines)
    for ask in asks:
        _book(world, ask, plan(ask, lines, int(ask.arrival)), int(ask.arrival))
    return world


def run_fcfs(
    asks: list[Ask],
    lines: list[Line],
    portfolio: bool,
    weight: float = CAPACITY_WEIGHT,
    solver: str = "cpsat",
    time_limit_s: float = 3.0,
    solve_s: list[float] | None = None,
) -> tuple[World, int]:
    """First come, first served; with `portfolio`, a replan whenever the new idea is late
    (the seconds of each replan solve are appended to solve_s)."""
    world, replans = World(lines), 0
    for ask in asks:
        day0 = int(ask.arrival)
        s = plan(ask, _blocked(world, day0), day0)
        _book(world, ask, s, day0)
        if portfolio and world.completion[ask.k] > ask.due - 1:
            t = time.perf_counter()
            replans += _replan(world, asks, day0, weight, solver, time_limit_s)
            if solve_s is not None:
                solve_s.append(time.perf_counter() - t)
    return world, replans


def _replan(
    world: World, asks: list[Ask], day0: float, weight: float, solver: str, time_limit_s: float
) -> int:
    """A portfolio replan at day0 (not-started bookings move by priority), approved when it
    lowers the priority-weighted lateness of the ideas it moves (1), else rejected (0)."""
    blocks = [
        Block(i, b.idea, b.line_id, b.start - day0, b.end - day0, b.start <= day0)
        for i, b in enumerate(world.bookings)
        if b.end > day0
    ]
    held = {b.trend_id for b in blocks}
    lines = [PortfolioLine(ln.line_id, PROCESS, ln.rate_units_per_day, ln.changeover_days)
             for ln in world.lines]  # fmt: skip
    ideas_ = [
        Idea(k, _priority(asks[k], day0), asks[k].due - day0, world.completion[k] + 1 - day0)
        for k in sorted(held)
    ]
    p = replan_portfolio(
        blocks, lines, ideas_, capacity_weight=weight, solver=solver, time_limit_s=time_limit_s
    )
    before = sum(o.priority * o.lateness_before for o in p.outcomes)
    after = sum(o.priority * o.lateness_after for o in p.outcomes)
    if after >= before:  # the planner rejects a proposal that does not lower it
        return 0
    gone = set(p.replaced)
    world.bookings = [b for i, b in enumerate(world.bookings) if i not in gone]
    world.bookings += [Book(k, ln, a + day0, z + day0) for k, ln, a, z in p.placed]
    for o in p.outcomes:
        world.completion[o.trend_id] = o.completion_after - 1 + day0
    return 1


def double_booked(world: World) -> float:
    """Line-days two ideas hold at once (an overlap under 1e-9 days, float rounding of days
    counted from another day, is none)."""
    total = 0.0
    by_line: dict[str, list[Book]] = {}
    for b in world.bookings:
        by_line.setdefault(b.line_id, []).append(b)
    for books in by_line.values():
        for i, a in enumerate(books):
            for b in books[i + 1 :]:
                overlap = min(a.end, b.end) - max(a.start, b.start)
                if a.idea != b.idea and overlap > 1e-9:
                    total += overlap
    return total


def report(name: str, world: World, asks: list[Ask]) -> dict[str, float]:
    late = np.array([max(world.completion[a.k] - (a.due - 1), 0.0) for a in asks])
    weight = np.array([_priority(a, a.arrival) for a in asks])
    start = min(b.start for b in world.bookings)
    end = max(b.end for b in world.bookings)
    busy = sum(b.end - b.start for b in world.bookings)
    hot = np.array([a.hot for a in asks])
    return {
        "policy": name,  # type: ignore[dict-item]
        "on_time": float(np.mean(late <= 0)),
        "hot_on_time": float(np.mean(late[hot] <= 0)) if hot.any() else float("nan"),
        "mean_late_d": float(late.mean()),
        "p90_late_d": float(np.percentile(late, 90)),
        "weighted_late": float((late * weight).sum() / weight.sum()),
        "utilisation": busy / (len(world.lines) * (end - start)),
        "double_booked_line_d": double_booked(world),
    }


def _timed(fn) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.scheduling.portfolio")
    ap.add_argument("--ideas", type=int, default=50)
    ap.add_argument("--days", type=float, default=30.0, help="arrivals spread over")
    ap.add_argument("--lines", type=int, default=40)
    ap.add_argument("--time-limit", type=float, default=5.0, help="CP-SAT s of the full solve")
    ap.add_argument("--replan-limit", type=float, default=3.0, help="CP-SAT s per replan")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scale", type=float, default=SCALE, help="units multiplier (load)")
    ap.add_argument(
        "--capacity-weight", type=float, default=CAPACITY_WEIGHT,
        help="the replan's charge for extra changeover line-days (engines.scheduling.portfolio)",
    )  # fmt: skip
    args = ap.parse_args()
    asks = ideas(args.ideas, args.days, args.seed, args.scale)
    lines = factory(args.lines, args.seed)
    print(f"{len(asks)} ideas over {args.days:g} days ({sum(a.hot for a in asks)} hot), "
          f"{len(lines)} lines, {sum(ln.rate_units_per_day for ln in lines):,.0f} units/day")  # fmt: skip
    t_alone, alone = _timed(lambda: run_alone(asks, lines))
    t_fcfs, (fcfs, _) = _timed(lambda: run_fcfs(asks, lines, portfolio=False))
    rows = [report("alone", alone, asks), report("fcfs", fcfs, asks)]
    runs = [f"simulation s: alone {t_alone:.1f}, fcfs {t_fcfs:.1f}"]
    for solver in ("greedy", "cpsat"):
        solves: list[float] = []
        t_port, (port, replans) = _timed(
            lambda solver=solver, solves=solves: run_fcfs(
                asks, lines, portfolio=True, weight=args.capacity_weight, solver=solver,
                time_limit_s=args.replan_limit, solve_s=solves,
            )
        )  # fmt: skip
        rows.append(report(f"portfolio-{solver}", port, asks))
        runs.append(
            f"portfolio-{solver} {t_port:.1f} ({replans} of {len(solves)} replans approved; "
            f"per replan solve mean {np.mean(solves or [0]):.2f} s, max {max(solves or [0]):.2f} s)"
        )
    cols = list(rows[0])
    print("  ".join(f"{c:>20}" for c in cols))
    for r in rows:
        print(
            "  ".join(f"{r[c]:>20.3f}" if isinstance(r[c], float) else f"{r[c]:>20}" for c in cols)
        )
    print("; ".join(runs))
    f = rows[1]
    for p in rows[2:]:
        print(f"{p['policy']} / fcfs: on-time {p['on_time'] / max(f['on_time'], 1e-9):.2f}x, "
              f"hot on-time {p['hot_on_time'] / max(f['hot_on_time'], 1e-9):.2f}x, weighted "
              f"lateness {p['weighted_late'] / max(f['weighted_late'], 1e-9):.2f}x, mean lateness "
              f"{p['mean_late_d'] / max(f['mean_late_d'], 1e-9):.2f}x, utilisation "
              f"{p['utilisation'] / max(f['utilisation'], 1e-9):.2f}x")  # fmt: skip
    others = ", ".join(f"{r['double_booked_line_d']:.0f}" for r in rows[1:])
    print(f"alone promises on-time {rows[0]['on_time']:.2f} by double booking "
          f"{rows[0]['double_booked_line_d']:.0f} line-days (the others: {others})")  # fmt: skip
    # a new plan with every idea's run booked firm
    new = Ask(len(asks), args.days, 30_000, int(args.days) + 10, 300_000.0, True)
    busy, empty = _blocked(fcfs, args.days), lines
    pe, _ = _timed(lambda: plan(new, empty, args.days))
    pb, _ = _timed(lambda: plan(new, busy, args.days))
    fe, _ = _timed(lambda: plan(new, empty, args.days, args.time_limit))
    fb, _ = _timed(lambda: plan(new, busy, args.days, args.time_limit))
    held = sum(1 for b in fcfs.bookings if b.end > args.days)
    print(f"new plan with {len(asks)} runs booked ({held} bookings still ahead): preview "
          f"{pb:.2f} s = {pb / pe:.2f}x the empty factory's, {pb / PREVIEW_TARGET_S:.2f}x the "
          f"{PREVIEW_TARGET_S:g} s target; full solve (CP-SAT {args.time_limit:g} s) {fb:.2f} s = "
          f"{fb / fe:.2f}x empty, {fb / FULL_TARGET_S:.2f}x the {FULL_TARGET_S:g} s target")  # fmt: skip


if __name__ == "__main__":
    main()

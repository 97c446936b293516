"""Greedy list scheduling of an order on the bottleneck process's lines (units/day, days)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from engines.scheduling.lines import NEVER_BOTTLENECK, Line

MAX_HORIZON_DAYS = 5000


class DeadlineInfeasible(ValueError):
    """The order cannot be made (earliest_day −1) or not by the due day (earliest_day ≥ 0)."""

    def __init__(self, reason: str, earliest_day: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.earliest_day = earliest_day


@dataclass
class Schedule:
    """Per-line plan, daily (line_id, day, units), completion vs due day (0-based factory days).

    CP-SAT plans add: gantt (line_id, lot, stage, start_day, end_day) in fractional days,
    lot_units (units of each lot, by lot index), stage_daily (stage, line_id, day, units) for
    every stage (daily is the last stage), shipments (day, units) of finished lots, the objective, its lower bound and relative gap.
    """

    lines: list[dict[str, Any]]
    daily: list[tuple[str, int, int]]
    completion_day: int
    due_day: int
    on_time: bool
    notes: list[str] = field(default_factory=list)
    gantt: list[tuple[str, int, str, float, float]] = field(default_factory=list)
    lot_units: list[int] = field(default_factory=list)
    stage_daily: list[tuple[str, str, int, int]] = field(default_factory=list)
    shipments: list[tuple[int, int]] = field(default_factory=list)
    makespan_days: float | None = None
    utilisation: float | None = None
    extra_cost: float = 0.0
    objective: float | None = None
    lower_bound: float | None = None
    gap: float | None = None
    solver_status: str = "greedy"
    greedy_completion_day: int | None = None

    def shifted(self, days: int) -> Schedule:
        """The same plan starting `days` factory days later (a replan starts on a later day)."""
        if days == 0:
            return self
        return replace(
            self,
            lines=[
                {**ln, "start_day": ln["start_day"] + days, "end_day": ln["end_day"] + days}
                for ln in self.lines
            ],
            daily=[(line, day + days, units) for line, day, units in self.daily],
            completion_day=self.completion_day + days,
            due_day=self.due_day + days,
            gantt=[(line, lot, stage, a + days, b + days) for line, lot, stage, a, b in self.gantt],
            stage_daily=[(stage, line, day + days, u) for stage, line, day, u in self.stage_daily],
            shipments=[(day + days, units) for day, units in self.shipments],
        )

    def stored_gantt(self) -> list[list[Any]]:
        """Gantt rows as a plan stores them: [line_id, lot, stage, start, end, lot units], days
        rounded to 0.001 day (under 1.5 minutes)."""
        units = self.lot_units
        return [
            [line, lot, stage, round(a, 3), round(b, 3)]
            + ([units[lot]] if lot < len(units) else [])
            for line, lot, stage, a, b in self.gantt
        ]


def overtime_scale(shift_hours: np.ndarray | float, overtime_hours: float) -> np.ndarray:
    """Rate multiplier for overtime: (shift + overtime hours) / shift hours."""
    shift = np.asarray(shift_hours, dtype=float)
    return (shift + overtime_hours) / shift


def _col(lines: Sequence[Line], name: str) -> np.ndarray:
    """One Line attribute as a float column."""
    return np.array([getattr(line, name) for line in lines], dtype=float)


def _rates(lines: Sequence[Line], overtime_hours: float) -> np.ndarray:
    """Full (post-ramp) rate of each line in units/day, overtime included."""
    shift_scale = overtime_scale(_col(lines, "shift_hours"), overtime_hours)
    return _col(lines, "rate_units_per_day") * shift_scale


def capacity_matrix(
    lines: Sequence[Line], horizon_days: int, overtime_hours: float = 0.0
) -> np.ndarray:
    """Whole units each line can make on each day 0..horizon−1 (changeover, ramp, overtime)."""
    rate = _rates(lines, overtime_hours)
    start = _col(lines, "available_from_day") + _col(lines, "changeover_days")
    ramp_days, f0 = _col(lines, "ramp_days"), _col(lines, "ramp_start_fraction")
    day = np.arange(horizon_days, dtype=float)[None, :]
    productive = np.clip(day + 1.0 - start[:, None], 0.0, 1.0)
    progress = np.clip(
        (day - np.floor(start)[:, None]) / np.maximum(ramp_days, 1.0)[:, None], 0.0, 1.0
    )
    ramp = np.where(ramp_days[:, None] > 0, f0[:, None] + (1.0 - f0[:, None]) * progress, 1.0)
    return np.floor(rate[:, None] * ramp * productive + 1e-9).astype(np.int64)


def _pro_rata(capacity: np.ndarray, units: int) -> np.ndarray:
    """Split `units` over lines in proportion to capacity, integers, never above capacity."""
    total = int(capacity.sum())
    base, frac = np.divmod(units * capacity, total)
    extra = units - int(base.sum())
    base[np.argsort(-frac, kind="stable")[:extra]] += 1
    return base


def allocate(capacity: np.ndarray, units: int) -> np.ndarray:
    """Units per line per day: full capacity until the day the remainder fits, then pro rata."""
    cum = capacity.sum(axis=0).cumsum()
    last = int(np.searchsorted(cum, units))
    out = capacity[:, : last + 1].copy()
    out[:, last] = _pro_rata(capacity[:, last], units - (int(cum[last - 1]) if last else 0))
    return out


def _horizon_days(lines: Sequence[Line], units: int, overtime_hours: float) -> int:
    """A horizon (days) by which all lines are at full rate and `units` are surely made."""
    per_day = int(np.floor(_rates(lines, overtime_hours) + 1e-9).sum())
    if per_day == 0:
        raise DeadlineInfeasible("the lines make less than one whole unit per day", -1)
    start = _col(lines, "available_from_day") + _col(lines, "changeover_days")
    warm = np.ceil(start) + _col(lines, "ramp_days")
    horizon = int(warm.max()) + 2 + math.ceil(units / per_day)
    if horizon > MAX_HORIZON_DAYS:
        raise DeadlineInfeasible(f"{units:,} units would take over {MAX_HORIZON_DAYS:,} days", -1)
    return horizon


def pick_bottleneck(lines: Sequence[Line]) -> str:
    """The process with the least total rate (units/day); packaging/printing never bottleneck."""
    total: dict[str, float] = {}
    for line in lines:
        total[line.process] = total.get(line.process, 0.0) + line.rate_units_per_day
    main = {p: r for p, r in total.items() if p not in NEVER_BOTTLENECK} or total
    if not main:
        raise DeadlineInfeasible("no production lines to schedule on", -1)
    return min(main, key=main.__getitem__)


def _candidates(
    lines: Sequence[Line], process: str, exclude: Iterable[str], max_lines: int | None
) -> list[Line]:
    """Eligible lines of `process` in recruiting order: earliest available, then fastest."""
    skip = set(exclude)
    of_process = [line for line in lines if line.process == process]
    eligible = [line for line in of_process if line.line_id not in skip]
    if not eligible:
        why = " (all excluded)" if of_process else ""
        raise DeadlineInfeasible(f"no {process} line left to schedule on{why}", -1)
    eligible.sort(key=lambda ln: (ln.available_from_day, -ln.rate_units_per_day, ln.line_id))
    return eligible[:max_lines] if max_lines is not None else eligible


def recruit_count(
    lines: Sequence[Line], units: int, due_day: int, overtime_hours: float
) -> int | None:
    """Fewest lines (in order) making `units` by the end of due_day; None if all fall short."""
    by_due = capacity_matrix(lines, due_day + 1, overtime_hours).sum(axis=1).cumsum()
    enough = np.flatnonzero(by_due >= units)
    return int(enough[0]) + 1 if enough.size else None


def line_row(line: Line, row: np.ndarray, rate_per_day: float) -> dict[str, Any] | None:
    """One line's summary (None if idle); utilisation = units / (active days × rate/day)."""
    days = np.flatnonzero(row)
    if not days.size:
        return None
    start, end = int(days[0]), int(days[-1])
    return {
        "line_id": line.line_id,
        "owner": line.owner,
        "process": line.process,
        "rate_units_per_day": line.rate_units_per_day,
        "start_day": start,
        "end_day": end,
        "units": int(row.sum()),
        "utilisation": round(float(row.sum()) / ((end - start + 1) * rate_per_day), 4),
    }


def _line_rows(
    lines: Sequence[Line], units: np.ndarray, overtime_hours: float
) -> list[dict[str, Any]]:
    """Per-line summary at the overtime-scaled rate."""
    rows = (
        line_row(
            ln, row, ln.rate_units_per_day * float(overtime_scale(ln.shift_hours, overtime_hours))
        )
        for ln, row in zip(lines, units, strict=True)
    )
    return [r for r in rows if r is not None]


def _notes(
    *,
    process: str,
    eligible: Sequence[Line],
    used: int,
    remaining: int,
    due_day: int,
    completion: int,
    overtime_hours: float,
    exclude: Sequence[str],
    max_lines: int | None,
) -> list[str]:
    """Human notes: bottleneck, recruiting, overtime, exclusions, lateness."""
    rate = sum(line.rate_units_per_day for line in eligible)
    notes = [
        f"bottleneck: {process} ({len(eligible)} eligible lines, {rate:,.0f} units/day)",
        f"recruited {used} of {len(eligible)} lines for {remaining:,} units, due by day {due_day}",
    ]
    if overtime_hours:
        notes.append(
            f"overtime {overtime_hours:g} h/day scales rates by (shift + overtime) / shift"
        )
    if exclude:
        notes.append("excluded lines: " + ", ".join(exclude))
    if completion > due_day:
        limit = f" (max_lines={max_lines})" if max_lines is not None else ""
        notes.append(
            f"late: completes on day {completion}, {completion - due_day} day(s) after due day "
            f"{due_day}, with every eligible line{limit}"
        )
    return notes


def greedy_schedule(
    quantity: int,
    lines: list[Line],
    due_in_days: int,
    *,
    exclude_lines: Sequence[str] = (),
    max_overtime_hours_per_day: float = 0.0,
    max_lines: int | None = None,
    produced_so_far: int = 0,
    bottleneck_process: str | None = None,
) -> Schedule:
    """Plan remaining units on the fewest bottleneck lines meeting the due day (0-based days)."""
    due_day, remaining = due_in_days - 1, max(quantity - produced_so_far, 0)
    if remaining == 0:
        return Schedule(
            [], [], 0, due_day, True, [f"nothing left: {produced_so_far:,} of {quantity:,} made"]
        )
    process = bottleneck_process or pick_bottleneck(lines)
    eligible = _candidates(lines, process, exclude_lines, max_lines)
    ot = max_overtime_hours_per_day
    chosen = eligible[: recruit_count(eligible, remaining, due_day, ot) or len(eligible)]
    units = allocate(capacity_matrix(chosen, _horizon_days(chosen, remaining, ot), ot), remaining)
    completion = units.shape[1] - 1
    day_idx, line_idx = np.nonzero(units.T)
    daily = [
        (chosen[i].line_id, int(d), int(units[i, d]))
        for d, i in zip(day_idx, line_idx, strict=True)
    ]
    notes = _notes(
        process=process,
        eligible=eligible,
        used=len(chosen),
        remaining=remaining,
        due_day=due_day,
        completion=completion,
        overtime_hours=ot,
        exclude=list(exclude_lines),
        max_lines=max_lines,
    )
    if produced_so_far:
        notes.insert(0, f"{produced_so_far:,} of {quantity:,} already made; planning {remaining:,}")
    return Schedule(
        _line_rows(chosen, units, ot), daily, completion, due_day, completion <= due_day, notes
    )


def require_on_time(schedule: Schedule) -> Schedule:
    """The schedule itself, or DeadlineInfeasible carrying its completion day when it is late."""
    if not schedule.on_time:
        late = next((n for n in schedule.notes if n.startswith("late:")), "late")
        raise DeadlineInfeasible(late, schedule.completion_day)
    return schedule


def _day_units(entry: Any) -> tuple[int, int]:
    """(day, units) of a daily entry: a (line_id, day, units) tuple, a mapping or a LineDay."""
    if isinstance(entry, tuple | list):
        return int(entry[1]), int(entry[2])
    if isinstance(entry, Mapping):
        return int(entry["day"]), int(entry["units"])
    return int(entry.day), int(entry.units)


def cumulative_plan(daily: Iterable[Any], day: int) -> int:
    """Units the plan expects finished by the end of `day`."""
    pairs = np.array([_day_units(e) for e in daily], dtype=np.int64).reshape(-1, 2)
    return int(pairs[pairs[:, 0] <= day, 1].sum())

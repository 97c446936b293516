"""Recruiting lines for a ramp: the fewest lines of the bottleneck process that meet the due
day, the completion day on 2, 3, … N of them, and the lines a late order would have to take
from lower-priority work (all days are 0-based factory days of the order)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from engines.scheduling.lines import Line
from engines.scheduling.orders import ramp_loss_days
from engines.scheduling.plan import plan_order
from engines.scheduling.schedule import DeadlineInfeasible, Schedule

START_LINES = 2  # a ramp starts on two lines
BINDING_SLACK_DAYS = 1.0
CURVE_EVERY_UP_TO = 12  # the curve has every line count to 12, then fewer points (bisected)  # a line whose last bar ends this close to the makespan binds it


@dataclass
class RampPoint:
    """Completion day of the order on `lines` lines of the process (greedy preview)."""

    lines: int
    completion_day: int
    on_time: bool
    line_ids: tuple[str, ...]
    taken: tuple[str, ...] = ()  # lines taken over from lower-priority work in this point
    added: tuple[str, ...] = ()  # supplier lines added in this point


@dataclass
class Ramp:
    """The ramp of one order on its bottleneck process.

    curve: 2 … N lines as they are (around every hold of others); chosen: the fewest that are
    on time (when none is, the fewest of those that finish soonest); recruit: the fewest lines
    to take over from lower-priority work that make the due day (empty when the free time
    suffices or when nothing does); suppliers: the fewest more supplier lines within reach
    that make it (all offered when none does), with supplier_curve and the units each would
    make; earliest_day and binding: the best completion found on the lines the plan may use
    (taken over ones included) and the lines busy up to it."""

    process: str
    due_day: int
    curve: list[RampPoint]
    chosen: int
    recruit: list[str] = field(default_factory=list)
    recruit_curve: list[RampPoint] = field(default_factory=list)
    earliest_day: int = 0
    binding: list[str] = field(default_factory=list)
    suppliers: list[str] = field(default_factory=list)
    supplier_curve: list[RampPoint] = field(default_factory=list)
    supplier_units: dict[str, int] = field(default_factory=dict)

    @property
    def on_time(self) -> bool:
        """True when the chosen free lines meet the due day."""
        return any(p.on_time for p in self.curve)

    @property
    def recruit_meets(self) -> bool:
        """True when taking over the `recruit` lines meets the due day."""
        return bool(self.recruit) and self.recruit_curve[-1].on_time

    @property
    def suppliers_meet(self) -> bool:
        """True when adding the `suppliers` lines meets the due day."""
        return bool(self.supplier_curve) and self.supplier_curve[-1].on_time


def binding_lines(s: Schedule, process: str) -> list[str]:
    """Lines of `process` busy until (within a day of) the plan's last bar: they bind it."""
    ends: dict[str, float] = {}
    for line, _, stage, _, b in s.gantt:
        if stage == process:
            ends[line] = max(ends.get(line, 0.0), b)
    if not ends:
        return sorted({line for line, _, _ in s.daily})
    last = max(ends.values())
    return sorted(ln for ln, b in ends.items() if b >= last - BINDING_SLACK_DAYS)


def curve_counts(n: int, start: int = START_LINES) -> list[int]:
    """Line counts the curve samples: every count up to 12, then 16, 24, 36, 54 … and n."""
    first = min(start, n)
    counts = set(range(first, min(n, CURVE_EVERY_UP_TO) + 1)) | {n}
    k = 16
    while k < n:
        counts.add(k)
        k = k * 3 // 2
    return sorted(counts)


def recruit_key(line: Line, due_in_days: int) -> tuple[float, float, str]:
    """Recruiting order: the line with the most free days before the due day first, then the
    fastest (units/day), then by id."""
    held = sum(max(min(b, due_in_days) - max(a, 0.0), 0.0) for a, b in line.blocked_days)
    return (line.available_from_day + held, -line.rate_units_per_day, line.line_id)


def _plan(
    quantity: int, lines: Sequence[Line], due: int, skip: Iterable[str], kw: Mapping[str, Any]
) -> Schedule:
    """The greedy preview with `skip` lines left out."""
    exclude = [*kw.get("exclude_lines", ()), *skip]
    return plan_order(quantity, lines, due, **{**kw, "exclude_lines": exclude, "time_limit_s": 0})


def _point(s: Schedule, pool: Sequence[Line], k: int, taken: Sequence[str] = ()) -> RampPoint:
    return RampPoint(
        k, s.completion_day, s.on_time, tuple(ln.line_id for ln in pool[:k]), tuple(taken)
    )


def ramp_curve(
    quantity: int,
    lines: Sequence[Line],
    due_in_days: int,
    process: str,
    *,
    takeover: Mapping[str, Line] | None = None,
    suppliers: Sequence[Line] = (),
    start: int = START_LINES,
    **plan_kw: Any,
) -> Ramp:
    """The order's ramp on `process`: its lines (each blocked where others hold it, the most
    free first: recruit_key) are recruited from `start` up to all N (every count to 12, then
    sampled: curve_counts, the fewest on time bisected between samples); when all miss it, lines
    of `takeover` (line_id → the line without its lower-priority holds, in the order to take
    them) replace their blocked selves one at a time until the due day is met, and, apart from
    that, `suppliers` (more supplier lines within reach, in the order to add them) are added
    one at a time until it is met."""
    skip = set(plan_kw.get("exclude_lines", ()))
    pool = sorted(
        (ln for ln in lines if ln.process == process and ln.line_id not in skip),
        key=lambda ln: recruit_key(ln, due_in_days),
    )
    if not pool:  # a domain error: the pipeline fails with the reason, never retries it
        why = " (all excluded)" if any(ln.process == process for ln in lines) else ""
        raise DeadlineInfeasible(f"no {process} line left to ramp on{why}", -1)
    ids = [ln.line_id for ln in pool]
    points: dict[int, tuple[RampPoint, Schedule]] = {}

    def at(k: int) -> RampPoint:
        if k not in points:
            s = _plan(quantity, lines, due_in_days, ids[k:], plan_kw)
            points[k] = (_point(s, pool, k), s)
        return points[k][0]

    for k in curve_counts(len(pool), start):
        at(k)
    on_time = [k for k in sorted(points) if points[k][0].on_time]
    if on_time:  # the fewest between the last late count sampled and the first on time
        late = max((k for k in points if k < on_time[0]), default=on_time[0])
        lo, hi = late, on_time[0]
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if at(mid).on_time else (mid, hi)
    curve = [points[k][0] for k in sorted(points)]
    best = min((s for _, s in points.values()), key=lambda s: s.completion_day)
    soonest = min(curve, key=lambda p: (p.completion_day, p.lines))  # more lines can be later
    chosen = next((p.lines for p in curve if p.on_time), soonest.lines)
    ramp = Ramp(process, due_in_days - 1, curve, chosen, earliest_day=best.completion_day)
    if not ramp.on_time:
        best = _recruit(quantity, lines, due_in_days, pool, takeover or {}, plan_kw, ramp, best)
        if suppliers:
            _add_suppliers(quantity, lines, due_in_days, pool, suppliers, plan_kw, ramp)
        ramp.earliest_day = best.completion_day
        ramp.binding = binding_lines(best, process)
    return ramp


def _fewest(
    n: int,
    plan_with: Callable[[int], tuple[RampPoint, Schedule]],
) -> tuple[int, dict[int, tuple[RampPoint, Schedule]]]:
    """The fewest r of 1 … n recruits on time (sampled as the curve is, then bisected; 0 when
    none is) and every point planned on the way."""
    points: dict[int, tuple[RampPoint, Schedule]] = {}

    def at(r: int) -> RampPoint:
        if r not in points:
            points[r] = plan_with(r)
        return points[r][0]

    for r in curve_counts(n, 1):
        if at(r).on_time:
            break
    on_time = [r for r in sorted(points) if points[r][0].on_time]
    if not on_time:
        return 0, points
    lo, hi = max((r for r in points if r < on_time[0]), default=0), on_time[0]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if at(mid).on_time else (mid, hi)
    return hi, points


def _curve_to(points: dict[int, tuple[RampPoint, Schedule]], fewest: int) -> list[RampPoint]:
    """The recruit points up to the fewest on time (all when none is)."""
    return [points[r][0] for r in sorted(points) if not fewest or r <= fewest]


def _recruit(
    quantity: int,
    lines: Sequence[Line],
    due_in_days: int,
    pool: Sequence[Line],
    takeover: Mapping[str, Line],
    plan_kw: Mapping[str, Any],
    ramp: Ramp,
    best: Schedule,
) -> Schedule:
    """Take over lines (1, 2 … sampled as the curve is, the fewest on time bisected): fills
    ramp.recruit_curve and ramp.recruit; the best schedule seen."""
    order = [i for i in takeover if i in {ln.line_id for ln in pool}]
    if not order:
        return best

    def plan_with(r: int) -> tuple[RampPoint, Schedule]:
        taken = set(order[:r])
        freed = [takeover[ln.line_id] if ln.line_id in taken else ln for ln in lines]
        s = _plan(quantity, freed, due_in_days, (), plan_kw)
        return _point(s, pool, len(pool), order[:r]), s

    fewest, points = _fewest(len(order), plan_with)
    ramp.recruit = order[:fewest]
    ramp.recruit_curve = _curve_to(points, fewest)
    return min([best, *(s for _, s in points.values())], key=lambda s: s.completion_day)


def _add_suppliers(
    quantity: int,
    lines: Sequence[Line],
    due_in_days: int,
    pool: Sequence[Line],
    suppliers: Sequence[Line],
    plan_kw: Mapping[str, Any],
    ramp: Ramp,
) -> None:
    """Add supplier lines in their order (1, 2 …, the fewest on time bisected): fills
    ramp.suppliers, ramp.supplier_curve and the units each would make (a proposal: the
    earliest day and binding lines stay those of the lines the plan has)."""

    def plan_with(r: int) -> tuple[RampPoint, Schedule]:
        added = suppliers[:r]
        s = _plan(quantity, [*lines, *added], due_in_days, (), plan_kw)
        point = _point(s, pool, len(pool))
        return replace(point, added=tuple(ln.line_id for ln in added)), s

    fewest, points = _fewest(len(suppliers), plan_with)
    ramp.suppliers = [ln.line_id for ln in suppliers[: fewest or len(suppliers)]]
    ramp.supplier_curve = _curve_to(points, fewest)
    last = points[max(points)][1] if not fewest else points[fewest][1]
    units: dict[str, int] = {}
    for line, _, n in last.daily:
        if line in ramp.suppliers:
            units[line] = units.get(line, 0) + int(n)
    ramp.supplier_units = units


def unblocked(line: Line, keep: Sequence[tuple[float, float]]) -> Line:
    """The line with only the `keep` blocks (days) left: what taking it over frees."""
    return replace(line, blocked_days=tuple(sorted(keep)))


def takeover_cost_line_days(line: Line) -> float:
    """What recruiting a line costs the order in line-days: changeover plus ramp loss."""
    return round(line.changeover_days + ramp_loss_days(line), 2)


def delay_estimate_days(displaced_line_days: float, lines_held: int) -> int:
    """Days another idea finishes later when it loses line-days spread over its lines."""
    return math.ceil(displaced_line_days / max(lines_held, 1) - 1e-9)

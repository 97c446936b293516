"""Production lines: supplier reservations and own-factory lines, with rates in units/day."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_LINE_RATE_UNITS_PER_DAY = 2000.0
NEVER_BOTTLENECK = frozenset({"packaging", "printing"})


@dataclass
class Line:
    """A production line: nominal rate units/day, ramp and changeover (days), shift (hours)."""

    line_id: str
    owner: str
    process: str
    rate_units_per_day: float
    ramp_days: int = 3
    ramp_start_fraction: float = 0.4
    changeover_days: float = 0.5
    available_from_day: int = 0
    shift_hours: float = 8.0
    family_rates_units_per_hour: dict[str, float] = field(default_factory=dict)
    days_off: tuple[int, ...] = ()
    blocked_days: tuple[tuple[float, float], ...] = ()
    extra_cost: float = 0.0

    def __post_init__(self) -> None:
        if self.rate_units_per_day < 0 or self.shift_hours <= 0 or self.ramp_days < 0:
            raise ValueError(f"line {self.line_id}: rate, shift hours and ramp days must be ≥ 0")
        if not 0.0 < self.ramp_start_fraction <= 1.0 or self.changeover_days < 0:
            raise ValueError(f"line {self.line_id}: ramp start in (0, 1], changeover ≥ 0 days")
        if any(not 0 <= d <= 6 for d in self.days_off) or self.extra_cost < 0:
            raise ValueError(f"line {self.line_id}: days off are weekdays 0..6, extra cost ≥ 0")

    def rate_for(self, family: str = "") -> float:
        """Nominal rate for a product family in units/day (units/hour × shift hours if given)."""
        per_hour = self.family_rates_units_per_hour.get(family)
        return per_hour * self.shift_hours if per_hour is not None else self.rate_units_per_day


def _scarcest_process(assignments: Sequence[Mapping[str, Any]]) -> str:
    """The process with the fewest reserved units/day (not packaging/printing; ties: first)."""
    total: dict[str, float] = {}
    for a in assignments:
        total[str(a["process"])] = total.get(str(a["process"]), 0.0) + float(a["units_per_day"])
    main = {p: u for p, u in total.items() if p not in NEVER_BOTTLENECK} or total
    return min(main, key=main.__getitem__) if main else "assembly"


def lines_from_assignments(
    assignments: Sequence[Mapping[str, Any]],
    own_lines: int = 2,
    own_rate_units_per_day: float = 2500.0,
    own_process: str | None = None,
) -> list[Line]:
    """Reservations as lines of ≤2,000 units/day plus own lines OWN-1.. (scarcest process)."""
    lines: list[Line] = []
    for a in assignments:
        units = float(a["units_per_day"])
        n = max(1, math.ceil(units / MAX_LINE_RATE_UNITS_PER_DAY))
        lines += [
            Line(
                line_id=f"{a['supplier_code']}-{a['process']}-{k + 1}",
                owner=str(a["supplier_name"]),
                process=str(a["process"]),
                rate_units_per_day=units / n,
                available_from_day=math.ceil(float(a["lead_time_days"])),
            )
            for k in range(n)
        ]
    own = own_process or _scarcest_process(assignments)
    lines += [
        Line(f"OWN-{k + 1}", "own factory", own, own_rate_units_per_day) for k in range(own_lines)
    ]
    return lines

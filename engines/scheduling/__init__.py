"""Scheduling: production lines and a greedy, ramp-aware list scheduler (units/day, days)."""

from engines.scheduling.lines import Line, lines_from_assignments
from engines.scheduling.schedule import (
    DeadlineInfeasible,
    Schedule,
    allocate,
    capacity_matrix,
    cumulative_plan,
    greedy_schedule,
    overtime_scale,
    pick_bottleneck,
    require_on_time,
)

__all__ = [
    "DeadlineInfeasible",
    "Line",
    "Schedule",
    "allocate",
    "capacity_matrix",
    "cumulative_plan",
    "greedy_schedule",
    "lines_from_assignments",
    "overtime_scale",
    "pick_bottleneck",
    "require_on_time",
]

"""Scheduling: lines, a greedy ramp-aware planner and a CP-SAT finite-capacity scheduler."""

from engines.scheduling.jobshop import JobShopResult, load_orlib, parse_orlib, solve_jobshop
from engines.scheduling.lines import Line, lines_from_assignments
from engines.scheduling.orders import TICKS_PER_DAY, TICKS_PER_HOUR, Order, build_orders, split_lots
from engines.scheduling.plan import (
    compare_plans,
    format_comparison,
    plan_order,
    routing_of,
    what_if,
)
from engines.scheduling.problem import Problem, Solution, greedy, violations
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
    "TICKS_PER_DAY",
    "TICKS_PER_HOUR",
    "DeadlineInfeasible",
    "JobShopResult",
    "Line",
    "Order",
    "Problem",
    "Schedule",
    "Solution",
    "allocate",
    "build_orders",
    "capacity_matrix",
    "compare_plans",
    "cumulative_plan",
    "format_comparison",
    "greedy",
    "greedy_schedule",
    "lines_from_assignments",
    "load_orlib",
    "overtime_scale",
    "parse_orlib",
    "pick_bottleneck",
    "plan_order",
    "require_on_time",
    "routing_of",
    "solve_jobshop",
    "split_lots",
    "violations",
    "what_if",
]

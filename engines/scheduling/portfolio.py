"""The portfolio: which idea's lots come first when lines are scarce (priorities)."""

from __future__ import annotations

import math

OVERRIDE_WEIGHT = 1000.0  # a planner's override step outranks any due date or order value


def priority_score(
    days_to_due: float, order_value_usd: float, override: int | None = None
) -> float:
    """Higher runs first: the planner's override (steps, ±) outranks urgency (10 due today, 0.3
    due in a month) plus order value (log10 USD: 4 for $10k, 6 for $1M)."""
    urgency = 10.0 / (max(days_to_due, 0.0) + 1.0)
    value = math.log10(1.0 + max(order_value_usd, 0.0))
    return round(OVERRIDE_WEIGHT * (override or 0) + urgency + value, 4)

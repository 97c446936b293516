"""An idea's destinations: checked against the lanes file; the idea's own market by default."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from engines.logistics import load_lanes
from models.contracts import Destination, IdeaInput


class BadDestination(ValueError):
    """A destination TrendForge cannot deliver to as asked; `reason` is for the merchant."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@lru_cache(maxsize=1)
def lane_markets() -> tuple[str, ...]:
    """Market codes of the shipped lanes file, sorted."""
    return tuple(sorted(load_lanes().markets))


def check_destinations(idea: IdeaInput, today: date) -> None:
    """BadDestination when a market has no lane or a deadline is already past (UTC `today`)."""
    known = lane_markets()
    for d in idea.destinations:
        if d.market not in known:
            raise BadDestination(
                f"destinations: no lane reaches market {d.market!r}; known: {', '.join(known)}"
            )
        if d.deadline is not None and d.deadline < today:
            raise BadDestination(
                f"destinations: the {d.market} deadline {d.deadline} is in the past (today is {today})"
            )


def resolved_destinations(idea: IdeaInput) -> list[Destination]:
    """The idea's destinations; else all units to its own market when a lane reaches it."""
    if idea.destinations:
        return list(idea.destinations)
    market = idea.market.strip().upper()
    if market in lane_markets():
        return [Destination(market=market, units=idea.expected_volume)]
    return []

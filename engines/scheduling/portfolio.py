"""The portfolio: which idea's lots come first when lines are scarce (priorities)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

OVERRIDE_WEIGHT = 1000.0  # a planner's override step outranks any due date or order value


def priority_score(
    days_to_due: float, order_value_usd: float, override: int | None = None
) -> float:
    """Higher runs first: the planner's override (steps, ±) outranks urgency (10 due today, 0.3
    due in a month) plus order value (log10 USD: 4 for $10k, 6 for $1M)."""
    urgency = 10.0 / (max(days_to_due, 0.0) + 1.0)
    value = math.log10(1.0 + max(order_value_usd, 0.0))
    return round(OVERRIDE_WEIGHT * (override or 0) + urgency + value, 4)


@dataclass(frozen=True)
class Block:
    """Own-line time one idea holds: [start, end) days from now on a line at its rate (units/day);
    started: its time began, the lots on it run and stay put."""

    key: int
    trend_id: int
    line_id: str
    start_day: float
    end_day: float
    started: bool = False


@dataclass(frozen=True)
class PortfolioLine:
    """An own line the replan may move lots to: process, rate (units/day), changeover (days)."""

    line_id: str
    process: str
    rate_units_per_day: float
    changeover_days: float = 0.5


@dataclass(frozen=True)
class Idea:
    """An idea holding line time: priority (higher first), due and planned completion, and the
    day its production starts (its lots never move before it), days from now."""

    trend_id: int
    priority: float
    due_day: float
    completion_day: float
    release_day: float = 0.0


@dataclass
class Outcome:
    """One idea's completion and lateness (days) before and after the replan."""

    trend_id: int
    priority: float
    due_day: float
    completion_before: float
    completion_after: float
    moved_blocks: int

    @property
    def lateness_before(self) -> float:
        return max(self.completion_before - self.due_day, 0.0)

    @property
    def lateness_after(self) -> float:
        return max(self.completion_after - self.due_day, 0.0)


@dataclass
class Proposal:
    """The replan: blocks replaced (keys) by new [start, end) intervals per (idea, line); ideas'
    outcomes; started blocks kept in place."""

    replaced: list[int] = field(default_factory=list)
    placed: list[tuple[int, str, float, float]] = field(default_factory=list)  # idea, line, a, b
    outcomes: list[Outcome] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)


def _earliest(busy: list[tuple[float, float]], release: float, length: float) -> float:
    """Earliest start ≥ release of a gap of `length` days between busy intervals (sorted)."""
    t = release
    for a, b in busy:
        if t + length <= a + 1e-9:
            return t
        t = max(t, b)
    return t


def _merge(parts: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(parts):
        if out and a <= out[-1][1] + 1e-9:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def replan_portfolio(
    blocks: Sequence[Block],
    lines: Sequence[PortfolioLine],
    ideas: Sequence[Idea],
    chunk_days: float = 1.0,
) -> Proposal:
    """Started blocks stay put; every other block's work (line-days × rate: units) is cut in
    chunks of ≤ chunk_days and placed again, the highest-priority idea first, each chunk at the
    earliest end on any line of its process, never before the idea's production starts; a
    line new to an idea costs its changeover first. Completion moves with the idea's last
    own-line end."""
    by_line = {ln.line_id: ln for ln in lines}
    busy: dict[str, list[tuple[float, float]]] = {ln.line_id: [] for ln in lines}
    proposal = Proposal()
    for b in blocks:
        if b.started or b.line_id not in by_line:
            busy.setdefault(b.line_id, []).append((b.start_day, b.end_day))
            proposal.kept.append(b.key)
    for v in busy.values():
        v.sort()
    rank = sorted(ideas, key=lambda i: (-i.priority, i.due_day, i.trend_id))
    for idea in rank:
        mine = [b for b in blocks if b.trend_id == idea.trend_id and b.key not in proposal.kept]
        if not mine:
            continue
        proposal.replaced += [b.key for b in mine]
        release = max(idea.release_day, 0.0)
        used = {b.line_id for b in blocks if b.trend_id == idea.trend_id}
        placed: dict[str, list[tuple[float, float]]] = {}
        for b in sorted(mine, key=lambda b: b.start_day):
            units = (b.end_day - b.start_day) * by_line[b.line_id].rate_units_per_day
            process = by_line[b.line_id].process
            n = max(1, math.ceil((b.end_day - b.start_day) / chunk_days - 1e-9))
            for _ in range(n):
                best: tuple[float, float, str] | None = None
                for ln in lines:
                    if ln.process != process or ln.rate_units_per_day <= 0:
                        continue
                    setup = 0.0 if ln.line_id in used else ln.changeover_days
                    length = units / n / ln.rate_units_per_day + setup
                    start = _earliest(busy[ln.line_id], release, length)
                    if best is None or start + length < best[1] - 1e-9:
                        best = (start, start + length, ln.line_id)
                assert best is not None  # the block's own line is of its process
                start, end, line_id = best
                used.add(line_id)
                busy[line_id] = sorted([*busy[line_id], (start, end)])
                placed.setdefault(line_id, []).append((start, end))
        old_end = max(b.end_day for b in mine)
        new_end = max(b for parts in placed.values() for _, b in parts)
        for line_id, parts in sorted(placed.items()):
            proposal.placed += [(idea.trend_id, line_id, a, z) for a, z in _merge(parts)]
        proposal.outcomes.append(
            Outcome(idea.trend_id, idea.priority, idea.due_day, idea.completion_day,
                    idea.completion_day + (new_end - old_end), len(mine))
        )  # fmt: skip
    return proposal

"""The portfolio: which idea's lots come first when lines are scarce (priorities)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

CAPACITY_WEIGHT = 1.0  # share of the ideas a line-day of extra changeovers delays
MIN_GAIN_DAYS = 0.5  # an idea that could keep its lots moves them only to finish this earlier
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
    """A line the replan may move lots to: process, rate (units/day), changeover (days); `only`:
    the one idea whose lots may be on it (a supplier line that idea reserved), else any."""

    line_id: str
    process: str
    rate_units_per_day: float
    changeover_days: float = 0.5
    only: int | None = None

    def takes(self, trend_id: int) -> bool:
        """Whether the idea's lots may be placed on this line."""
        return self.only is None or self.only == trend_id


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


def merge_spans(parts: list[tuple[float, float]], gap: float = 1e-9) -> list[tuple[float, float]]:
    """[start, end) intervals merged where they overlap or touch (within `gap`), in order."""
    out: list[tuple[float, float]] = []
    for a, b in sorted(parts):
        if out and a <= out[-1][1] + gap:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


Spans = dict[str, list[tuple[float, float]]]


def _option(placed: Spans, busy: Spans) -> tuple[float, Spans, Spans]:
    """(last end, busy after, placed) of one way to place an idea."""
    return max(z for parts in placed.values() for _, z in parts), busy, placed


def _collides(busy: list[tuple[float, float]], a: float, b: float) -> bool:
    return any(min(b, z) - max(a, s) > 1e-9 for s, z in busy)


def _place(
    idea: Idea,
    mine: Sequence[Block],
    lines: Sequence[PortfolioLine],
    busy: dict[str, list[tuple[float, float]]],
    used: set[str],
    chunk_days: float,
) -> dict[str, list[tuple[float, float]]]:
    """The idea's blocks placed again in chunks (busy is updated): per line, the intervals."""
    by_line = {ln.line_id: ln for ln in lines}
    release = max(idea.release_day, 0.0)
    placed: dict[str, list[tuple[float, float]]] = {}
    for b in sorted(mine, key=lambda b: b.start_day):
        units = (b.end_day - b.start_day) * by_line[b.line_id].rate_units_per_day
        process = by_line[b.line_id].process
        n = max(1, math.ceil((b.end_day - b.start_day) / chunk_days - 1e-9))
        for _ in range(n):
            best: tuple[float, float, str] | None = None
            for ln in lines:
                if (
                    ln.process != process
                    or ln.rate_units_per_day <= 0
                    or not ln.takes(idea.trend_id)
                ):
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
    return placed


def _shift(
    idea: Idea, mine: Sequence[Block], busy: dict[str, list[tuple[float, float]]]
) -> dict[str, list[tuple[float, float]]]:
    """The idea's blocks kept whole, each on its own line at the earliest gap from when it
    could start (busy is updated): no new line, no new changeover."""
    release = max(idea.release_day, 0.0)
    placed: dict[str, list[tuple[float, float]]] = {}
    for b in sorted(mine, key=lambda b: b.start_day):
        length = b.end_day - b.start_day
        start = _earliest(busy[b.line_id], release, length)
        busy[b.line_id] = sorted([*busy[b.line_id], (start, start + length)])
        placed.setdefault(b.line_id, []).append((start, start + length))
    return placed


def weighted_lateness(outcomes: Sequence[Outcome], after: bool) -> float:
    """Σ priority × lateness (days) over the ideas (priorities below 0.01 count 0.01)."""
    return sum(
        max(o.priority, 0.01) * (o.lateness_after if after else o.lateness_before) for o in outcomes
    )


def replan_portfolio(
    blocks: Sequence[Block],
    lines: Sequence[PortfolioLine],
    ideas: Sequence[Idea],
    chunk_days: float = 1.0,
    min_gain_days: float = MIN_GAIN_DAYS,
    capacity_weight: float = CAPACITY_WEIGHT,
    solver: str = "cpsat",
    time_limit_s: float = 3.0,
) -> Proposal:
    """The replan: solver "cpsat" (default) minimises Σ priority × lateness plus changeover and
    move charges over every not-started lot at once (engines.scheduling.portfolio_cpsat), and
    takes the greedy placement instead when that nets more (net_gain: its spreads in day-sized
    chunks are finer than CP-SAT's pieces); "greedy" places idea by idea (replan_greedy).
    Either proposes nothing rather than worse."""
    greedy = replan_greedy(blocks, lines, ideas, chunk_days, min_gain_days, capacity_weight)
    if solver == "greedy":
        return greedy
    if solver != "cpsat":
        raise ValueError(f"unknown portfolio solver {solver!r}: cpsat or greedy")
    from engines.scheduling.portfolio_cpsat import replan_cpsat

    best = replan_cpsat(
        blocks, lines, ideas, time_limit_s=time_limit_s, capacity_weight=capacity_weight
    )
    gain = net_gain(greedy, blocks, lines, ideas, capacity_weight)
    if greedy.replaced and gain > net_gain(best, blocks, lines, ideas, capacity_weight) + 1e-9:
        return greedy
    return best


def net_gain(
    p: Proposal,
    blocks: Sequence[Block],
    lines: Sequence[PortfolioLine],
    ideas: Sequence[Idea],
    capacity_weight: float = CAPACITY_WEIGHT,
) -> float:
    """Priority-weighted lateness (days) the proposal removes, less its extra line-days
    (changeovers) at capacity_weight × Σ priority / lines each; 0 for no change."""
    length = {b.key: b.end_day - b.start_day for b in blocks}
    extra = sum(z - a for _, _, a, z in p.placed) - sum(length[k] for k in p.replaced)
    per_line_day = capacity_weight * sum(max(i.priority, 0.01) for i in ideas) / max(len(lines), 1)
    removed = weighted_lateness(p.outcomes, False) - weighted_lateness(p.outcomes, True)
    return removed - per_line_day * max(extra, 0.0)


def replan_greedy(
    blocks: Sequence[Block],
    lines: Sequence[PortfolioLine],
    ideas: Sequence[Idea],
    chunk_days: float = 1.0,
    min_gain_days: float = MIN_GAIN_DAYS,
    capacity_weight: float = CAPACITY_WEIGHT,
) -> Proposal:
    """The proposal that gains most among placements with chunks of 1, 2 and 4 × chunk_days
    (propose_once): the priority-weighted lateness it removes less what its extra changeover
    line-days cost everyone (Σ priority / lines per line-day); none moves nothing."""
    best, gain = Proposal(kept=[b.key for b in blocks if b.started]), 1e-6
    # a line-day more of changeovers delays every idea's work by about 1 / lines days
    for chunk in (chunk_days, 2 * chunk_days, 4 * chunk_days):
        p = propose_once(blocks, lines, ideas, chunk, min_gain_days)
        g = net_gain(p, blocks, lines, ideas, capacity_weight)
        if g > gain:
            best, gain = p, g
    return best


def propose_once(
    blocks: Sequence[Block],
    lines: Sequence[PortfolioLine],
    ideas: Sequence[Idea],
    chunk_days: float = 1.0,
    min_gain_days: float = MIN_GAIN_DAYS,
) -> Proposal:
    """Started blocks stay put; then, the highest-priority idea first, an idea's other blocks
    stay where they are unless the ideas placed before took that time, or the idea is late and
    placing it again ends at least `min_gain_days` sooner. Placing again shifts each block
    whole to the earliest gap on its own line, or, for an idea that is (or would be) late and
    gains `min_gain_days` by it, spreads its work (line-days × rate: units) in chunks of ≤
    chunk_days, each at the earliest end on any line of its process (a line new to the idea
    costs its changeover first). Never before the idea's production starts. Completion moves
    with the idea's last own-line end."""
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
    kept = set(proposal.kept)
    for idea in rank:
        mine = [b for b in blocks if b.trend_id == idea.trend_id and b.key not in kept]
        if not mine:
            continue
        old_end = max(b.end_day for b in mine)
        stays = not any(_collides(busy[b.line_id], b.start_day, b.end_day) for b in mine)
        used = {b.line_id for b in blocks if b.trend_id == idea.trend_id}
        spread_busy = {k: list(v) for k, v in busy.items()}
        shift_busy = {k: list(v) for k, v in busy.items()}
        spread = _option(_place(idea, mine, lines, spread_busy, used, chunk_days), spread_busy)
        shift = _option(_shift(idea, mine, shift_busy), shift_busy)
        late = idea.completion_day > idea.due_day + 1e-9
        if stays and (not late or min(spread[0], shift[0]) > old_end - min_gain_days):
            for b in mine:  # on time, or nothing gains enough: it stays
                busy[b.line_id] = sorted([*busy[b.line_id], (b.start_day, b.end_day)])
            continue
        # spreading over new lines costs changeovers: only to be on time or clearly sooner
        shift_late = idea.completion_day + shift[0] - old_end > idea.due_day + 1e-9
        spreads = spread[0] < shift[0] - min_gain_days and (late or shift_late)
        new_end, trial, placed = spread if spreads else shift
        busy = trial
        proposal.replaced += [b.key for b in mine]
        for line_id, parts in sorted(placed.items()):
            proposal.placed += [(idea.trend_id, line_id, a, z) for a, z in merge_spans(parts)]
        proposal.outcomes.append(
            Outcome(idea.trend_id, idea.priority, idea.due_day, idea.completion_day,
                    idea.completion_day + (new_end - old_end), len(mine))
        )  # fmt: skip
    return proposal

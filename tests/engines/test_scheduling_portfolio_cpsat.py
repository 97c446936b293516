"""The CP-SAT portfolio replan: it moves the lower-priority lot that keeps a hot idea late,
never a running lot, never double books, and is never worse than changing nothing."""

from __future__ import annotations

import numpy as np
import pytest

from engines.scheduling.portfolio import (
    Block,
    Idea,
    PortfolioLine,
    Proposal,
    net_gain,
    replan_portfolio,
    weighted_lateness,
)


def _overlaps(p: Proposal, blocks: list[Block]) -> list[tuple[str, float, float]]:
    """Line time held twice after the proposal (kept and unmoved blocks plus the placed)."""
    gone = set(p.replaced)
    spans = [(b.line_id, b.start_day, b.end_day) for b in blocks if b.key not in gone]
    spans += [(ln, a, z) for _, ln, a, z in p.placed]
    bad = []
    for i, (l1, a1, z1) in enumerate(spans):
        for l2, a2, z2 in spans[i + 1 :]:
            if l1 == l2 and min(z1, z2) - max(a1, a2) > 1e-9:
                bad.append((l1, max(a1, a2), min(z1, z2)))
    return bad


def test_a_hot_late_idea_is_made_on_time_by_moving_a_lower_priority_lot() -> None:
    lines = [PortfolioLine("L1", "sew", 1000.0, 0.5), PortfolioLine("L2", "sew", 1000.0, 0.5)]
    blocks = [
        Block(1, 10, "L1", -1.0, 6.0, started=True),  # running: stays put
        Block(2, 11, "L2", 0.0, 5.0),  # low priority, due in 20 days, sits first
        Block(3, 12, "L2", 5.0, 9.0),  # the hot idea behind it: due day 6, completes 9
        Block(4, 13, "L1", 6.0, 8.0),  # on time and in nobody's way
    ]
    ideas = [
        Idea(10, 2.0, 10, 6),
        Idea(11, 0.5, 20, 5),
        Idea(12, 12.0, 6, 9),
        Idea(13, 1.0, 12, 8, 6.0),
    ]
    p = replan_portfolio(blocks, lines, ideas, solver="cpsat")
    out = {o.trend_id: o for o in p.outcomes}
    assert out[12].lateness_before == 3 and out[12].lateness_after == 0
    assert 2 in p.replaced and out[11].completion_after > out[11].completion_before
    assert out[11].lateness_after == 0  # the low one waits, still on time
    assert p.kept == [1] and 1 not in p.replaced and 10 not in out  # running lot stays
    assert 4 not in p.replaced  # it only moves what pays
    assert _overlaps(p, blocks) == []
    assert weighted_lateness(p.outcomes, True) < weighted_lateness(p.outcomes, False)


def test_the_greedy_solver_is_still_there_and_a_wrong_name_is_refused() -> None:
    lines = [PortfolioLine("L1", "sew", 1000.0, 0.5)]
    blocks = [Block(1, 10, "L1", 0.0, 5.0), Block(2, 11, "L1", 5.0, 9.0)]
    ideas = [Idea(10, 0.5, 20, 5), Idea(11, 12.0, 6, 9)]
    greedy = replan_portfolio(blocks, lines, ideas, solver="greedy")
    cpsat = replan_portfolio(blocks, lines, ideas)
    for p in (greedy, cpsat):
        assert {o.trend_id: o.lateness_after for o in p.outcomes}[11] == 0
    with pytest.raises(ValueError, match="unknown portfolio solver"):
        replan_portfolio(blocks, lines, ideas, solver="magic")


def _random_case(seed: int) -> tuple[list[Block], list[PortfolioLine], list[Idea]]:
    """Up to 8 ideas on 4 lines of two processes, back to back from a random day, some running."""
    rng = np.random.default_rng(seed)
    lines = [
        PortfolioLine(f"L{k}", "sew" if k < 3 else "cut", float(rng.integers(500, 2000)), 0.5)
        for k in range(4)
    ]
    blocks, ends, key = [], {}, 0
    n_ideas = int(rng.integers(3, 9))
    free = {ln.line_id: float(rng.uniform(-2, 1)) for ln in lines}
    for i in range(n_ideas):
        for ln in rng.choice(lines, size=int(rng.integers(1, 3)), replace=False):
            a = free[ln.line_id] + float(rng.uniform(0, 1))
            z = a + float(rng.uniform(1, 6))
            free[ln.line_id] = z
            blocks.append(Block(key, i, ln.line_id, a, z, started=a <= 0))
            ends[i] = max(ends.get(i, -99.0), z)
            key += 1
    ideas = [
        Idea(i, float(rng.uniform(0.1, 12)), float(rng.uniform(2, 15)), ends[i] + 0.5,
             float(rng.uniform(0, 2)))
        for i in sorted(ends)
    ]  # fmt: skip
    return blocks, lines, ideas


@pytest.mark.parametrize("seed", range(12))
def test_never_worse_than_changing_nothing_and_running_lots_never_move(seed: int) -> None:
    blocks, lines, ideas = _random_case(seed)
    p = replan_portfolio(blocks, lines, ideas, time_limit_s=1.0)
    started = {b.key for b in blocks if b.started}
    assert set(p.kept) == started and not started & set(p.replaced)
    assert _overlaps(p, blocks) == []
    assert weighted_lateness(p.outcomes, True) <= weighted_lateness(p.outcomes, False)
    if p.replaced:  # something moved: strictly better, by more than its charges
        assert weighted_lateness(p.outcomes, True) < weighted_lateness(p.outcomes, False)
    greedy = replan_portfolio(blocks, lines, ideas, solver="greedy")
    assert net_gain(p, blocks, lines, ideas) >= net_gain(greedy, blocks, lines, ideas) - 1e-9
    by_idea = {i.trend_id: i for i in ideas}
    rate = {ln.line_id: ln.rate_units_per_day for ln in lines}
    process = {ln.line_id: ln.process for ln in lines}
    for tid, _, a, _ in p.placed:
        assert a >= max(by_idea[tid].release_day, 0.0) - 1e-9  # never before it starts
    for tid in {o.trend_id for o in p.outcomes}:  # the work moved is all made, same process
        gone = [b for b in blocks if b.key in set(p.replaced) and b.trend_id == tid]
        for proc in {process[b.line_id] for b in gone}:
            need = sum((b.end_day - b.start_day) * rate[b.line_id] for b in gone
                       if process[b.line_id] == proc)  # fmt: skip
            made = sum((z - a) * rate[ln] for t, ln, a, z in p.placed
                       if t == tid and process[ln] == proc)  # fmt: skip
            assert made >= need - 1e-6 * need


@pytest.mark.parametrize("solver", ["cpsat", "greedy"])
def test_a_late_idea_glazing_on_its_suppliers_takes_own_line_time(solver: str) -> None:
    """The demo's second mug: the frog mug holds both own glazing lines to day 6.9; the cat mug
    glazes on its two reserved supplier lines (slower) to day 15.7 and is 6 days late, holding
    no own-line time. Its supplier work is movable onto the own lines (never before it is
    released, never earlier on a supplier line than its reservation starts), the frog mug's
    lots wait, and nobody else's lot goes to the cat mug's supplier lines."""
    lines = [
        PortfolioLine("OWN-1", "glaze", 2500.0, 0.5),
        PortfolioLine("OWN-2", "glaze", 2500.0, 0.5),
        PortfolioLine("SUP-A", "glaze", 560.0, 0.0, only=1),
        PortfolioLine("SUP-B", "glaze", 1000.0, 0.0, only=1),
    ]
    blocks = [
        Block(5, 0, "OWN-1", 1.7, 6.9),
        Block(6, 0, "OWN-2", 1.7, 6.2),
        Block(-1, 1, "SUP-A", -1.0, 4.7, started=True),  # before its reservation: not its time
        Block(-2, 1, "SUP-B", -1.0, 5.7, started=True),
        Block(-3, 1, "SUP-A", 4.7, 13.6),
        Block(-4, 1, "SUP-B", 5.7, 15.7),
    ]
    ideas = [Idea(0, 5.2, 40.0, 38.0, 1.7), Idea(1, 6.1, 12.0, 18.0, 4.7)]
    p = replan_portfolio(blocks, lines, ideas, solver=solver)
    out = {o.trend_id: o for o in p.outcomes}
    assert out[1].lateness_after < out[1].lateness_before - 1.0
    assert any(tid == 1 and ln.startswith("OWN") for tid, ln, _, _ in p.placed)
    assert all(ln.startswith("OWN") for tid, ln, _, _ in p.placed if tid == 0)
    assert all(a >= 4.7 - 1e-9 for tid, _, a, _ in p.placed if tid == 1)
    assert -1 not in p.replaced and -2 not in p.replaced
    assert _overlaps(p, blocks) == []
    assert net_gain(p, blocks, lines, ideas) > 0

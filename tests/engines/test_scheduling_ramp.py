"""Recruiting lines for a ramp: the fewest lines that meet the due day, the 2 → N curve, and
the lines to take over from lower-priority work when the free ones miss it."""

from __future__ import annotations

from engines.scheduling import Line, plan_order
from engines.scheduling.portfolio import priority_score
from engines.scheduling.ramp import binding_lines, ramp_curve, unblocked


def _own(n: int, first: int = 1, **kw) -> list[Line]:  # type: ignore[no-untyped-def]
    return [Line(f"OWN-{k}", "own", "sew", 1000.0, **kw) for k in range(first, first + n)]


def test_plans_on_the_fewest_lines_that_meet_the_due_day() -> None:
    lines = _own(12)
    ramp = ramp_curve(20_000, lines, 8, "sew")
    assert [p.lines for p in ramp.curve] == list(range(2, 13))  # 2 → 12 lines
    days = [p.completion_day for p in ramp.curve]
    assert days == sorted(days, reverse=True) and days[0] > days[-1]
    k = ramp.chosen
    assert ramp.on_time and ramp.curve[k - 2].on_time and not ramp.curve[k - 3].on_time
    assert ramp.recruit == [] and ramp.recruit_curve == []
    # an easy due date needs only the two lines a ramp starts on
    assert ramp_curve(2_000, lines, 20, "sew").chosen == 2


def test_recruiting_lines_meets_a_due_date_the_free_lines_miss() -> None:
    free = _own(2)
    held = _own(4, first=3, blocked_days=((0.0, 20.0),))  # lower-priority work holds them
    lines = [*free, *held]
    everything_free = plan_order(9_000, lines, 6, time_limit_s=0)
    assert not everything_free.on_time  # the free lines miss day 5
    takeover = {ln.line_id: unblocked(ln, ()) for ln in held}
    ramp = ramp_curve(9_000, lines, 6, "sew", takeover=takeover)
    assert not ramp.on_time and ramp.chosen == 2  # the held lines finish no sooner
    assert ramp.recruit and ramp.recruit_meets
    assert set(ramp.recruit) <= set(takeover)
    # fewest: one line fewer misses the due day
    fewer = [p for p in ramp.recruit_curve if len(p.taken) == len(ramp.recruit) - 1]
    assert len(ramp.recruit) == 1 or (fewer and not fewer[0].on_time)
    taken = [takeover[ln.line_id] if ln.line_id in ramp.recruit else ln for ln in lines]
    assert plan_order(9_000, taken, 6, time_limit_s=0).on_time  # really meets it
    assert ramp.earliest_day <= ramp.due_day


def test_nothing_to_take_over_says_the_earliest_day_and_the_binding_lines() -> None:
    lines = [*_own(2), *_own(2, first=3, blocked_days=((0.0, 20.0),))]
    ramp = ramp_curve(9_000, lines, 6, "sew")
    assert not ramp.on_time and not ramp.recruit and ramp.recruit_curve == []
    assert ramp.earliest_day == min(p.completion_day for p in ramp.curve) > ramp.due_day
    assert ramp.binding and set(ramp.binding) <= {f"OWN-{k}" for k in range(1, 5)}
    s = plan_order(9_000, lines, 6, time_limit_s=0)
    assert binding_lines(s, "sew") == ramp.binding


def test_priority_override_outranks_due_date_and_value() -> None:
    urgent_rich = priority_score(1, 1_000_000)
    late_poor = priority_score(60, 1_000)
    assert urgent_rich > late_poor
    assert priority_score(60, 1_000, override=1) > urgent_rich
    assert priority_score(1, 1_000_000, override=-1) < late_poor
    assert priority_score(10, 50_000) > priority_score(10, 5_000)  # value counts
    assert priority_score(2, 5_000) > priority_score(20, 5_000)  # so does urgency


def test_portfolio_replan_moves_only_lots_not_started_and_the_hot_idea_first() -> None:
    from engines.scheduling.portfolio import Block, Idea, PortfolioLine, replan_portfolio

    lines = [PortfolioLine(f"L{k}", "sew", 1000.0, 0.5) for k in range(1, 4)]
    blocks = [
        Block(1, 10, "L1", -2.0, 20.0, started=True),  # running: stays put
        Block(2, 11, "L2", 0.5, 12.0),  # low priority, not started
        Block(3, 11, "L3", 0.5, 12.0),
        Block(4, 12, "L2", 12.0, 20.0),  # the hot idea, planned around them: late
    ]
    ideas = [Idea(10, 1.0, 25, 21), Idea(11, 0.5, 30, 13, 0.5), Idea(12, 9.0, 6, 21)]
    p = replan_portfolio(blocks, lines, ideas)
    assert p.kept == [1] and sorted(p.replaced) == [2, 3, 4]
    out = {o.trend_id: o for o in p.outcomes}
    assert out[12].completion_after < out[12].completion_before  # the hot idea comes earlier
    assert out[12].lateness_after < out[12].lateness_before
    assert out[11].completion_after > out[11].completion_before  # the low one waits
    assert 10 not in out  # nothing of the running idea moved
    # no two placed intervals, nor a placed one and the kept block, share a line-hour
    spans = [(ln, a, b) for _, ln, a, b in p.placed] + [("L1", -2.0, 20.0)]
    for i, (l1, a1, b1) in enumerate(spans):
        for l2, a2, b2 in spans[i + 1 :]:
            assert l1 != l2 or min(b1, b2) - max(a1, a2) <= 1e-9
    # the work is conserved: line-days placed (less changeovers) equal the days replaced
    placed_days = sum(b - a for _, _, a, b in p.placed)
    assert placed_days >= 11.5 + 11.5 + 8.0 - 1e-6
    assert all(a >= 0.0 for _, _, a, _ in p.placed)
    assert all(a >= 0.5 for t, _, a, _ in p.placed if t == 11)  # not before it starts


def test_past_twelve_lines_the_curve_is_sampled_and_the_fewest_bisected() -> None:
    ramp = ramp_curve(150_000, _own(40), 10, "sew")
    counts = [p.lines for p in ramp.curve]
    assert counts[:11] == list(range(2, 13)) and counts[-1] == 40 and len(counts) < 39
    by = {p.lines: p for p in ramp.curve}
    assert ramp.chosen > 12 and by[ramp.chosen].on_time
    assert not by[ramp.chosen - 1].on_time  # one line fewer was tried and misses


def test_a_replan_that_gains_nothing_proposes_nothing() -> None:
    from engines.scheduling.portfolio import Block, Idea, PortfolioLine, replan_portfolio

    lines = [PortfolioLine(f"L{k}", "sew", 1000.0, 0.5) for k in range(1, 3)]
    blocks = [Block(1, 10, "L1", 1.0, 5.0), Block(2, 11, "L2", 1.0, 5.0)]
    on_time = [Idea(10, 5.0, 10, 6), Idea(11, 1.0, 10, 6)]
    p = replan_portfolio(blocks, lines, on_time)
    assert p.replaced == [] and p.placed == [] and p.outcomes == []


def test_more_supplier_lines_meet_a_due_date_the_free_lines_miss() -> None:
    """Suppliers within reach, cheapest first, are added one at a time: the fewest that make the
    due day, the curve to it, and the units each would make; no other idea's time is taken."""
    lines = [*_own(2), *_own(2, first=3, blocked_days=((0.0, 20.0),))]
    suppliers = [Line(f"SUP{k}-sew-1", f"supplier {k}", "sew", 800.0) for k in range(1, 7)]
    ramp = ramp_curve(9_000, lines, 6, "sew", suppliers=suppliers)
    assert not ramp.on_time and ramp.suppliers_meet
    k = len(ramp.suppliers)
    assert ramp.suppliers == [ln.line_id for ln in suppliers[:k]] and 1 <= k < len(suppliers)
    assert plan_order(9_000, [*lines, *suppliers[:k]], 6, time_limit_s=0).on_time
    fewer = plan_order(9_000, [*lines, *suppliers[: k - 1]], 6, time_limit_s=0)
    assert not fewer.on_time  # one supplier fewer misses it
    assert ramp.supplier_curve[-1].added == tuple(ramp.suppliers)
    assert set(ramp.supplier_units) <= set(ramp.suppliers) and sum(ramp.supplier_units.values())
    # the earliest day stays the plan's own (the suppliers are a proposal, not reserved)
    assert ramp.earliest_day == min(p.completion_day for p in ramp.curve) > ramp.due_day


def test_suppliers_that_cannot_make_it_are_shown_as_a_late_curve() -> None:
    lines = _own(2, blocked_days=((0.0, 20.0),))
    slow = [Line(f"SUP{k}-sew-1", f"supplier {k}", "sew", 10.0) for k in range(1, 3)]
    ramp = ramp_curve(9_000, [*lines, *_own(1, first=3)], 6, "sew", suppliers=slow)
    assert not ramp.suppliers_meet and ramp.supplier_curve
    assert ramp.suppliers == [ln.line_id for ln in slow]


def test_no_line_left_to_ramp_on_is_a_domain_error_with_the_reason() -> None:
    """Excluding every line of the process is the planner's choice to refuse, not a crash to
    retry: DeadlineInfeasible (a non-retryable failure in the pipeline) says so."""
    import pytest

    from engines.scheduling.schedule import DeadlineInfeasible

    with pytest.raises(DeadlineInfeasible, match="no sew line left to ramp on .all excluded."):
        ramp_curve(1_000, _own(2), 6, "sew", exclude_lines=["OWN-1", "OWN-2"])

"""Scheduling engine: lines from sourcing, ramp-aware greedy list scheduling, plan tracking."""

from __future__ import annotations

from dataclasses import asdict, replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engines.scheduling import (
    DeadlineInfeasible,
    Line,
    Schedule,
    capacity_matrix,
    cumulative_plan,
    greedy_schedule,
    lines_from_assignments,
    pick_bottleneck,
    require_on_time,
)
from engines.sourcing import generate_yiwu_network, match_suppliers
from models.contracts import LineDay


def _lines(n: int, rate: float = 1000.0, process: str = "plush_sewing", **kw) -> list[Line]:
    return [Line(f"L{i + 1}", "supplier", process, rate, **kw) for i in range(n)]


def _per_line_day(s: Schedule) -> dict[tuple[str, int], int]:
    return {(line_id, day): units for line_id, day, units in s.daily}


def _total(s: Schedule) -> int:
    return sum(units for _, _, units in s.daily)


# --------------------------------------------------------------------------- lines


def test_lines_from_assignments_splits_reservations_and_adds_own_lines() -> None:
    assignments = [
        {
            "supplier_code": "YW00042",
            "supplier_name": "Futian Plush Co",
            "process": "plush_sewing",
            "units_per_day": 4300,
            "lead_time_days": 2.1,
        },
        {
            "supplier_code": "YW00007",
            "supplier_name": "Pack Co",
            "process": "packaging",
            "units_per_day": 1500,
            "lead_time_days": 1.0,
        },
    ]
    lines = lines_from_assignments(assignments)
    plush = [ln for ln in lines if ln.line_id.startswith("YW00042")]
    assert len(plush) == 3 and all(ln.rate_units_per_day == pytest.approx(4300 / 3) for ln in plush)
    assert all(ln.available_from_day == 3 and ln.owner == "Futian Plush Co" for ln in plush)
    own = [ln for ln in lines if ln.owner == "own factory"]
    assert [ln.line_id for ln in own] == ["OWN-1", "OWN-2"]
    assert all(ln.process == "plush_sewing" and ln.available_from_day == 0 for ln in own)
    assert len({ln.line_id for ln in lines}) == len(lines)


def test_lines_from_sourcing_result_dicts() -> None:
    result = match_suppliers(
        ["plush_sewing", "packaging"], 8000, generate_yiwu_network(300, seed=2)
    )
    lines = lines_from_assignments([asdict(a) for a in result.assignments], own_lines=3)
    assert sum(ln.rate_units_per_day for ln in lines if ln.owner != "own factory") == pytest.approx(
        16000
    )
    assert all(ln.rate_units_per_day <= 2000 for ln in lines if ln.owner != "own factory")
    assert sum(ln.owner == "own factory" for ln in lines) == 3


def test_packaging_and_printing_are_never_the_bottleneck() -> None:
    lines = _lines(3, 2000.0) + _lines(1, 10.0, "packaging") + _lines(1, 10.0, "printing")
    assert pick_bottleneck(lines) == "plush_sewing"
    assert pick_bottleneck(_lines(2, 5.0, "packaging")) == "packaging"
    mixed = _lines(3, 2000.0) + [Line("S1", "s", "stuffing", 3000.0)]
    assert pick_bottleneck(mixed) == "stuffing"


# --------------------------------------------------------------------------- greedy schedule


@pytest.mark.parametrize("quantity", [1, 7, 999, 12_345, 100_000])
def test_daily_units_sum_exactly_to_quantity(quantity: int) -> None:
    s = greedy_schedule(quantity, _lines(4, 1333.3), 10)
    assert _total(s) == quantity == sum(row["units"] for row in s.lines)
    assert cumulative_plan(s.daily, s.completion_day) == quantity
    assert all(units > 0 for _, _, units in s.daily)


def test_ramp_up_follows_the_learning_curve() -> None:
    line = Line(
        "L1", "s", "plush_sewing", 1000.0, ramp_days=3, ramp_start_fraction=0.4, changeover_days=0.0
    )
    s = greedy_schedule(10_000, [line], 30)
    units = [u for _, _, u in s.daily]
    assert units[:5] == [400, 600, 800, 1000, 1000]
    assert units[0] <= 0.4 * 1000 + 1


def test_ramp_respected_with_defaults_on_every_line() -> None:
    lines = [replace(ln, available_from_day=k) for k, ln in enumerate(_lines(4, 1800.0))]
    s = greedy_schedule(100_000, lines, 1)  # late on purpose: every line recruited
    by = _per_line_day(s)
    for ln in lines:
        days = sorted(d for (lid, d) in by if lid == ln.line_id)
        assert by[(ln.line_id, days[0])] <= ln.ramp_start_fraction * ln.rate_units_per_day + 1
        assert by[(ln.line_id, days[0] + ln.ramp_days)] == int(ln.rate_units_per_day)


def test_changeover_delays_the_start() -> None:
    base = Line("L1", "s", "plush_sewing", 1000.0, changeover_days=0.0, available_from_day=2)
    first = {
        c: greedy_schedule(5000, [replace(base, changeover_days=c)], 30).daily[0]
        for c in (0.0, 0.5, 1.0, 1.5)
    }
    assert first[0.0][1:] == (2, 400)
    assert first[0.5][1:] == (2, 200)  # half the day is changeover
    assert first[1.0][1] == 3 and first[1.5][1] == 3
    assert greedy_schedule(5000, [replace(base, changeover_days=1.0)], 30).completion_day > (
        greedy_schedule(5000, [base], 30).completion_day
    )


def test_excluding_a_line_removes_it_from_the_plan() -> None:
    lines = _lines(5, 1500.0)
    s = greedy_schedule(60_000, lines, 12, exclude_lines=["L1", "L3"])
    used = {row["line_id"] for row in s.lines}
    assert used and not used & {"L1", "L3"}
    assert not {lid for lid, _, _ in s.daily} & {"L1", "L3"}
    assert any("excluded lines: L1, L3" in n for n in s.notes)
    with pytest.raises(DeadlineInfeasible) as err:
        greedy_schedule(100, lines, 5, exclude_lines=[ln.line_id for ln in lines])
    assert err.value.earliest_day == -1


def test_more_lines_and_overtime_finish_earlier() -> None:
    lines = _lines(8, 1000.0)
    by_lines = [greedy_schedule(80_000, lines, 1, max_lines=k).completion_day for k in (2, 4, 8)]
    assert by_lines[0] > by_lines[1] > by_lines[2]
    by_overtime = [
        greedy_schedule(80_000, lines, 1, max_overtime_hours_per_day=h).completion_day
        for h in (0, 2, 4)
    ]
    assert by_overtime[0] > by_overtime[1] > by_overtime[2]
    on_time = greedy_schedule(40_000, lines, 8)
    with_ot = greedy_schedule(40_000, lines, 8, max_overtime_hours_per_day=4)
    assert len(with_ot.lines) < len(on_time.lines)  # overtime needs fewer lines


def test_recruits_only_the_lines_the_due_date_needs() -> None:
    lines = _lines(10, 1000.0)
    small, big = greedy_schedule(5_000, lines, 10), greedy_schedule(60_000, lines, 10)
    assert len(small.lines) < len(big.lines) <= 10
    assert small.on_time and big.on_time
    fewer = greedy_schedule(60_000, lines, 10, max_lines=len(big.lines) - 1)
    assert not fewer.on_time


def test_late_plan_is_flagged_with_its_completion_day() -> None:
    s = greedy_schedule(50_000, _lines(2, 1000.0), 10)
    assert not s.on_time and s.completion_day > s.due_day == 9
    late = [n for n in s.notes if n.startswith("late:")]
    assert late and f"day {s.completion_day}" in late[0]
    assert _total(s) == 50_000
    with pytest.raises(DeadlineInfeasible) as err:
        require_on_time(s)
    assert err.value.earliest_day == s.completion_day
    assert require_on_time(greedy_schedule(5_000, _lines(2, 1000.0), 10)).on_time


def test_produced_so_far_is_not_planned_again() -> None:
    s = greedy_schedule(10_000, _lines(2, 1000.0), 10, produced_so_far=4_000)
    assert _total(s) == 6_000 and "4,000 of 10,000" in s.notes[0]
    done = greedy_schedule(10_000, _lines(2, 1000.0), 10, produced_so_far=10_000)
    assert done.daily == [] and done.on_time


def test_explicit_bottleneck_process() -> None:
    lines = _lines(3, 1000.0) + _lines(1, 500.0, "stuffing")
    s = greedy_schedule(9_000, lines, 20, bottleneck_process="plush_sewing")
    assert {row["process"] for row in s.lines} == {"plush_sewing"}
    assert {row["process"] for row in greedy_schedule(9_000, lines, 30).lines} == {"stuffing"}


def test_utilisation_is_units_over_active_capacity() -> None:
    s = greedy_schedule(20_000, _lines(2, 1000.0, changeover_days=0.0, ramp_days=0), 30)
    for row in s.lines:
        days = row["end_day"] - row["start_day"] + 1
        assert row["utilisation"] == pytest.approx(row["units"] / (days * 1000.0), abs=1e-4)
        assert 0 < row["utilisation"] <= 1.0


def test_plush_order_ramps_from_two_own_lines_to_more_than_twelve() -> None:
    """Yiwu story: 2 own lines make a pilot batch; ~20,000 plush toys/day for 14 days need >12."""
    result = match_suppliers(["plush_sewing"], 30_000, generate_yiwu_network(600, seed=0))
    lines = lines_from_assignments([asdict(a) for a in result.assignments])
    pilot = greedy_schedule(10_000, lines, 5)
    assert [row["line_id"] for row in pilot.lines] == ["OWN-1", "OWN-2"] and pilot.on_time
    big = greedy_schedule(300_000, lines, 14)
    assert big.on_time and len(big.lines) > 12
    assert [row["line_id"] for row in big.lines[:2]] == ["OWN-1", "OWN-2"]
    assert _total(big) == 300_000


def test_cumulative_plan_accepts_tuples_dicts_and_line_days() -> None:
    s = greedy_schedule(30_000, _lines(3, 1000.0), 20)
    curve = [cumulative_plan(s.daily, d) for d in range(-1, s.completion_day + 2)]
    assert curve[0] == 0 and curve[-1] == 30_000 and curve == sorted(curve)
    as_models = [LineDay(line_id=lid, day=d, units=u) for lid, d, u in s.daily]
    as_dicts = [m.model_dump() for m in as_models]
    assert (
        cumulative_plan(as_models, 5) == cumulative_plan(as_dicts, 5) == cumulative_plan(s.daily, 5)
    )
    assert cumulative_plan([], 3) == 0


def test_capacity_matrix_caps_at_the_overtime_rate() -> None:
    cap = capacity_matrix(_lines(1, 800.0, changeover_days=0.0), 10, overtime_hours=4.0)
    assert cap.max() == 1200 and cap[0, 0] == int(0.4 * 1200)


# --------------------------------------------------------------------------- property

_line = st.builds(
    Line,
    line_id=st.just(""),
    owner=st.just("s"),
    process=st.just("plush_sewing"),
    rate_units_per_day=st.floats(100.0, 5000.0),
    ramp_days=st.integers(0, 5),
    ramp_start_fraction=st.floats(0.1, 1.0),
    changeover_days=st.floats(0.0, 2.0),
    available_from_day=st.integers(0, 10),
    shift_hours=st.sampled_from([8.0, 10.0, 12.0]),
)


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(_line, min_size=1, max_size=8),
    quantity=st.integers(1, 300_000),
    due=st.integers(1, 60),
    overtime=st.floats(0.0, 4.0),
    max_lines=st.one_of(st.none(), st.integers(1, 8)),
)
def test_property_sum_is_exact_and_no_line_exceeds_its_rate(
    lines: list[Line], quantity: int, due: int, overtime: float, max_lines: int | None
) -> None:
    lines = [replace(ln, line_id=f"L{i}") for i, ln in enumerate(lines)]
    s = greedy_schedule(
        quantity, lines, due, max_overtime_hours_per_day=overtime, max_lines=max_lines
    )
    assert _total(s) == quantity
    assert s.on_time == (s.completion_day <= due - 1)
    by_id = {ln.line_id: ln for ln in lines}
    for line_id, day, units in s.daily:
        ln = by_id[line_id]
        assert (
            0 < units <= ln.rate_units_per_day * (ln.shift_hours + overtime) / ln.shift_hours + 1e-6
        )
        assert day >= ln.available_from_day + int(ln.changeover_days)
        assert day <= s.completion_day
    assert len(s.lines) <= (max_lines or len(lines))
    assert np.all(np.diff([d for _, d, _ in s.daily]) >= 0)


def test_line_rejects_nonsense_parameters() -> None:
    with pytest.raises(ValueError):
        Line("X", "s", "plush_sewing", -1.0)
    with pytest.raises(ValueError):
        Line("X", "s", "plush_sewing", 100.0, ramp_start_fraction=0.0)
    with pytest.raises(ValueError):
        Line("X", "s", "plush_sewing", 100.0, shift_hours=0.0)

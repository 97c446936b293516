"""CP-SAT scheduler: job-shop optima, multi-stage lot plans, ramp, changeovers, what-if, deadlines."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engines.scheduling import (
    DeadlineInfeasible,
    Line,
    Order,
    Problem,
    Schedule,
    build_orders,
    compare_plans,
    cpsat,
    cumulative_plan,
    format_comparison,
    greedy,
    load_orlib,
    plan_order,
    solve_jobshop,
    split_lots,
    violations,
    what_if,
)
from engines.scheduling.bounds import (
    lot_transfer_lower_bound,
    makespan_lower_bound,
    pipeline_lower_bound,
)
from engines.scheduling.local import improve, is_flow_line
from engines.scheduling.orders import TICKS_PER_HOUR, fluid_lower_bound, ramp_loss_days
from engines.scheduling.problem import (
    _anchor_shapes,
    _anchored,
    _job_orders,
    _serial,
    _shaped,
    _staggered,
    bottleneck_first,
    objective,
)

DATA = Path(__file__).parent / "data"
FAST_S = 2.0  # CP-SAT seconds per plan in these tests
SHAPE_SEED = 0


def _routing_lines(cut: int = 2, sew: int = 4, pack: int = 2, **kw) -> list[Line]:
    """cut (3,000/day) → sew (1,000/day) → pack (4,000/day) lines."""
    spec = [
        ("CUT", "cut", cut, 3000.0),
        ("SEW", "sew", sew, 1000.0),
        ("PACK", "pack", pack, 4000.0),
    ]
    return [
        Line(f"{tag}-{k + 1}", "supplier", process, rate, **kw)
        for tag, process, n, rate in spec
        for k in range(n)
    ]


def _by_line(s: Schedule) -> dict[str, list[tuple[int, str, float, float]]]:
    out: dict[str, list[tuple[int, str, float, float]]] = defaultdict(list)
    for line_id, lot, stage, start, end in s.gantt:
        out[line_id].append((lot, stage, start, end))
    return out


def _stage_totals(s: Schedule) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for stage, _, _, units in s.stage_daily:
        out[stage] += units
    return dict(out)


# --------------------------------------------------------------------------- job shop


def test_orlib_files_parse() -> None:
    assert [len(j) for j in load_orlib(DATA / "ft06.txt")] == [6] * 6
    la01 = load_orlib(DATA / "la01.txt")
    assert len(la01) == 10 and all(len(j) == 5 for j in la01) and la01[0][0] == (1, 21)


@pytest.mark.parametrize(("name", "optimum", "limit_s"), [("ft06", 55, 10.0), ("la01", 666, 20.0)])
def test_jobshop_reaches_the_known_optimum(name: str, optimum: int, limit_s: float) -> None:
    jobs = load_orlib(DATA / f"{name}.txt")
    r = solve_jobshop(jobs, time_limit_s=limit_s, workers=2)
    assert r.makespan == optimum and r.lower_bound == optimum and r.gap == 0.0
    assert r.greedy_makespan >= optimum
    ends = {}
    for j, k, machine, start, end in r.operations:
        assert (machine, end - start) == jobs[j][k]
        assert start >= ends.get(j, 0)
        ends[j] = end
    by_machine = defaultdict(list)
    for _, _, machine, start, end in r.operations:
        by_machine[machine].append((start, end))
    for spans in by_machine.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


# --------------------------------------------------------------------------- multi-stage plans


def test_a_shifted_plan_starts_later_by_the_same_days_everywhere() -> None:
    s = plan_order(8_000, _routing_lines(), 30, time_limit_s=0)
    later = s.shifted(3)
    assert s.shifted(0) is s
    assert (later.completion_day, later.due_day) == (s.completion_day + 3, s.due_day + 3)
    assert [d + 3 for _, d, _ in s.daily] == [d for _, d, _ in later.daily]
    assert [ln["start_day"] + 3 for ln in s.lines] == [ln["start_day"] for ln in later.lines]
    assert [ln["end_day"] + 3 for ln in s.lines] == [ln["end_day"] for ln in later.lines]
    assert [b + 3 for *_, b in s.gantt] == pytest.approx([b for *_, b in later.gantt])
    assert [d + 3 for d, _ in s.shipments] == [d for d, _ in later.shipments]
    stored = later.stored_gantt()
    assert [row[3] for row in stored] == [round(a + 3, 3) for _, _, _, a, _ in s.gantt]


def test_plan_covers_every_stage_and_lots_flow_in_order() -> None:
    s = plan_order(40_000, _routing_lines(), 30, time_limit_s=FAST_S)
    assert sum(u for _, _, u in s.daily) == 40_000 == cumulative_plan(s.daily, s.completion_day)
    assert _stage_totals(s) == {"cut": 40_000, "sew": 40_000, "pack": 40_000}
    assert sum(u for _, u in s.shipments) == 40_000 and s.shipments[0][0] < s.completion_day
    assert max(end for *_, end in s.gantt) == pytest.approx(s.makespan_days)  # bars in days
    stages = defaultdict(dict)
    for line_id, lot, stage, start, end in s.gantt:
        stages[lot][stage] = (start, end, line_id)
    for lot in stages.values():
        assert lot["cut"][1] <= lot["sew"][0] + 1e-9 and lot["sew"][1] <= lot["pack"][0] + 1e-9
        assert lot["cut"][2].startswith("CUT") and lot["pack"][2].startswith("PACK")
    for spans in _by_line(s).values():
        spans.sort(key=lambda x: x[2])
        assert all(a[3] <= b[2] + 1e-9 for a, b in zip(spans, spans[1:], strict=False))
    assert {line_id for line_id, _, _ in s.daily} <= {f"PACK-{k}" for k in (1, 2)}
    assert s.on_time and s.gap is not None and 0.0 <= s.gap < 1.0
    assert s.lower_bound is not None and s.objective is not None
    assert s.lower_bound <= s.objective


def test_ramp_up_and_changeover_are_respected() -> None:
    line = Line("SEW-1", "s", "sew", 1000.0, ramp_days=3, ramp_start_fraction=0.4)
    lines = [Line("CUT-1", "s", "cut", 50_000.0, ramp_days=0, changeover_days=0.0), line]
    s = plan_order(10_000, lines, 30, lots=10, time_limit_s=FAST_S)
    sew = sorted((d, u) for st, lid, d, u in s.stage_daily if lid == "SEW-1")
    units = [u for _, u in sew]
    assert units[0] <= 400 + 1 and units[1] <= 600 + 1 + 400  # never above the learning curve
    assert max(units) == 1000 and sum(units) == 10_000
    assert sum(units[:3]) < 3 * 1000  # the ramp costs output
    first_start = min(start for lid, _, _, start, _ in s.gantt if lid == "SEW-1")
    setup = line.changeover_days + ramp_loss_days(line)
    assert first_start >= setup - 1e-9
    slower = plan_order(
        10_000, [lines[0], replace(line, changeover_days=3.0)], 30, lots=10, time_limit_s=FAST_S
    )
    assert slower.makespan_days is not None and s.makespan_days is not None
    assert slower.makespan_days >= s.makespan_days + 2.5


def test_days_off_and_commitments_are_not_worked() -> None:
    lines = _routing_lines(days_off=(6,))
    lines[2] = replace(lines[2], blocked_days=((2.0, 5.0),))  # SEW-1 is booked days 2..4
    s = plan_order(30_000, lines, 30, time_limit_s=FAST_S)
    for _, line_id, day, units in s.stage_daily:
        assert day % 7 != 6 or units == 0
        assert not (line_id == "SEW-1" and 2 <= day < 5)
    for line_id, _, _, start, end in s.gantt:
        assert not (line_id == "SEW-1" and start < 5.0 and end > 2.0)


def test_excluded_lines_are_unused() -> None:
    s = plan_order(30_000, _routing_lines(), 30, exclude_lines=["SEW-1", "CUT-2"], time_limit_s=1)
    used = {g[0] for g in s.gantt} | {lid for _, lid, _, _ in s.stage_daily}
    assert used and not used & {"SEW-1", "CUT-2"}
    assert any("excluded lines: SEW-1, CUT-2" in n for n in s.notes)
    with pytest.raises(DeadlineInfeasible) as err:
        plan_order(100, _routing_lines(), 5, exclude_lines=["PACK-1", "PACK-2"], time_limit_s=1)
    assert err.value.earliest_day == -1


def test_extra_lines_and_overtime_shorten_completion() -> None:
    base = _routing_lines(sew=2)
    extra = [Line(f"SEW-X{k}", "rented", "sew", 1000.0, extra_cost=500.0) for k in range(2)]
    plans = what_if(
        40_000,
        base,
        40,
        {
            "base": {},
            "overtime 4 h": {"max_overtime_hours_per_day": 4.0},
            "two extra lines": {"add_lines": extra},
            "split in 4 lots": {"lots": 4},
        },
        time_limit_s=FAST_S,
    )
    assert plans["overtime 4 h"].completion_day < plans["base"].completion_day
    assert plans["two extra lines"].completion_day < plans["base"].completion_day
    assert plans["two extra lines"].extra_cost == 1000.0 and plans["base"].extra_cost == 0.0
    rows = compare_plans(plans)
    assert [r["scenario"] for r in rows] == list(plans)
    assert {"completion_day", "makespan_days", "extra_cost", "utilisation"} <= set(rows[0])
    assert "two extra lines" in format_comparison(rows)


def test_a_costly_line_is_not_recruited_when_it_does_not_help() -> None:
    lines = [Line("CUT-1", "s", "cut", 5000.0), Line("CUT-X", "rented", "cut", 5000.0)]
    lines[1] = replace(lines[1], extra_cost=300.0)
    s = plan_order(2_000, lines, 10, lots=1, time_limit_s=FAST_S)
    assert {g[0] for g in s.gantt} == {"CUT-1"} and s.extra_cost == 0.0


@pytest.mark.parametrize(
    ("quantity", "n_lines", "lots", "limit_s"),
    [(60_000, 2, None, 0.0), (12_000, 1, 4, FAST_S)],  # greedy preview; CP-SAT proving optimality
)
def test_impossible_due_date_gives_an_earliest_day_that_works(
    quantity: int, n_lines: int, lots: int | None, limit_s: float
) -> None:
    lines = _routing_lines(cut=n_lines, sew=2 * n_lines, pack=n_lines)
    with pytest.raises(DeadlineInfeasible) as err:
        plan_order(quantity, lines, 3, lots=lots, time_limit_s=limit_s, strict=True)
    earliest = err.value.earliest_day
    assert earliest >= 3 and "late:" in err.value.reason
    ok = plan_order(quantity, lines, earliest + 1, lots=lots, time_limit_s=limit_s, strict=True)
    assert ok.on_time and ok.completion_day == earliest
    assert limit_s == 0 or ok.solver_status == "optimal"


def test_greedy_preview_is_instant_and_never_better_than_cpsat() -> None:
    preview = plan_order(40_000, _routing_lines(), 12, time_limit_s=0)
    assert preview.solver_status == "greedy" and preview.gap is None
    full = plan_order(40_000, _routing_lines(), 12, time_limit_s=FAST_S)
    assert full.completion_day <= preview.completion_day == full.greedy_completion_day
    assert full.objective is not None and preview.objective is not None
    assert full.objective <= preview.objective


def test_produced_so_far_and_bad_input() -> None:
    s = plan_order(10_000, _routing_lines(), 20, produced_so_far=4_000, time_limit_s=1)
    assert sum(u for _, _, u in s.daily) == 6_000 and "4,000 already made" in s.notes[0]
    assert plan_order(10_000, _routing_lines(), 20, produced_so_far=10_000).daily == []
    with pytest.raises(ValueError):
        plan_order(0, _routing_lines(), 20)


def test_two_orders_share_lines_in_campaigns_with_changeovers() -> None:
    lines = [Line("L1", "s", "sew", 1000.0, ramp_days=0, changeover_days=0.5)]
    lines.append(replace(lines[0], line_id="L2"))
    orders = [Order("a", 6_000, ("sew",), due_in_days=10, lots=3), Order("b", 4_000, ("sew",))]
    built = build_orders(orders, lines)
    warm = greedy(built.problem)
    sol = cpsat.solve(built.problem, hint=warm, horizon=warm.makespan * 2, time_limit_s=FAST_S)
    assert violations(built.problem, warm) == [] and violations(built.problem, sol) == []
    assert objective(built.problem, sol, warm.makespan * 2) <= objective(
        built.problem, warm, warm.makespan * 2
    )


def _random_shop(seed: int):  # type: ignore[no-untyped-def]
    """A small random order set: 1–3 stages, 1–3 lines each, ramps, changeovers, days off."""
    rng = np.random.default_rng(seed)
    stages = ("a", "b", "c")[: int(rng.integers(1, 4))]
    co = float(rng.choice([0.0, 0.0, 0.25]))
    lines = [
        Line(
            f"{p}-{k}",
            "t",
            p,
            float(rng.integers(300, 2400)),
            ramp_days=int(rng.choice([0, 0, 2])),
            changeover_days=co,
            available_from_day=int(rng.integers(0, 3)),
            days_off=(6,) if rng.random() < 0.3 else (),
        )
        for p in stages
        for k in range(int(rng.integers(1, 4)))
    ]
    orders = [
        Order(
            f"O{i}",
            int(rng.integers(100, 4000)),
            stages if rng.random() < 0.6 else stages[::2],
            lots=int(rng.integers(1, 4)),
            release_day=float(rng.choice([0, 0, 1.5])),
        )
        for i in range(int(rng.integers(1, 6)))
    ]
    return build_orders(orders, lines)


@pytest.mark.parametrize("seed", range(24))
def test_lower_bounds_never_exceed_the_proven_optimum(seed: int) -> None:
    built = _random_shop(seed)
    p = built.problem
    warm = greedy(p)
    sol = cpsat.solve(p, hint=warm, horizon=warm.makespan, time_limit_s=5.0)
    fluid, pipeline = fluid_lower_bound(built), pipeline_lower_bound(built)
    assert violations(p, warm) == [] and fluid <= pipeline
    if sol.status == "OPTIMAL":  # no cut given: the solver's optimum is the model's own
        assert pipeline <= sol.makespan
        assert lot_transfer_lower_bound(built) <= sol.makespan


def _flow_line(  # type: ignore[no-untyped-def]
    seed: int, orders: int, per_stage: int, stages: tuple[str, ...] = ("cut", "sew", "pack")
):
    """Whole-order lots (500–5,000 units) through cut → sew → pack, 800–2,400 units/day lines.

    `stages` keeps only some of them (the same random lines and quantities as all three).
    """
    rng = np.random.default_rng(seed)
    lines = [
        Line(
            f"{p}-{k}",
            "t",
            p,
            float(rng.integers(800, 2400)),
            ramp_days=0,
            changeover_days=0,
            available_from_day=int(rng.integers(0, 2)),
        )
        for p in ("cut", "sew", "pack")
        for k in range(per_stage)
    ]
    qty = rng.integers(500, 5000, size=orders)
    return build_orders(
        [Order(f"O{i}", int(q), stages, lots=1) for i, q in enumerate(qty)],
        [ln for ln in lines if ln.process in stages],
    )


def test_pipeline_bound_counts_fill_and_drain() -> None:
    built = _flow_line(1, orders=7, per_stage=2)
    warm = greedy(built.problem)
    # the limit only caps a loaded machine: a quiet one proves optimality in about a second
    sol = cpsat.solve(built.problem, hint=warm, horizon=warm.makespan, time_limit_s=60.0)
    assert sol.status == "OPTIMAL"
    assert fluid_lower_bound(built) < pipeline_lower_bound(built) <= sol.makespan


@pytest.mark.parametrize("feeder_first", [True, False])
def test_pipeline_bound_counts_each_lines_own_lots(feeder_first: bool) -> None:
    # Four 1,000-unit lots; the uneven stage has lines of 10 and 30 hours a lot, the even one
    # two lines of 20. The second lot off (or onto) the uneven stage cannot be ready before 20
    # (both on the fast line) or 30 (the slow line): pooled fluid said 15, one lot alone 10.
    # So the even lines lose 10 and 20 hours: (4 · 20 · 1,200/24 + 50 · 10 + 50 · 20) / 100.
    uneven = [Line(f"u{r}", "t", "uneven", r, ramp_days=0, changeover_days=0) for r in (2400, 800)]
    even = [Line(f"e{k}", "t", "even", 1200, ramp_days=0, changeover_days=0) for k in (1, 2)]
    routing = ("uneven", "even") if feeder_first else ("even", "uneven")
    built = build_orders([Order(f"O{i}", 1000, routing, lots=1) for i in range(4)], uneven + even)
    warm = greedy(built.problem)
    sol = cpsat.solve(built.problem, hint=warm, horizon=warm.makespan, time_limit_s=5.0)
    h = TICKS_PER_HOUR
    assert sol.status == "OPTIMAL" and sol.makespan == 60 * h
    assert fluid_lower_bound(built) == 50 * h and pipeline_lower_bound(built) == 55 * h


@pytest.mark.parametrize("seed", range(12))
def test_lot_transfer_bound_never_exceeds_the_proven_optimum(seed: int) -> None:
    built = _flow_line(100 + seed, orders=4 + seed % 4, per_stage=2)
    warm = greedy(built.problem)
    sol = cpsat.solve(built.problem, hint=warm, horizon=warm.makespan, time_limit_s=5.0)
    if sol.status == "OPTIMAL":  # no cut given: the solver's optimum is the model's own
        assert lot_transfer_lower_bound(built) <= sol.makespan


def test_lot_transfer_bound_bites_when_two_stages_are_equally_loaded() -> None:
    built = _flow_line(3, orders=200, per_stage=12)  # bench seed 3: cut and pack ≈ equal
    pipeline, lot_transfer = pipeline_lower_bound(built), lot_transfer_lower_bound(built)
    assert lot_transfer > 1.03 * pipeline and makespan_lower_bound(built) == lot_transfer
    assert lot_transfer <= greedy(built.problem).makespan
    mixed = replace(built.orders[0], routing=("cut", "pack"))
    assert lot_transfer_lower_bound(build_orders([built.orders[1], mixed], built.lines)) == 0


def test_local_search_shortens_the_greedy_flow_line() -> None:
    built = _flow_line(1, orders=40, per_stage=3)
    p = built.problem
    warm = greedy(p)
    polished = improve(p, warm, time_limit_s=1.0)
    assert is_flow_line(p) and violations(p, polished) == []
    assert makespan_lower_bound(built) <= polished.makespan < warm.makespan
    assert improve(p, warm, time_limit_s=0.0) is warm


def test_bottleneck_first_beats_list_scheduling_on_a_flow_line() -> None:
    built = _flow_line(0, orders=200, per_stage=12)  # the bench instance
    p = built.problem
    flow = bottleneck_first(p)
    assert flow is not None and violations(p, flow) == []
    serial = min(_serial(p, order, 0.0).makespan for order in _job_orders(p, restarts=4))
    assert flow.makespan < 0.97 * serial  # list scheduling idles the bottleneck
    assert greedy(p).makespan <= flow.makespan
    assert pipeline_lower_bound(built) <= flow.makespan
    assert bottleneck_first(Problem(1, [[{0: 2}], [{0: 1}, {0: 1}]], [0, 0])) is None


def test_staggered_lines_run_their_big_lots_at_different_times() -> None:
    lots = list(range(20))  # ascending sizes
    runs = [_staggered(lots, k, 4) for k in range(4)]
    for run in runs:
        assert sorted(run) == lots and run[0] == 0 and run[-1] == 1
    biggest_at = {run.index(19) for run in runs}
    assert len(biggest_at) == 4  # each line reaches its biggest lot at another point
    assert _staggered([3, 1], 1, 4) == [3, 1]


def test_staggering_helps_when_the_first_and_last_stages_are_equally_loaded() -> None:
    built = _flow_line(3, orders=200, per_stage=12)  # cut and pack both near 765 h of work
    p = built.problem
    in_step = min(_anchored(p, b, "lambda").makespan for b in range(3))
    staggered = [_anchored(p, b, "stagger") for b in range(3)]
    assert all(violations(p, sol) == [] for sol in staggered)
    assert min(sol.makespan for sol in staggered) < 0.97 * in_step


@pytest.mark.parametrize(("stages", "shape"), [(("cut", "sew"), "rise"), (("sew", "pack"), "fall")])
def test_an_anchor_at_the_end_of_the_routing_runs_its_lots_monotone(
    stages: tuple[str, str], shape: str
) -> None:
    # sew is the slower stage of both: with nothing after it its lots should rise in size (no
    # drain to keep short), with nothing before it they should fall (no fill), as Johnson's rule
    built = _flow_line(SHAPE_SEED, orders=200, per_stage=12, stages=stages)
    p, sew = built.problem, stages.index("sew")
    assert _anchor_shapes(sew, 2, mixed=True)[-1] == shape and _anchor_shapes(sew, 2, False) == [
        "lambda"
    ]
    monotone = _anchored(p, sew, shape)
    assert violations(p, monotone) == []
    # 898 vs 910 and 916 h (cut → sew); 877 vs 887 and 916 h (sew → pack)
    assert monotone.makespan < min(_anchored(p, sew, s).makespan for s in ("lambda", "stagger"))
    assert bottleneck_first(p).makespan <= monotone.makespan  # type: ignore[union-attr]
    assert _shaped([1, 2, 3, 4, 5], "rise", 0, 1) == [1, 2, 3, 4, 5]
    assert _shaped([1, 2, 3, 4, 5], "fall", 0, 1) == [5, 4, 3, 2, 1]
    assert _shaped([1, 2, 3, 4, 5], "lambda", 0, 1) == [1, 3, 5, 4, 2]


def test_split_lots() -> None:
    assert split_lots(10, 3) == [4, 3, 3] and split_lots(2, 5) == [1, 1] and split_lots(0, 3) == [0]


# --------------------------------------------------------------------------- property


@st.composite
def _problems(draw: st.DrawFn) -> Problem:
    n_machines = draw(st.integers(2, 5))
    n_stages = draw(st.integers(1, 3))
    pools = [
        draw(st.lists(st.integers(0, n_machines - 1), min_size=1, max_size=3, unique=True))
        for _ in range(n_stages)
    ]
    jobs = [
        [{m: draw(st.integers(1, 9)) for m in pool} for pool in pools]
        for _ in range(draw(st.integers(1, 6)))
    ]
    groups = [draw(st.integers(0, 1)) for _ in jobs]
    return Problem(
        n_machines,
        jobs,
        groups,
        due=[draw(st.one_of(st.none(), st.integers(5, 40))) for _ in range(max(groups) + 1)],
        setup=[draw(st.integers(0, 3)) for _ in range(n_machines)],
        release=[draw(st.integers(0, 4)) for _ in range(n_machines)],
        blocked=[[(a, a + draw(st.integers(1, 3)))] for a in range(0, 2 * n_machines, 2)],
        cost=[draw(st.sampled_from([0, 0, 5])) for _ in range(n_machines)],
    )


@settings(max_examples=25, deadline=None)
@given(p=_problems())
def test_property_greedy_is_feasible_and_cpsat_never_worse(p: Problem) -> None:
    warm = greedy(p)
    assert violations(p, warm) == []
    flow = bottleneck_first(p)
    assert flow is None or violations(p, flow) == []
    horizon = warm.makespan * 2
    sol = cpsat.solve(p, hint=warm, horizon=horizon, time_limit_s=0.5, workers=2)
    assert violations(p, sol) == []
    assert objective(p, sol, horizon) <= objective(p, warm, horizon)
    polished = improve(p, warm, time_limit_s=0.05)
    assert violations(p, polished) == []
    assert objective(p, polished, horizon) <= objective(p, warm, horizon)


@pytest.mark.parametrize("stages", [("cut", "sew", "pack"), ("sew",)])
def test_bench_loss_split_adds_up_to_the_makespan(stages: tuple[str, ...]) -> None:
    from bench.scheduling.__main__ import LOSSES, instance, losses

    built = instance(30, 3, 0.0, seed=2, stages=stages)
    sol = greedy(built.problem)
    units = sum(u for _, _, u in built.lots)
    for s, part in enumerate(losses(built, sol)):
        machines = {m for st in built.problem.jobs for m in st[s]}
        pooled = sum(built.rates_per_day[m] / 24 for m in machines)  # units per hour
        assert sum(part[k] for k in LOSSES) == pytest.approx(sol.makespan / TICKS_PER_HOUR)
        assert part["work"] == pytest.approx(units / pooled)
        assert min(part.values()) >= -1e-9  # whole ticks only ever round up

"""Sourcing engine: geography, the Yiwu network generator and hub-based supplier matching."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from engines.sourcing import (
    HUBS,
    PROCESSES,
    TOWNS,
    NoFeasibleSuppliers,
    SupplierRecord,
    Weights,
    effective_unit_cost_usd,
    generate_yiwu_network,
    greedy_fill,
    haversine_km,
    match_suppliers,
    travel_minutes,
)
from engines.sourcing.network import CLUSTERS
from engines.sourcing.optimise import Candidates, plan_objective, solve_dp, solve_milp

PLUSH = ["plush_sewing", "stuffing", "embroidery", "packaging"]


@pytest.fixture(scope="module")
def network() -> list[SupplierRecord]:
    return generate_yiwu_network(600, seed=0)


def _supplier(
    code: str, lat: float, lon: float, caps: dict[str, tuple[int, float]], **kw
) -> SupplierRecord:
    fields = {"lead_time_days": 2.0, "moq_units": 0, "quality": 0.9} | kw
    return SupplierRecord(
        code=code,
        name=f"{code} Co",
        town="Choucheng",
        lat=lat,
        lon=lon,
        capabilities=caps,
        **fields,
    )


# --------------------------------------------------------------------------- geography


def test_travel_minutes_zero_for_same_point_and_vectorised() -> None:
    lat, lon = TOWNS["Choucheng"]
    assert travel_minutes(lat, lon, lat, lon) == pytest.approx(0.0)
    out = travel_minutes(lat, lon, np.array([lat, 29.4]), np.array([lon, 120.1]))
    assert out.shape == (2,) and out[0] == pytest.approx(0.0) and out[1] > 0


def test_choucheng_to_fotang_is_a_plausible_drive() -> None:
    minutes = float(travel_minutes(*TOWNS["Choucheng"], *TOWNS["Fotang"]))
    assert 15.0 <= minutes <= 40.0
    assert float(travel_minutes(*TOWNS["Fotang"], *TOWNS["Choucheng"])) == pytest.approx(minutes)


def test_travel_minutes_scales_with_road_factor_and_speed() -> None:
    a, b = TOWNS["Futian"], TOWNS["Suxi"]
    base = float(travel_minutes(*a, *b))
    assert float(travel_minutes(*a, *b, road_factor=2.7)) == pytest.approx(2 * base)
    assert float(travel_minutes(*a, *b, speed_kmh=70.0)) == pytest.approx(base / 2)
    km = float(haversine_km(*a, *b))
    assert base == pytest.approx(km * 1.35 / 35.0 * 60.0)


def test_towns_and_hubs_lie_in_yiwu() -> None:
    for lat, lon in [*TOWNS.values(), *HUBS.values()]:
        assert float(haversine_km(29.306, 120.075, lat, lon)) < 30.0
    assert set(CLUSTERS) == set(TOWNS)


# --------------------------------------------------------------------------- generator


def test_generator_is_deterministic_and_seeded(network: list[SupplierRecord]) -> None:
    assert generate_yiwu_network(600, seed=0) == network
    assert generate_yiwu_network(600, seed=1) != network
    assert [s.code for s in network[:3]] == ["YW00001", "YW00002", "YW00003"]
    assert len({s.code for s in network}) == 600


def test_generator_fields_are_in_range(network: list[SupplierRecord]) -> None:
    for s in network:
        assert 1 <= len(s.capabilities) <= 3
        assert set(s.capabilities) <= set(PROCESSES)
        assert 0.0 <= s.quality <= 1.0 and s.lead_time_days >= 1.0
        for capacity, cost in s.capabilities.values():
            assert 500 <= capacity <= 20000 and cost > 0
        assert s.moq_units <= min(c for c, _ in s.capabilities.values())


def test_generator_clusters_by_town(network: list[SupplierRecord]) -> None:
    km = np.array([float(haversine_km(*TOWNS[s.town], s.lat, s.lon)) for s in network])
    assert np.median(km) < 3.0 and np.mean(km < 8.0) > 0.95
    for s in network:  # the first capability is always typical of the town's cluster
        assert next(iter(s.capabilities)) in CLUSTERS[s.town][2]
    plush_towns = Counter(s.town for s in network if "plush_sewing" in s.capabilities)
    assert set(plush_towns) <= {t for t, c in CLUSTERS.items() if "plush_sewing" in c[2]}
    everywhere = {s.town for s in network if {"packaging", "printing"} & set(s.capabilities)}
    assert len(everywhere) >= 12


# --------------------------------------------------------------------------- matching


def test_match_covers_every_process_within_the_limit(network: list[SupplierRecord]) -> None:
    result = match_suppliers(PLUSH, 20_000, network, max_travel_minutes=30.0)
    assert result.hub in HUBS and (result.hub_lat, result.hub_lon) == HUBS[result.hub]
    units: defaultdict[str, int] = defaultdict(int)
    by_code = {s.code: s for s in network}
    for a in result.assignments:
        units[a.process] += a.units_per_day
        s = by_code[a.supplier_code]
        assert a.units_per_day <= s.capabilities[a.process][0]
        assert float(travel_minutes(result.hub_lat, result.hub_lon, s.lat, s.lon)) <= 30.0
        assert a.travel_minutes <= 30.0
    assert dict(units) == dict.fromkeys(PLUSH, 20_000)
    landed = sum(
        a.units_per_day * (a.unit_cost_usd + 0.0005 * a.travel_minutes) for a in result.assignments
    )
    assert result.landed_unit_cost_usd == pytest.approx(landed / 20_000, abs=1e-3)


def test_match_splits_when_one_supplier_is_short(network: list[SupplierRecord]) -> None:
    result = match_suppliers(["plush_sewing"], 30_000, network)
    assert len(result.assignments) > 1  # no supplier has 30,000 units/day
    assert sum(a.units_per_day for a in result.assignments) == 30_000
    assert "split across" in result.explanation[1]
    assert result.explanation[1].startswith("plush_sewing: ")
    assert any(e.startswith("binding constraint: plush_sewing") for e in result.explanation)


def test_alternatives_are_unchosen_runners_up(network: list[SupplierRecord]) -> None:
    result = match_suppliers(PLUSH, 20_000, network)
    chosen = {(a.supplier_code, a.process) for a in result.assignments}
    per_process = Counter(a.process for a in result.alternatives)
    assert all(n <= 2 for n in per_process.values())
    assert not chosen & {(a.supplier_code, a.process) for a in result.alternatives}


def test_the_cheapest_feasible_hub_wins(network: list[SupplierRecord]) -> None:
    result = match_suppliers(PLUSH, 20_000, network)
    objective = {
        h: match_suppliers(PLUSH, 20_000, network, hubs={h: at}).objective_usd
        for h, at in HUBS.items()
    }
    assert result.objective_usd == min(objective.values()) == objective[result.hub]
    for hub, value in result.hub_objectives_usd.items():  # hubs solved, not bound-pruned
        assert value == pytest.approx(objective[hub])
    assert result.explanation[0].startswith(f"hub: {result.hub} hub, landed $")


def test_tighter_limit_never_reaches_further(network: list[SupplierRecord]) -> None:
    result = match_suppliers(["injection_moulding"], 5_000, network, max_travel_minutes=15.0)
    assert all(a.travel_minutes <= 15.0 for a in result.assignments)


def test_match_handles_a_large_network() -> None:
    big = generate_yiwu_network(10_000, seed=3)
    result = match_suppliers(PLUSH, 50_000, big)
    assert sum(a.units_per_day for a in result.assignments) == 4 * 50_000


def test_marginal_share_below_moq_moves_to_a_supplier_that_accepts_it() -> None:
    lat, lon = HUBS["Futian"]
    suppliers = [
        _supplier("A", lat, lon, {"assembly": (1000, 0.10)}, moq_units=100),
        _supplier("B", lat, lon, {"assembly": (1000, 0.11)}, moq_units=800),
        _supplier("C", lat, lon, {"assembly": (1000, 0.20)}, moq_units=100),
    ]
    result = match_suppliers(["assembly"], 1300, suppliers, hubs={"Futian": (lat, lon)})
    # greedy would take A 1000 + C 300 ($160/day); the exact optimum respects B's MOQ for $138
    assert {a.supplier_code: a.units_per_day for a in result.assignments} == {"A": 500, "B": 800}
    assert result.method == "dp"  # the MOQ binds, so the relaxation alone is not enough
    greedy = match_suppliers(
        ["assembly"], 1300, suppliers, hubs={"Futian": (lat, lon)}, solver="greedy"
    )
    assert {a.supplier_code: a.units_per_day for a in greedy.assignments} == {"A": 1000, "C": 300}


def test_infeasible_demand_names_the_process_and_wider_limits(
    network: list[SupplierRecord],
) -> None:
    with pytest.raises(NoFeasibleSuppliers) as err:
        match_suppliers(["packaging", "plush_sewing"], 2_000_000, network)
    e = err.value
    assert "plush_sewing" in e.reason and "45 min would give" in e.reason and "60 min" in e.reason
    assert "widening to 45 or 60 min would not be enough" in e.reason
    assert "2,000,000" in str(e)
    assert e.processes == ["packaging", "plush_sewing"]
    caps = e.capacity_by_minutes
    assert caps[30.0]["plush_sewing"] <= caps[45.0]["plush_sewing"] <= caps[60.0]["plush_sewing"]
    assert isinstance(e, ValueError)


def test_infeasible_diagnosis_quotes_the_shortfall_and_45_60_minutes() -> None:
    """400 units/day within 30 min, 500 more by 45 min, 700 more by 60 min; 1,000 demanded."""
    hub = (29.306, 120.075)
    km_north = {"NEAR": 10.0, "MID": 16.0, "FAR": 23.0}  # ≈ 23, 37 and 53 min by road
    units = {"NEAR": 400, "MID": 500, "FAR": 700}
    suppliers = [
        _supplier(code, hub[0] + km / 111.2, hub[1], {"stuffing": (units[code], 0.1)})
        for code, km in km_north.items()
    ]
    suppliers.append(_supplier("PACK", *hub, {"packaging": (5000, 0.05)}))
    with pytest.raises(NoFeasibleSuppliers) as err:
        match_suppliers(["packaging", "stuffing"], 1000, suppliers, hubs={"H": hub})
    e = err.value
    assert e.processes == ["stuffing"]  # packaging has enough: it is not named
    assert (
        "stuffing: at most 400 units/day within 30 min of a hub (H hub) vs 1,000 demanded "
        "(600 short); 45 min would give 900, 60 min 1,600" in e.reason
    )
    assert e.reason.endswith("at 60 min H hub would be feasible")
    assert e.capacity_by_minutes == {
        30.0: {"stuffing": 400},
        45.0: {"stuffing": 900},
        60.0: {"stuffing": 1600},
    }


@pytest.mark.parametrize("solver", ["exact", "milp"])
def test_capacity_splits_cheapest_first_within_each_capacity(solver: str) -> None:
    """No supplier holds 1,000 units/day: the two cheapest are filled, then the dearer one."""
    lat, lon = HUBS["Futian"]
    suppliers = [
        _supplier("A", lat, lon, {"assembly": (600, 0.10)}, moq_units=100),
        _supplier("B", lat + 0.001, lon, {"assembly": (300, 0.12)}, moq_units=100),
        _supplier("C", lat + 0.002, lon, {"assembly": (900, 0.30)}, moq_units=50),
        _supplier("D", lat + 0.003, lon, {"assembly": (900, 0.35)}, moq_units=50),
    ]
    result = match_suppliers(
        ["assembly"], 1000, suppliers, hubs={"Futian": (lat, lon)}, solver=solver
    )
    assert [(a.supplier_code, a.units_per_day) for a in result.assignments] == [
        ("A", 600),
        ("B", 300),
        ("C", 100),
    ]
    assert [a.supplier_code for a in result.alternatives] == ["D"]
    assert "split across 3 suppliers" in result.explanation[1]
    assert any("A is full at 600 units/day" in line for line in result.explanation)


def test_plans_too_large_for_the_dp_go_to_the_milp_with_the_same_optimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lat, lon = HUBS["Futian"]
    suppliers = [
        _supplier("A", lat, lon, {"assembly": (1000, 0.10)}, moq_units=100),
        _supplier("B", lat, lon, {"assembly": (1000, 0.11)}, moq_units=800),
        _supplier("C", lat, lon, {"assembly": (1000, 0.20)}, moq_units=100),
    ]
    hub = {"Futian": (lat, lon)}
    by_dp = match_suppliers(["assembly"], 1300, suppliers, hubs=hub)
    monkeypatch.setattr("engines.sourcing.optimise.DP_MAX_CELLS", 10)  # 4 × 14 cells > 10
    by_milp = match_suppliers(["assembly"], 1300, suppliers, hubs=hub)
    assert (by_dp.method, by_milp.method) == ("dp", "milp")
    assert by_milp.objective_usd == pytest.approx(by_dp.objective_usd, abs=1e-9)
    assert by_milp.assignments == by_dp.assignments


def test_unknown_process_is_infeasible(network: list[SupplierRecord]) -> None:
    with pytest.raises(NoFeasibleSuppliers, match="glassblowing: at most 0 units/day"):
        match_suppliers(["glassblowing"], 100, network)


def test_no_single_hub_covering_everything_is_explained() -> None:
    north, south = (29.45, 120.10), (29.17, 120.05)
    suppliers = [
        _supplier("N", *north, {"stuffing": (5000, 0.1)}),
        _supplier("S", *south, {"printing": (5000, 0.1)}),
    ]
    with pytest.raises(NoFeasibleSuppliers, match="no single hub") as err:
        match_suppliers(
            ["stuffing", "printing"], 1000, suppliers, hubs={"North": north, "South": south}
        )
    assert "North hub lacks printing" in err.value.reason
    assert "at 45 min" not in err.value.reason  # 60 km apart: no widening helps


def test_infeasible_message_says_when_widening_helps() -> None:
    hub = (29.306, 120.075)
    far = (29.306 + 0.14, 120.075)  # ~15.6 km north: about 36 min by road
    suppliers = [_supplier("F", *far, {"stuffing": (5000, 0.1)})]
    with pytest.raises(NoFeasibleSuppliers, match="at 45 min H hub would be feasible"):
        match_suppliers(["stuffing"], 1000, suppliers, hubs={"H": hub})


def test_bad_arguments_are_rejected(network: list[SupplierRecord]) -> None:
    with pytest.raises(ValueError):
        match_suppliers([], 100, network)
    with pytest.raises(ValueError):
        match_suppliers(["packaging"], 0, network)
    with pytest.raises(ValueError):
        match_suppliers(["packaging"], 10, network, hubs={})


# --------------------------------------------------------------------------- MILP vs brute force

_HUBS2 = {"H": (29.306, 120.075), "G": (29.36, 120.12)}
_small_supplier = st.tuples(
    st.integers(1, 5),  # capacity units/day
    st.floats(0.05, 2.0),  # unit cost USD
    st.floats(-0.05, 0.05),  # dlat degrees from H
    st.floats(-0.05, 0.05),
    st.sampled_from([1.0, 2.5, 4.0, 8.0]),  # lead time days
    st.floats(0.5, 1.0),  # quality
    st.integers(0, 5),  # MOQ units
)


def _allocations(caps: list[int], moqs: list[int], demand: int) -> list[tuple[int, ...]]:
    """Every integer split of `demand` with each share 0 or within [MOQ, capacity]."""
    ranges = [[0, *range(max(m, 1), c + 1)] for c, m in zip(caps, moqs, strict=True)]
    return [a for a in itertools.product(*ranges) if sum(a) == demand]


def _brute_force(
    suppliers: list[SupplierRecord], processes: list[str], demand: int, weights: Weights
) -> float:
    """Exhaustive minimum objective USD/unit over hubs and all integer splits (inf if none)."""
    best = np.inf
    for at in _HUBS2.values():
        per_process = []
        for p in processes:
            ss = [
                s
                for s in suppliers
                if p in s.capabilities and travel_minutes(*at, s.lat, s.lon) <= 30.0
            ]
            eff = [
                float(
                    effective_unit_cost_usd(
                        s.capabilities[p][1],
                        travel_minutes(*at, s.lat, s.lon),
                        s.lead_time_days,
                        s.quality,
                        weights,
                    )
                )
                for s in ss
            ]
            caps = [min(s.capabilities[p][0], demand) for s in ss]
            allocs = _allocations(caps, [s.moq_units for s in ss], demand)
            per_process.append(
                [
                    (
                        np.dot(a, eff) / demand,
                        max(s.lead_time_days for s, u in zip(ss, a, strict=True) if u),
                    )
                    for a in allocs
                ]
            )
        for combo in itertools.product(*per_process):
            cost = sum(c for c, _ in combo)
            span = max(lead for _, lead in combo)
            best = min(best, cost + weights.makespan_usd_per_unit_day * span)
    return best


@settings(max_examples=200, deadline=None)
@given(
    specs=st.lists(
        st.tuples(_small_supplier, st.sets(st.sampled_from(["a", "b"]), min_size=1)),
        min_size=1,
        max_size=5,
    ),
    demand=st.integers(1, 8),
    makespan=st.sampled_from([0.0, 0.05, 0.5]),
)
@pytest.mark.parametrize("solver", ["exact", "milp"])
def test_milp_equals_brute_force(
    specs: list[tuple], demand: int, makespan: float, solver: str
) -> None:
    weights = Weights(makespan_usd_per_unit_day=makespan)
    base = _HUBS2["H"]
    suppliers = [
        _supplier(
            f"S{i}",
            base[0] + dlat,
            base[1] + dlon,
            {p: (cap, cost) for p in procs},
            lead_time_days=lead,
            quality=q,
            moq_units=moq,
        )
        for i, ((cap, cost, dlat, dlon, lead, q, moq), procs) in enumerate(specs)
    ]
    processes = sorted({p for _, procs in specs for p in procs})
    best = _brute_force(suppliers, processes, demand, weights)
    try:
        result = match_suppliers(
            processes, demand, suppliers, hubs=_HUBS2, weights=weights, solver=solver
        )
    except NoFeasibleSuppliers:
        assert best == np.inf
        return
    event(f"solved by {result.method}")
    if result.method == "greedy":  # MOQ made the exact problem infeasible: greedy accepts it
        assert best == np.inf
        return
    assert result.objective_usd == pytest.approx(best, rel=1e-6, abs=1e-6)  # 6 decimals
    units: defaultdict[str, int] = defaultdict(int)
    for a in result.assignments:
        units[a.process] += a.units_per_day
    assert dict(units) == dict.fromkeys(processes, demand)


def test_greedy_fill_takes_cheapest_first() -> None:
    assert greedy_fill(np.array([3, 2, 5]), 6).tolist() == [3, 2, 1]
    assert greedy_fill(np.array([3, 2, 5]), 2).tolist() == [2, 0, 0]


def test_makespan_weight_trades_price_for_lead_time_and_says_so() -> None:
    lat, lon = HUBS["Futian"]
    suppliers = [
        _supplier("SLOW", lat, lon, {"assembly": (1000, 0.10)}, lead_time_days=9.0),
        _supplier("FAST", lat, lon, {"assembly": (1000, 0.13)}, lead_time_days=1.0),
        _supplier("PACK", lat, lon, {"packaging": (1000, 0.05)}, lead_time_days=1.0),
    ]
    hub = {"Futian": (lat, lon)}
    cheap = match_suppliers(
        ["assembly", "packaging"],
        800,
        suppliers,
        hubs=hub,
        weights=Weights(lead_usd_per_unit_day=0.0, makespan_usd_per_unit_day=0.0),
    )
    assert {a.supplier_code for a in cheap.assignments} == {"SLOW", "PACK"}
    quick = match_suppliers(
        ["assembly", "packaging"],
        800,
        suppliers,
        hubs=hub,
        weights=Weights(lead_usd_per_unit_day=0.0, makespan_usd_per_unit_day=0.01),
    )
    assert {a.supplier_code for a in quick.assignments} == {"FAST", "PACK"}
    assert any(
        e.startswith("binding constraint: assembly lead time: SLOW") and "9-day lead" in e
        for e in quick.explanation
    )
    assert "lead time: 1 days, set by" in "\n".join(quick.explanation)
    assert [a.supplier_code for a in quick.alternatives] == ["SLOW"]


@settings(max_examples=120, deadline=None)
@given(
    specs=st.lists(
        st.tuples(st.integers(2, 6), st.floats(0.05, 1.0), st.sampled_from([1.0, 3.0, 6.0])),
        min_size=2,
        max_size=5,
    ),
    moq_share=st.floats(0.4, 1.0),
    demand=st.integers(2, 12),
    makespan=st.sampled_from([0.0, 0.05]),
)
@pytest.mark.parametrize("solver", ["exact", "milp"])
def test_milp_equals_brute_force_when_moqs_bind(
    specs: list[tuple[int, float, float]],
    moq_share: float,
    demand: int,
    makespan: float,
    solver: str,
) -> None:
    weights = Weights(makespan_usd_per_unit_day=makespan)
    lat, lon = _HUBS2["H"]
    suppliers = [
        _supplier(
            f"M{i}",
            lat + 0.001 * i,
            lon,
            {"a": (cap, cost)},
            lead_time_days=lead,
            moq_units=max(1, int(cap * moq_share)),
        )
        for i, (cap, cost, lead) in enumerate(specs)
    ]
    best = _brute_force(suppliers, ["a"], demand, weights)
    try:
        result = match_suppliers(
            ["a"], demand, suppliers, hubs=_HUBS2, weights=weights, solver=solver
        )
    except NoFeasibleSuppliers:
        assert sum(cap for cap, _, _ in specs) < demand
        return
    event(f"solved by {result.method}")
    if result.method == "greedy":
        assert best == np.inf
        return
    assert result.objective_usd == pytest.approx(best, rel=1e-6, abs=1e-6)
    moq = {s.code: s.moq_units for s in suppliers}
    assert all(a.units_per_day >= moq[a.supplier_code] for a in result.assignments)


_cand = st.tuples(
    st.integers(1, 40),  # capacity units/day
    st.integers(0, 30),  # MOQ units
    st.floats(0.05, 2.0),  # effective cost USD/unit
    st.sampled_from([1.0, 2.0, 3.5, 6.0]),  # lead days
)


def _candidates(specs: list[tuple[int, int, float, float]], demand: int) -> Candidates:
    cap, moq, eff, lead = (np.array(col) for col in zip(*specs, strict=True))
    n = cap.size
    return Candidates(
        ci=np.arange(n),
        rows=np.arange(n),
        minutes=np.zeros(n),
        eff_usd=eff.astype(float),
        cap_units=np.minimum(cap, demand),
        moq_units=np.minimum(moq, cap),
        lead_days=lead.astype(float),
    )


@settings(max_examples=300, deadline=None)
@given(
    procs=st.lists(st.lists(_cand, min_size=1, max_size=7), min_size=1, max_size=3),
    demand=st.integers(1, 60),
    scale=st.sampled_from([1, 100]),
    makespan=st.sampled_from([0.0, 0.05, 0.5]),
)
def test_dp_equals_milp_on_random_candidates(
    procs: list[list[tuple[int, int, float, float]]], demand: int, scale: int, makespan: float
) -> None:
    """The DP over units and the HiGHS MILP reach the same optimum (MOQs, makespan, splits)."""
    w = Weights(makespan_usd_per_unit_day=makespan)
    scaled = [[(c * scale, m * scale, e, lead) for c, m, e, lead in p] for p in procs]
    cands = [_candidates(p, demand * scale) for p in scaled]
    dp = solve_dp(cands, demand * scale, w)
    milp = solve_milp(cands, demand * scale, w)
    event(f"feasible {milp is not None}")
    assert (dp is None) == (milp is None)
    if dp is None or milp is None:
        return
    for x, c in zip(dp, cands, strict=True):
        assert int(x.sum()) == demand * scale
        assert np.all((x == 0) | ((x >= np.maximum(c.moq_units, 1)) & (x <= c.cap_units)))
    assert plan_objective(cands, dp, demand * scale, w) == pytest.approx(
        plan_objective(cands, milp, demand * scale, w), rel=1e-9, abs=1e-9
    )

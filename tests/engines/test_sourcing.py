"""Sourcing engine: geography, the Yiwu network generator and hub-based supplier matching."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engines.sourcing import (
    HUBS,
    PROCESSES,
    TOWNS,
    NoFeasibleSuppliers,
    SupplierRecord,
    effective_unit_cost_usd,
    generate_yiwu_network,
    haversine_km,
    match_suppliers,
    travel_minutes,
)
from engines.sourcing.network import CLUSTERS

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
    landed = {
        h: match_suppliers(PLUSH, 20_000, network, hubs={h: at}).landed_unit_cost_usd
        for h, at in HUBS.items()
    }
    assert result.landed_unit_cost_usd == min(landed.values()) == landed[result.hub]
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
    assert {a.supplier_code: a.units_per_day for a in result.assignments} == {"A": 1000, "C": 300}


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


# --------------------------------------------------------------------------- greedy vs brute force

_HUB = (29.306, 120.075)
_small_supplier = st.tuples(
    st.integers(1, 6),  # capacity units/day
    st.floats(0.05, 2.0),  # unit cost USD
    st.floats(-0.05, 0.05),  # dlat degrees (≤ ~20 min away)
    st.floats(-0.05, 0.05),
    st.floats(0.5, 8.0),  # lead time days
    st.floats(0.5, 1.0),  # quality
)


@settings(max_examples=60, deadline=None)
@given(specs=st.lists(_small_supplier, min_size=1, max_size=4), data=st.data())
def test_greedy_fill_equals_brute_force(specs: list[tuple], data: st.DataObject) -> None:
    suppliers = [
        _supplier(
            f"S{i}",
            _HUB[0] + dlat,
            _HUB[1] + dlon,
            {"assembly": (cap, cost)},
            lead_time_days=lead,
            quality=q,
        )
        for i, (cap, cost, dlat, dlon, lead, q) in enumerate(specs)
    ]
    caps = [s.capabilities["assembly"][0] for s in suppliers]
    demand = data.draw(st.integers(1, sum(caps)))
    t = travel_minutes(
        *_HUB, np.array([s.lat for s in suppliers]), np.array([s.lon for s in suppliers])
    )
    eff = effective_unit_cost_usd(
        np.array([s.capabilities["assembly"][1] for s in suppliers]),
        t,
        np.array([s.lead_time_days for s in suppliers]),
        np.array([s.quality for s in suppliers]),
    )
    result = match_suppliers(
        ["assembly"], demand, suppliers, max_travel_minutes=60.0, hubs={"H": _HUB}
    )
    take = {a.supplier_code: a.units_per_day for a in result.assignments}
    greedy = sum(take.get(s.code, 0) * e for s, e in zip(suppliers, eff, strict=True))
    best = min(
        float(np.dot(alloc, eff))
        for alloc in itertools.product(*(range(c + 1) for c in caps))
        if sum(alloc) == demand
    )
    assert sum(take.values()) == demand
    assert greedy == pytest.approx(best, rel=1e-9, abs=1e-9)

"""Sourcing inputs: the columnar generator, OpenStreetMap road graphs and supplier CSV import."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engines.sourcing import (
    HUBS,
    PROCESSES,
    BadRoadGraph,
    SupplierIndex,
    generate_yiwu_arrays,
    haversine_km,
    load_osm,
    match_suppliers,
    parse_supplier_csv,
    records_to_arrays,
)
from engines.sourcing.network import SupplierRecord

DATA = Path(__file__).parent / "data"
HEADER = (
    "code,name,town,lat,lon,lead_time_days,moq_units,quality,process,"
    "capacity_units_per_day,unit_cost_usd\n"
)

# --------------------------------------------------------------------------- columnar network


def test_array_generator_is_seeded_and_in_range() -> None:
    a, b = generate_yiwu_arrays(5000, seed=4), generate_yiwu_arrays(5000, seed=4)
    assert np.array_equal(a.lat, b.lat) and np.array_equal(a.cap_units, b.cap_units)
    assert len(a) == 5000 and a.processes == list(PROCESSES)
    assert np.all((a.lat > 29.0) & (a.lat < 29.7) & (a.lon > 119.7) & (a.lon < 120.4))
    per_supplier = np.bincount(a.cap_row, minlength=5000)
    assert per_supplier.min() >= 1 and per_supplier.max() <= 3
    min_cap = np.full(5000, np.iinfo(np.int64).max)
    np.minimum.at(min_cap, a.cap_row, a.cap_units)
    assert np.all(a.moq_units <= min_cap) and np.all(a.cap_usd > 0)
    assert a.code(0) == "YW0000001" and a.name(0).startswith(a.town(0))


def test_arrays_and_records_give_the_same_match() -> None:
    lat, lon = HUBS["Futian"]
    recs = [
        SupplierRecord(
            f"S{i}",
            f"S{i} Co",
            "Futian",
            lat + 0.01 * i,
            lon,
            2.0,
            0,
            0.9,
            {"assembly": (400, 0.1 + 0.01 * i)},
        )
        for i in range(6)
    ]
    a = match_suppliers(["assembly"], 1000, recs)
    b = match_suppliers(["assembly"], 1000, records_to_arrays(recs))
    assert a.assignments == b.assignments and a.objective_usd == b.objective_usd


def test_index_caches_reach_and_columnar_match_scales() -> None:
    index = SupplierIndex(generate_yiwu_arrays(50_000, seed=1))
    first = match_suppliers(["plush_sewing", "packaging"], 40_000, index)
    again = match_suppliers(["plush_sewing", "packaging"], 40_000, index)
    assert first.assignments == again.assignments and first.method in ("exact", "dp", "milp")
    assert sum(x.units_per_day for x in first.assignments) == 80_000
    assert all(x.travel_minutes <= 30.0 for x in first.assignments)


# --------------------------------------------------------------------------- OpenStreetMap


def test_osm_import_builds_a_directed_graph_with_minutes_by_class() -> None:
    g = load_osm(DATA / "yiwu_tiny.osm")
    assert g.lat.size == 5  # the footway's node 6 and the unused node 99 are dropped
    m = g.minutes.toarray()
    km_12 = float(haversine_km(29.332, 120.104, 29.332, 120.124))
    assert m[0, 1] == pytest.approx(km_12 / 45.0 * 60.0)  # primary at 45 km/h
    assert m[1, 0] == pytest.approx(m[0, 1])  # two-way
    assert m[2, 4] > 0 and m[4, 2] == 0  # secondary is one-way 3 → 5 at maxspeed 30
    assert m[2, 4] == pytest.approx(float(haversine_km(29.332, 120.144, 29.35, 120.144)) / 30 * 60)


def test_osm_isochrone_limits_reach_and_feeds_matching() -> None:
    g = load_osm(DATA / "yiwu_tiny.osm")
    iso = g.isochrone(0, 4.0)
    assert iso[0] == 0 and np.isfinite(iso[1]) and np.isinf(iso[2])  # ~2.6 min, ~5.2 min
    hub = (29.332, 120.104)
    near = SupplierRecord(
        "N", "N Co", "Futian", 29.3322, 120.1242, 2.0, 0, 0.9, {"assembly": (500, 0.3)}
    )
    oneway_far = SupplierRecord(
        "F", "F Co", "Futian", 29.3502, 120.1442, 2.0, 0, 0.9, {"assembly": (500, 0.1)}
    )
    res = match_suppliers(["assembly"], 400, [near, oneway_far], 6.0, {"H": hub}, road=g)
    assert [x.supplier_code for x in res.assignments] == ["N"]
    res = match_suppliers(["assembly"], 400, [near, oneway_far], 30.0, {"H": hub}, road=g)
    assert [x.supplier_code for x in res.assignments] == ["F"]  # cheaper once in reach


def test_osm_without_highways_is_rejected(tmp_path: Path) -> None:
    f = tmp_path / "empty.osm"
    f.write_text('<osm><node id="1" lat="29" lon="120"/></osm>')
    with pytest.raises(BadRoadGraph, match="no highway ways"):
        load_osm(f)


# --------------------------------------------------------------------------- CSV import


def test_csv_rows_merge_by_code() -> None:
    text = HEADER + (
        "A1,Alpha Plush,Houzhai,29.383,120.066,2.5,500,0.9,plush_sewing,5000,0.62\n"
        "A1,Alpha Plush,Houzhai,29.383,120.066,2.5,500,0.9,stuffing,3000,0.15\n"
        "B2,Beta Print,Choucheng,29.306,120.075,1,200,0.8,printing,8000,0.06\n"
    )
    parsed = parse_supplier_csv(text)
    assert parsed.errors == [] and parsed.rows == 3
    a, b = parsed.suppliers
    assert a.code == "A1" and a.capabilities == {
        "plush_sewing": (5000, 0.62),
        "stuffing": (3000, 0.15),
    }
    assert b.moq_units == 200 and b.quality == 0.8


def test_csv_errors_name_the_line_and_the_problem() -> None:
    text = HEADER + (
        "A1,Alpha,Houzhai,29.383,120.066,2.5,500,0.9,plush_sewing,5000,0.62\n"  # line 2 ok
        "A2,Beta,Houzhai,north,120.066,2.5,500,0.9,stuffing,3000,0.15\n"  # 3 lat
        "A3,Gamma,Houzhai,29.3,120.0,2.5,500,1.4,stuffing,3000,0.15\n"  # 4 quality
        "A4,Delta,Houzhai,29.3,120.0,2.5,500,0.9,Stuffing!,3000,0.15\n"  # 5 process
        "A1,Alpha,Futian,29.383,120.066,2.5,500,0.9,stuffing,5000,0.62\n"  # 6 town differs
        "A1,Alpha,Houzhai,29.383,120.066,2.5,500,0.9,plush_sewing,10,0.62\n"  # 7 repeat
        ",Eps,Houzhai,29.3,120.0,2.5,500,0.9,stuffing,3000,0.15\n"  # 8 code
        "A5,Zeta,Houzhai,29.3,120.0,2.5,1.5,0.9,stuffing,0,0.15\n"  # 9 moq not int
    )
    errors = {e.line: e.message for e in parse_supplier_csv(text).errors}
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9]
    assert "lat must be a number" in errors[3]
    assert "quality must be between 0 and 1" in errors[4]
    assert "lower_snake_case" in errors[5]
    assert "different town" in errors[6]
    assert "process plush_sewing twice" in errors[7]
    assert "code is empty" in errors[8]
    assert "moq_units must be an integer" in errors[9]


def test_csv_missing_columns_and_empty_files() -> None:
    assert (
        "missing columns: unit_cost_usd"
        in parse_supplier_csv(HEADER.replace(",unit_cost_usd", "")).errors[0].message
    )
    assert parse_supplier_csv(HEADER).errors[0].message == "no data rows"

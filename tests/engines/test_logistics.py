"""Logistics engine: rules by date, chargeable weight, packing, mode choice and the split."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
import trimesh
import yaml

from engines.logistics import (
    BadShipment,
    Carton,
    CustomsBook,
    Demand,
    Entry,
    LaneBook,
    Packing,
    RetailBox,
    UnitSpec,
    UnknownMarket,
    chargeable_kg,
    choose_mode,
    choose_modes,
    load_customs,
    load_lanes,
    pack,
    pack_carton,
    parse_customs,
    parse_lanes,
    retail_box,
    unit_from_mesh,
)

D = dt.date


@pytest.fixture(scope="module")
def customs() -> CustomsBook:
    """The shipped customs rules."""
    return load_customs()


def _us(day: D, units: int = 100, value: float = 5.0, origin: str = "CN", **kw: Any) -> Entry:
    """A toy consignment to the US shipped on `day` (value USD per unit)."""
    return Entry("US", day, "toy", units, value, childrens=True, origin=origin, **kw)


# ---- customs rules by date ---------------------------------------------------------------


def test_us_de_minimis_ends_for_chinese_goods_on_2_may_2025(customs: CustomsBook) -> None:
    before = customs.assess(_us(D(2025, 5, 1)))  # $500 consignment
    after = customs.assess(_us(D(2025, 5, 3)))
    assert before.de_minimis and before.duty_usd == 0.0
    assert "Section 321 de minimis release (manifest)" in before.documents
    assert not after.de_minimis
    # 3 May 2025: IEEPA 20 % (fentanyl) + 125 % (reciprocal) on $500
    assert after.duty_usd == pytest.approx(500 * 1.45)
    assert "Section 321 de minimis release (manifest)" not in after.documents
    assert "Informal entry (up to USD 2,500)" in after.documents


def test_us_de_minimis_for_other_origins_ends_on_29_aug_2025(customs: CustomsBook) -> None:
    assert customs.assess(_us(D(2025, 8, 28), origin="VN")).de_minimis
    assert not customs.assess(_us(D(2025, 8, 29), origin="VN")).de_minimis
    assert not customs.assess(_us(D(2025, 8, 28), origin="CN")).de_minimis


def test_de_minimis_is_a_value_threshold(customs: CustomsBook) -> None:
    assert customs.assess(_us(D(2025, 4, 1), units=159, value=5.0)).de_minimis  # $795
    big = customs.assess(_us(D(2025, 4, 1), units=161, value=5.0))  # $805
    assert not big.de_minimis and big.duty_usd > 0


def test_us_childrens_certificate_is_efiled_from_8_jul_2026(customs: CustomsBook) -> None:
    on_file = "Children's Product Certificate kept on file (furnished on request)"
    efiled = "Children's Product Certificate eFiled with CBP (ACE) at import"
    before = customs.assess(_us(D(2026, 7, 7))).documents
    after = customs.assess(_us(D(2026, 7, 8))).documents
    assert on_file in before and efiled not in before
    assert efiled in after and on_file not in after
    not_a_toy = Entry("US", D(2026, 7, 8), "ceramic", 100, 5.0, childrens=False)
    assert efiled not in customs.assess(not_a_toy).documents


def test_eu_three_euro_per_parcel_from_1_jul_2026(customs: CustomsBook) -> None:
    def parcels(day: D) -> Entry:
        return Entry("DE", day, "toy", 10, 20.0, shipment="parcels", units_per_parcel=1)

    before = customs.assess(parcels(D(2026, 6, 30)))
    after = customs.assess(parcels(D(2026, 7, 1)))
    assert before.de_minimis and before.duty_usd == 0.0
    assert after.entries == 10
    assert after.duty_usd == pytest.approx(10 * 3 * customs.usd_per["EUR"])
    # a bulk consignment over EUR 150 pays the normal duty, not the flat EUR 3
    bulk = customs.assess(Entry("DE", D(2026, 7, 1), "ceramic", 1000, 4.0))
    assert bulk.duty_usd == pytest.approx(4000 * 0.09)


def test_every_rule_flips_on_its_effective_dates(customs: CustomsBook) -> None:
    for rule in customs.rules:
        start = rule.effective_from
        assert not rule.in_force(start - dt.timedelta(days=1)), rule.id
        assert rule.in_force(start), rule.id
        if rule.effective_to is not None:
            assert rule.in_force(rule.effective_to - dt.timedelta(days=1)), rule.id
            assert not rule.in_force(rule.effective_to), rule.id


def test_china_export_mode_follows_the_shipment(customs: CustomsBook) -> None:
    day = D(2026, 12, 1)
    assert customs.assess(Entry("US", day, "toy", 100, 5.0)).export_mode == "9810"
    assert customs.assess(Entry("US", day, "toy", 100, 5.0, shipment="buyer")).export_mode == "9710"
    parcels = Entry("US", day, "toy", 100, 5.0, shipment="parcels")
    assert customs.assess(parcels).export_mode == "9610"
    small = Entry("US", day, "toy", 100, 5.0, market_procurement=True)
    large = Entry("US", day, "toy", 40_000, 5.0, market_procurement=True)  # $200,000
    assert customs.assess(small).export_mode == "1039"
    assert customs.assess(large).export_mode == "9810"  # over USD 150,000 a declaration
    assert customs.assess(Entry("US", D(2019, 1, 1), "toy", 100, 5.0)).export_mode == "0110"


# ---- chargeable weight and packing --------------------------------------------------------


def test_chargeable_weight_hand_computed() -> None:
    # a 60 x 40 x 40 cm carton of 14 kg: 96,000 cm³
    divisors = np.array([5000, 6000, 3000, 1000])
    got = chargeable_kg(14.0, 96_000.0, divisors)
    assert got.tolist() == pytest.approx([19.2, 16.0, 32.0, 96.0])
    # 30 x 45 x 65 cm, 14 kg by air: 87,750 / 6,000 = 14.625 kg volumetric
    assert float(chargeable_kg(14.0, 87_750.0, 6000)) == pytest.approx(14.625)
    # dense cargo is charged its actual weight
    assert float(chargeable_kg(80.0, 125_000.0, 6000)) == pytest.approx(80.0)


def test_unit_and_retail_box_from_a_mesh() -> None:
    unit = unit_from_mesh(trimesh.creation.box((80.0, 60.0, 40.0)), "plastic")
    assert unit.extents_mm == (80.0, 60.0, 40.0)
    assert unit.volume_cm3 == pytest.approx(192.0)
    assert unit.mass_g == pytest.approx(192.0 * 1.05)
    box = retail_box(unit)  # 5 mm padding + 1.5 mm board each side
    assert box.outer_mm == (93.0, 73.0, 53.0)
    area_m2 = 2 * (93 * 73 + 73 * 53 + 93 * 53) / 1e6
    assert box.box_g == pytest.approx(area_m2 * 350 * 1.15)
    assert box.gross_g == pytest.approx(unit.mass_g + box.box_g)


def test_carton_holds_the_most_boxes_within_weight_and_size() -> None:
    box = RetailBox((100.0, 100.0, 100.0), 0.0, 1000.0)  # 1 kg a box
    carton = pack_carton(box, max_side_mm=600, max_gross_kg=20, wall_mm=6, board_kg_m2=0.9)
    # 19 is prime (1 x 1 x 19 is 1.9 m long) and 20 boxes + tare pass 20 kg: 18 = 2 x 3 x 3
    assert carton.units == 18
    assert sorted(carton.outer_mm, reverse=True) == [312.0, 312.0, 212.0]
    tare = 2 * (312 * 312 + 312 * 212 + 312 * 212) / 1e6 * 0.9
    assert carton.tare_kg == pytest.approx(tare)
    assert carton.gross_kg == pytest.approx(18 + tare)


def test_oversize_box_travels_alone() -> None:
    carton = pack_carton(RetailBox((700.0, 300.0, 300.0), 50.0, 3000.0))
    assert carton.units == 1 and carton.oversize


# ---- mode choice on constructed lanes -----------------------------------------------------

SOURCES = {"s": {"name": "test", "url": ""}}


def _lane(lane_id: str, mode: str, **kw: Any) -> dict[str, Any]:
    """A lane to market XX with round numbers (override any field)."""
    row = {
        "id": lane_id, "mode": mode, "origin": "YIW", "market": "XX", "transit_days_min": 1,
        "transit_days_max": 2, "cutoff_days": 0, "departures_per_week": 7,
        "volumetric_divisor_cm3_per_kg": 5000, "usd_per_kg": 0, "usd_per_cbm": 0,
        "min_charge_usd": 0, "fees_usd": 0, "max_kg_per_departure": None, "reliability": 0.9,
        "estimate": True, "source": "s", "checked": "2026-12-01",
    }  # fmt: skip
    row.update(kw)
    return row


def _book(*rows: dict[str, Any]) -> LaneBook:
    """A lanes file of `rows` to the single market XX."""
    doc = {
        "version": "t1", "date": "2026-12-01", "sources": SOURCES,
        "origins": {"YIW": {"name": "Yiwu", "lat": 29.3, "lon": 120.1}},
        "markets": {"XX": {"name": "Testland", "lat": 0.0, "lon": 0.0}},
        "lanes": list(rows),
    }  # fmt: skip
    return parse_lanes(yaml.safe_dump(doc, sort_keys=False))


@pytest.fixture(scope="module")
def free_customs() -> CustomsBook:
    """No duty or fees: only a commercial invoice everywhere."""
    doc = {
        "version": "t1", "date": "2026-12-01", "sources": SOURCES,
        "fx": {"usd_per": {"USD": 1.0}}, "groups": {"G": ["XX"]},
        "form_categories": {"plush": "toy"},
        "rules": [{"id": "inv", "market": "*", "origin": "*", "kind": "document",
                   "text": "Commercial invoice", "effective_from": "2000-01-01",
                   "source": "s", "checked": "2026-12-01", "estimate": False}],
    }  # fmt: skip
    return parse_customs(yaml.safe_dump(doc, sort_keys=False))


@pytest.fixture(scope="module")
def kilo() -> Packing:
    """1 kg boxes of 10 cm, 18 to a 31.2 x 31.2 x 21.2 cm carton (see the carton test)."""
    unit = UnitSpec((90.0, 90.0, 90.0), 700.0, 1000.0, "plastic")
    box = RetailBox((100.0, 100.0, 100.0), 0.0, 1000.0)
    return Packing(unit, box, pack_carton(box))


READY = D(2026, 12, 7)

THREE = (
    # express: $10/kg, 2-3 days, 300 kg a departure, daily
    _lane("x", "express", usd_per_kg=10.0, transit_days_max=3, max_kg_per_departure=300),
    # rail: $200/CBM at 1:3000, 15-18 days, twice a week (headway 4), cut-off 3
    _lane("r", "rail", usd_per_cbm=200.0, volumetric_divisor_cm3_per_kg=3000, transit_days_min=15,
          transit_days_max=18, cutoff_days=3, departures_per_week=2, fees_usd=100.0),
    # sea: $80/CBM W/M, 30-40 days, weekly (headway 7), cut-off 4, $300 fees
    _lane("s", "sea", usd_per_cbm=80.0, volumetric_divisor_cm3_per_kg=1000, transit_days_min=30,
          transit_days_max=40, cutoff_days=4, departures_per_week=1, fees_usd=300.0,
          min_charge_usd=80.0),
)  # fmt: skip


def _demand(units: int, days: int) -> Demand:
    return Demand("XX", units, READY, READY + dt.timedelta(days=days), 2.0, "toy")


def test_cheapest_lane_wins_when_it_meets_the_deadline(
    kilo: Packing, free_customs: CustomsBook
) -> None:
    c = choose_mode(kilo, _demand(1000, 60), _book(*THREE), free_customs)
    assert c.status == "on_time" and c.binding == "none" and c.deadline_cost_usd == 0
    (leg,) = c.legs
    # 1000 units: 56 cartons, gross 1000 + 56 x tare kg; sea W/M: max(gross t, CBM)
    cartons = 56
    tare = kilo.carton.tare_kg
    gross = 1000 + cartons * tare
    cbm = cartons * 0.312 * 0.312 * 0.212
    assert leg.lane_id == "s" and leg.cartons == cartons
    assert leg.freight_usd == pytest.approx(max(80.0, max(gross / 1000, cbm) * 80.0) + 300.0)
    # weekly: leaves after the cut-off (4) and a missed departure (7 - 1), arrives +40
    assert leg.ship_date == READY + dt.timedelta(days=10)
    assert leg.arrival_latest == READY + dt.timedelta(days=50)


def test_deadline_picks_the_cheapest_lane_that_meets_it(
    kilo: Packing, free_customs: CustomsBook
) -> None:
    c = choose_mode(kilo, _demand(1000, 30), _book(*THREE), free_customs)
    assert c.status == "on_time" and c.binding == "deadline"
    (leg,) = c.legs
    assert leg.lane_id == "r"
    gross = 1000 + 56 * kilo.carton.tare_kg
    volume_cm3 = 56 * 31.2 * 31.2 * 21.2
    charge = max(gross, volume_cm3 / 3000)
    assert leg.freight_usd == pytest.approx(charge * 3000 / 1e6 * 200.0 + 100.0)
    assert leg.arrival_latest == READY + dt.timedelta(days=3 + 3 + 18)  # cut-off, wait, transit
    sea = next(q for q in c.alternatives if q.lane_id == "s")
    assert c.deadline_cost_usd == pytest.approx(leg.landed_usd - sea.landed_usd)
    # never a lane that misses the deadline, never a costlier one that meets it
    meets = [q for q in c.alternatives if q.meets_deadline]
    assert leg.landed_usd == min(q.landed_usd for q in meets)


def test_split_when_no_lane_carries_all_units_in_time(
    kilo: Packing, free_customs: CustomsBook
) -> None:
    # 5 days: only express arrives (rail needs 24); express takes 300 kg a departure and
    # the deadline leaves 3 departures (days 0, 1, 2 + 3 days transit)
    c = choose_mode(kilo, _demand(1000, 5), _book(*THREE), free_customs)
    assert c.status == "split" and c.binding == "capacity"
    fast, rest = c.legs
    per_departure = int(300 // kilo.carton.gross_kg)  # 16 cartons of 18.41 kg
    assert fast.lane_id == "x" and fast.units == 3 * per_departure * 18
    assert fast.arrival_latest <= c.deadline
    # the other 136 units (8 cartons, 139 kg): rail 0.42 CBM x $200 + $100 = $184 beats sea's
    # $80 minimum + $300 fees
    assert rest.lane_id == "r" and rest.units == 1000 - fast.units == 136
    assert rest.freight_usd == pytest.approx(
        (136 + 8 * kilo.carton.tare_kg) * 3000 / 1e6 * 200 + 100
    )
    assert not rest.meets_deadline
    assert c.units_on_time == fast.units
    cheapest = min(c.alternatives, key=lambda q: q.landed_usd)
    assert c.deadline_cost_usd == pytest.approx(
        fast.landed_usd + rest.landed_usd - cheapest.landed_usd
    )
    assert any("binding: capacity" in line for line in c.explanation)


def test_late_when_nothing_can_arrive_in_time(kilo: Packing, free_customs: CustomsBook) -> None:
    c = choose_mode(kilo, _demand(100, 2), _book(*THREE), free_customs)
    assert c.status == "late" and c.binding == "unreachable" and c.units_on_time == 0
    assert c.legs[0].lane_id == "x"  # the earliest arrival
    assert c.legs[0].arrival_latest == READY + dt.timedelta(days=3)


def test_duty_counts_in_the_landed_cost(kilo: Packing, customs: CustomsBook) -> None:
    lanes = load_lanes()
    ready = D(2025, 5, 20)  # IEEPA 20 % + reciprocal 10 % on toys from China
    c = choose_mode(
        kilo, Demand("US", 500, ready, ready + dt.timedelta(days=90), 4.0), lanes, customs
    )
    leg = c.legs[0]
    assert leg.duty_usd == pytest.approx(500 * 4.0 * 0.30)
    assert leg.landed_usd == pytest.approx(leg.freight_usd + leg.duty_usd + leg.customs_fees_usd)


def test_bad_demands_are_refused_with_a_reason(kilo: Packing, free_customs: CustomsBook) -> None:
    book = _book(*THREE)
    with pytest.raises(BadShipment, match="before the batch is ready"):
        choose_mode(
            kilo, Demand("XX", 10, READY, READY - dt.timedelta(days=1), 1.0), book, free_customs
        )
    with pytest.raises(BadShipment, match="at least one unit"):
        choose_mode(kilo, _demand(0, 10), book, free_customs)
    with pytest.raises(UnknownMarket, match="unknown market 'ZZ'; known: XX"):
        choose_mode(kilo, Demand("ZZ", 10, READY, READY, 1.0), book, free_customs)
    with pytest.raises(BadShipment, match="unknown customs category"):
        choose_mode(kilo, Demand("XX", 10, READY, READY, 1.0, "rocket"), book, free_customs)


def test_every_shipped_market_gets_a_choice(kilo: Packing, customs: CustomsBook) -> None:
    lanes = load_lanes()
    for market in lanes.markets:
        c = choose_mode(
            kilo, Demand(market, 2000, READY, READY + dt.timedelta(days=45), 3.0), lanes, customs
        )
        assert c.legs and c.explanation[0].startswith(market)
        assert c.landed_usd > 0


def test_many_at_once_are_the_choices_one_at_a_time(kilo: Packing) -> None:
    """choose_modes (one numpy pass per market and product) equals choose_mode, splits and late
    ones included, over the real lanes and customs rules across their effective dates."""
    lanes, customs = load_lanes(), load_customs()
    rng = np.random.default_rng(3)
    small = pack(UnitSpec((50.0, 30.0, 8.0), 3.0, 12.0, "plastic"))
    work = []
    for _ in range(300):
        ready = D(2025, 3, 1) + dt.timedelta(days=int(rng.integers(0, 600)))
        due = ready + dt.timedelta(days=int(rng.integers(1, 60)))
        market = sorted(lanes.markets)[int(rng.integers(0, len(lanes.markets)))]
        packing = kilo if rng.random() < 0.5 else small
        units = int(rng.integers(1, 6000))
        work.append((packing, Demand(market, units, ready, due, float(rng.uniform(0.2, 9)))))
    at_once = choose_modes(work, lanes, customs)
    fresh_lanes, fresh_customs = load_lanes(), load_customs()  # nothing kept from the batch
    one_by_one = [choose_mode(p, d, fresh_lanes, fresh_customs) for p, d in work]
    assert at_once == one_by_one
    assert [c.market for c in at_once] == [d.market for _, d in work]
    statuses = {c.status for c in at_once}
    assert statuses == {"on_time", "split", "late"}


def test_many_at_once_refuse_bad_demands_with_the_reason(kilo: Packing) -> None:
    bad = Demand("US", 10, READY, READY - dt.timedelta(days=1), 1.0)
    with pytest.raises(BadShipment, match="before the batch is ready"):
        choose_modes([(kilo, _demand(10, 5)), (kilo, bad)], load_lanes(), load_customs())
    with pytest.raises(UnknownMarket):
        choose_modes([(kilo, Demand("ZZ", 10, READY, READY, 1.0))], load_lanes(), load_customs())


def test_pack_from_mesh_end_to_end() -> None:
    packing = pack(
        unit_from_mesh(trimesh.creation.icosphere(subdivisions=3, radius=40.0), "ceramic")
    )
    assert isinstance(packing.carton, Carton) and packing.carton.units >= 1
    assert packing.carton.gross_kg <= 20.0
    size = packing.consignment(1000)
    assert size.cartons == -(-1000 // packing.carton.units)


def test_every_design_form_has_a_customs_category_with_duty_rules(customs: CustomsBook) -> None:
    """The delivery stage looks the form's category up: a form without one could not ship."""
    from engines.design.kit.vocab import FORMS

    assert set(FORMS) <= set(customs.form_categories)
    ruled = {c for r in customs.rules if r.kind == "ad_valorem" for c in r.categories}
    assert set(customs.form_categories.values()) - {"toy"} <= ruled

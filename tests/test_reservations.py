"""Supplier capacity reservations: no double booking under concurrent matches, expiry, release."""

from __future__ import annotations

import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from activities.sourcing import match_and_reserve, release
from engines.sourcing import HUBS, NoFeasibleSuppliers
from models.contracts import IdeaInput, SourcingRequest
from models.db import session_scope
from models.tables import Supplier, SupplierCapability, SupplierReservation, Trend, utcnow
from tests.helpers.racers import race

pytestmark = pytest.mark.db

CAPACITY = {"A": 1000, "B": 700, "C": 500}  # units/day of the test's own process


def _network(engine: Engine) -> tuple[str, dict[int, int]]:
    """Three suppliers next to the Futian hub offering a fresh process; (process, caps by id)."""
    process = f"test_weaving_{uuid.uuid4().hex[:6]}"
    lat, lon = HUBS["Futian"]
    caps: dict[int, int] = {}
    with session_scope(engine) as s:
        for k, (code, units) in enumerate(CAPACITY.items()):
            sup = Supplier(
                code=f"{process}-{code}",
                name=f"{code} Co",
                town="Futian",
                lat=lat + 0.002 * k,
                lon=lon,
                moq_units=0,
            )
            s.add(sup)
            s.flush()
            assert sup.id is not None
            s.add(
                SupplierCapability(
                    supplier_id=sup.id,
                    process=process,
                    capacity_units_per_day=units,
                    unit_cost_usd=0.1 + 0.01 * k,
                )
            )
            caps[sup.id] = units
    return process, caps


def _trend(engine: Engine) -> int:
    with session_scope(engine) as s:
        t = Trend(dedup_key=uuid.uuid4().hex, text="reservation test", merchant_id="m-res")
        s.add(t)
        s.flush()
        assert t.id is not None
        return t.id


def _request(trend_id: int, process: str, units: int, wf: str) -> SourcingRequest:
    return SourcingRequest(
        workflow_id=wf, trend_id=trend_id, processes=[process], units_per_day=units
    )


def _held(engine: Engine, caps: dict[int, int]) -> dict[int, int]:
    """Units/day held (live) per supplier of the test network."""
    held: dict[int, int] = defaultdict(int)
    with Session(engine) as s:
        for r in s.exec(
            select(SupplierReservation).where(
                SupplierReservation.status == "held",
                SupplierReservation.supplier_id.in_(list(caps)),  # type: ignore[attr-defined]
            )
        ):
            expires = (
                r.expires_at
                if r.expires_at.tzinfo
                else r.expires_at.replace(tzinfo=utcnow().tzinfo)
            )
            if expires > utcnow():
                held[r.supplier_id] += r.units_per_day
    return held


def test_concurrent_matches_never_exceed_capacity(engine: Engine) -> None:
    process, caps = _network(engine)
    trend = _trend(engine)
    tag = uuid.uuid4().hex[:6]

    def attempt(i: int) -> int:
        try:
            res = match_and_reserve(engine, _request(trend, process, 300, f"wf-{tag}-{i}"))
        except NoFeasibleSuppliers:
            return 0
        return sum(a.units_per_day for a in res.assignments)

    with ThreadPoolExecutor(max_workers=8) as pool:
        granted = list(pool.map(attempt, range(16)))
    held = _held(engine, caps)
    assert all(held[sid] <= cap for sid, cap in caps.items()), (held, caps)
    assert sum(granted) == sum(held.values())
    assert sum(g > 0 for g in granted) == sum(CAPACITY.values()) // 300  # 2,200 / 300 → 7


def test_reservations_from_several_processes_never_exceed_capacity(
    engine: Engine, database_url: str
) -> None:
    """4 OS processes × 4 matches of 300 units/day on one database (SQLite file or PostgreSQL)."""
    process, caps = _network(engine)
    trend = _trend(engine)
    tag = uuid.uuid4().hex[:6]
    argvs = [[database_url, str(trend), process, "300", f"{tag}-p{k}", "4"] for k in range(4)]
    granted = [g for out in race("tests.reservation_worker", argvs) for g in out]
    held = _held(engine, caps)
    assert all(held[sid] <= cap for sid, cap in caps.items()), (held, caps)
    assert sum(granted) == sum(held.values())
    assert sorted(granted, reverse=True) == [300] * 7 + [0] * 9  # 2,200 // 300 = 7 fit


def test_retry_of_the_same_pipeline_does_not_double_book(engine: Engine) -> None:
    process, caps = _network(engine)
    trend = _trend(engine)
    req = _request(trend, process, 1500, f"wf-retry-{uuid.uuid4().hex[:6]}")
    first = match_and_reserve(engine, req)
    again = match_and_reserve(engine, req)
    assert sum(a.units_per_day for a in again.assignments) == 1500
    assert {a.reservation_id for a in first.assignments} == {
        a.reservation_id for a in again.assignments
    }
    assert sum(_held(engine, caps).values()) == 1500


def test_expired_reservations_free_capacity(engine: Engine) -> None:
    process, caps = _network(engine)
    trend = _trend(engine)
    match_and_reserve(engine, _request(trend, process, 2200, f"wf-old-{uuid.uuid4().hex[:6]}"))
    with pytest.raises(NoFeasibleSuppliers):
        match_and_reserve(engine, _request(trend, process, 100, f"wf-new-{uuid.uuid4().hex[:6]}"))
    with session_scope(engine) as s:
        for r in s.exec(
            select(SupplierReservation).where(SupplierReservation.supplier_id.in_(list(caps)))  # type: ignore[attr-defined]
        ):
            r.expires_at = utcnow() - timedelta(minutes=1)
            s.add(r)
    res = match_and_reserve(
        engine, _request(trend, process, 2200, f"wf-new2-{uuid.uuid4().hex[:6]}")
    )
    assert sum(a.units_per_day for a in res.assignments) == 2200


def test_release_frees_capacity_and_is_idempotent(engine: Engine) -> None:
    process, caps = _network(engine)
    trend = _trend(engine)
    wf = f"wf-rel-{uuid.uuid4().hex[:6]}"
    match_and_reserve(engine, _request(trend, process, 2000, wf))
    assert release(engine, wf, "idea cancelled") == 3
    assert release(engine, wf, "idea cancelled") == 0
    assert sum(_held(engine, caps).values()) == 0
    with Session(engine) as s:
        rows = s.exec(
            select(SupplierReservation).where(SupplierReservation.workflow_id == wf)
        ).all()
    assert {r.status for r in rows} == {"released"} and all(
        r.reason == "idea cancelled" for r in rows
    )
    res = match_and_reserve(
        engine, _request(trend, process, 2200, f"wf-after-{uuid.uuid4().hex[:6]}")
    )
    assert sum(a.units_per_day for a in res.assignments) == 2200


def test_sourcing_weights_steer_the_choice(engine) -> None:
    """A planner who prices travel heavily gets nearer suppliers than one who ignores it."""
    from activities.sourcing import SourcingActivities, release
    from models.contracts import SourcingWeights
    from services.intake import create_or_get_trend

    trend, _ = create_or_get_trend(engine, IdeaInput(text="weights probe", merchant_id="m-w"))
    acts = SourcingActivities(engine)

    def mean_minutes(weights: SourcingWeights, wid: str) -> float:
        req = SourcingRequest(
            workflow_id=wid,
            trend_id=trend.id,
            processes=["plush_sewing", "stuffing"],
            units_per_day=6000,
            weights=weights,
        )
        result = acts.match_suppliers(req)
        release(engine, wid, "probe done")
        units = sum(a.units_per_day for a in result.assignments)
        return sum(a.travel_minutes * a.units_per_day for a in result.assignments) / units

    careless = mean_minutes(SourcingWeights(freight_usd_per_unit_minute=0.0), "wf-w-0")
    careful = mean_minutes(SourcingWeights(freight_usd_per_unit_minute=0.05), "wf-w-1")
    assert careful < careless

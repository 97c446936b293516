"""The delivery activity: a batch's units go to the destinations owed them, earliest deadline
first; each leg is recorded once, however often the activity runs."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
import trimesh
from sqlmodel import Session, select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.delivery import DeliveryActivities, allocate
from models.contracts import DeliveryRequest, Destination, IdeaInput
from models.tables import Consignment, DesignVariant, Trend
from services.intake import create_or_get_trend

pytestmark = pytest.mark.db

READY = dt.date(2026, 12, 7)


def test_allocate_fills_the_earliest_deadline_first() -> None:
    dests = [
        {"market": "DE", "units": 400, "deadline": None},
        {"market": "US", "units": 600, "deadline": "2027-01-10"},
        {"market": "JP", "units": 300, "deadline": "2027-01-05"},
    ]
    assert allocate(dests, {}, 500) == [
        ("JP", 300, dt.date(2027, 1, 5)),
        ("US", 200, dt.date(2027, 1, 10)),
    ]
    assert allocate(dests, {"JP": 300, "US": 200}, 500) == [
        ("US", 400, dt.date(2027, 1, 10)),
        ("DE", 100, None),
    ]
    assert allocate(dests, {"JP": 300, "US": 600, "DE": 400}, 500) == []


def _idea(engine, tmp_path: Path, destinations: list[Destination], form: str = "figurine") -> int:  # type: ignore[no-untyped-def]
    idea = IdeaInput(text=f"delivery frog {uuid.uuid4().hex[:8]}", merchant_id="dlv", expected_volume=1000,
                     destinations=destinations)  # fmt: skip
    trend, _ = create_or_get_trend(engine, idea, design_spec={"form": form, "material": None})
    mesh_path = tmp_path / f"{trend.id}.stl"
    trimesh.creation.box((60.0, 50.0, 90.0)).export(mesh_path)
    with Session(engine) as s:
        v = DesignVariant(
            trend_id=trend.id, rank=1, family=form, name="frog #1", score=1.0, unit_cost_usd=2.5,
            volume_cm3=270.0, dims_mm=[60, 50, 90], processes=["packaging"], mesh_path=str(mesh_path),
            selected=True,
        )  # fmt: skip
        s.add(v)
        s.commit()
        s.refresh(v)
        row = s.get(Trend, trend.id)
        assert row is not None
        row.selected_variant_id = v.id
        s.add(row)
        s.commit()
    assert trend.id is not None
    return trend.id


def _req(trend_id: int, seq: int, units: int) -> DeliveryRequest:
    return DeliveryRequest(trend_id=trend_id, workflow_id=f"trend-{trend_id}", batch_sequence=seq,
                           units=units, ready_date=READY)  # fmt: skip


def test_batches_are_split_across_destinations_and_recorded_once(engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    dests = [
        Destination(market="US", units=600, deadline=READY + dt.timedelta(days=60)),
        Destination(market="DE", units=400),
    ]
    tid = _idea(engine, tmp_path, dests)
    acts = DeliveryActivities(engine, tmp_path)
    env = ActivityEnvironment()
    first = env.run(acts.plan_delivery, _req(tid, 1, 500))
    again = env.run(acts.plan_delivery, _req(tid, 1, 500))  # a retry: the same legs
    assert first == again
    assert [(c.market, c.units, c.mode) for c in first.consignments] == [("US", 500, "sea")]
    second = env.run(acts.plan_delivery, _req(tid, 2, 500))
    assert sorted((c.market, c.units) for c in second.consignments) == [("DE", 400), ("US", 100)]
    de = next(c for c in second.consignments if c.market == "DE")
    assert de.deadline is None and de.mode == "sea"  # no deadline: the cheapest lane
    with Session(engine) as s:
        rows = s.exec(select(Consignment).where(Consignment.trend_id == tid)).all()
    assert len(rows) == 3 and sum(r.units for r in rows) == 1000
    assert all(r.documents and r.explanation and r.freight_usd > 0 for r in rows)
    assert all("9810" in " ".join(r.documents) for r in rows)
    # what the packing list needs, kept per leg: cartons hold the leg's units
    for r in rows:
        p = r.packing
        assert (
            (p["cartons"] - 1) * p["units_per_carton"]
            < r.units
            <= p["cartons"] * p["units_per_carton"]
        )
        assert p["gross_kg"] > 0 and p["cbm"] > 0 and len(p["carton_mm"]) == 3


def test_a_tight_deadline_is_split_into_two_legs(engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    tid = _idea(
        engine,
        tmp_path,
        [Destination(market="US", units=1000, deadline=READY + dt.timedelta(days=5))],
    )
    plan = ActivityEnvironment().run(
        DeliveryActivities(engine, tmp_path).plan_delivery, _req(tid, 1, 1000)
    )
    fast, rest = plan.consignments
    assert (fast.leg, rest.leg) == (0, 1) and fast.mode == "express"
    assert fast.eta_latest <= READY + dt.timedelta(days=5) < rest.eta_latest
    assert fast.units + rest.units == 1000
    assert any("binding: capacity" in line for line in fast.explanation)


def test_an_idea_without_destinations_records_nothing(engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    tid = _idea(engine, tmp_path, [])  # market "global": no lane reaches it
    plan = ActivityEnvironment().run(
        DeliveryActivities(engine, tmp_path).plan_delivery, _req(tid, 1, 100)
    )
    assert plan.consignments == []


def test_an_unknown_form_fails_for_good_with_the_reason(engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    tid = _idea(engine, tmp_path, [Destination(market="JP", units=100)], form="spaceship")
    with pytest.raises(ApplicationError) as err:
        ActivityEnvironment().run(
            DeliveryActivities(engine, tmp_path).plan_delivery, _req(tid, 1, 100)
        )
    assert err.value.non_retryable and "spaceship" in str(err.value)

"""A run with delivery on books each shipped batch's legs as ConsignmentDelivery workflows that
outlive it; a batch that cannot be planned is a note, never a failed run; off, nothing changes."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
import trimesh
from sqlmodel import Session, select

from activities.planning import PlanningActivities
from activities.sourcing import match_and_reserve
from models.contracts import (
    CarrierEvent,
    ConsignmentResult,
    DeliveryOptions,
    Destination,
    IdeaInput,
    PlanRequest,
    PlanReviewRecord,
    ProductionRunInput,
    ProductionRunResult,
    ProgressReport,
    SourcingRequest,
)
from models.names import consignment_workflow_id, run_workflow_id
from models.tables import Consignment, DesignVariant, Notification, Trend, utcnow
from services.intake import create_or_get_trend
from tests.helpers.temporal import running_workers

pytestmark = pytest.mark.db

QUANTITY = 1000


def _idea(engine, tmp_path: Path, form: str) -> int:  # type: ignore[no-untyped-def]
    """A plush idea to the US (600, a deadline in 60 days) and Germany (400), variant picked."""
    deadline = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=60)
    idea = IdeaInput(
        text=f"run-delivery bear {uuid.uuid4().hex[:8]}", merchant_id="m-run-dlv",
        expected_volume=QUANTITY,
        destinations=[Destination(market="US", units=600, deadline=deadline),
                      Destination(market="DE", units=400)],
    )  # fmt: skip
    trend, _ = create_or_get_trend(engine, idea, design_spec={"form": form})
    mesh = tmp_path / f"bear-{trend.id}.stl"
    trimesh.creation.box((150.0, 120.0, 100.0)).export(mesh)
    with Session(engine) as s:
        v = DesignVariant(
            trend_id=trend.id, rank=1, family=form, name="bear", score=1.0, unit_cost_usd=3.0,
            volume_cm3=1800.0, dims_mm=[150, 120, 100], processes=["packaging"],
            mesh_path=str(mesh), selected=True,
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


async def _run(env, engine, tmp_path: Path, form: str, delivery: DeliveryOptions | None):  # type: ignore[no-untyped-def]
    """Produce the idea's 1000 units in two batches of 500; the run's result and trend id."""
    tid = _idea(engine, tmp_path, form)
    wid = f"trend-{tid}"
    async with running_workers(env.client, engine, tmp_path) as (queue, config):
        processes = ["textile_cutting", "plush_sewing", "stuffing", "packaging"]
        sourcing = match_and_reserve(
            engine, SourcingRequest(workflow_id=wid, trend_id=tid, processes=processes,
                                    units_per_day=500),
        )  # fmt: skip
        acts = PlanningActivities(engine)
        plan = acts.plan_production(
            PlanRequest(workflow_id=wid, trend_id=tid, family="plush_animal", quantity=QUANTITY,
                        due_in_days=6, sourcing=sourcing, time_limit_s=1.0)
        )  # fmt: skip
        acts.record_plan_review(
            PlanReviewRecord(plan_id=plan.plan_id, status="approved", reviewer="li", at=utcnow())
        )
        handle = await env.client.start_workflow(
            "ProductionRun",
            ProductionRunInput(
                trend_id=tid, workflow_id=wid, plan=plan, family="plush_animal",
                sourcing=sourcing, quantity=QUANTITY, shipment_batch_units=500,
                cpu_task_queue=config.cpu_task_queue, delivery=delivery,
            ),
            id=run_workflow_id(tid), task_queue=queue, result_type=ProductionRunResult,
        )  # fmt: skip
        last = plan.daily[-1]
        await handle.signal(
            "report_progress", ProgressReport(line_id=last.line_id, day=last.day, units=QUANTITY)
        )
        result = await handle.result()
        legs: list[ConsignmentResult] = []
        with Session(engine) as s:
            rows = s.exec(select(Consignment).where(Consignment.trend_id == tid)).all()
        for row in rows:  # the carrier delivers each leg; its workflow ends
            assert row.id is not None
            leg = env.client.get_workflow_handle(
                consignment_workflow_id(row.id), result_type=ConsignmentResult
            )
            event = CarrierEvent(event_id=f"d-{row.id}", kind="delivered", at=utcnow())
            await leg.signal("carrier_event", event)
            legs.append(await leg.result())
    return result, tid, legs


async def test_shipped_batches_are_booked_and_delivered(ts_env, engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result, tid, legs = await _run(ts_env, engine, tmp_path, "plush", DeliveryOptions())
    assert result.shipped == QUANTITY and result.shipments == 2 and result.consignments == 3
    with Session(engine) as s:
        rows = s.exec(select(Consignment).where(Consignment.trend_id == tid)).all()
    got = sorted((r.batch_sequence, r.market, r.units) for r in rows)
    assert got == [(1, "US", 500), (2, "DE", 400), (2, "US", 100)]  # earliest deadline first
    assert all(r.status == "delivered" and r.booked_at is not None for r in rows)
    assert [leg.status for leg in legs] == ["delivered"] * 3


async def test_a_batch_that_cannot_be_planned_is_a_note(ts_env, engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result, tid, legs = await _run(ts_env, engine, tmp_path, "spaceship", DeliveryOptions())
    assert result.shipped == QUANTITY and result.consignments == 0 and legs == []
    with Session(engine) as s:
        notes = s.exec(
            select(Notification).where(
                Notification.trend_id == tid, Notification.kind == "delivery_unplanned"
            )
        ).all()
    assert len(notes) == 2 and "spaceship" in notes[0].message


async def test_without_delivery_the_run_ends_at_the_gate(ts_env, engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result, tid, legs = await _run(ts_env, engine, tmp_path, "plush", None)
    assert result.shipped == QUANTITY and result.consignments == 0 and legs == []

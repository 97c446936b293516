"""ConsignmentDelivery on the time-skipping server: carrier events move a leg to delivered
(repeats absorbed), a missed SLA or a lost report escalates to the planner."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from models.contracts import (
    CarrierEvent,
    ConsignmentInput,
    ConsignmentPlan,
    ConsignmentResult,
    IdeaInput,
)
from models.names import consignment_workflow_id
from models.tables import Consignment, Notification
from services.intake import create_or_get_trend
from tests.helpers.temporal import eventually, running_workers

pytestmark = pytest.mark.db

BOOKED = dt.date(2026, 12, 7)


def _consignment(engine, merchant: str) -> tuple[int, ConsignmentPlan]:  # type: ignore[no-untyped-def]
    """An idea and one planned sea leg to the US: 10 days to its latest arrival."""
    idea = IdeaInput(text=f"leg frog {uuid.uuid4().hex[:8]}", merchant_id=merchant, market="US")
    trend, _ = create_or_get_trend(engine, idea)
    row = Consignment(
        trend_id=trend.id, batch_sequence=1, market="US", leg=0, units=500, mode="air",
        lane_id="air-pvg-us", planned_departure=BOOKED, eta_latest=BOOKED + timedelta(days=10),
        freight_usd=900.0,
    )  # fmt: skip
    with Session(engine) as s:
        s.add(row)
        s.commit()
        s.refresh(row)
    assert trend.id is not None and row.id is not None
    plan = ConsignmentPlan(
        consignment_id=row.id, market="US", leg=0, units=500, mode="air", lane_id="air-pvg-us",
        planned_departure=BOOKED, eta_latest=row.eta_latest, deadline=None, landed_usd=900.0,
        status="planned",
    )  # fmt: skip
    return trend.id, plan


def _event(event_id: str, kind: str, day: int) -> CarrierEvent:
    at = dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC) + timedelta(days=day)
    return CarrierEvent(event_id=event_id, kind=kind, at=at, location="PVG")  # type: ignore[arg-type]


def _row(engine, cid: int) -> Consignment:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        row = s.get(Consignment, cid)
        assert row is not None
        return row


def _notes(engine, trend_id: int, kind: str) -> list[Notification]:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        q = select(Notification).where(Notification.trend_id == trend_id, Notification.kind == kind)
        return list(s.exec(q))


async def test_carrier_events_deliver_and_repeats_change_nothing(ts_env, engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    trend_id, plan = _consignment(engine, "leg-m1")
    async with running_workers(ts_env.client, engine, tmp_path) as (queue, config):
        inp = ConsignmentInput(consignment=plan, trend_id=trend_id, workflow_id=f"trend-{trend_id}",
                               booked_on=BOOKED, cpu_task_queue=config.cpu_task_queue)  # fmt: skip
        handle = await ts_env.client.start_workflow(
            "ConsignmentDelivery", inp, id=consignment_workflow_id(plan.consignment_id),
            task_queue=queue, result_type=ConsignmentResult,
        )  # fmt: skip
        for event in [_event("e1", "picked_up", 0), _event("e1", "picked_up", 0),
                      _event("e2", "departed", 1)]:  # fmt: skip
            await handle.signal("carrier_event", event)
        await eventually(lambda: _row(engine, plan.consignment_id).status == "in_transit")
        # where it is: the latest event's kind and place (the page shows it)
        await eventually(lambda: _row(engine, plan.consignment_id).location == "departed · PVG")
        now = await handle.query("consignment", result_type=ConsignmentResult)
        assert now.status == "in_transit" and now.events == 2
        for event in [_event("e3", "delivered", 4), _event("e3", "delivered", 4),
                      _event("e4", "lost", 5)]:  # fmt: skip
            await handle.signal("carrier_event", event)
        result = await handle.result()  # a lost report after delivery moves nothing
    assert result.status == "delivered" and result.events == 3 and not result.escalated
    row = _row(engine, plan.consignment_id)
    assert row.status == "delivered" and row.booked_at is not None
    assert row.delivered_at is not None and row.delivered_at.day == 11
    assert row.location == "delivered · PVG" and row.tracked_at == row.delivered_at
    assert _notes(engine, trend_id, "delivery_lost") == []


async def test_a_missed_sla_escalates_then_delivery_still_counts(ts_env, engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    trend_id, plan = _consignment(engine, "leg-m2")
    async with running_workers(ts_env.client, engine, tmp_path) as (queue, config):
        inp = ConsignmentInput(consignment=plan, trend_id=trend_id, workflow_id=f"trend-{trend_id}",
                               booked_on=BOOKED, sla_grace_days=2,
                               cpu_task_queue=config.cpu_task_queue)  # fmt: skip
        handle = await ts_env.client.start_workflow(
            "ConsignmentDelivery", inp, id=consignment_workflow_id(plan.consignment_id),
            task_queue=queue, result_type=ConsignmentResult,
        )  # fmt: skip
        await ts_env.sleep(timedelta(days=11))  # before 10 + 2 days: nothing yet
        assert _notes(engine, trend_id, "delivery_late") == []
        await ts_env.sleep(timedelta(days=2))
        (note,) = await eventually(lambda: _notes(engine, trend_id, "delivery_late"))
        assert "not delivered 2 days after its latest arrival 2026-12-17" in note.message
        assert "re-ship" in note.message
        await eventually(lambda: _row(engine, plan.consignment_id).status == "late")
        await handle.signal("carrier_event", _event("late-1", "delivered", 14))
        result = await handle.result()
    assert result.status == "delivered" and result.escalated
    assert _row(engine, plan.consignment_id).status == "delivered"
    assert len(_notes(engine, trend_id, "delivery_late")) == 1


async def test_a_lost_consignment_escalates_and_ends(ts_env, engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    trend_id, plan = _consignment(engine, "leg-m3")
    async with running_workers(ts_env.client, engine, tmp_path) as (queue, config):
        inp = ConsignmentInput(consignment=plan, trend_id=trend_id, workflow_id=f"trend-{trend_id}",
                               booked_on=BOOKED, cpu_task_queue=config.cpu_task_queue)  # fmt: skip
        handle = await ts_env.client.start_workflow(
            "ConsignmentDelivery", inp, id=consignment_workflow_id(plan.consignment_id),
            task_queue=queue, result_type=ConsignmentResult,
        )  # fmt: skip
        lost = _event("x9", "lost", 3).model_copy(update={"note": "container fell overboard"})
        await handle.signal("carrier_event", lost)
        result = await handle.result()
    assert result.status == "lost" and result.escalated
    (note,) = _notes(engine, trend_id, "delivery_lost")
    assert "container fell overboard" in note.message
    assert _row(engine, plan.consignment_id).status == "lost"

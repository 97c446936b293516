"""A consignment survives its worker being SIGKILLed: events sent while no worker runs are
taken by the next one, repeats are absorbed, and the leg ends delivered exactly once."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from models.contracts import (
    CarrierEvent,
    ConsignmentInput,
    ConsignmentPlan,
    ConsignmentResult,
    IdeaInput,
)
from models.names import Signal, consignment_workflow_id
from models.tables import Consignment, Notification
from services.intake import create_or_get_trend
from tests.helpers.temporal import eventually

pytestmark = pytest.mark.db

ROOT = Path(__file__).resolve().parents[2]
BOOKED = dt.date(2026, 12, 7)


def _worker(address: str, url: str, queue: str, files: Path) -> subprocess.Popen[str]:
    """Both workers on `queue` in their own process, once they poll."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.consignment_worker", address, url, queue, str(files)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def _row(engine, cid: int) -> Consignment:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        row = s.get(Consignment, cid)
        assert row is not None
        return row


def _event(event_id: str, kind: str, day: int, where: str) -> CarrierEvent:
    at = dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC) + timedelta(days=day)
    return CarrierEvent(event_id=event_id, kind=kind, at=at, location=where)  # type: ignore[arg-type]


async def test_a_killed_worker_loses_no_carrier_event(
    dev_env, engine, database_url, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    idea = IdeaInput(text=f"kill frog {uuid.uuid4().hex[:8]}", merchant_id="kill-m", market="DE")
    trend, _ = create_or_get_trend(engine, idea)
    row = Consignment(
        trend_id=trend.id, batch_sequence=1, market="DE", units=800, mode="rail",
        lane_id="rail-yiw-de", planned_departure=BOOKED, eta_latest=BOOKED + timedelta(days=24),
    )  # fmt: skip
    with Session(engine) as s:
        s.add(row)
        s.commit()
        s.refresh(row)
    assert trend.id is not None and row.id is not None
    plan = ConsignmentPlan(
        consignment_id=row.id, market="DE", leg=0, units=800, mode="rail", lane_id="rail-yiw-de",
        planned_departure=BOOKED, eta_latest=row.eta_latest, deadline=None, landed_usd=700.0,
        status="planned",
    )  # fmt: skip
    queue = f"tf-kill-{uuid.uuid4().hex[:8]}"
    address = dev_env.client.service_client.config.target_host
    worker = _worker(address, database_url, queue, tmp_path)
    try:
        handle = await dev_env.client.start_workflow(
            "ConsignmentDelivery",
            ConsignmentInput(consignment=plan, trend_id=trend.id, workflow_id=f"trend-{trend.id}",
                             booked_on=BOOKED, cpu_task_queue=f"{queue}-cpu"),
            id=consignment_workflow_id(row.id), task_queue=queue, result_type=ConsignmentResult,
        )  # fmt: skip
        await handle.signal(Signal.carrier_event, _event("k1", "picked_up", 0, "Yiwu"))
        await eventually(lambda: _row(engine, plan.consignment_id).status == "in_transit")
        worker.kill()  # SIGKILL: no goodbye to the server
        worker.wait(timeout=30)
        for event in [_event("k2", "departed", 1, "Yiwu West"), _event("k2", "departed", 1, "x"),
                      _event("k3", "arrived", 17, "Duisburg")]:  # fmt: skip
            await handle.signal(Signal.carrier_event, event)  # nobody runs the workflow now
        assert _row(engine, plan.consignment_id).location == "picked_up · Yiwu"
        worker = _worker(address, database_url, queue, tmp_path)
        for event in [_event("k4", "delivered", 19, "Berlin"), _event("k4", "delivered", 19, "")]:
            await handle.signal(Signal.carrier_event, event)
        result = await handle.result()
    finally:
        worker.kill()
        worker.wait(timeout=30)
    assert result.status == "delivered" and result.events == 4 and not result.escalated
    got = _row(engine, plan.consignment_id)
    assert got.status == "delivered" and got.location == "delivered · Berlin"
    assert got.delivered_at is not None and got.delivered_at.day == 26
    with Session(engine) as s:
        legs = s.exec(select(Consignment).where(Consignment.trend_id == trend.id)).all()
        notes = s.exec(select(Notification).where(Notification.trend_id == trend.id)).all()
    assert len(legs) == 1 and notes == []  # no second row, no escalation

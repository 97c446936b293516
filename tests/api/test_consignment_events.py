"""The carrier webhook: events reach a booked consignment's workflow, repeats change nothing,
bad requests get the reason; the idea page lists where each consignment is."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
from sqlmodel import Session

from models.contracts import ConsignmentInput, ConsignmentPlan, ConsignmentResult, IdeaInput
from models.names import consignment_workflow_id
from models.tables import Consignment
from services.intake import create_or_get_trend
from tests.helpers.apps import make_app
from tests.helpers.temporal import eventually, running_workers

pytestmark = pytest.mark.db

DAY = dt.date(2026, 12, 7)


def _leg(engine, trend_id: int, status: str = "planned") -> Consignment:  # type: ignore[no-untyped-def]
    row = Consignment(
        trend_id=trend_id, batch_sequence=1, market="DE", units=400, mode="rail",
        lane_id="rail-yiw-de", status=status, planned_departure=DAY,
        eta_latest=DAY + dt.timedelta(days=24),
    )  # fmt: skip
    with Session(engine) as s:
        s.add(row)
        s.commit()
        s.refresh(row)
    return row


def _status(engine, cid: int) -> str:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        row = s.get(Consignment, cid)
        assert row is not None
        return row.status


def _event(event_id: str, kind: str) -> dict[str, str]:
    return {
        "event_id": event_id,
        "kind": kind,
        "at": "2026-12-20T10:00:00Z",
        "location": "Duisburg",
    }


async def test_carrier_events_through_the_webhook(
    ts_env, engine, tmp_path, jwt_secret, auth_headers
) -> None:  # type: ignore[no-untyped-def]
    idea = IdeaInput(text=f"webhook frog {uuid.uuid4().hex[:8]}", merchant_id="hook-m")
    trend, _ = create_or_get_trend(engine, idea)
    assert trend.id is not None
    leg = _leg(engine, trend.id)
    assert leg.id is not None
    carrier = auth_headers("carrier-1", "machine")
    app = make_app(engine, jwt_secret, ts_env.client)
    async with (
        running_workers(ts_env.client, engine, tmp_path) as (queue, config),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://tf") as c,
    ):
        url = f"/consignments/{leg.id}/events"
        r = await c.post(url, json=_event("a1", "picked_up"), headers=carrier)
        assert r.status_code == 409 and "not booked yet" in r.text
        plan = ConsignmentPlan(
            consignment_id=leg.id, market="DE", leg=0, units=400, mode="rail",
            lane_id="rail-yiw-de", planned_departure=DAY, eta_latest=leg.eta_latest, deadline=None,
            landed_usd=700.0, status="planned",
        )  # fmt: skip
        handle = await ts_env.client.start_workflow(
            "ConsignmentDelivery",
            ConsignmentInput(consignment=plan, trend_id=trend.id, workflow_id=f"trend-{trend.id}",
                             booked_on=DAY, cpu_task_queue=config.cpu_task_queue),
            id=consignment_workflow_id(leg.id), task_queue=queue, result_type=ConsignmentResult,
        )  # fmt: skip
        await eventually(lambda: _status(engine, leg.id) == "booked")
        for event in [
            _event("a1", "picked_up"),
            _event("a1", "picked_up"),
            _event("a2", "arrived"),
        ]:
            r = await c.post(url, json=event, headers=carrier)
            assert r.status_code == 202 and r.json()["accepted"], r.text
        r = await c.post(url, json=_event("a3", "delivered"), headers=carrier)
        assert r.status_code == 202
        result = await handle.result()
        assert result.status == "delivered" and result.events == 3  # a1 once, a2, a3
        again = await c.post(url, json=_event("a3", "delivered"), headers=carrier)
        assert again.status_code == 202 and again.json() == {
            "consignment_id": leg.id,
            "accepted": False,
            "status": "delivered",
        }
        missing = await c.post(
            "/consignments/987654321/events", json=_event("z", "departed"), headers=carrier
        )
        assert missing.status_code == 404 and "does not exist" in missing.text
        bad = await c.post(
            url,
            json={"event_id": "b", "kind": "teleported", "at": "2026-12-20T10:00:00Z"},
            headers=carrier,
        )
        assert bad.status_code == 422
        page = await c.get(f"/ideas/{trend.id}?live=false", headers=auth_headers("li", "planner"))
        assert page.status_code == 200
        (shown,) = page.json()["consignments"]
        assert (
            shown["status"] == "delivered" and shown["mode"] == "rail" and shown["market"] == "DE"
        )

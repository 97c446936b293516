"""Consignments: the carrier's events (a webhook, the factories' auth: an API key or a planner),
and each consignment's documents (packing list, commercial invoice) for whoever sees the idea."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session
from temporalio.service import RPCError

from api.deps import EngineDep, FactoryDep, OwnedIdea, TemporalDep
from api.schemas import CarrierAccepted
from api.views import document_view
from models.contracts import CarrierEvent
from models.names import Signal, consignment_workflow_id
from models.tables import Consignment

router = APIRouter(prefix="/consignments/{consignment_id}", tags=["carrier"])
documents = APIRouter(prefix="/ideas/{trend_id}/consignments", tags=["ideas"])

CLOSED = ("delivered", "lost")


@router.post("/events", status_code=202, response_model=CarrierAccepted)
async def carrier_event(
    consignment_id: int,
    event: CarrierEvent,
    who: FactoryDep,
    engine: EngineDep,
    temporal: TemporalDep,
) -> Any:
    """A carrier event for a booked consignment. The same `event_id` again changes nothing;
    an event for a delivered or lost consignment is taken and changes nothing."""
    with Session(engine) as s:
        row = s.get(Consignment, consignment_id)
    if row is None:
        raise HTTPException(404, f"consignment {consignment_id} does not exist")
    if row.status in CLOSED:
        return CarrierAccepted(consignment_id=consignment_id, accepted=False, status=row.status)
    if row.status == "planned":
        raise HTTPException(409, f"consignment {consignment_id} is not booked yet")
    handle = (await temporal.client()).get_workflow_handle(consignment_workflow_id(consignment_id))
    try:
        await handle.signal(Signal.carrier_event, event)
    except RPCError as err:
        raise HTTPException(
            409, f"consignment {consignment_id} does not take events now: {err.message}"
        ) from err
    return CarrierAccepted(consignment_id=consignment_id, accepted=True, status=row.status)


@documents.get("/{consignment_id}/{document}", response_class=HTMLResponse)
def consignment_document(
    request: Request,
    trend: OwnedIdea,
    consignment_id: int,
    document: Literal["packing-list", "invoice"],
    engine: EngineDep,
) -> HTMLResponse:
    """A consignment's packing list or commercial invoice, as a printable HTML page."""
    with Session(engine) as s:
        row = s.get(Consignment, consignment_id)
    if row is None or row.trend_id != trend.id:
        raise HTTPException(404, f"consignment {consignment_id} is not one of idea {trend.id}'s")
    ctx = document_view(trend, row, document)
    html = request.app.state.templates.get_template("consignment_doc.html").render(ctx)
    return HTMLResponse(html)

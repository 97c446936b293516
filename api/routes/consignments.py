"""Consignments: the carrier's events (a webhook, the factories' auth: an API key or a planner),
each consignment's documents (packing list, commercial invoice) for whoever sees the idea, and
a planner's re-ship of a late or lost one by a faster mode."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlmodel import Session
from temporalio.service import RPCError

from api.calls import update
from api.deps import EngineDep, FactoryDep, OwnedIdea, PlannerDep, TemporalDep
from api.files import HTML_OR_PDF, pdf_answer
from api.problems import WORKFLOW_ANSWERS
from api.schemas import CarrierAccepted
from api.views import document_view
from models.contracts import CarrierEvent, ConsignmentPlan, Reship
from models.names import Signal, consignment_workflow_id, trend_workflow_id
from models.tables import Consignment
from workflows import TrendToProduction

router = APIRouter(prefix="/consignments/{consignment_id}", tags=["carrier"])
legs = APIRouter(prefix="/ideas/{trend_id}/consignments", tags=["ideas"])

CLOSED = ("delivered", "lost")


@router.post("/events", status_code=202, response_model=CarrierAccepted, responses=WORKFLOW_ANSWERS)
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


@legs.get("/{consignment_id}/{document}", response_class=HTMLResponse, responses=HTML_OR_PDF)
def consignment_document(
    request: Request,
    trend: OwnedIdea,
    consignment_id: int,
    document: Literal["packing-list", "invoice"],
    engine: EngineDep,
    format: Annotated[Literal["html", "pdf"], Query(description="html or pdf")] = "html",
) -> Response:
    """A consignment's packing list or commercial invoice, as a printable HTML page or a
    (text-only) PDF."""
    with Session(engine) as s:
        row = s.get(Consignment, consignment_id)
    if row is None or row.trend_id != trend.id:
        raise HTTPException(404, f"consignment {consignment_id} is not one of idea {trend.id}'s")
    ctx = document_view(trend, row, document)
    html = request.app.state.templates.get_template("consignment_doc.html").render(ctx)
    if format == "pdf":
        return pdf_answer(html, f"{ctx['number']}-{document}.pdf")
    return HTMLResponse(html)


class ReshipBody(BaseModel):
    reason: str = Field(default="", max_length=500)


@legs.post("/{consignment_id}/reship", response_model=ConsignmentPlan, responses=WORKFLOW_ANSWERS)
async def reship(
    trend_id: int,
    consignment_id: int,
    body: ReshipBody,
    who: PlannerDep,
    engine: EngineDep,
    temporal: TemporalDep,
) -> Any:
    """Re-ship a late or lost consignment's units by the fastest lane of a faster mode; the
    pipeline waits for the new leg too (409 with the reason when it cannot)."""
    with Session(engine) as s:
        row = s.get(Consignment, consignment_id)
    if row is None or row.trend_id != trend_id:
        raise HTTPException(404, f"consignment {consignment_id} is not one of idea {trend_id}'s")
    req = Reship(
        consignment_id=consignment_id, reason=body.reason, reviewer=who.user, role=who.role
    )
    client = await temporal.client()
    return await update(client, trend_workflow_id(trend_id), TrendToProduction.reship, req)

"""Ideas: a merchant submits one (with a reference mesh, optionally), lists and reads them,
cancels one. Reads come from the database; the live status comes from the workflow."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.auth import Actor
from api.calls import cancel_pipeline, live_status
from api.deps import (
    CancellableIdea,
    EngineDep,
    IdeaReaderDep,
    MerchantDep,
    OwnedIdea,
    SessionDep,
    SettingsDep,
    TemporalDep,
)
from api.schemas import (
    CancelOut,
    ConsignmentOut,
    IdeaCreated,
    IdeaDetail,
    IdeaOut,
    MilestoneOut,
    NotificationOut,
    RunOut,
)
from api.settings import ApiSettings
from api.state import Temporal
from api.uploads import own_model_check, store_reference_mesh
from engines.compliance.errors import ComplianceError
from models.contracts import TERMINAL_STAGES, AgeGradeName, IdeaInput, PipelineConfig
from models.db import as_utc
from models.names import trend_workflow_id
from models.tables import Consignment, Milestone, Notification, ProductionRun, Trend
from services.compliance import with_compliance
from services.destinations import BadDestination, check_destinations
from services.intake import (
    OverQuota,
    Quota,
    check_print_settings,
    check_quota,
    create_or_get_trend,
    dedup_key,
    read_idea_spec,
)
from services.temporal import start_pipeline

router = APIRouter(prefix="/ideas", tags=["merchant"])


def check_submitter(who: Actor, merchant_id: str) -> None:
    if who.role == "merchant" and who.user != merchant_id:
        raise HTTPException(403, "a merchant submits ideas under their own merchant_id")


async def intake(
    engine: Engine,
    temporal: Temporal,
    settings: ApiSettings,
    idea: IdeaInput,
    reference_mesh_path: str | None,
    spec: dict[str, Any] | None,
) -> JSONResponse:
    """Store the idea once, with its design spec (read by `design_spec`), and start its
    pipeline: 201 when new, 200 for a repeat; 429 when a new one is over the merchant's quota."""
    await within_quota(engine, settings, idea.merchant_id, dedup_key(idea))
    trend, created = await run_in_threadpool(
        create_or_get_trend, engine, idea, reference_mesh_path, spec
    )
    assert trend.id is not None
    client = await temporal.client()
    config = compliance_config(idea, settings.pipeline)
    await start_pipeline(client, trend.id, idea, config, settings.task_queue)
    body = IdeaCreated(
        id=trend.id, workflow_id=trend_workflow_id(trend.id), stage=trend.stage, created=created
    )
    return JSONResponse(body.model_dump(), status_code=201 if created else 200)


async def within_quota(
    engine: Engine, settings: ApiSettings, merchant_id: str, key: str | None = None
) -> None:
    """429 with Retry-After and the quota in the reason when the merchant is over it."""
    quota = Quota(settings.ideas_in_flight, settings.ideas_per_minute)
    try:
        await run_in_threadpool(check_quota, engine, merchant_id, quota, key)
    except OverQuota as err:
        raise HTTPException(
            429, err.reason, headers={"Retry-After": str(err.retry_after_s)}
        ) from err


def destinations_ok(idea: IdeaInput) -> None:
    """422 with the reason when a destination has no lane or its deadline is past."""
    try:
        check_destinations(idea, datetime.now(UTC).date())
    except BadDestination as err:
        raise HTTPException(422, err.reason) from err


def compliance_config(idea: IdeaInput, config: PipelineConfig) -> PipelineConfig:
    """The pipeline config with the idea's compliance markets; 422 naming the known markets
    for an unknown one."""
    try:
        return with_compliance(idea, config)
    except ComplianceError as err:
        raise HTTPException(422, f"compliance_markets: {err}") from err


async def design_spec(idea: IdeaInput, has_mesh: bool = False) -> dict[str, Any] | None:
    """The idea's design spec (None: only the merchant's own model, words aside); 422 naming
    what came close when TrendForge cannot make it, or why its print settings cannot apply."""
    try:
        check_print_settings(idea, has_mesh)
        return await run_in_threadpool(read_idea_spec, idea)
    except ValueError as err:  # DesignError, SettingsRefused: their messages are for the merchant
        raise HTTPException(422, str(err)) from err


@router.post("", response_model=IdeaCreated, status_code=201)
async def submit_idea(
    idea: IdeaInput,
    who: MerchantDep,
    engine: EngineDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> Any:
    """Submit a viral product idea; the same merchant + text again returns the same idea."""
    check_submitter(who, idea.merchant_id)
    if idea.source != "merchant":
        raise HTTPException(
            422, "source: ideas posted here come from a merchant; feeds use /signals"
        )
    destinations_ok(idea)
    compliance_config(idea, settings.pipeline)  # an unknown market: 422 before it is stored
    return await intake(engine, temporal, settings, idea, None, await design_spec(idea))


@router.post("/upload", response_model=IdeaCreated, status_code=201)
async def submit_idea_with_mesh(
    who: MerchantDep,
    engine: EngineDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    text: Annotated[str, Form(min_length=1, max_length=2000)],
    merchant_id: Annotated[str | None, Form(max_length=128)] = None,
    target_size_mm: Annotated[float | None, Form(gt=0, le=2000)] = None,
    market: Annotated[str, Form(max_length=64)] = "global",
    target_price: Annotated[float | None, Form(ge=0, le=1_000_000)] = None,
    expected_volume: Annotated[int, Form(gt=0, le=100_000_000)] = 20_000,
    due_in_days: Annotated[int, Form(ge=1, le=365)] = 21,
    destinations: Annotated[
        str | None,
        Form(
            max_length=4000,
            description='JSON: [{"market": "US", "units": 500, "deadline": "2027-01-15"}]',
        ),
    ] = None,
    mesh: Annotated[UploadFile | None, File(description="Your model or a reference")] = None,
    use_as: Annotated[
        Literal["reference", "design"],
        Form(description="reference: designs follow the mesh; design: the mesh is the design"),
    ] = "reference",
    alternatives: Annotated[
        bool, Form(description="With use_as=design: also show generated alternatives")
    ] = True,
    units: Annotated[
        Literal["auto", "mm", "cm", "m", "inch"],
        Form(description="Units of your model's numbers; auto states its guess"),
    ] = "auto",
    scale: Annotated[float | None, Form(gt=0, le=1000)] = None,
    allow_split: Annotated[bool, Form(description="Split a part too big for the bed")] = False,
    printer: Annotated[str | None, Form(max_length=32)] = None,
    compliance_markets: Annotated[
        str | None,
        Form(
            max_length=200,
            description="Comma-separated markets whose safety rules it meets (US, EU, DE …); "
            "empty: its destinations'",
        ),
    ] = None,
    age_grade: Annotated[
        AgeGradeName | None, Form(description="Who it is for; empty: as read from the words")
    ] = None,
) -> Any:
    """The same idea as `POST /ideas`, as a form, with an optional mesh (STL/OBJ/PLY/3MF/GLB):
    a reference the generated designs follow, or (`use_as=design`) the design itself, made as
    variant #1, alone or with generated alternatives; `units`, `scale`, `allow_split` and
    `printer` set how its prototype is printed."""
    owner = merchant_id or who.user
    check_submitter(who, owner)  # before the mesh is read and kept
    try:
        idea = IdeaInput(
            text=text,
            merchant_id=owner,
            target_size_mm=target_size_mm,
            market=market,
            target_price=target_price,
            expected_volume=expected_volume,
            due_in_days=due_in_days,
            use_as=use_as,
            alternatives=alternatives,
            units=units,
            scale=scale,
            allow_split=allow_split,
            printer=printer or None,
            destinations=json.loads(destinations) if destinations else [],
            compliance_markets=_codes(compliance_markets),
            age_grade=age_grade or None,
        )
    except ValueError as err:  # a ValidationError or bad JSON
        raise HTTPException(422, str(err)) from err
    destinations_ok(idea)
    compliance_config(idea, settings.pipeline)
    has_mesh = mesh is not None and bool(mesh.filename)
    # before the mesh is kept: a refused idea keeps no file
    spec = await design_spec(idea, has_mesh)
    await within_quota(engine, settings, idea.merchant_id, dedup_key(idea))  # before the file
    mesh_path = None
    if mesh is not None and has_mesh:
        mesh_path = await store_reference_mesh(
            mesh, settings.uploads_dir, settings.max_upload_bytes, own_model_check(idea)
        )
    return await intake(engine, temporal, settings, idea, mesh_path, spec)


def _codes(text: str | None) -> list[str] | None:
    """'US, eu' -> ['US', 'eu']; empty or absent: None (the destinations' markets)."""
    codes = [c for c in (text or "").replace(";", ",").split(",") if c.strip()]
    return codes or None


@router.get("", response_model=list[IdeaOut])
def list_ideas(
    who: IdeaReaderDep,
    s: SessionDep,
    merchant_id: str | None = None,
    stage: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Any:
    """Ideas, newest first, optionally for one merchant or one stage (a merchant: their own).
    Pages: pass the last id of a page as `before_id` to get the next one."""
    if who.role == "merchant":
        if merchant_id not in (None, who.user):
            raise HTTPException(403, "a merchant lists only their own ideas")
        merchant_id = who.user
    q = select(Trend)
    if merchant_id:
        q = q.where(Trend.merchant_id == merchant_id)
    if stage:
        q = q.where(Trend.stage == stage)
    if before_id is not None:
        q = q.where(col(Trend.id) < before_id)
    return s.exec(q.order_by(col(Trend.id).desc()).limit(limit)).all()


@router.get("/{trend_id:int}", response_model=IdeaDetail)
async def get_idea(
    trend: OwnedIdea,
    engine: EngineDep,
    request: Request,
    live: Annotated[bool, Query(description="ask the workflow too (up to 3 s)")] = True,
) -> Any:
    """An idea with its milestones, notifications, run and the workflow's live status."""
    tid = trend.id
    with Session(engine) as s:
        milestones = s.exec(
            select(Milestone).where(Milestone.trend_id == tid).order_by(col(Milestone.at))
        ).all()
        notes = s.exec(select(Notification).where(Notification.trend_id == tid)).all()
        run = s.exec(select(ProductionRun).where(ProductionRun.trend_id == tid)).first()
        legs = s.exec(
            select(Consignment)
            .where(Consignment.trend_id == tid)
            .order_by(
                col(Consignment.batch_sequence), col(Consignment.market), col(Consignment.leg)
            )
        ).all()
    return IdeaDetail(
        **trend.model_dump(exclude={"dedup_key"}),
        milestones=[
            MilestoneOut(name=m.name, at=as_utc(m.at), detail=m.detail) for m in milestones
        ],
        notifications=[NotificationOut.model_validate(n, from_attributes=True) for n in notes],
        run=RunOut.model_validate(run, from_attributes=True) if run else None,
        consignments=[ConsignmentOut.model_validate(c, from_attributes=True) for c in legs],
        live=await live_status(request, trend.id) if live and trend.id else None,
    )


@router.post(
    "/{trend_id}/cancel",
    status_code=202,
    response_model=CancelOut,
    responses={409: {"description": "the idea is already finished"}},
)
async def cancel(trend: CancellableIdea, temporal: TemporalDep) -> Any:
    """Cancel an idea; its supplier reservations are released by compensation. A finished idea
    (shipped, rejected, cancelled, failed) is a 409 with the reason."""
    assert trend.id is not None
    if trend.stage in TERMINAL_STAGES:
        raise HTTPException(
            409, f"idea {trend.id} is already {trend.stage}: there is nothing left to cancel"
        )
    await cancel_pipeline(await temporal.client(), trend.id)
    return CancelOut(id=trend.id, cancelling=True)

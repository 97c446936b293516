"""The FastAPI app: merchants submit and pick, planners review, factories report, dashboards read.

Reads come from the database projection; actions go through the Temporal client (Updates,
signals, cancellation), so the workflow stays the single source of truth for decisions.
Every route authenticates through api.auth (`actor`, `require`); its docstring has the table
of who may call what.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio.client import Client, RPCTimeoutOrCancelledError, WorkflowUpdateFailedError
from temporalio.service import RPCError

from api.auth import (
    ROLES,
    Actor,
    AuthConfig,
    LoginThrottle,
    actor,
    auth_router,
    ensure_owner,
    idea_reader,
    optional_actor,
    plan_reader,
    require,
)
from api.exports import daily_csv, lots_csv
from api.leadtimes import LeadTimes, cached_leadtimes
from api.live import install_live
from api.pages import install_pages
from api.problems import install_problem_answers
from api.suppliers import suppliers_router
from api.uploads import UploadLimit, store_reference_mesh
from api.whatif import whatif_router
from engines.trends import BadSignal
from models.contracts import (
    IdeaInput,
    PipelineConfig,
    PipelineStatus,
    PlanConstraints,
    PlanReview,
    ProgressReport,
    ProgressReports,
    SelectVariant,
)
from models.db import as_utc, make_engine
from models.names import LIGHT_QUEUE, run_workflow_id, trend_workflow_id
from models.tables import (
    DesignVariant,
    Milestone,
    Notification,
    ProductionPlan,
    ProductionRun,
    Prototype,
    Shipment,
    SupplierReservation,
    Trend,
)
from services.intake import create_or_get_trend, take_signal
from services.temporal import connect, start_pipeline

UPDATE_TIMEOUT_S = 15.0  # a decision the workflow does not take in this time is refused (503)


class IdeaCreated(BaseModel):
    id: int
    workflow_id: str
    stage: str
    created: bool


class SelectionBody(BaseModel):
    variant_id: int


class ReviewBody(BaseModel):
    approve: bool
    reason: str = Field(default="", max_length=2000)
    constraints: PlanConstraints | None = None


class SignalBody(BaseModel):
    phrase: str = Field(min_length=1, max_length=500)
    observations: list[dict[str, float]] = Field(min_length=2, max_length=10_000)
    merchant_id: str = Field(default="trend-feed", pattern=r"^[A-Za-z0-9_.@-]+$", max_length=128)
    target_size_mm: float | None = Field(default=None, gt=0, le=2000)
    expected_volume: int = Field(default=20_000, gt=0, le=100_000_000)


def create_app(
    engine: Engine | None = None,
    client: Client | None = None,
    *,
    database_url: str | None = None,
    temporal_address: str | None = None,
    config: PipelineConfig | None = None,
    virality_threshold: float = 1.0,
    temporal_ui_url: str | None = None,
    task_queue: str = LIGHT_QUEUE,
    uploads_dir: Path | None = None,
    max_upload_bytes: int | None = None,
    jwt_secret: str | None = None,
    token_ttl_minutes: int | None = None,
) -> FastAPI:
    """The app; pass an engine/client (tests, `trendforge up`) or URLs to connect lazily."""
    state: dict[str, Any] = {"engine": engine, "client": client}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if state["engine"] is None:
            from trendforge.settings import get_settings

            state["engine"] = make_engine(database_url or get_settings().resolved_database_url)
        yield

    app = FastAPI(
        title="TrendForge",
        version="0.1.0",
        description="From a viral product idea to a shipped production run.",
        lifespan=lifespan,
    )

    def db() -> Engine:
        eng = state["engine"]
        assert eng is not None
        return eng

    app.state.auth = _auth_config(db, jwt_secret, token_ttl_minutes)
    app.include_router(auth_router())
    app.include_router(suppliers_router(db))
    install_live(app, db, actor)

    def upload_limit() -> tuple[Path, int]:
        from trendforge.settings import get_settings

        settings = get_settings()
        folder = uploads_dir or settings.files_dir / "uploads"
        return folder, max_upload_bytes or settings.max_upload_bytes

    app.add_middleware(UploadLimit, paths=("/ideas/upload",), limit=lambda: upload_limit()[1])
    app.include_router(whatif_router(db, require("planner")))

    async def temporal() -> Client:
        if state["client"] is None:
            from trendforge.settings import get_settings

            address = temporal_address or get_settings().resolved_temporal_address
            try:
                state["client"] = await connect(address, attempts=3)
            except RuntimeError as err:
                raise HTTPException(503, f"Temporal at {address} is unreachable: {err}") from err
        return state["client"]

    def trend_or_404(s: Session, trend_id: int, who: Actor, action: str = "see this idea") -> Trend:
        """The idea, 404 when missing, 403 when a merchant asks for another merchant's."""
        trend = s.get(Trend, trend_id)
        if trend is None:
            raise HTTPException(404, f"idea {trend_id} does not exist")
        ensure_owner(who, trend.merchant_id, action)
        return trend

    async def update(workflow_id: str, name: str, arg: Any) -> Any:
        handle = (await temporal()).get_workflow_handle(workflow_id)
        try:
            return await asyncio.wait_for(handle.execute_update(name, arg), UPDATE_TIMEOUT_S)
        except (TimeoutError, RPCTimeoutOrCancelledError) as err:
            raise HTTPException(
                503,
                f"the pipeline did not answer within {UPDATE_TIMEOUT_S:.0f} s (are the workers "
                "running?); nothing was changed, try again",
            ) from err
        except WorkflowUpdateFailedError as err:
            cause = err.cause
            raise HTTPException(409, getattr(cause, "message", None) or str(cause)) from err
        except RPCError as err:
            raise HTTPException(409, f"the pipeline cannot take this now: {err.message}") from err

    # ------------------------------------------------------------------ merchants

    def check_submitter(who: Actor, merchant_id: str) -> None:
        if who.role == "merchant" and who.user != merchant_id:
            raise HTTPException(403, "a merchant submits ideas under their own merchant_id")

    async def intake(idea: IdeaInput, reference_mesh_path: str | None = None) -> JSONResponse:
        """Store the idea once and start its pipeline: 201 when new, 200 for a repeat."""
        trend, created = create_or_get_trend(db(), idea, reference_mesh_path=reference_mesh_path)
        assert trend.id is not None
        await start_pipeline(
            await temporal(), trend.id, idea, config or PipelineConfig(), task_queue
        )
        body = IdeaCreated(
            id=trend.id, workflow_id=trend_workflow_id(trend.id), stage=trend.stage, created=created
        )
        return JSONResponse(body.model_dump(), status_code=201 if created else 200)

    @app.post("/ideas", response_model=IdeaCreated, status_code=201, tags=["merchant"])
    async def submit_idea(
        idea: IdeaInput, who: Annotated[Actor, Depends(require("merchant"))], request: Request
    ) -> Any:
        """Submit a viral product idea; the same merchant + text again returns the same idea."""
        check_submitter(who, idea.merchant_id)
        if idea.source != "merchant":
            raise HTTPException(
                422, "source: ideas posted here come from a merchant; feeds use /signals"
            )
        return await intake(idea)

    @app.post("/ideas/upload", response_model=IdeaCreated, status_code=201, tags=["merchant"])
    async def submit_idea_with_mesh(
        who: Annotated[Actor, Depends(require("merchant"))],
        text: Annotated[str, Form(min_length=1, max_length=2000)],
        merchant_id: Annotated[str | None, Form(max_length=128)] = None,
        target_size_mm: Annotated[float | None, Form(gt=0, le=2000)] = None,
        market: Annotated[str, Form(max_length=64)] = "global",
        target_price: Annotated[float | None, Form(ge=0, le=1_000_000)] = None,
        expected_volume: Annotated[int, Form(gt=0, le=100_000_000)] = 20_000,
        due_in_days: Annotated[int, Form(ge=1, le=365)] = 21,
        mesh: Annotated[UploadFile | None, File(description="Reference mesh")] = None,
    ) -> Any:
        """The same idea as `POST /ideas`, as a form, with an optional reference mesh (STL/OBJ/PLY/3MF/GLB)."""
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
            )
        except ValueError as err:
            raise HTTPException(422, str(err)) from err
        mesh_path = None
        if mesh is not None and mesh.filename:
            folder, limit = upload_limit()
            mesh_path = await store_reference_mesh(mesh, folder, limit)
        return await intake(idea, mesh_path)

    @app.get("/ideas", tags=["merchant"])
    def list_ideas(
        who: Annotated[Actor, Depends(idea_reader)],
        merchant_id: str | None = None,
        stage: str | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
        before_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    ) -> list[dict[str, Any]]:
        """Ideas, newest first, optionally for one merchant or one stage (a merchant: their own).
        Pages: pass the last id of a page as `before_id` to get the next one."""
        if who.role == "merchant":
            if merchant_id not in (None, who.user):
                raise HTTPException(403, "a merchant lists only their own ideas")
            merchant_id = who.user
        with Session(db()) as s:
            q = select(Trend)
            if merchant_id:
                q = q.where(Trend.merchant_id == merchant_id)
            if stage:
                q = q.where(Trend.stage == stage)
            if before_id is not None:
                q = q.where(col(Trend.id) < before_id)
            rows = s.exec(q.order_by(col(Trend.id).desc()).limit(limit)).all()
            return [r.model_dump(exclude={"dedup_key"}) for r in rows]

    @app.get("/ideas/{trend_id}", tags=["merchant"])
    async def get_idea(
        trend_id: int,
        who: Annotated[Actor, Depends(idea_reader)],
        live: Annotated[bool, Query(description="ask the workflow too (up to 3 s)")] = True,
    ) -> dict[str, Any]:
        """An idea with its milestones, notifications, run and the workflow's live status."""
        with Session(db()) as s:
            trend = trend_or_404(s, trend_id, who)
            milestones = s.exec(
                select(Milestone).where(Milestone.trend_id == trend_id).order_by(col(Milestone.at))
            ).all()
            notes = s.exec(select(Notification).where(Notification.trend_id == trend_id)).all()
            run = s.exec(select(ProductionRun).where(ProductionRun.trend_id == trend_id)).first()
            body = trend.model_dump(exclude={"dedup_key"})
            body["milestones"] = [
                {"name": m.name, "at": as_utc(m.at), "detail": m.detail} for m in milestones
            ]
            body["notifications"] = [n.model_dump() for n in notes]
            body["run"] = run.model_dump() if run else None
        body["live"] = await live_status(trend_id) if live else None
        return body

    async def live_status(trend_id: int) -> dict[str, Any] | None:
        try:
            handle = (await temporal()).get_workflow_handle(trend_workflow_id(trend_id))
            st = await asyncio.wait_for(
                handle.query("status", result_type=PipelineStatus), timeout=3
            )
            return st.model_dump(mode="json")
        except (RPCError, TimeoutError, HTTPException, Exception):  # noqa: BLE001
            return None  # the projection in the database still answers

    @app.get("/ideas/{trend_id}/variants", tags=["merchant"])
    def list_variants(
        trend_id: int, who: Annotated[Actor, Depends(idea_reader)]
    ) -> list[dict[str, Any]]:
        """The ranked design variants (best first) with cost, size and preview links."""
        with Session(db()) as s:
            trend_or_404(s, trend_id, who)
            rows = s.exec(
                select(DesignVariant)
                .where(DesignVariant.trend_id == trend_id)
                .order_by(col(DesignVariant.rank))
            ).all()
            return [
                {
                    **r.model_dump(exclude={"mesh_path", "preview_path"}),
                    "preview_url": f"/ideas/{trend_id}/variants/{r.id}/preview.png",
                    "mesh_url": f"/ideas/{trend_id}/variants/{r.id}/mesh.stl",
                    "model_url": f"/ideas/{trend_id}/variants/{r.id}/model.glb",
                }
                for r in rows
            ]

    @app.get("/ideas/{trend_id}/variants/{variant_id}/{asset}", tags=["merchant"])
    def variant_asset(
        trend_id: int, variant_id: int, asset: str, who: Annotated[Actor, Depends(idea_reader)]
    ) -> FileResponse:
        """A variant's preview.png, mesh.stl or model.glb (3D viewer, written next to the STL)."""
        with Session(db()) as s:
            trend_or_404(s, trend_id, who)
            v = s.get(DesignVariant, variant_id)
            if v is None or v.trend_id != trend_id:
                raise HTTPException(404, f"idea {trend_id} has no variant {variant_id}")
        glb = str(Path(v.mesh_path).with_suffix(".glb")) if v.mesh_path else None
        paths = {"preview.png": v.preview_path, "mesh.stl": v.mesh_path, "model.glb": glb}
        if asset not in paths or not paths[asset]:
            raise HTTPException(404, f"no asset '{asset}': try preview.png, mesh.stl or model.glb")
        return _file(paths[asset])

    @app.post("/ideas/{trend_id}/selection", tags=["merchant"])
    async def select_variant(
        trend_id: int,
        body: SelectionBody,
        who: Annotated[Actor, Depends(require("merchant"))],
    ) -> dict[str, Any]:
        """Pick a variant; refused (409) when the idea is not waiting for one or the id is foreign."""
        with Session(db()) as s:
            trend = trend_or_404(s, trend_id, who, "pick a variant")
        chosen = await update(
            trend_workflow_id(trend_id),
            "select_variant",
            SelectVariant(variant_id=body.variant_id, merchant_id=trend.merchant_id),
        )
        return {"selected": chosen}

    @app.post("/ideas/{trend_id}/cancel", status_code=202, tags=["merchant"])
    async def cancel(trend_id: int, who: Annotated[Actor, Depends(require("merchant"))]) -> dict:
        """Cancel an idea; its supplier reservations are released by compensation."""
        with Session(db()) as s:
            trend_or_404(s, trend_id, who, "cancel it")
        try:
            await (await temporal()).get_workflow_handle(trend_workflow_id(trend_id)).cancel()
        except RPCError as err:
            raise HTTPException(409, f"the pipeline cannot be cancelled: {err.message}") from err
        return {"id": trend_id, "cancelling": True}

    @app.get("/ideas/{trend_id}/prototype", tags=["merchant"])
    def prototype(trend_id: int, who: Annotated[Actor, Depends(idea_reader)]) -> dict[str, Any]:
        """Print estimates, findings and download links of the idea's prototype."""
        with Session(db()) as s:
            trend_or_404(s, trend_id, who)
            p = s.exec(select(Prototype).where(Prototype.trend_id == trend_id)).first()
            if p is None:
                raise HTTPException(404, f"idea {trend_id} has no prototype yet")
            body = p.model_dump(exclude={"stl_path", "threemf_path", "gcode_path"})
        body["downloads"] = {
            kind: f"/ideas/{trend_id}/prototype/{kind}"
            for kind, path in (
                ("stl", p.stl_path),
                ("3mf", p.threemf_path),
                ("gcode", p.gcode_path),
            )
            if path
        }
        return body

    @app.get("/ideas/{trend_id}/prototype/{kind}", tags=["merchant"])
    def prototype_file(
        trend_id: int, kind: str, who: Annotated[Actor, Depends(idea_reader)]
    ) -> FileResponse:
        """The prototype's stl, 3mf or gcode file."""
        with Session(db()) as s:
            trend_or_404(s, trend_id, who)
            p = s.exec(select(Prototype).where(Prototype.trend_id == trend_id)).first()
        paths = {"stl": p.stl_path, "3mf": p.threemf_path, "gcode": p.gcode_path} if p else {}
        if not paths.get(kind):
            raise HTTPException(404, f"no {kind} file for idea {trend_id}")
        return _file(paths[kind])

    @app.get("/ideas/{trend_id}/sourcing", tags=["planner"])
    def sourcing(
        trend_id: int, who: Annotated[Actor, Depends(idea_reader)]
    ) -> list[dict[str, Any]]:
        """The idea's supplier reservations (held or released)."""
        with Session(db()) as s:
            trend_or_404(s, trend_id, who)
            rows = s.exec(
                select(SupplierReservation).where(SupplierReservation.trend_id == trend_id)
            ).all()
            return [r.model_dump() for r in rows]

    # ------------------------------------------------------------------ planners

    @app.get("/plans", tags=["planner"])
    def list_plans(
        who: Annotated[Actor, Depends(plan_reader)],
        status_: Annotated[str | None, Query(alias="status")] = None,
        trend_id: int | None = None,
    ) -> list[dict[str, Any]]:
        """Plans; `status=pending` is the review queue (escalated plans and proposed replans too)."""
        with Session(db()) as s:
            q = select(ProductionPlan)
            if who.role == "merchant":
                mine = select(Trend.id).where(Trend.merchant_id == who.user)
                q = q.where(col(ProductionPlan.trend_id).in_(mine))
            if status_ == "pending":
                q = q.where(col(ProductionPlan.status).in_(["pending", "escalated", "proposed"]))
            elif status_:
                q = q.where(ProductionPlan.status == status_)
            if trend_id is not None:
                q = q.where(ProductionPlan.trend_id == trend_id)
            rows = s.exec(q.order_by(col(ProductionPlan.id))).all()
            return [r.model_dump(exclude={"daily"}) for r in rows]

    def readable_plan(plan_id: int, who: Actor) -> ProductionPlan:
        """The plan, 404 when missing, 403 when a merchant asks for another merchant's."""
        with Session(db()) as s:
            plan = s.get(ProductionPlan, plan_id)
            if plan is None:
                raise HTTPException(404, f"plan {plan_id} does not exist")
            if who.role == "merchant":
                trend_or_404(s, plan.trend_id, who, "see its plans")
            return plan

    @app.get("/plans/{plan_id}", tags=["planner"])
    def get_plan(plan_id: int, who: Annotated[Actor, Depends(plan_reader)]) -> dict[str, Any]:
        """One plan with its line-by-line daily quantities."""
        return readable_plan(plan_id, who).model_dump()

    def csv_download(plan_id: int, who: Actor, kind: str) -> Response:
        """A plan's daily or lots CSV as an attachment named after the plan and revision."""
        plan = readable_plan(plan_id, who)
        text = daily_csv(plan) if kind == "daily" else lots_csv(plan)
        name = f"plan-{plan_id}-rev{plan.revision}-{kind}.csv"
        return Response(
            text,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @app.get("/plans/{plan_id}/daily.csv", tags=["planner"], response_class=Response)
    def get_plan_daily_csv(plan_id: int, who: Annotated[Actor, Depends(plan_reader)]) -> Response:
        """Units the finishing lines ship per factory day, as CSV (the plan's `daily`)."""
        return csv_download(plan_id, who, "daily")

    @app.get("/plans/{plan_id}/lots.csv", tags=["planner"], response_class=Response)
    def get_plan_lots_csv(plan_id: int, who: Annotated[Actor, Depends(plan_reader)]) -> Response:
        """Every lot per line and stage with start and end (factory days), as CSV."""
        return csv_download(plan_id, who, "lots")

    @app.post("/plans/{plan_id}/review", tags=["planner"])
    async def review(
        plan_id: int, body: ReviewBody, who: Annotated[Actor, Depends(require("planner"))]
    ) -> dict[str, Any]:
        """Approve or reject (with a reason, optionally constraints for a replan) a plan."""
        plan = readable_plan(plan_id, who)
        if not body.approve and not body.reason.strip():
            raise HTTPException(422, "a rejection needs a reason")
        # a replan proposed during production is decided by the run, the first plans by the pipeline
        target, name = (
            (run_workflow_id(plan.trend_id), "review_replan")
            if plan.status == "proposed"
            else (plan.workflow_id, "review_plan")
        )
        outcome = await update(
            target,
            name,
            PlanReview(
                plan_id=plan_id,
                approve=body.approve,
                reason=body.reason,
                reviewer=who.user,
                role="planner",
                constraints=body.constraints,
            ),
        )
        return {"plan_id": plan_id, "decision": outcome}

    # ------------------------------------------------------------------ factories

    @app.get("/runs/{run_id}", tags=["factory"])
    def get_run(run_id: int, who: Annotated[Actor, Depends(plan_reader)]) -> dict[str, Any]:
        """A production run with its shipments."""
        with Session(db()) as s:
            run = s.get(ProductionRun, run_id)
            if run is None:
                raise HTTPException(404, f"production run {run_id} does not exist")
            if who.role == "merchant":
                trend_or_404(s, run.trend_id, who, "see its production run")
            ships = s.exec(select(Shipment).where(Shipment.trend_id == run.trend_id)).all()
            return {**run.model_dump(), "shipments": [x.model_dump() for x in ships]}

    async def signal_run(run_id: int, lines: set[str], name: str, payload: Any) -> None:
        """Send `payload` to a running run's workflow once every line is in one of its plans."""
        with Session(db()) as s:
            run = s.get(ProductionRun, run_id)
            if run is None:
                raise HTTPException(404, f"production run {run_id} does not exist")
            plan = s.get(ProductionPlan, run.plan_id)
            known = {ln["line_id"] for ln in plan.lines} if plan else set()
            for p in s.exec(select(ProductionPlan).where(ProductionPlan.trend_id == run.trend_id)):
                known |= {ln["line_id"] for ln in p.lines}
        if run.status != "running":
            raise HTTPException(409, f"production run {run_id} is {run.status}")
        unknown = sorted(lines - known)
        if unknown:
            names = ", ".join(f"'{x}'" for x in unknown)
            raise HTTPException(422, f"line {names} is not in this run's plan")
        handle = (await temporal()).get_workflow_handle(run_workflow_id(run.trend_id))
        try:
            await handle.signal(name, payload)
        except RPCError as err:
            raise HTTPException(409, f"the run does not take progress now: {err.message}") from err

    @app.post("/runs/{run_id}/progress", status_code=202, tags=["factory"])
    async def progress(
        run_id: int,
        report: ProgressReport,
        who: Annotated[Actor, Depends(require("planner", "machine"))],
    ) -> dict[str, Any]:
        """A line's finished units for one factory day (repeats of the same line/day count once)."""
        await signal_run(run_id, {report.line_id}, "report_progress", report)
        return {"run_id": run_id, "accepted": report.model_dump()}

    @app.post("/runs/{run_id}/progress/batch", status_code=202, tags=["factory"])
    async def progress_batch(
        run_id: int,
        batch: ProgressReports,
        who: Annotated[Actor, Depends(require("planner", "machine"))],
    ) -> dict[str, Any]:
        """Several lines' reports at once, e.g. a shift's worth from the MES (1 to 500); the run
        records them together. Any unknown line refuses the whole batch."""
        await signal_run(run_id, {r.line_id for r in batch.reports}, "report_shift", batch)
        return {"run_id": run_id, "accepted": len(batch.reports)}

    # ------------------------------------------------------------------ trend signals

    @app.post("/signals", tags=["signals"])
    async def signal(
        body: SignalBody, who: Annotated[Actor, Depends(require("machine"))]
    ) -> dict[str, Any]:
        """A phrase with engagement over time; starts a pipeline when its virality crosses the threshold."""
        fields = {
            "merchant_id": body.merchant_id,
            "source": "signal",
            "target_size_mm": body.target_size_mm,
            "expected_volume": body.expected_volume,
        }
        try:
            taken = await run_in_threadpool(
                take_signal, db(), body.phrase, body.observations, virality_threshold, fields
            )
        except BadSignal as err:
            raise HTTPException(422, str(err)) from err
        verdict = taken.verdict
        out: dict[str, Any] = {
            "phrase": taken.phrase,
            "score": round(verdict.score, 4),
            "viral": verdict.viral,
        }
        if verdict.duplicate:
            out["duplicate"] = True
        if taken.idea is not None and taken.trend_id is not None:
            await start_pipeline(
                await temporal(), taken.trend_id, taken.idea, config or PipelineConfig(), task_queue
            )
            out["idea_id"] = taken.trend_id
        return out

    # ------------------------------------------------------------------ dashboards

    @app.get("/leadtimes", response_model=LeadTimes, tags=["dashboard"])
    def leadtimes(who: Annotated[Actor, Depends(actor)]) -> LeadTimes:
        """Trend-to-shipment lead time per idea and per stage (p50/p90), and the bottleneck stage."""
        return cached_leadtimes(db())

    @app.get("/healthz", tags=["dashboard"])
    def healthz() -> dict[str, str]:
        with Session(db()) as s:
            s.exec(select(1)).one()
        return {"status": "ok"}

    install_pages(app, db, actor, temporal_ui_url, max_upload_bytes or 50_000_000)
    install_problem_answers(app)
    return app


def _auth_config(db: Any, secret: str | None, ttl_minutes: int | None) -> AuthConfig:
    """The JWT secret and lifetime: given, else from the settings (a generated secret on disk)."""
    from trendforge.settings import get_settings

    settings = get_settings()
    if secret is None:
        secret = settings.resolved_jwt_secret()
    ttl = ttl_minutes or settings.token_ttl_minutes
    throttle = LoginThrottle(settings.login_max_failures, settings.login_window_s)
    return AuthConfig(db, secret, ttl, settings.cookie_secure, throttle)


__all__ = ["ROLES", "Actor", "actor", "create_app", "optional_actor", "require"]


def _file(path: str) -> FileResponse:
    p = Path(path)
    if not p.is_file():
        raise HTTPException(404, "the file is gone from the data folder")
    return FileResponse(p, filename=p.name)

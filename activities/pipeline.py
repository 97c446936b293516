"""Thin Temporal activities: load input, call an engine, persist idempotently, heartbeat.

Every write is keyed by workflow id + stage (unique constraints in models.tables), so a retried
activity finds what its earlier attempt wrote instead of writing it twice.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from datetime import timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from models.contracts import (
    DesignRequest,
    DesignResult,
    Finding,
    LineDay,
    LinePlan,
    MilestoneRecord,
    NotificationRecord,
    PlanRequest,
    PlanResult,
    PlanReviewRecord,
    ProgressBatch,
    ProgressRecord,
    PrototypeRequest,
    PrototypeResult,
    ReleaseRequest,
    RunRecord,
    SelectionRecord,
    ShipmentRecord,
    SourcingRequest,
    SourcingResult,
    StageUpdate,
    VariantSummary,
)
from models.db import as_utc, session_scope
from models.names import DOMAIN_ERRORS, Act
from models.tables import (
    DesignVariant,
    Milestone,
    Notification,
    PreferenceModel,
    ProductionPlan,
    ProductionRun,
    ProgressEvent,
    Prototype,
    Shipment,
    Trend,
    utcnow,
)

T = TypeVar("T")


def domain_errors(fn: Callable[..., T]) -> Callable[..., T]:
    """Turn an engine's typed domain error into a non-retryable failure carrying its reason."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, **kwargs)
        except ValueError as err:
            name = type(err).__name__
            if name not in DOMAIN_ERRORS:
                raise
            raise ApplicationError(str(err), type=name, non_retryable=True) from err

    return wrapper


def insert_once(engine: Engine, row: Any) -> bool:
    """Insert `row` unless its unique key exists already; True when this call inserted it."""
    with Session(engine) as session:
        session.add(row)
        try:
            session.commit()
            return True
        except IntegrityError:
            session.rollback()
            return False


class PipelineActivities:
    """The per-stage activities; holds the database engine and the files folder."""

    def __init__(self, engine: Engine, files_dir: Path, road: Any = None) -> None:
        self.engine = engine
        self.files_dir = Path(files_dir)
        self.road = road  # engines.sourcing.RoadGraph from an OSM extract, or None (straight line)

    def all(self) -> list[Callable[..., Any]]:
        """Activities for the light queue (bookkeeping, sourcing)."""
        return [
            self.record_stage,
            self.record_milestone,
            self.notify,
            self.record_selection,
            self.match_suppliers,
            self.release_reservations,
            self.record_plan_review,
            self.record_run,
            self.record_progress,
            self.record_progress_batch,
            self.record_shipment,
            self.plan_production,
        ]

    def cpu(self) -> list[Callable[..., Any]]:
        """Activities for the CPU queue (meshes, slicing, scheduling)."""
        return [self.design_variants, self.prepare_prototype, self.plan_production]

    def trend_dir(self, trend_id: int, *parts: str) -> Path:
        path = self.files_dir.joinpath(f"trend-{trend_id}", *parts)
        path.mkdir(parents=True, exist_ok=True)
        return path

    # ------------------------------------------------------------------ bookkeeping

    @activity.defn(name=Act.record_stage)
    def record_stage(self, update: StageUpdate) -> None:
        with session_scope(self.engine) as s:
            trend = s.get(Trend, update.trend_id)
            if trend is None:
                raise ApplicationError(f"idea {update.trend_id} does not exist", non_retryable=True)
            trend.stage = update.stage.value
            trend.detail = update.detail[:2000]
            trend.updated_at = utcnow()
            s.add(trend)

    @activity.defn(name=Act.record_milestone)
    def record_milestone(self, m: MilestoneRecord) -> None:
        insert_once(
            self.engine,
            Milestone(trend_id=m.trend_id, name=m.name.value, at=m.at, detail=m.detail[:500]),
        )

    @activity.defn(name=Act.notify)
    def notify(self, n: NotificationRecord) -> None:
        with session_scope(self.engine) as s:
            seen = s.exec(
                select(Notification).where(
                    Notification.trend_id == n.trend_id,
                    Notification.kind == n.kind,
                    Notification.message == n.message[:1000],
                )
            ).first()
            if seen is None:
                s.add(
                    Notification(
                        trend_id=n.trend_id, kind=n.kind, message=n.message[:1000], at=n.at
                    )
                )
        activity.logger.info("idea %s %s: %s", n.trend_id, n.kind, n.message)

    @activity.defn(name=Act.record_selection)
    def record_selection(self, sel: SelectionRecord) -> None:
        with session_scope(self.engine) as s:
            for v in s.exec(select(DesignVariant).where(DesignVariant.trend_id == sel.trend_id)):
                v.selected = v.id == sel.variant_id
                s.add(v)
            trend = s.get(Trend, sel.trend_id)
            if trend is not None:
                trend.selected_variant_id = sel.variant_id
                s.add(trend)
        if not sel.auto:  # an automatic pick says nothing about what merchants like
            _learn_from_pick(self.engine, sel.trend_id, sel.variant_id)

    # ------------------------------------------------------------------ design

    @activity.defn(name=Act.design_variants)
    @domain_errors
    def design_variants(self, req: DesignRequest) -> DesignResult:
        from engines.design import generate_variants, intent_for, write_variant_assets

        with Session(self.engine) as s:
            rows = s.exec(
                select(DesignVariant)
                .where(DesignVariant.trend_id == req.trend_id)
                .order_by(DesignVariant.rank)  # type: ignore[arg-type]
            ).all()
        if len(rows) == req.count:
            return DesignResult(family=rows[0].family, variants=[_variant_summary(r) for r in rows])
        activity.heartbeat("reading the idea")
        reference = self._reference_shape(req.trend_id)
        family = intent_for(req.text, reference).family
        preference, catalogue = _design_memory(self.engine, family, req)
        family, variants = generate_variants(
            req.text,
            count=req.count,
            seed=req.seed,
            target_size_mm=req.target_size_mm,
            target_price=req.target_price,
            preference=preference,
            catalogue=catalogue,
            reference=reference,
        )
        out = self.trend_dir(req.trend_id, "variants")
        new_rows = []
        for v in variants:
            activity.heartbeat(f"variant {v.rank}/{len(variants)}")
            mesh_path, preview_path = write_variant_assets(v, out, f"v{v.rank:03d}")
            new_rows.append(
                DesignVariant(
                    trend_id=req.trend_id,
                    rank=v.rank,
                    family=v.family,
                    name=v.name,
                    description=v.description,
                    params={k: float(x) for k, x in v.params.items()},
                    score=float(v.score),
                    unit_cost_usd=float(v.unit_cost_usd),
                    volume_cm3=float(v.volume_cm3),
                    dims_mm=[float(d) for d in v.dims_mm],
                    processes=list(v.processes),
                    printable=bool(v.printable),
                    mesh_path=str(mesh_path),
                    preview_path=str(preview_path),
                )
            )
        with session_scope(self.engine) as s:
            for old in s.exec(select(DesignVariant).where(DesignVariant.trend_id == req.trend_id)):
                s.delete(old)  # a partial write from a crashed attempt
            s.flush()
            s.add_all(new_rows)
        return DesignResult(family=family, variants=[_variant_summary(r) for r in new_rows])

    def _reference_shape(self, trend_id: int) -> Any:
        """The trend's reference mesh, loaded safely (DesignError if unusable), or None."""
        from engines.design import load_reference

        with Session(self.engine) as s:
            trend = s.get(Trend, trend_id)
        if trend is None or not trend.reference_mesh_path:
            return None
        path = Path(trend.reference_mesh_path)  # relative paths live under the files folder
        return load_reference(path if path.is_absolute() else self.files_dir / path)

    # ------------------------------------------------------------------ prototype

    @activity.defn(name=Act.prepare_prototype)
    @domain_errors
    def prepare_prototype(self, req: PrototypeRequest) -> PrototypeResult:
        from engines.printprep import prepare

        with Session(self.engine) as s:
            row = s.exec(select(Prototype).where(Prototype.workflow_id == req.workflow_id)).first()
        if row is None:
            # mesh work runs in a separate process (CPU-bound, GIL-free); this thread heartbeats
            job = mesh_pool().submit(
                prepare,
                req.mesh_path,
                self.trend_dir(req.trend_id, "prototype"),
                target_size_mm=req.target_size_mm,
                printer=req.printer,
                material=req.material,
                layer_height_mm=req.layer_height_mm,
                infill_fraction=req.infill_fraction,
                stem=f"trend-{req.trend_id}-v{req.variant_id}",
                units="mm",  # our own variants are in millimetres, however small
                use_slicer=req.use_slicer,
            )
            report = _await_with_heartbeats(job, "preparing prototype")
            insert_once(
                self.engine,
                Prototype(
                    workflow_id=req.workflow_id,
                    trend_id=req.trend_id,
                    variant_id=req.variant_id,
                    print_time_s=report.print_time_s,
                    filament_g=report.filament_g,
                    filament_m=report.filament_m,
                    layer_count=report.layer_count,
                    volume_cm3=report.volume_cm3,
                    dims_mm=list(report.dims_mm),
                    findings=list(report.findings),
                    repaired=list(report.repaired),
                    support_area_mm2=report.support_area_mm2,
                    triangles=report.triangles,
                    stl_path=report.stl_path,
                    threemf_path=report.threemf_path,
                    gcode_path=report.gcode_path,
                    slicer_print_time_s=report.slicer_print_time_s,
                ),
            )
            with Session(self.engine) as s:
                row = s.exec(
                    select(Prototype).where(Prototype.workflow_id == req.workflow_id)
                ).one()
        return _prototype_result(row)

    # ------------------------------------------------------------------ sourcing (see activities.sourcing)

    @activity.defn(name=Act.match_suppliers)
    @domain_errors
    def match_suppliers(self, req: SourcingRequest) -> SourcingResult:
        from activities.sourcing import match_and_reserve

        return match_and_reserve(self.engine, req, self.road)

    @activity.defn(name=Act.release_reservations)
    def release_reservations(self, req: ReleaseRequest) -> int:
        from activities.sourcing import release

        return release(self.engine, req.workflow_id, req.reason)

    # ------------------------------------------------------------------ planning

    @activity.defn(name=Act.plan_production)
    @domain_errors
    def plan_production(self, req: PlanRequest) -> PlanResult:
        from engines.scheduling import (
            lines_from_assignments,
            pick_bottleneck,
            plan_order,
            routing_of,
        )

        with Session(self.engine) as s:
            row = s.exec(
                select(ProductionPlan).where(
                    ProductionPlan.workflow_id == req.workflow_id,
                    ProductionPlan.revision == req.revision,
                )
            ).first()
        if row is None:
            reserved = [a.model_dump() for a in req.sourcing.assignments]
            # own factory lines reinforce the scarcest reserved process, which the plan schedules
            bottleneck = pick_bottleneck(lines_from_assignments(reserved, own_lines=0))
            lines = lines_from_assignments(reserved, own_process=bottleneck)
            remaining_days = max(req.due_in_days - req.start_day, 1)
            # every stage of the routing on its lines: CP-SAT warm-started from the greedy plan;
            # CP-SAT releases the GIL, so this thread heartbeats while a helper thread solves
            solve = functools.partial(
                plan_order,
                req.quantity,
                lines,
                remaining_days,
                routing=routing_of(lines),
                family=req.family,
                exclude_lines=list(req.constraints.exclude_lines),
                max_overtime_hours_per_day=req.constraints.max_overtime_hours_per_day,
                max_lines=req.constraints.max_lines,
                produced_so_far=req.produced_so_far,
                time_limit_s=req.time_limit_s,
                workers=2,
            )
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cpsat") as pool:
                schedule = _await_with_heartbeats(pool.submit(solve), "scheduling")
            offset = req.start_day
            start = req.start_date or utcnow()
            completion_day = schedule.completion_day + offset
            plan = ProductionPlan(
                workflow_id=req.workflow_id,
                trend_id=req.trend_id,
                revision=req.revision,
                status=req.status,
                quantity=req.quantity,
                due_day=schedule.due_day + offset,
                completion_day=completion_day,
                on_time=schedule.on_time,
                eta=start + timedelta(days=schedule.completion_day + 1),
                lines=[
                    {**ln, "start_day": ln["start_day"] + offset, "end_day": ln["end_day"] + offset}
                    for ln in schedule.lines
                ],
                daily=[
                    {"line_id": line_id, "day": day + offset, "units": units}
                    for line_id, day, units in schedule.daily
                ],
                notes=list(schedule.notes),
                constraints=req.constraints.model_dump(),
                gantt=schedule.stored_gantt(offset),
                solver_status=schedule.solver_status,
                lower_bound=schedule.lower_bound,
                gap=schedule.gap,
            )
            insert_once(self.engine, plan)
            with Session(self.engine) as s:
                row = s.exec(
                    select(ProductionPlan).where(
                        ProductionPlan.workflow_id == req.workflow_id,
                        ProductionPlan.revision == req.revision,
                    )
                ).one()
        return plan_result(row)

    @activity.defn(name=Act.record_plan_review)
    def record_plan_review(self, r: PlanReviewRecord) -> None:
        with session_scope(self.engine) as s:
            plan = s.get(ProductionPlan, r.plan_id)
            if plan is None:
                raise ApplicationError(f"plan {r.plan_id} does not exist", non_retryable=True)
            if r.status == "approved":  # an approved replan replaces the plan the lines follow
                for old in s.exec(
                    select(ProductionPlan).where(
                        ProductionPlan.workflow_id == plan.workflow_id,
                        ProductionPlan.status == "approved",
                        ProductionPlan.id != plan.id,
                    )
                ):
                    old.status = "superseded"
                    s.add(old)
            plan.status = r.status
            plan.reviewer = r.reviewer
            plan.review_reason = r.reason[:2000]
            plan.reviewed_at = r.at
            s.add(plan)

    # ------------------------------------------------------------------ production

    @activity.defn(name=Act.record_run)
    def record_run(self, r: RunRecord) -> None:
        with session_scope(self.engine) as s:
            run = s.exec(
                select(ProductionRun).where(ProductionRun.workflow_id == r.workflow_id)
            ).first()
            if run is None:
                run = ProductionRun(
                    workflow_id=r.workflow_id,
                    trend_id=r.trend_id,
                    plan_id=r.plan_id,
                    quantity=r.quantity,
                    started_at=r.at,
                )
            run.status = r.status
            run.produced = max(run.produced, r.produced)
            run.shipped = max(run.shipped, r.shipped)
            if r.status != "running":
                run.finished_at = r.at
            s.add(run)

    @activity.defn(name=Act.record_progress)
    def record_progress(self, p: ProgressRecord) -> int:
        return self._record_progress([p])

    @activity.defn(name=Act.record_progress_batch)
    def record_progress_batch(self, batch: ProgressBatch) -> int:
        """Several reports of one run in one transaction (a retry inserts none twice)."""
        return self._record_progress(batch.records)

    def _record_progress(self, records: list[ProgressRecord]) -> int:
        """Insert the reports not yet stored and set the run's produced count; returns it."""
        last = records[-1]

        def event(p: ProgressRecord) -> ProgressEvent:
            r = p.report
            return ProgressEvent(
                trend_id=p.trend_id, line_id=r.line_id, day=r.day, units=r.units,
                scrap=r.scrap, at=p.at,
            )  # fmt: skip

        with Session(self.engine) as s:
            stored = set(
                s.exec(
                    select(ProgressEvent.line_id, ProgressEvent.day).where(
                        ProgressEvent.trend_id == last.trend_id
                    )
                ).all()
            )
            s.add_all([event(p) for p in records if (p.report.line_id, p.report.day) not in stored])
            try:
                s.commit()
            except IntegrityError:  # an attempt of this activity running beside us: row by row
                s.rollback()
                for p in records:
                    insert_once(self.engine, event(p))
        with session_scope(self.engine) as s:
            # the run says how many finished units it counts (upstream lines' work is not yet
            # product); histories from before it said so count every report
            produced = last.produced_so_far
            if produced is None:
                produced = s.exec(
                    select(func.coalesce(func.sum(ProgressEvent.units), 0)).where(
                        ProgressEvent.trend_id == last.trend_id
                    )
                ).one()
            run = s.exec(
                select(ProductionRun).where(ProductionRun.workflow_id == last.workflow_id)
            ).first()
            if run is not None:
                run.produced = int(produced)
                s.add(run)
        return int(produced)

    @activity.defn(name=Act.record_shipment)
    def record_shipment(self, sh: ShipmentRecord) -> None:
        insert_once(
            self.engine,
            Shipment(trend_id=sh.trend_id, sequence=sh.sequence, units=sh.units, at=sh.at),
        )
        with session_scope(self.engine) as s:
            shipped = s.exec(
                select(func.coalesce(func.sum(Shipment.units), 0)).where(
                    Shipment.trend_id == sh.trend_id
                )
            ).one()
            run = s.exec(
                select(ProductionRun).where(ProductionRun.workflow_id == sh.workflow_id)
            ).first()
            if run is not None:
                run.shipped = int(shipped)
                s.add(run)


# ---------------------------------------------------------------------- row → contract


_MESH_POOL: ProcessPoolExecutor | None = None
_MESH_POOL_LOCK = threading.Lock()


def mesh_pool() -> ProcessPoolExecutor:
    """The worker's process pool for mesh work (spawned once, two processes for two cores)."""
    global _MESH_POOL
    with _MESH_POOL_LOCK:
        if _MESH_POOL is None:
            _MESH_POOL = ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn"))
        return _MESH_POOL


def _await_with_heartbeats(job: Future[T], detail: str, every_s: float = 2.0) -> T:
    """The job's result, heartbeating while it runs (errors from the process re-raise here)."""
    while True:
        try:
            return job.result(timeout=every_s)
        except FuturesTimeout:
            _heartbeat(detail)


def _heartbeat(detail: str) -> None:
    """Heartbeat when running as an activity (the engines are also called directly)."""
    if activity.in_activity():
        activity.heartbeat(detail)


def _variant_summary(r: DesignVariant) -> VariantSummary:
    assert r.id is not None
    return VariantSummary(
        variant_id=r.id,
        rank=r.rank,
        family=r.family,
        name=r.name,
        description=r.description,
        params=dict(r.params),
        score=r.score,
        unit_cost_usd=r.unit_cost_usd,
        volume_cm3=r.volume_cm3,
        dims_mm=(r.dims_mm[0], r.dims_mm[1], r.dims_mm[2]),
        processes=list(r.processes),
        printable=r.printable,
        mesh_path=r.mesh_path,
        preview_path=r.preview_path,
    )


def _prototype_result(r: Prototype) -> PrototypeResult:
    assert r.id is not None
    return PrototypeResult(
        prototype_id=r.id,
        variant_id=r.variant_id,
        dims_mm=(r.dims_mm[0], r.dims_mm[1], r.dims_mm[2]),
        volume_cm3=r.volume_cm3,
        triangles=r.triangles,
        repaired=list(r.repaired),
        findings=[Finding(**f) for f in r.findings],
        orientation_support_area_mm2=r.support_area_mm2,
        layer_count=r.layer_count,
        print_time_s=r.print_time_s,
        filament_m=r.filament_m,
        filament_g=r.filament_g,
        stl_path=r.stl_path,
        threemf_path=r.threemf_path,
        gcode_path=r.gcode_path,
        slicer_print_time_s=r.slicer_print_time_s,
    )


def plan_result(r: ProductionPlan) -> PlanResult:
    assert r.id is not None
    return PlanResult(
        plan_id=r.id,
        revision=r.revision,
        quantity=r.quantity,
        lines=[LinePlan(**ln) for ln in r.lines],
        daily=[LineDay(**d) for d in r.daily],
        completion_day=r.completion_day,
        due_day=r.due_day,
        on_time=r.on_time,
        eta=as_utc(r.eta),
        notes=list(r.notes),
        solver_status=r.solver_status,
        gap=r.gap,
    )


# ---------------------------------------------------------------------- design memory

CATALOGUE_SIZE = 72  # earlier variants of the family that new ones should differ from
APPLIED_KEEP = 2000  # idea ids remembered per preference row, so a retry never learns twice


def _design_memory(engine: Engine, family: str, req: DesignRequest) -> tuple[Any, list[str]]:
    """The family's learned preference (or None) and recent variant descriptions of other ideas."""
    from engines.design.preference import PreferenceModel as Learned

    with Session(engine) as s:
        row = s.exec(select(PreferenceModel).where(PreferenceModel.family == family)).first()
        catalogue = s.exec(
            select(DesignVariant.description)
            .where(DesignVariant.family == family, DesignVariant.trend_id != req.trend_id)
            .order_by(col(DesignVariant.id).desc())
            .limit(CATALOGUE_SIZE)
        ).all()
    learned = None if row is None else Learned(family, dict(row.weights), row.updates)
    return learned, list(catalogue)


def _learn_from_pick(engine: Engine, trend_id: int, variant_id: int) -> None:
    """Update the family's preference model with this pick, once per idea (optimistic lock)."""
    from engines.design.families import FAMILIES
    from engines.design.preference import PreferenceModel as Learned
    from engines.design.preference import learn

    with Session(engine) as s:
        rows = s.exec(
            select(DesignVariant)
            .where(DesignVariant.trend_id == trend_id)
            .order_by(col(DesignVariant.rank))
        ).all()
    chosen = next((i for i, r in enumerate(rows) if r.id == variant_id), None)
    if chosen is None or len(rows) < 2 or rows[0].family not in FAMILIES:
        return
    family = rows[0].family
    for _ in range(10):
        with Session(engine) as s:
            row = s.exec(select(PreferenceModel).where(PreferenceModel.family == family)).first()
            if row is not None and trend_id in row.applied_trends:
                return
            start = None if row is None else Learned(family, dict(row.weights), row.updates)
            new = learn(
                start, family, [r.params for r in rows], [r.unit_cost_usd for r in rows], chosen
            )
            applied = [*(row.applied_trends if row else []), trend_id][-APPLIED_KEEP:]
            if _store_preference(s, family, row, new, applied):
                return
    raise ApplicationError(f"the {family} preference model stayed busy; retrying")


def _store_preference(
    s: Session, family: str, row: PreferenceModel | None, new: Any, applied: list[int]
) -> bool:
    """Write the new weights unless another pick wrote first; True when this write won."""
    if row is None:
        s.add(
            PreferenceModel(
                family=family, weights=new.weights, updates=new.updates, applied_trends=applied
            )
        )
        try:
            s.commit()
            return True
        except IntegrityError:
            s.rollback()
            return False
    done = s.execute(
        update(PreferenceModel)
        .where(col(PreferenceModel.id) == row.id, col(PreferenceModel.updates) == row.updates)
        .values(
            weights=new.weights, updates=new.updates, applied_trends=applied, updated_at=utcnow()
        )
    )
    s.commit()
    return bool(done.rowcount == 1)

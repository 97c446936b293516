"""TrendToProduction: one durable workflow from a viral idea to a shipped production run."""

from __future__ import annotations

import asyncio
import math
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    ChildWorkflowError,
    is_cancelled_exception,
)

with workflow.unsafe.imports_passed_through():
    from models.contracts import (
        DesignRequest,
        DesignResult,
        MilestoneName,
        MilestoneRecord,
        NotificationRecord,
        PipelineResult,
        PipelineStatus,
        PlanConstraints,
        PlanRequest,
        PlanResult,
        PlanReview,
        ProductionRunInput,
        ProductionRunResult,
        PrototypeRequest,
        PrototypeResult,
        ReleaseRequest,
        SelectionRecord,
        SelectVariant,
        SourcingRequest,
        SourcingResult,
        Stage,
        StageUpdate,
        TrendWorkflowInput,
        VariantSummary,
    )
    from models.names import (
        MERCHANT_ID,
        TREND_STAGE,
        Act,
        prototype_workflow_id,
        run_workflow_id,
    )
    from workflows.common import LIGHT, check_reviewer, heavy, record_review
    from workflows.production_run import ProductionRun
    from workflows.prototype_preparation import PrototypePreparation


def _reason(err: BaseException) -> str:
    """The innermost human-readable message of an activity/child failure."""
    while isinstance(err, ActivityError | ChildWorkflowError) and err.cause is not None:
        err = err.cause
    return getattr(err, "message", None) or str(err)


@workflow.defn(name="TrendToProduction")
class TrendToProduction:
    """design → (merchant picks) → prototype → sourcing → plan → (planner approves) → production → shipment."""

    def __init__(self) -> None:
        self._inp: TrendWorkflowInput | None = None
        self._stage = Stage.received
        self._milestones: dict[str, datetime] = {}
        self._variants: list[VariantSummary] = []
        self._selection: SelectVariant | None = None
        self._plan: PlanResult | None = None
        self._review: PlanReview | None = None
        self._sourcing: SourcingResult | None = None
        self._escalated = False
        self._progress = ProductionRunResult(
            produced=0, shipped=0, shipments=0, replans=0, last_day=0
        )
        self._error: str | None = None

    # ------------------------------------------------------------------ queries, updates, signals

    @workflow.query
    def status(self) -> PipelineStatus:
        trend_id = self._inp.trend_id if self._inp else 0
        return PipelineStatus(
            trend_id=trend_id,
            stage=self._stage,
            milestones=dict(self._milestones),
            eta=self._plan.eta if self._plan else None,
            variant_count=len(self._variants),
            selected_variant_id=self._selection.variant_id if self._selection else None,
            plan_id=self._plan.plan_id if self._plan else None,
            plan_revision=self._plan.revision if self._plan else 0,
            produced=self._progress.produced,
            shipped=self._progress.shipped,
            escalated=self._escalated,
            last_error=self._error,
        )

    @workflow.update
    async def select_variant(self, selection: SelectVariant) -> VariantSummary:
        self._selection = selection
        return self._variant(selection.variant_id)

    @select_variant.validator
    def _check_selection(self, selection: SelectVariant) -> None:
        if self._stage != Stage.awaiting_selection:
            raise ValueError(f"this idea is '{self._stage}', not awaiting a variant selection")
        if not any(v.variant_id == selection.variant_id for v in self._variants):
            raise ValueError(f"variant {selection.variant_id} is not one of this idea's variants")
        assert self._inp is not None
        if selection.merchant_id and selection.merchant_id != self._inp.idea.merchant_id:
            raise ValueError("only the merchant who submitted this idea may pick its variant")

    @workflow.update
    async def review_plan(self, review: PlanReview) -> str:
        self._review = review
        return "approved" if review.approve else "rejected"

    @review_plan.validator
    def _check_review(self, review: PlanReview) -> None:
        if self._stage != Stage.awaiting_plan_review:
            raise ValueError(f"this idea is '{self._stage}', not awaiting a plan review")
        if self._plan is None or review.plan_id != self._plan.plan_id:
            current = self._plan.plan_id if self._plan else None
            raise ValueError(f"plan {review.plan_id} is not the plan under review ({current})")
        check_reviewer(review)

    @workflow.signal
    def production_progress(self, progress: ProductionRunResult) -> None:
        self._progress = progress

    # ------------------------------------------------------------------ the pipeline

    @workflow.run
    async def run(self, inp: TrendWorkflowInput) -> PipelineResult:
        self._inp = inp
        if inp.config.use_search_attributes:
            workflow.upsert_search_attributes(
                [MERCHANT_ID.value_set(inp.idea.merchant_id), TREND_STAGE.value_set(self._stage)]
            )
        try:
            return await self._pipeline(inp)
        except (asyncio.CancelledError, ActivityError, ChildWorkflowError) as err:
            if not is_cancelled_exception(err):
                return await self._fail(err)
            await self._compensate("idea cancelled")
            await self._set_stage(Stage.cancelled, "cancelled")
            raise
        except ApplicationError as err:
            return await self._fail(err)

    async def _fail(self, err: BaseException) -> PipelineResult:
        """Release what is held, record the reason, and fail the workflow for good."""
        self._error = _reason(err)
        await self._compensate(f"pipeline failed: {self._error}")
        await self._set_stage(Stage.failed, self._error)
        raise ApplicationError(self._error, type="PipelineFailed", non_retryable=True) from err

    async def _pipeline(self, inp: TrendWorkflowInput) -> PipelineResult:
        idea, cfg, wid = inp.idea, inp.config, workflow.info().workflow_id
        await self._milestone(MilestoneName.trend_seen, workflow.info().start_time, idea.source)

        await self._set_stage(Stage.designing)
        design = await workflow.execute_activity(
            Act.design_variants,
            DesignRequest(
                workflow_id=wid,
                trend_id=inp.trend_id,
                text=idea.text,
                target_size_mm=idea.target_size_mm,
                target_price=idea.target_price,
                expected_volume=idea.expected_volume,
                count=cfg.variant_count,
                seed=cfg.seed,
            ),
            result_type=DesignResult,
            task_queue=cfg.cpu_task_queue,
            **heavy(10, heartbeat_s=60),  # the design engine heartbeats per variant
        )
        self._variants = design.variants
        await self._milestone(
            MilestoneName.variants_ready, detail=f"{len(design.variants)} variants"
        )

        top = design.variants[0] if design.variants else None
        await self._set_stage(
            Stage.awaiting_selection,
            f"{len(design.variants)} {design.family} variants; top: {top.name if top else '-'}",
        )
        selection = await self._wait_for_selection()
        variant = self._variant(selection.variant_id)
        await workflow.execute_activity(
            Act.record_selection,
            SelectionRecord(
                trend_id=inp.trend_id, variant_id=variant.variant_id, auto=selection.auto
            ),
            **LIGHT,
        )
        await self._milestone(
            MilestoneName.variant_selected,
            detail=f"{'auto-picked' if selection.auto else 'picked'} #{variant.rank} {variant.name}",
        )

        await self._set_stage(Stage.prototyping, f"#{variant.rank} {variant.name}")
        prototype = await workflow.execute_child_workflow(
            PrototypePreparation.run,
            PrototypeRequest(
                workflow_id=wid,
                trend_id=inp.trend_id,
                variant_id=variant.variant_id,
                mesh_path=variant.mesh_path,
                target_size_mm=idea.target_size_mm,
                printer=cfg.printer,
                material=cfg.material,
                layer_height_mm=cfg.layer_height_mm,
                infill_fraction=cfg.infill_fraction,
                use_slicer=cfg.use_slicer,
                cpu_task_queue=cfg.cpu_task_queue,
            ),
            id=prototype_workflow_id(inp.trend_id),
            result_type=PrototypeResult,
        )
        await self._milestone(
            MilestoneName.prototype_ready,
            detail=f"{prototype.print_time_s / 3600:.1f} h print, {prototype.filament_g:.0f} g",
        )

        await self._set_stage(
            Stage.sourcing,
            f"{prototype.print_time_s / 3600:.1f} h prototype print; {len(variant.processes)} processes",
        )
        # reserve a quarter above the average rate: lines lose output while they ramp up
        units_per_day = max(1, math.ceil(1.25 * idea.expected_volume / idea.due_in_days))
        self._sourcing = await workflow.execute_activity(
            Act.match_suppliers,
            SourcingRequest(
                workflow_id=wid,
                trend_id=inp.trend_id,
                family=variant.family,
                processes=variant.processes,
                units_per_day=units_per_day,
                max_travel_minutes=cfg.max_travel_minutes,
                weights=cfg.sourcing_weights,
            ),
            result_type=SourcingResult,
            **heavy(5),
        )
        await self._milestone(
            MilestoneName.suppliers_reserved,
            detail=f"{len(self._sourcing.assignments)} suppliers around {self._sourcing.hub}",
        )

        approved = await self._plan_until_approved(inp, variant.family, self._sourcing)
        if not approved:
            reason = self._review.reason if self._review else "rejected"
            await self._compensate(f"plan rejected: {reason}")
            await self._set_stage(Stage.rejected, reason)
            return self._result(Stage.rejected, reason)
        assert self._plan is not None

        await self._set_stage(
            Stage.producing,
            f"{idea.expected_volume:,} units on {len(self._plan.lines)} lines, ETA day {self._plan.completion_day}",
        )
        batch = cfg.shipment_batch_units or max(1, math.ceil(idea.expected_volume / 5))
        run = await workflow.execute_child_workflow(
            ProductionRun.run,
            ProductionRunInput(
                trend_id=inp.trend_id,
                workflow_id=wid,
                plan=self._plan,
                family=variant.family,
                sourcing=self._sourcing,
                quantity=idea.expected_volume,
                shipment_batch_units=batch,
                slippage_threshold=cfg.slippage_threshold,
                plan_time_limit_s=cfg.plan_time_limit_s,
            ),
            id=run_workflow_id(inp.trend_id),
            result_type=ProductionRunResult,
        )
        self._progress = run
        await self._compensate("production finished: capacity returned to suppliers")
        await self._milestone(MilestoneName.shipped, detail=f"{run.shipped:,} units shipped")
        await self._set_stage(Stage.shipped, f"{run.shipped:,} units in {run.shipments} shipments")
        return self._result(Stage.shipped, f"{run.shipments} shipments")

    # ------------------------------------------------------------------ human waits

    async def _wait_for_selection(self) -> SelectVariant:
        assert self._inp is not None
        cfg = self._inp.config
        if await self._wait(lambda: self._selection is not None, cfg.selection_reminder_s):
            assert self._selection is not None
            return self._selection
        await self._notify("reminder", f"{len(self._variants)} variants are waiting for a pick")
        rest = max(cfg.selection_timeout_s - cfg.selection_reminder_s, 0.001)
        if await self._wait(lambda: self._selection is not None, rest):
            assert self._selection is not None
            return self._selection
        if cfg.selection_fallback == "cancel":
            raise ApplicationError(
                f"no variant was picked within {cfg.selection_timeout_s:.0f} s",
                type="SelectionTimeout",
                non_retryable=True,
            )
        top = min(self._variants, key=lambda v: v.rank)
        self._selection = SelectVariant(variant_id=top.variant_id, auto=True)
        await self._notify(
            "auto_pick", f"no pick in time: took the top-ranked variant '{top.name}'"
        )
        return self._selection

    async def _plan_until_approved(
        self, inp: TrendWorkflowInput, family: str, sourcing: SourcingResult
    ) -> bool:
        constraints = PlanConstraints()
        for revision in range(inp.config.max_replans + 1):
            await self._set_stage(Stage.planning, f"revision {revision}")
            self._plan = await workflow.execute_activity(
                Act.plan_production,
                PlanRequest(
                    workflow_id=workflow.info().workflow_id,
                    trend_id=inp.trend_id,
                    family=family,
                    quantity=inp.idea.expected_volume,
                    due_in_days=inp.idea.due_in_days,
                    sourcing=sourcing,
                    constraints=constraints,
                    revision=revision,
                    start_date=workflow.now(),
                    time_limit_s=inp.config.plan_time_limit_s,
                ),
                result_type=PlanResult,
                task_queue=inp.config.cpu_task_queue,
                **heavy(5),
            )
            await self._milestone(
                MilestoneName.plan_proposed,
                detail=f"{len(self._plan.lines)} lines, done day {self._plan.completion_day}",
            )
            self._review = None
            plan = self._plan
            await self._set_stage(
                Stage.awaiting_plan_review,
                f"plan {plan.plan_id} rev {plan.revision}: {len(plan.lines)} lines, "
                f"done day {plan.completion_day} (due {plan.due_day})"
                + ("" if plan.on_time else " LATE"),
            )
            review = await self._wait_for_review()
            await record_review(
                self._plan.plan_id,
                "approved" if review.approve else "rejected",
                review.reviewer,
                review.reason,
            )
            if review.approve:
                await self._milestone(MilestoneName.plan_approved, detail=f"by {review.reviewer}")
                return True
            if review.constraints is None:
                return False
            constraints = review.constraints
        return False

    async def _wait_for_review(self) -> PlanReview:
        assert self._inp is not None and self._plan is not None
        cfg = self._inp.config
        if await self._wait(lambda: self._review is not None, cfg.review_reminder_s):
            assert self._review is not None
            return self._review
        await self._notify("reminder", f"plan {self._plan.plan_id} is waiting for a planner")
        rest = max(cfg.review_timeout_s - cfg.review_reminder_s, 0.001)
        if await self._wait(lambda: self._review is not None, rest):
            assert self._review is not None
            return self._review
        if cfg.review_fallback == "auto_approve":
            self._review = PlanReview(
                plan_id=self._plan.plan_id,
                approve=True,
                reviewer="auto",
                reason=f"no review within {cfg.review_timeout_s:.0f} s",
            )
            return self._review
        self._escalated = True
        await self._notify(
            "escalation",
            f"plan {self._plan.plan_id} unreviewed for {cfg.review_timeout_s:.0f} s: escalated",
        )
        await record_review(self._plan.plan_id, "escalated", "system", "review timed out")
        await workflow.wait_condition(lambda: self._review is not None)
        assert self._review is not None
        return self._review

    @staticmethod
    async def _wait(condition, timeout_s: float) -> bool:  # type: ignore[no-untyped-def]
        try:
            await workflow.wait_condition(condition, timeout=timedelta(seconds=timeout_s))
            return True
        except TimeoutError:
            return False

    # ------------------------------------------------------------------ bookkeeping

    def _variant(self, variant_id: int) -> VariantSummary:
        return next(v for v in self._variants if v.variant_id == variant_id)

    def _result(self, stage: Stage, reason: str) -> PipelineResult:
        assert self._inp is not None
        return PipelineResult(
            trend_id=self._inp.trend_id,
            stage=stage,
            selected_variant_id=self._selection.variant_id if self._selection else None,
            plan_id=self._plan.plan_id if self._plan else None,
            produced=self._progress.produced,
            shipped=self._progress.shipped,
            reason=reason,
        )

    async def _set_stage(self, stage: Stage, detail: str = "") -> None:
        assert self._inp is not None
        self._stage = stage
        if self._inp.config.use_search_attributes:
            workflow.upsert_search_attributes([TREND_STAGE.value_set(stage.value)])
        await workflow.execute_activity(
            Act.record_stage,
            StageUpdate(trend_id=self._inp.trend_id, stage=stage, detail=detail),
            **LIGHT,
        )

    async def _milestone(
        self, name: MilestoneName, at: datetime | None = None, detail: str = ""
    ) -> None:
        assert self._inp is not None
        if name.value in self._milestones:
            return
        at = at or workflow.now()
        self._milestones[name.value] = at
        await workflow.execute_activity(
            Act.record_milestone,
            MilestoneRecord(
                trend_id=self._inp.trend_id,
                workflow_id=workflow.info().workflow_id,
                name=name,
                at=at,
                detail=detail,
            ),
            **LIGHT,
        )

    async def _notify(self, kind: str, message: str) -> None:
        assert self._inp is not None
        await workflow.execute_activity(
            Act.notify,
            NotificationRecord(
                trend_id=self._inp.trend_id, kind=kind, message=message, at=workflow.now()
            ),
            **LIGHT,
        )

    async def _compensate(self, reason: str) -> None:
        """Release every supplier reservation this pipeline holds (idempotent)."""
        assert self._inp is not None
        await workflow.execute_activity(
            Act.release_reservations,
            ReleaseRequest(workflow_id=workflow.info().workflow_id, reason=reason),
            result_type=int,
            **LIGHT,
        )

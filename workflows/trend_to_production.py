"""TrendToProduction: one durable workflow from a viral idea to a shipped production run."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    ChildWorkflowError,
    TemporalError,
    is_cancelled_exception,
)
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from models.contracts import (
        ComplianceGateRecord,
        ComplianceRequest,
        ComplianceResult,
        ComplianceWaiver,
        ConsignmentDone,
        ConsignmentInput,
        ConsignmentPlan,
        DeliveryOptions,
        DesignRequest,
        DesignResult,
        LabReport,
        MilestoneName,
        MilestoneRecord,
        NotificationRecord,
        PipelineResult,
        PipelineStatus,
        PlanAdopted,
        PlanConstraints,
        PlanRequest,
        PlanResult,
        PlanReview,
        ProductionRunInput,
        ProductionRunResult,
        PrototypeRequest,
        PrototypeResult,
        ReleaseRequest,
        Reship,
        ReshipRequest,
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
        Err,
        Patch,
        Query,
        Signal,
        Update,
        Wf,
        consignment_workflow_id,
        prototype_workflow_id,
        run_workflow_id,
    )
    from workflows.common import (
        RunsActivities,
        check_picker,
        check_reviewer,
        heavy,
        record_review,
    )
    from workflows.consignment_delivery import ConsignmentDelivery
    from workflows.production_run import ProductionRun
    from workflows.prototype_preparation import PrototypePreparation

T = TypeVar("T")


def _reason(err: BaseException) -> str:
    """The innermost human-readable message of an activity/child failure."""
    while isinstance(err, ActivityError | ChildWorkflowError) and err.cause is not None:
        err = err.cause
    return getattr(err, "message", None) or str(err)


@workflow.defn(name=Wf.trend_to_production)
class TrendToProduction(RunsActivities):
    """design → (merchant picks) → prototype → sourcing → plan → (planner approves) → production
    → shipment → (with delivery legs) in transit → delivered.

    `run` reads as the steps; each stage is one method; the merchant's pick and the planner's
    review are waits for a person (`_await_human`): a reminder, then a fallback.
    """

    @workflow.init
    def __init__(self, inp: TrendWorkflowInput) -> None:
        self._inp = inp
        self._cfg = inp.config
        self._cpu_task_queue = inp.config.cpu_task_queue
        self._stage = Stage.received
        self._milestones: dict[str, datetime] = {}
        self._variants: list[VariantSummary] = []
        self._selection: SelectVariant | None = None
        self._plan: PlanResult | None = None
        self._review: PlanReview | None = None
        self._escalated = False
        self._progress = ProductionRunResult(
            produced=0, shipped=0, shipments=0, replans=0, last_day=0
        )
        self._error: str | None = None
        self._gates: dict[str, str | None] = {}  # market -> what opened it (None: closed)
        self._compliance: ComplianceResult | None = None
        self._repicks = 0  # picks after a failed compliance check
        self._legs_done: dict[int, ConsignmentDone] = {}
        self._legs_booked_at: datetime | None = None
        self._reshipped: dict[int, int] = {}  # a late or lost leg's id -> its re-shipment's

    # ------------------------------------------------------------------ queries, updates, signals

    @workflow.query(name=Query.status)
    def status(self) -> PipelineStatus:
        return PipelineStatus(
            trend_id=self._inp.trend_id,
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
            compliance_gates={m: how is not None for m, how in self._gates.items()},
            compliance_failures=self._compliance.failures if self._compliance else [],
        )

    @workflow.update(name=Update.select_variant)
    async def select_variant(self, selection: SelectVariant) -> VariantSummary:
        self._selection = selection
        return self._variant(selection.variant_id)

    @select_variant.validator
    def _check_selection(self, selection: SelectVariant) -> None:
        if self._stage != Stage.awaiting_selection:
            raise ValueError(f"this idea is '{self._stage}', not awaiting a variant selection")
        if not any(v.variant_id == selection.variant_id for v in self._variants):
            raise ValueError(f"variant {selection.variant_id} is not one of this idea's variants")
        check_picker(selection, self._inp.idea.merchant_id)

    @workflow.update(name=Update.review_plan)
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

    @workflow.update(name=Update.submit_lab_report)
    async def submit_lab_report(self, report: LabReport) -> str:
        market = report.market.strip().upper()
        record = ComplianceGateRecord(
            trend_id=self._inp.trend_id, market=market, kind="lab_report",
            by=report.uploaded_by, at=workflow.now(), sha256=report.sha256, path=report.path,
        )  # fmt: skip
        await self._run(Act.record_compliance_gate, record)  # checks the stored file's hash
        self._gates[market] = f"lab report {report.sha256[:12]}"
        return f"{market} open: {self._gates[market]}"

    @submit_lab_report.validator
    def _check_lab_report(self, report: LabReport) -> None:
        if report.trend_id != self._inp.trend_id:
            raise ValueError(
                f"this report is for idea {report.trend_id}, not idea {self._inp.trend_id}"
            )
        if f"/trend-{self._inp.trend_id}/compliance/" not in report.path.replace("\\", "/"):
            raise ValueError("the report is not stored with this idea")
        self._check_gate(report.market)

    @workflow.update(name=Update.waive_compliance)
    async def waive_compliance(self, waiver: ComplianceWaiver) -> str:
        market = waiver.market.strip().upper()
        record = ComplianceGateRecord(
            trend_id=self._inp.trend_id, market=market, kind="waiver", by=waiver.reviewer,
            at=workflow.now(), reason=waiver.reason.strip(),
        )  # fmt: skip
        await self._run(Act.record_compliance_gate, record)
        self._gates[market] = f"waived by {waiver.reviewer}: {waiver.reason.strip()}"
        return f"{market} open: {self._gates[market]}"

    @waive_compliance.validator
    def _check_waiver(self, waiver: ComplianceWaiver) -> None:
        if not waiver.reviewer.strip() or not waiver.role:
            raise ValueError("a waiver must name who decided and their role")
        if waiver.role not in ("planner", "admin"):
            raise ValueError(f"only a planner may waive a compliance gate, not a '{waiver.role}'")
        if not waiver.reason.strip():
            raise ValueError("a waiver needs a reason")
        self._check_gate(waiver.market)

    def _check_gate(self, market: str) -> None:
        """A market's gate may open: the idea waits on it and it is still closed."""
        if self._stage != Stage.awaiting_compliance:
            raise ValueError(f"this idea is '{self._stage}', not awaiting compliance")
        key = market.strip().upper()
        if key not in self._gates:
            gated = ", ".join(self._gates) or "none"
            raise ValueError(f"market {market!r} is not gated for this idea (gated: {gated})")
        if self._gates[key] is not None:
            raise ValueError(f"{key} is already open ({self._gates[key]})")

    @workflow.signal(name=Signal.production_progress)
    def production_progress(self, progress: ProductionRunResult) -> None:
        self._progress = progress
        if progress.consignments and self._legs_booked_at is None:
            self._legs_booked_at = workflow.now()

    @workflow.signal(name=Signal.adopt_plan)
    async def adopt_plan(self, adopted: PlanAdopted) -> None:
        """A plan revision written outside the pipeline (an approved portfolio replan moved its
        lots): the status reports it, a plan under review is this one now, and a running
        production run is told to follow it; an older revision changes nothing."""
        if self._plan is not None and adopted.plan.revision <= self._plan.revision:
            return
        self._plan = adopted.plan
        if self._stage != Stage.producing:
            return  # not started: the run starts with it; finished: nothing to follow
        run = workflow.get_external_workflow_handle(run_workflow_id(self._inp.trend_id))
        try:
            await run.signal(Signal.adopt_plan, adopted)
        except TemporalError as err:  # the run just ended
            await self._notify("plan_not_adopted", f"plan {adopted.plan.plan_id}: {err}")

    @workflow.update(name=Update.reship)
    async def reship(self, req: Reship) -> ConsignmentPlan:
        """A planner re-ships a late or lost leg by a faster mode: a new leg this pipeline
        waits for too (the activity refuses a leg that is neither, with the reason)."""
        request = ReshipRequest(
            trend_id=self._inp.trend_id,
            consignment_id=req.consignment_id,
            ready_date=workflow.now().date(),
            reason=req.reason,
        )
        try:
            leg = await self._run(Act.plan_reship, request, ConsignmentPlan, heavy(2))
        except ActivityError as err:
            raise ApplicationError(_reason(err), type=Err.bad_reship) from err
        if leg.consignment_id not in self._reshipped.values():
            self._reshipped[req.consignment_id] = leg.consignment_id  # before any await
            await workflow.start_child_workflow(
                ConsignmentDelivery.run,
                ConsignmentInput(
                    consignment=leg,
                    trend_id=self._inp.trend_id,
                    workflow_id=workflow.info().workflow_id,
                    booked_on=request.ready_date,
                    seconds_per_day=self._cfg.delivery_seconds_per_day,
                    cpu_task_queue=self._cfg.cpu_task_queue,
                ),
                id=consignment_workflow_id(leg.consignment_id),
                parent_close_policy=ParentClosePolicy.ABANDON,
            )
            await self._notify(
                "delivery_reshipped",
                f"consignment {req.consignment_id} re-shipped by {leg.mode} as consignment "
                f"{leg.consignment_id} ({leg.units:,} units to {leg.market}, by {leg.eta_latest})"
                f" by {req.reviewer}",
            )
        return leg

    @reship.validator
    def _check_reship(self, req: Reship) -> None:
        if not req.reviewer.strip() or not req.role:
            raise ValueError("a re-shipment must name who decided and their role")
        if req.role not in ("planner", "admin"):
            raise ValueError(f"only a planner may re-ship a consignment, not a '{req.role}'")
        if self._stage != Stage.in_transit:
            raise ValueError(f"this idea is '{self._stage}', not in transit")
        if req.consignment_id in self._reshipped:
            raise ValueError(
                f"consignment {req.consignment_id} was re-shipped already as consignment "
                f"{self._reshipped[req.consignment_id]}"
            )

    @workflow.signal(name=Signal.consignment_done)
    def consignment_done(self, done: ConsignmentDone) -> None:
        self._legs_done[done.consignment_id] = done

    # ------------------------------------------------------------------ the pipeline

    @workflow.run
    async def run(self, inp: TrendWorkflowInput) -> PipelineResult:
        if self._cfg.use_search_attributes:
            workflow.upsert_search_attributes(
                [
                    MERCHANT_ID.value_set(inp.merchant_tag or inp.idea.merchant_id),
                    TREND_STAGE.value_set(self._stage),
                ]
            )
        try:
            return await self._pipeline()
        except (asyncio.CancelledError, ActivityError, ChildWorkflowError) as err:
            if not is_cancelled_exception(err):
                return await self._fail(err)
            await self._compensate("idea cancelled")
            await self._set_stage(Stage.cancelled, "cancelled")
            raise
        except ApplicationError as err:
            return await self._fail(err)

    async def _pipeline(self) -> PipelineResult:
        start = workflow.info().start_time
        await self._milestone(MilestoneName.trend_seen, self._inp.idea.source, at=start)
        design = await self._design()
        variant = await self._select(design)
        prototype = await self._prototype(variant)
        if workflow.patched(Patch.compliance_stage):
            variant, prototype = await self._comply(variant, prototype)
        sourcing = await self._source(variant, prototype)
        plan = await self._plan_until_approved(variant.family, sourcing)
        if plan is None:
            return await self._reject()
        run = await self._produce(variant.family, sourcing, plan)
        await self._compensate("production finished: capacity returned to suppliers")
        if run.consignments and workflow.patched(Patch.pipeline_awaits_legs):
            return await self._deliver(run)
        await self._milestone(MilestoneName.shipped, f"{run.shipped:,} units shipped")
        await self._set_stage(Stage.shipped, f"{run.shipped:,} units in {run.shipments} shipments")
        return self._result(Stage.shipped, f"{run.shipments} shipments")

    async def _deliver(self, run: ProductionRunResult) -> PipelineResult:
        """Shipped, then in transit until every delivery leg has ended (each tells us)."""
        booked = self._legs_booked_at or workflow.now()
        await self._milestone(
            MilestoneName.in_transit, f"{run.consignments} legs booked", at=booked
        )
        await self._milestone(MilestoneName.shipped, f"{run.shipped:,} units shipped")
        await self._set_stage(
            Stage.in_transit, f"{run.shipped:,} units in {run.consignments} legs on their way"
        )
        await self._await_legs()
        legs = list(self._legs_done.values())
        delivered = [leg for leg in legs if leg.status == "delivered"]
        markets = sorted({leg.market for leg in delivered if leg.market})
        detail = f"{len(delivered)}/{len(legs)} legs delivered" + (
            f" to {', '.join(markets)}" if markets else ""
        )
        lost = len(legs) - len(delivered)
        if lost:
            detail += f"; {lost} lost"
        if self._reshipped:
            detail += f"; {len(self._reshipped)} re-shipped"
        if delivered:
            await self._milestone(MilestoneName.delivered, detail)
        await self._set_stage(Stage.delivered, detail)
        return self._result(Stage.delivered, detail)

    async def _await_legs(self) -> None:
        """Until every leg (re-shipments too) has ended; a lost leg not re-shipped waits for a
        planner's re-ship for as long as a plan review would, then the pipeline ends."""
        asked: set[int] = set()
        while True:
            await workflow.wait_condition(  # a re-ship in progress finishes first
                lambda: (
                    len(self._legs_done) >= self._progress.consignments + len(self._reshipped)
                    and workflow.all_handlers_finished()
                )
            )
            lost = [
                c for c, leg in self._legs_done.items()
                if leg.status == "lost" and c not in self._reshipped and c not in asked
            ]  # fmt: skip
            if not lost:
                return
            asked.update(lost)
            await self._notify(
                "reship_wanted",
                f"consignments {', '.join(map(str, lost))} lost: re-ship by a faster mode within "
                f"{self._cfg.review_timeout_s:.0f} s, or the idea ends without them",
            )
            await self._wait(self._reshipped_more(), self._cfg.review_timeout_s)

    def _reshipped_more(self) -> Callable[[], bool]:
        """Whether a leg was re-shipped since this was asked."""
        before = len(self._reshipped)
        return lambda: len(self._reshipped) > before

    async def _fail(self, err: BaseException) -> PipelineResult:
        """Release what is held, record the reason, and fail the workflow for good."""
        self._error = _reason(err)
        await self._compensate(f"pipeline failed: {self._error}")
        await self._set_stage(Stage.failed, self._error)
        raise ApplicationError(self._error, type=Err.pipeline_failed, non_retryable=True) from err

    async def _reject(self) -> PipelineResult:
        reason = self._review.reason if self._review else "rejected"
        await self._compensate(f"plan rejected: {reason}")
        await self._set_stage(Stage.rejected, reason)
        return self._result(Stage.rejected, reason)

    # ------------------------------------------------------------------ stages

    async def _design(self) -> DesignResult:
        """Dozens of ranked variants from the idea's words (CPU queue)."""
        idea, cfg = self._inp.idea, self._cfg
        await self._set_stage(Stage.designing)
        request = DesignRequest(
            workflow_id=workflow.info().workflow_id,
            trend_id=self._inp.trend_id,
            text=idea.text,
            target_size_mm=idea.target_size_mm,
            target_price=idea.target_price,
            count=cfg.variant_count,
            seed=cfg.seed,
            printer=idea.printer or cfg.printer,
        )
        # the design engine heartbeats per variant
        design = await self._run(Act.design_variants, request, DesignResult, heavy(10, 60))
        self._variants = design.variants
        await self._milestone(MilestoneName.variants_ready, f"{len(design.variants)} variants")
        return design

    async def _select(self, design: DesignResult) -> VariantSummary:
        """The merchant's pick (or the fallback), recorded."""
        top = design.variants[0] if design.variants else None
        await self._set_stage(
            Stage.awaiting_selection,
            f"{len(design.variants)} {design.family} variants; top: {top.name if top else '-'}",
        )
        selection = await self._await_selection()
        variant = self._variant(selection.variant_id)
        record = SelectionRecord(
            trend_id=self._inp.trend_id, variant_id=variant.variant_id, auto=selection.auto
        )
        await self._run(Act.record_selection, record)
        how = "auto-picked" if selection.auto else "picked"
        await self._milestone(
            MilestoneName.variant_selected, f"{how} #{variant.rank} {variant.name}"
        )
        return variant

    async def _prototype(self, variant: VariantSummary) -> PrototypeResult:
        """The picked variant made printable, in a child workflow."""
        idea, cfg = self._inp.idea, self._cfg
        await self._set_stage(Stage.prototyping, f"#{variant.rank} {variant.name}")
        again = f"-repick-{self._repicks}" if self._repicks else ""  # a new pick, a new print
        prototype = await workflow.execute_child_workflow(
            PrototypePreparation.run,
            PrototypeRequest(
                workflow_id=workflow.info().workflow_id + again,
                trend_id=self._inp.trend_id,
                variant_id=variant.variant_id,
                mesh_path=variant.mesh_path,
                target_size_mm=idea.target_size_mm,
                # the merchant's own model keeps its units and scale; ours are in mm already
                units=idea.units if variant.source == "merchant" else "mm",
                scale=idea.scale if variant.source == "merchant" else None,
                allow_split=idea.allow_split,
                printer=idea.printer or cfg.printer,
                material=cfg.material,
                layer_height_mm=cfg.layer_height_mm,
                infill_fraction=cfg.infill_fraction,
                use_slicer=cfg.use_slicer,
                cpu_task_queue=cfg.cpu_task_queue,
            ),
            id=prototype_workflow_id(self._inp.trend_id) + again,
        )
        hours = (prototype.slicer_print_time_s or prototype.print_time_s) / 3600
        await self._milestone(
            MilestoneName.prototype_ready, f"{hours:.1f} h print, {prototype.filament_g:.0f} g"
        )
        return prototype

    async def _comply(
        self, variant: VariantSummary, prototype: PrototypeResult
    ) -> tuple[VariantSummary, PrototypeResult]:
        """Check the pick for its markets; a failing pick goes back to the merchant with the
        reasons and fixes, a passing one waits for a lab report or a waiver per market."""
        if not self._cfg.compliance_markets:
            await self._milestone(MilestoneName.compliance_cleared, "no markets to check")
            return variant, prototype
        result = await self._check_compliance(variant)
        while not result.passed:
            variant = await self._repick(variant, result)
            prototype = await self._prototype(variant)
            result = await self._check_compliance(variant)
        await self._await_gates(result)
        return variant, prototype

    async def _check_compliance(self, variant: VariantSummary) -> ComplianceResult:
        """Age grade, part checks and the markets' rules on the shipping date (CPU queue)."""
        markets, pick = self._cfg.compliance_markets, self._selection
        await self._set_stage(
            Stage.checking_compliance, f"#{variant.rank} {variant.name} for {', '.join(markets)}"
        )
        ship = workflow.now() + timedelta(days=self._inp.idea.due_in_days)
        request = ComplianceRequest(
            workflow_id=workflow.info().workflow_id,
            trend_id=self._inp.trend_id,
            variant_id=variant.variant_id,
            markets=markets,
            ship_date=ship.date(),
            builds=pick.builds if pick else {},
            # the merchant's grade: with this pick, else on the idea, else read from the words
            age_grade=(pick.age_grade if pick else None) or self._inp.idea.age_grade,
        )
        self._compliance = await self._run(
            Act.check_compliance, request, ComplianceResult, heavy(5)
        )
        return self._compliance

    async def _repick(self, variant: VariantSummary, result: ComplianceResult) -> VariantSummary:
        """Back to the merchant: why it failed, what would fix it; wait (no fallback: the top
        variant may fail the same way) for another pick or the same one built otherwise."""
        self._repicks += 1
        more = f" (+{len(result.failures) - 1} more)" if len(result.failures) > 1 else ""
        fixes = "; ".join(result.fixes[:3])
        await self._notify(
            "compliance",
            f"#{variant.rank} {variant.name} cannot ship ({result.age_grade}): "
            f"{result.failures[0]}{more}. Try: {fixes}",
        )
        self._selection = None
        await self._set_stage(Stage.awaiting_selection, f"compliance: {result.failures[0]}")
        if not await self._wait(
            lambda: self._selection is not None, self._cfg.selection_reminder_s
        ):
            await self._notify("reminder", "a design that failed compliance waits for a new pick")
            await workflow.wait_condition(lambda: self._selection is not None)
        assert self._selection is not None
        picked = self._variant(self._selection.variant_id)
        await self._run(
            Act.record_selection,
            SelectionRecord(trend_id=self._inp.trend_id, variant_id=picked.variant_id),
        )
        return picked

    async def _await_gates(self, result: ComplianceResult) -> None:
        """Every market's gate open (a lab report or a planner's waiver) before anything is
        sourced, made or shipped; a reminder, never a fallback."""
        self._gates = {m: None for m in result.markets}
        await self._set_stage(
            Stage.awaiting_compliance, f"a lab report or a waiver for {', '.join(self._gates)}"
        )

        def opened() -> bool:
            return all(how is not None for how in self._gates.values())

        if not await self._wait(opened, self._cfg.compliance_reminder_s):
            closed = [m for m, how in self._gates.items() if how is None]
            await self._notify("reminder", f"compliance gates still closed: {', '.join(closed)}")
            await workflow.wait_condition(opened)
        await self._milestone(
            MilestoneName.compliance_cleared,
            "; ".join(f"{m}: {how}" for m, how in self._gates.items())[:500],
        )

    async def _source(self, variant: VariantSummary, prototype: PrototypeResult) -> SourcingResult:
        """Suppliers near a hub for every process, their capacity held."""
        idea = self._inp.idea
        hours = (prototype.slicer_print_time_s or prototype.print_time_s) / 3600
        await self._set_stage(
            Stage.sourcing, f"{hours:.1f} h prototype print; {len(variant.processes)} processes"
        )
        # reserve a quarter above the average rate: lines lose output while they ramp up
        units_per_day = max(1, math.ceil(1.25 * idea.expected_volume / idea.due_in_days))
        request = SourcingRequest(
            workflow_id=workflow.info().workflow_id,
            trend_id=self._inp.trend_id,
            processes=variant.processes,
            units_per_day=units_per_day,
            max_travel_minutes=self._cfg.max_travel_minutes,
            weights=self._cfg.sourcing_weights,
        )
        sourcing = await self._run(Act.match_suppliers, request, SourcingResult, heavy(5))
        await self._milestone(
            MilestoneName.suppliers_reserved,
            f"{len(sourcing.assignments)} suppliers around {sourcing.hub}",
        )
        return sourcing

    async def _plan_until_approved(
        self, family: str, sourcing: SourcingResult
    ) -> PlanResult | None:
        """Plans until the planner approves one (None: rejected without a replan, or too many)."""
        constraints = PlanConstraints()
        for _ in range(self._cfg.max_replans + 1):
            revision = self._plan.revision + 1 if self._plan else 0  # after an adopted one too
            plan = await self._propose_plan(family, sourcing, constraints, revision)
            review = await self._await_review(plan)
            plan = self._plan or plan  # the plan reviewed: a portfolio replan may have moved it
            decision = "approved" if review.approve else "rejected"
            await record_review(plan.plan_id, decision, review.reviewer, review.reason)
            if review.approve:
                await self._milestone(MilestoneName.plan_approved, f"by {review.reviewer}")
                return plan
            if review.constraints is None:
                return None
            constraints = review.constraints
        return None

    async def _propose_plan(
        self, family: str, sourcing: SourcingResult, constraints: PlanConstraints, revision: int
    ) -> PlanResult:
        """A plan on the reserved lines (CPU queue), put before the planner."""
        idea = self._inp.idea
        await self._set_stage(Stage.planning, f"revision {revision}")
        request = PlanRequest(
            workflow_id=workflow.info().workflow_id,
            trend_id=self._inp.trend_id,
            family=family,
            quantity=idea.expected_volume,
            due_in_days=idea.due_in_days,
            sourcing=sourcing,
            constraints=constraints,
            revision=revision,
            start_date=workflow.now(),
            time_limit_s=self._cfg.plan_time_limit_s,
        )
        plan = self._plan = await self._run(Act.plan_production, request, PlanResult, heavy(5))
        await self._milestone(
            MilestoneName.plan_proposed,
            f"{len(plan.lines)} lines, done day {plan.completion_day}",
        )
        self._review = None
        await self._set_stage(
            Stage.awaiting_plan_review,
            f"plan {plan.plan_id} rev {plan.revision}: {len(plan.lines)} lines, "
            f"done day {plan.completion_day} (due {plan.due_day})"
            + ("" if plan.on_time else " LATE"),
        )
        return plan

    async def _produce(
        self, family: str, sourcing: SourcingResult, plan: PlanResult
    ) -> ProductionRunResult:
        """The production run, in a child workflow, until everything shipped."""
        idea, cfg = self._inp.idea, self._cfg
        await self._set_stage(
            Stage.producing,
            f"{idea.expected_volume:,} units on {len(plan.lines)} lines, ETA day {plan.completion_day}",
        )
        batch = cfg.shipment_batch_units or max(1, math.ceil(idea.expected_volume / 5))
        self._progress = await workflow.execute_child_workflow(
            ProductionRun.run,
            ProductionRunInput(
                trend_id=self._inp.trend_id,
                workflow_id=workflow.info().workflow_id,
                plan=self._plan or plan,  # as an approved portfolio replan moved it meanwhile
                family=family,
                sourcing=sourcing,
                quantity=idea.expected_volume,
                shipment_batch_units=batch,
                slippage_threshold=cfg.slippage_threshold,
                plan_time_limit_s=cfg.plan_time_limit_s,
                cpu_task_queue=cfg.cpu_task_queue,
                delivery=(
                    DeliveryOptions(seconds_per_day=cfg.delivery_seconds_per_day)
                    if cfg.delivery
                    else None
                ),
            ),
            id=run_workflow_id(self._inp.trend_id),
        )
        return self._progress

    # ------------------------------------------------------------------ waits for a person

    async def _await_selection(self) -> SelectVariant:
        """The merchant's pick; without one in time, the top-ranked variant (or cancel)."""
        cfg = self._cfg
        picked = await self._await_human(
            lambda: self._selection,
            cfg.selection_reminder_s,
            cfg.selection_timeout_s,
            f"{len(self._variants)} variants are waiting for a pick",
        )
        if picked is not None:
            return picked
        if cfg.selection_fallback == "cancel":
            raise ApplicationError(
                f"no variant was picked within {cfg.selection_timeout_s:.0f} s",
                type=Err.selection_timeout,
                non_retryable=True,
            )
        top = min(self._variants, key=lambda v: v.rank)
        self._selection = SelectVariant(variant_id=top.variant_id, auto=True)
        await self._notify(
            "auto_pick", f"no pick in time: took the top-ranked variant '{top.name}'"
        )
        return self._selection

    async def _await_review(self, plan: PlanResult) -> PlanReview:
        """The planner's review; without one in time, an approval or (default) an escalation,
        after which the plan waits for its planner without a deadline."""
        cfg = self._cfg
        review = await self._await_human(
            lambda: self._review,
            cfg.review_reminder_s,
            cfg.review_timeout_s,
            f"plan {plan.plan_id} is waiting for a planner",
        )
        if review is not None:
            return review
        if cfg.review_fallback == "auto_approve":
            self._review = PlanReview(
                plan_id=plan.plan_id,
                approve=True,
                reviewer="auto",
                reason=f"no review within {cfg.review_timeout_s:.0f} s",
            )
            return self._review
        self._escalated = True
        plan = self._plan or plan
        await self._notify(
            "escalation",
            f"plan {plan.plan_id} unreviewed for {cfg.review_timeout_s:.0f} s: escalated",
        )
        await record_review(plan.plan_id, "escalated", "system", "review timed out")
        while (review := self._review) is None:
            await workflow.wait_condition(lambda: self._review is not None)
        return review

    async def _await_human(
        self, answer: Callable[[], T | None], reminder_s: float, timeout_s: float, reminder: str
    ) -> T | None:
        """Wait for a person's answer: a reminder after `reminder_s`, none after `timeout_s`."""
        if await self._wait(lambda: answer() is not None, reminder_s):
            return answer()
        await self._notify("reminder", reminder)
        await self._wait(lambda: answer() is not None, max(timeout_s - reminder_s, 0.001))
        return answer()

    @staticmethod
    async def _wait(condition: Callable[[], bool], timeout_s: float) -> bool:
        try:
            await workflow.wait_condition(condition, timeout=timedelta(seconds=timeout_s))
            return True
        except TimeoutError:
            return False

    # ------------------------------------------------------------------ bookkeeping

    def _variant(self, variant_id: int) -> VariantSummary:
        return next(v for v in self._variants if v.variant_id == variant_id)

    def _result(self, stage: Stage, reason: str) -> PipelineResult:
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
        self._stage = stage
        if self._cfg.use_search_attributes:
            workflow.upsert_search_attributes([TREND_STAGE.value_set(stage.value)])
        await self._run(
            Act.record_stage, StageUpdate(trend_id=self._inp.trend_id, stage=stage, detail=detail)
        )

    async def _milestone(
        self, name: MilestoneName, detail: str = "", at: datetime | None = None
    ) -> None:
        if name.value in self._milestones:
            return
        at = at or workflow.now()
        self._milestones[name.value] = at
        record = MilestoneRecord(
            trend_id=self._inp.trend_id,
            workflow_id=workflow.info().workflow_id,
            name=name,
            at=at,
            detail=detail,
        )
        await self._run(Act.record_milestone, record)

    async def _notify(self, kind: str, message: str) -> None:
        record = NotificationRecord(
            trend_id=self._inp.trend_id, kind=kind, message=message, at=workflow.now()
        )
        await self._run(Act.notify, record)

    async def _compensate(self, reason: str) -> None:
        """Release every supplier reservation this pipeline holds (idempotent)."""
        request = ReleaseRequest(workflow_id=workflow.info().workflow_id, reason=reason)
        await self._run(Act.release_reservations, request, int)

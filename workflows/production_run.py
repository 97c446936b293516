"""ProductionRun: a child workflow that follows a mass-production run from progress reports to shipment."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Literal

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from models.contracts import (
        ConsignmentInput,
        DeliveryPlan,
        DeliveryRequest,
        MilestoneName,
        MilestoneRecord,
        NotificationRecord,
        PlanAdopted,
        PlanRequest,
        PlanResult,
        PlanReview,
        ProductionRunInput,
        ProductionRunResult,
        ProgressBatch,
        ProgressRecord,
        ProgressReport,
        ProgressReports,
        RunRecord,
        RunState,
        ShipmentRecord,
    )
    from models.names import Act, Patch, Query, Signal, Update, Wf, consignment_workflow_id
    from workflows.common import LIGHT, RunsActivities, check_reviewer, heavy, record_review
    from workflows.consignment_delivery import ConsignmentDelivery


def planned_cumulative(plan: PlanResult, day: int) -> int:
    """Units the plan expects finished by the end of factory `day`."""
    return sum(d.units for d in plan.daily if d.day <= day)


@workflow.defn(name=Wf.production_run)
class ProductionRun(RunsActivities):
    """Receives per-line, per-day progress; records it, ships batches, replans on slippage.

    The reports waiting when the run wakes are recorded by one activity; the parent pipeline
    hears of shipments only (its status shows them).
    """

    @workflow.init
    def __init__(self, inp: ProductionRunInput) -> None:
        self._inp = inp
        self._cpu_task_queue = inp.cpu_task_queue
        self._state = inp.state or RunState(plan=inp.plan)
        self._pending: list[ProgressReport] = []

    # ------------------------------------------------------------------ signals, update, query

    @workflow.signal(name=Signal.report_progress)
    def report_progress(self, report: ProgressReport) -> None:
        self._pending.append(report)

    @workflow.signal(name=Signal.report_shift)
    def report_shift(self, reports: ProgressReports) -> None:
        """Several lines' reports at once (an MES sends a shift's worth)."""
        self._pending.extend(reports.reports)

    @workflow.signal(name=Signal.adopt_plan)
    def adopt_plan(self, adopted: PlanAdopted) -> None:
        """A newer plan revision the pipeline was given (an approved portfolio replan moved the
        run's lots): progress, slippage and the ETA follow it from now on, as after an approved
        slippage replan; a later slippage replan is numbered after it."""
        s = self._state
        if adopted.plan.revision <= s.plan.revision:
            return
        s.plan = adopted.plan
        s.replans += 1
        s.next_revision = max(s.next_revision or 0, adopted.plan.revision + 1)
        moot = s.proposed is not None and s.proposed.revision < adopted.plan.revision
        if moot and workflow.patched(Patch.replan_supersedes):
            # the slippage replan awaiting review replanned the plan just moved: the portfolio
            # replan marked it superseded and freed its line time; a new slip proposes again
            s.proposed = None

    @workflow.update(name=Update.review_replan)
    async def review_replan(self, review: PlanReview) -> str:
        """The planner's decision on a proposed replan: approve switches the lines to it."""
        s = self._state
        proposal, s.proposed = s.proposed, None
        if proposal is None:  # the validator let it in, but another review came first
            raise ApplicationError("no replan of this run is awaiting review")
        decision = "approved" if review.approve else "rejected"
        await record_review(proposal.plan_id, decision, review.reviewer, review.reason)
        if review.approve:
            s.plan = proposal
            s.replans += 1
        return decision

    @review_replan.validator
    def _check_replan_review(self, review: PlanReview) -> None:
        proposed = self._state.proposed
        if proposed is None:
            raise ValueError("no replan of this run is awaiting review")
        if review.plan_id != proposed.plan_id:
            raise ValueError(
                f"plan {review.plan_id} is not the proposed replan ({proposed.plan_id})"
            )
        check_reviewer(review)

    @workflow.query(name=Query.progress)
    def progress(self) -> ProductionRunResult:
        s = self._state
        batch = self._inp.shipment_batch_units
        return ProductionRunResult(
            produced=s.produced_so_far,
            shipped=s.shipped_so_far,
            shipments=math.ceil(s.shipped_so_far / batch) if s.shipped_so_far else 0,
            replans=s.replans,
            last_day=s.last_day,
            consignments=s.consignments,
            plan_id=s.plan.plan_id,
            completion_day=s.plan.completion_day,
            eta=s.plan.eta,
        )

    # ------------------------------------------------------------------ the run

    @workflow.run
    async def run(self, inp: ProductionRunInput) -> ProductionRunResult:
        s = self._state
        if inp.state is None:  # started by the pipeline, not continued as new
            await self._record_run("running")
        while s.shipped_so_far < inp.quantity:
            await workflow.wait_condition(lambda: bool(self._pending))
            while self._pending:
                batch, self._pending = self._pending, []
                await self._apply(batch)
                await self._ship()  # a steady stream of reports must not starve shipping
            if workflow.info().is_continue_as_new_suggested() and not self._pending:
                await workflow.wait_condition(workflow.all_handlers_finished)
                if self._pending and workflow.patched(Patch.keep_late_reports):
                    continue  # reports came in while handlers finished: record them first
                workflow.continue_as_new(inp.model_copy(update={"state": s}))
        await workflow.wait_condition(workflow.all_handlers_finished)
        if s.proposed is not None:  # the order is done: the pending replan is moot
            reason = "the order was finished before review"
            await record_review(s.proposed.plan_id, "superseded", "system", reason)
            s.proposed = None
        await self._record_run("completed")
        return self.progress()

    async def _record_run(self, status: Literal["running", "completed"]) -> None:
        inp, s = self._inp, self._state
        record = RunRecord(
            trend_id=inp.trend_id,
            workflow_id=inp.workflow_id,
            plan_id=s.plan.plan_id,
            quantity=inp.quantity,
            produced=s.produced_so_far,
            shipped=s.shipped_so_far,
            status=status,
            at=workflow.now(),
        )
        await self._run(Act.record_run, record)

    def _finished_units(self, report: ProgressReport) -> int:
        """The report's units that are finished product: only the last stage's lines make
        product; cutting or sewing lines' units are recorded as progress, not units to ship."""
        last_stage = {d.line_id for d in self._state.plan.daily}
        if last_stage and report.line_id not in last_stage:
            return 0
        return report.units

    async def _apply(self, batch: list[ProgressReport]) -> None:
        """Count the new reports of `batch`, record them in one activity, then check the plan."""
        inp, s = self._inp, self._state
        records: list[ProgressRecord] = []
        first: ProgressReport | None = None
        ended_days: list[int] = []
        for report in batch:
            key = f"{report.line_id}:{report.day}"
            if key in s.seen_reports:
                continue  # a duplicate report (retried HTTP call, MES resend) counts once
            s.seen_reports.append(key)
            units = self._finished_units(report)
            if first is None and s.produced_so_far == 0 and units > 0:
                first = report
            s.produced_so_far += units
            s.produced_by_day[report.day] = s.produced_by_day.get(report.day, 0) + units
            s.last_day = max(s.last_day, report.day)
            records.append(
                ProgressRecord(
                    trend_id=inp.trend_id,
                    workflow_id=inp.workflow_id,
                    report=report,
                    at=workflow.now(),
                    produced_so_far=s.produced_so_far,
                )
            )
            if report.day - 1 > s.last_checked_day:  # a report for day d ends day d-1
                s.last_checked_day = report.day - 1
                ended_days.append(report.day - 1)
        if not records:
            return
        await self._run(Act.record_progress_batch, ProgressBatch(records=records))
        if first is not None:
            await self._milestone(
                MilestoneName.first_batch, f"{first.units} units on {first.line_id}"
            )
        for day in ended_days:
            await self._check_slippage(day)

    async def _check_slippage(self, day: int) -> None:
        inp, s = self._inp, self._state
        expected = planned_cumulative(s.plan, day)
        actual = sum(units for d, units in s.produced_by_day.items() if d <= day)
        if expected <= 0 or actual >= expected * (1 - inp.slippage_threshold):
            return
        if s.produced_so_far >= inp.quantity or s.proposed is not None:
            return  # done, or a replan already awaits the planner
        revision = s.next_revision or s.plan.revision + 1
        s.next_revision = revision + 1
        request = PlanRequest(
            workflow_id=inp.workflow_id,
            trend_id=inp.trend_id,
            family=inp.family,
            quantity=inp.quantity,
            due_in_days=max(s.plan.due_day + 1, day + 2),
            sourcing=inp.sourcing,
            revision=revision,
            start_date=workflow.now(),
            start_day=day + 1,
            produced_so_far=s.produced_so_far,
            status="proposed",
            time_limit_s=inp.plan_time_limit_s,
        )
        new_plan = await self._run(Act.plan_production, request, PlanResult, heavy(5))
        note = NotificationRecord(
            trend_id=inp.trend_id,
            kind="slippage",
            message=(
                f"day {day}: {actual:,} made vs {expected:,} planned "
                f"({expected - actual:,} behind); replan {new_plan.plan_id} (revision "
                f"{new_plan.revision}, completion day {new_plan.completion_day}) awaits a planner"
            ),
            at=workflow.now(),
        )
        await self._run(Act.notify, note)
        s.proposed = new_plan  # set once the proposal is recorded and announced

    async def _ship(self) -> None:
        inp, s = self._inp, self._state
        batch = inp.shipment_batch_units
        while True:
            ready = s.produced_so_far - s.shipped_so_far
            if ready <= 0 or s.shipped_so_far >= inp.quantity:
                return
            if ready < batch and s.produced_so_far < inp.quantity:
                return
            units = min(ready, batch, inp.quantity - s.shipped_so_far)
            shipment = ShipmentRecord(
                trend_id=inp.trend_id,
                workflow_id=inp.workflow_id,
                sequence=s.shipped_so_far // batch + 1,
                units=units,
                at=workflow.now(),
            )
            await self._run(Act.record_shipment, shipment)
            s.shipped_so_far += units
            if inp.delivery is not None:  # off for runs recorded before delivery legs
                await self._book_delivery(shipment)
            await self._tell_parent()

    async def _book_delivery(self, shipment: ShipmentRecord) -> None:
        """Choose the batch's legs and start a ConsignmentDelivery for each (they outlive the
        run); a batch that cannot be planned is a note to the planner, not a failed run."""
        inp, s, opts = self._inp, self._state, self._inp.delivery
        assert opts is not None
        req = DeliveryRequest(
            trend_id=inp.trend_id,
            workflow_id=inp.workflow_id,
            batch_sequence=shipment.sequence,
            units=shipment.units,
            ready_date=workflow.now().date(),
        )
        options = {**LIGHT, "start_to_close_timeout": timedelta(minutes=2)}
        try:
            plan = await self._run(Act.plan_delivery, req, DeliveryPlan, options)
        except ActivityError as err:
            reason = getattr(err.cause, "message", str(err.cause))
            note = NotificationRecord(
                trend_id=inp.trend_id,
                kind="delivery_unplanned",
                message=f"batch {shipment.sequence} ({shipment.units:,} units): {reason}",
                at=workflow.now(),
            )
            await self._run(Act.notify, note)
            return
        for leg in plan.consignments:
            await workflow.start_child_workflow(
                ConsignmentDelivery.run,
                ConsignmentInput(
                    consignment=leg,
                    trend_id=inp.trend_id,
                    workflow_id=inp.workflow_id,
                    booked_on=req.ready_date,
                    seconds_per_day=opts.seconds_per_day,
                    sla_grace_days=opts.sla_grace_days,
                    cpu_task_queue=inp.cpu_task_queue,
                ),
                id=consignment_workflow_id(leg.consignment_id),
                parent_close_policy=ParentClosePolicy.ABANDON,
            )
            s.consignments += 1

    async def _milestone(self, name: MilestoneName, detail: str) -> None:
        record = MilestoneRecord(
            trend_id=self._inp.trend_id,
            workflow_id=self._inp.workflow_id,
            name=name,
            at=workflow.now(),
            detail=detail,
        )
        await self._run(Act.record_milestone, record)

    async def _tell_parent(self) -> None:
        parent = workflow.info().parent
        if parent is None:
            return
        handle = workflow.get_external_workflow_handle(parent.workflow_id)
        await handle.signal(Signal.production_progress, self.progress())

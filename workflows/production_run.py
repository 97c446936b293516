"""ProductionRun: a child workflow that follows a mass-production run from progress reports to shipment."""

from __future__ import annotations

import math

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.contracts import (
        MilestoneName,
        MilestoneRecord,
        NotificationRecord,
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
        ShipmentRecord,
    )
    from models.names import Act
    from workflows.common import LIGHT, check_reviewer, heavy, record_review


def planned_cumulative(plan: PlanResult, day: int) -> int:
    """Units the plan expects finished by the end of factory `day`."""
    return sum(d.units for d in plan.daily if d.day <= day)


SHIP_AS_APPLIED = "ship-as-reports-apply"
FINISHED_GOODS_ONLY = "finished-goods-only"
# the parent hears of shipments only (its status shows them); per-report signals doubled every
# run's history and, with 100 runs replaying after a worker restart, timed workflow tasks out
TELL_PARENT_ON_SHIPMENT = "tell-parent-on-shipment"
# the reports waiting when the run wakes are recorded by one activity, not one each: a shift
# of twelve lines was twelve activity round trips
RECORD_IN_BATCHES = "record-reports-in-batches"


@workflow.defn(name="ProductionRun")
class ProductionRun:
    """Receives per-line, per-day progress; records it, ships batches, replans on slippage."""

    def __init__(self) -> None:
        self._pending: list[ProgressReport] = []
        self._state: ProductionRunInput | None = None
        self._last_checked_day = -1
        self._last_day = 0

    @workflow.signal
    def report_progress(self, report: ProgressReport) -> None:
        self._pending.append(report)

    @workflow.signal
    def report_shift(self, reports: ProgressReports) -> None:
        """Several lines' reports at once (an MES sends a shift's worth)."""
        self._pending.extend(reports.reports)

    @workflow.update
    async def review_replan(self, review: PlanReview) -> str:
        """The planner's decision on a proposed replan: approve switches the lines to it."""
        s = self._state
        assert s is not None and s.proposed is not None
        proposal, s.proposed = s.proposed, None
        decision = "approved" if review.approve else "rejected"
        await record_review(proposal.plan_id, decision, review.reviewer, review.reason)
        if review.approve:
            s.plan = proposal
            s.replans += 1
        return decision

    @review_replan.validator
    def _check_replan_review(self, review: PlanReview) -> None:
        s = self._state
        if s is None or s.proposed is None:
            raise ValueError("no replan of this run is awaiting review")
        if review.plan_id != s.proposed.plan_id:
            raise ValueError(
                f"plan {review.plan_id} is not the proposed replan ({s.proposed.plan_id})"
            )
        check_reviewer(review)

    @workflow.query
    def progress(self) -> ProductionRunResult:
        s = self._state
        if s is None:
            return ProductionRunResult(produced=0, shipped=0, shipments=0, replans=0, last_day=0)
        return self._result(s)

    def _result(self, s: ProductionRunInput) -> ProductionRunResult:
        shipments = math.ceil(s.shipped_so_far / s.shipment_batch_units) if s.shipped_so_far else 0
        return ProductionRunResult(
            produced=s.produced_so_far,
            shipped=s.shipped_so_far,
            shipments=shipments,
            replans=s.replans,
            last_day=self._last_day,
        )

    @workflow.run
    async def run(self, inp: ProductionRunInput) -> ProductionRunResult:
        self._state = s = inp
        if not inp.seen_reports:
            await workflow.execute_activity(
                Act.record_run,
                RunRecord(
                    trend_id=s.trend_id,
                    workflow_id=s.workflow_id,
                    plan_id=s.plan.plan_id,
                    quantity=s.quantity,
                    at=workflow.now(),
                ),
                **LIGHT,
            )
        while s.shipped_so_far < s.quantity:
            await workflow.wait_condition(lambda: bool(self._pending))
            while self._pending:
                if workflow.patched(RECORD_IN_BATCHES):
                    batch, self._pending = self._pending, []
                    await self._apply_batch(s, batch)
                    await self._ship(s)
                    continue
                await self._apply(s, self._pending.pop(0))
                if workflow.patched(SHIP_AS_APPLIED):
                    await self._ship(s)  # a steady stream of reports must not starve shipping
            await self._ship(s)
            if workflow.info().is_continue_as_new_suggested() and not self._pending:
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(s)
        await workflow.wait_condition(workflow.all_handlers_finished)
        if s.proposed is not None:  # the order is done: the pending replan is moot
            await record_review(
                s.proposed.plan_id, "superseded", "system", "the order was finished before review"
            )
            s.proposed = None
        await workflow.execute_activity(
            Act.record_run,
            RunRecord(
                trend_id=s.trend_id,
                workflow_id=s.workflow_id,
                plan_id=s.plan.plan_id,
                quantity=s.quantity,
                produced=s.produced_so_far,
                shipped=s.shipped_so_far,
                status="completed",
                at=workflow.now(),
            ),
            **LIGHT,
        )
        return self._result(s)

    def _finished_units(self, s: ProductionRunInput, report: ProgressReport) -> int:
        """The report's units that are finished product: only the last stage's lines make
        product; cutting or sewing lines' units are recorded as progress, not units to ship."""
        if workflow.patched(FINISHED_GOODS_ONLY):
            last_stage = {d.line_id for d in s.plan.daily}
            if last_stage and report.line_id not in last_stage:
                return 0
        return report.units

    async def _apply_batch(self, s: ProductionRunInput, batch: list[ProgressReport]) -> None:
        """Count the new reports of `batch`, record them in one activity, then check the plan."""
        records: list[ProgressRecord] = []
        first: ProgressReport | None = None
        ended_days: list[int] = []
        for report in batch:
            key = f"{report.line_id}:{report.day}"
            if key in s.seen_reports:
                continue  # a duplicate report (retried HTTP call, MES resend) counts once
            s.seen_reports.append(key)
            units = self._finished_units(s, report)
            if first is None and s.produced_so_far == 0 and units > 0:
                first = report
            s.produced_so_far += units
            s.produced_by_day[report.day] = s.produced_by_day.get(report.day, 0) + units
            self._last_day = max(self._last_day, report.day)
            records.append(
                ProgressRecord(
                    trend_id=s.trend_id,
                    workflow_id=s.workflow_id,
                    report=report,
                    at=workflow.now(),
                    produced_so_far=s.produced_so_far,
                )
            )
            if report.day - 1 > self._last_checked_day:  # a report for day d ends day d-1
                self._last_checked_day = report.day - 1
                ended_days.append(report.day - 1)
        if not records:
            return
        await workflow.execute_activity(
            Act.record_progress_batch, ProgressBatch(records=records), **LIGHT
        )
        if first is not None:
            await self._milestone(
                s, MilestoneName.first_batch, f"{first.units} units on {first.line_id}"
            )
        for day in ended_days:
            await self._check_slippage(s, day)
        if not workflow.patched(TELL_PARENT_ON_SHIPMENT):
            await self._tell_parent(s)

    async def _apply(self, s: ProductionRunInput, report: ProgressReport) -> None:
        key = f"{report.line_id}:{report.day}"
        if key in s.seen_reports:
            return  # a duplicate report (retried HTTP call, MES resend) counts once
        s.seen_reports.append(key)
        units = self._finished_units(s, report)
        first = s.produced_so_far == 0 and units > 0
        await workflow.execute_activity(
            Act.record_progress,
            ProgressRecord(
                trend_id=s.trend_id,
                workflow_id=s.workflow_id,
                report=report,
                at=workflow.now(),
                produced_so_far=s.produced_so_far + units,
            ),
            **LIGHT,
        )
        s.produced_so_far += units
        s.produced_by_day[report.day] = s.produced_by_day.get(report.day, 0) + units
        self._last_day = max(self._last_day, report.day)
        if first:
            await self._milestone(
                s, MilestoneName.first_batch, f"{report.units} units on {report.line_id}"
            )
        # A report for day d means day d-1 is over: compare it with the plan.
        if report.day - 1 > self._last_checked_day:
            self._last_checked_day = report.day - 1
            await self._check_slippage(s, report.day - 1)
        if not workflow.patched(TELL_PARENT_ON_SHIPMENT):
            await self._tell_parent(s)  # older runs: the parent heard of every report

    async def _check_slippage(self, s: ProductionRunInput, day: int) -> None:
        expected = planned_cumulative(s.plan, day)
        actual = sum(units for d, units in s.produced_by_day.items() if d <= day)
        if expected <= 0 or actual >= expected * (1 - s.slippage_threshold):
            return
        if s.produced_so_far >= s.quantity or s.proposed is not None:
            return  # done, or a replan already awaits the planner
        behind = expected - actual
        revision = s.next_revision or s.plan.revision + 1
        s.next_revision = revision + 1
        new_plan = await workflow.execute_activity(
            Act.plan_production,
            PlanRequest(
                workflow_id=s.workflow_id,
                trend_id=s.trend_id,
                family=s.family,
                quantity=s.quantity,
                due_in_days=max(s.plan.due_day + 1, day + 2),
                sourcing=s.sourcing,
                revision=revision,
                start_date=workflow.now(),
                start_day=day + 1,
                produced_so_far=s.produced_so_far,
                status="proposed",
                time_limit_s=s.plan_time_limit_s,
            ),
            result_type=PlanResult,
            **heavy(5),
        )
        await workflow.execute_activity(
            Act.notify,
            NotificationRecord(
                trend_id=s.trend_id,
                kind="slippage",
                message=(
                    f"day {day}: {actual:,} made vs {expected:,} planned "
                    f"({behind:,} behind); replan {new_plan.plan_id} (revision "
                    f"{new_plan.revision}, completion day {new_plan.completion_day}) awaits a planner"
                ),
                at=workflow.now(),
            ),
            **LIGHT,
        )
        s.proposed = new_plan  # set once the proposal is recorded and announced

    async def _ship(self, s: ProductionRunInput) -> None:
        while True:
            ready = s.produced_so_far - s.shipped_so_far
            if ready <= 0 or s.shipped_so_far >= s.quantity:
                return
            if ready < s.shipment_batch_units and s.produced_so_far < s.quantity:
                return
            units = min(ready, s.shipment_batch_units, s.quantity - s.shipped_so_far)
            sequence = s.shipped_so_far // s.shipment_batch_units + 1
            await workflow.execute_activity(
                Act.record_shipment,
                ShipmentRecord(
                    trend_id=s.trend_id,
                    workflow_id=s.workflow_id,
                    sequence=sequence,
                    units=units,
                    at=workflow.now(),
                ),
                **LIGHT,
            )
            s.shipped_so_far += units
            await self._tell_parent(s)

    async def _milestone(self, s: ProductionRunInput, name: MilestoneName, detail: str) -> None:
        await workflow.execute_activity(
            Act.record_milestone,
            MilestoneRecord(
                trend_id=s.trend_id,
                workflow_id=s.workflow_id,
                name=name,
                at=workflow.now(),
                detail=detail,
            ),
            **LIGHT,
        )

    async def _tell_parent(self, s: ProductionRunInput) -> None:
        parent = workflow.info().parent
        if parent is None:
            return
        handle = workflow.get_external_workflow_handle(parent.workflow_id)
        await handle.signal("production_progress", self._result(s))

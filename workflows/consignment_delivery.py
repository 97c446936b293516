"""ConsignmentDelivery: one delivery leg from booking to delivered, with an SLA timer."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from models.contracts import (
        CarrierEvent,
        ConsignmentDone,
        ConsignmentInput,
        ConsignmentResult,
        ConsignmentUpdate,
        NotificationRecord,
    )
    from models.names import Act, Patch, Query, Signal, Wf
    from workflows.common import RunsActivities

IN_TRANSIT = {"picked_up", "departed", "arrived", "customs_cleared", "out_for_delivery"}


@workflow.defn(name=Wf.consignment_delivery)
class ConsignmentDelivery(RunsActivities):
    """Booked when its batch leaves; carrier events move it; late or lost escalates to a planner.

    A carrier event seen before (same `event_id`) changes nothing. The SLA is the lane's latest
    arrival plus a grace, counted from the day the batch left, on the input's clock.
    """

    @workflow.init
    def __init__(self, inp: ConsignmentInput) -> None:
        self._inp = inp
        self._cpu_task_queue = inp.cpu_task_queue
        self._pending: list[CarrierEvent] = []
        self._seen: set[str] = set()
        self._result = ConsignmentResult(
            consignment_id=inp.consignment.consignment_id, status="booked"
        )

    @workflow.signal(name=Signal.carrier_event)
    def carrier_event(self, event: CarrierEvent) -> None:
        self._pending.append(event)

    @workflow.query(name=Query.consignment)
    def consignment(self) -> ConsignmentResult:
        return self._result

    @workflow.run
    async def run(self, inp: ConsignmentInput) -> ConsignmentResult:
        await self._record("booked")
        plan = inp.consignment
        sla_days = (plan.eta_latest - inp.booked_on).days + inp.sla_grace_days
        sla = timedelta(seconds=max(sla_days, 0) * inp.seconds_per_day)
        started = workflow.now()
        while self._result.status not in ("delivered", "lost"):
            left = sla - (workflow.now() - started)
            wait = left if not self._result.escalated and left > timedelta(0) else None
            try:
                await workflow.wait_condition(lambda: bool(self._pending), timeout=wait)
            except TimeoutError:
                await self._escalate(
                    "late",
                    f"consignment {plan.consignment_id} ({plan.units} units by {plan.mode} to "
                    f"{plan.market}) is not delivered {inp.sla_grace_days} days after its latest "
                    f"arrival {plan.eta_latest}: re-ship by a faster mode or chase the carrier",
                )
                continue
            await self._absorb()
        await workflow.wait_condition(workflow.all_handlers_finished)
        if workflow.patched(Patch.leg_tells_pipeline):
            await self._tell_pipeline()
        return self._result

    async def _tell_pipeline(self) -> None:
        """Tell the idea's pipeline this leg ended; a pipeline that no longer runs is fine."""
        plan = self._inp.consignment
        done = ConsignmentDone(
            consignment_id=plan.consignment_id, status=self._result.status, market=plan.market,
            mode=plan.mode, units=plan.units,
        )  # fmt: skip
        try:
            await workflow.get_external_workflow_handle(self._inp.workflow_id).signal(
                Signal.consignment_done, done
            )
        except FailureError as err:
            workflow.logger.info("pipeline %s not told: %s", self._inp.workflow_id, err)

    async def _absorb(self) -> None:
        """Apply the waiting carrier events in order; a repeated event_id is skipped."""
        events, self._pending = self._pending, []
        for event in events:
            if event.event_id in self._seen or self._result.status in ("delivered", "lost"):
                continue
            self._seen.add(event.event_id)
            self._result.events += 1
            if event.kind == "delivered":
                self._result.delivered_at = event.at
                await self._record("delivered", event)
            elif event.kind == "lost":
                plan = self._inp.consignment
                await self._record("lost", event)
                await self._escalate(
                    "lost",
                    f"consignment {plan.consignment_id} ({plan.units} units to {plan.market}) "
                    f"is reported lost by the carrier: {event.note or event.location or 'no detail'}",
                )
            elif event.kind in IN_TRANSIT and self._result.status == "booked":
                await self._record("in_transit", event)
            elif event.kind in IN_TRANSIT and workflow.patched(Patch.leg_records_each_event):
                await self._record(self._result.status, event)  # where it is now

    async def _record(self, status: str, event: CarrierEvent | None = None) -> None:
        """Write the status to the consignment row, and keep it here."""
        if status != "late" or self._result.status not in ("delivered", "lost"):
            self._result.status = status
        update = ConsignmentUpdate(
            consignment_id=self._inp.consignment.consignment_id,
            status=status,  # type: ignore[arg-type]
            at=event.at if event is not None else workflow.now(),
            event=event,
        )
        await self._run(Act.record_consignment, update)

    async def _escalate(self, status: str, message: str) -> None:
        """Tell the planner (a notification on the idea) and mark the consignment."""
        self._result.escalated = True
        if status == "late":
            await self._record("late")
        note = NotificationRecord(
            trend_id=self._inp.trend_id, kind=f"delivery_{status}", message=message,
            at=workflow.now(),
        )  # fmt: skip
        await self._run(Act.notify, note)

"""PrototypePreparation: a child workflow that turns the picked variant into a printable prototype."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from models.contracts import PrototypeRequest, PrototypeResult
    from workflows.names import Act

CPU_RETRY = RetryPolicy(maximum_attempts=5, non_retryable_error_types=["UnprintableMesh"])


@workflow.defn(name="PrototypePreparation")
class PrototypePreparation:
    """Repair, scale, orient, check, slice and export one variant's mesh (one CPU-heavy activity)."""

    def __init__(self) -> None:
        self._step = "queued"

    @workflow.query
    def step(self) -> str:
        return self._step

    @workflow.run
    async def run(self, request: PrototypeRequest) -> PrototypeResult:
        self._step = "preparing"
        result = await workflow.execute_activity(
            Act.prepare_prototype,
            request,
            result_type=PrototypeResult,
            task_queue=request.cpu_task_queue,
            start_to_close_timeout=timedelta(minutes=20),
            heartbeat_timeout=timedelta(seconds=60),
            retry_policy=CPU_RETRY,
        )
        self._step = "done"
        return result

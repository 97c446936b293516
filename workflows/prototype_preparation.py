"""PrototypePreparation: a child workflow that turns the picked variant into a printable prototype."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from models.contracts import PrototypeRequest, PrototypeResult
    from models.names import Act, Query, Wf
    from workflows.common import heavy, run_activity


@workflow.defn(name=Wf.prototype_preparation)
class PrototypePreparation:
    """Repair, scale, orient, check, slice and export one variant's mesh (one CPU-heavy activity)."""

    def __init__(self) -> None:
        self._step = "queued"

    @workflow.query(name=Query.step)
    def step(self) -> str:
        return self._step

    @workflow.run
    async def run(self, request: PrototypeRequest) -> PrototypeResult:
        self._step = "preparing"
        result = await run_activity(
            Act.prepare_prototype, request, request.cpu_task_queue, PrototypeResult, heavy(20)
        )
        self._step = "done"
        return result

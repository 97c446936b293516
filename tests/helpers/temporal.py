"""Workers on fresh task queues, and waiting for a pipeline or any condition."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from models.contracts import PipelineConfig, PipelineStatus, Stage
from trendforge.temporal import build_workers
from workflows import TrendToProduction


@asynccontextmanager
async def running_workers(
    client: Client, engine: Engine, files_dir: Path
) -> AsyncIterator[tuple[str, PipelineConfig]]:
    """Both workers on fresh task queues; yields the light queue and a matching config."""
    queue = f"tf-test-{uuid.uuid4().hex[:8]}"
    config = PipelineConfig(
        variant_count=6, cpu_task_queue=f"{queue}-cpu", plan_time_limit_s=1.0, use_slicer=False
    )
    async with AsyncExitStack() as stack:
        for w in build_workers(client, engine, files_dir, queue, f"{queue}-cpu"):
            await stack.enter_async_context(w)
        yield queue, config


async def wait_for_stage(
    handle: WorkflowHandle, *stages: Stage, timeout_s: float = 90.0
) -> PipelineStatus:
    """Poll the `status` query until the pipeline reaches one of `stages` (a pipeline that is
    not started yet, as trend-watch starts them after storing the ideas, has not)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    last: PipelineStatus | None = None
    while loop.time() < deadline:
        try:
            last = await handle.query(TrendToProduction.status)
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            await asyncio.sleep(0.2)
            continue
        if last.stage in stages:
            return last
        if last.stage in (Stage.failed, Stage.cancelled) and last.stage not in stages:
            raise AssertionError(f"pipeline ended {last.stage}: {last.last_error}")
        await asyncio.sleep(0.2)
    raise AssertionError(f"pipeline did not reach {stages} in {timeout_s}s; last {last}")


async def eventually(check: Callable[[], Any], timeout_s: float = 30.0) -> Any:
    """Poll `check()` (sync) until it returns a truthy value; that value, or AssertionError."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout_s}s: last {value!r}")
        await asyncio.sleep(0.1)


async def carry_until_delivered(
    client: Client, engine: Engine, handle: WorkflowHandle, trend_id: int, timeout_s: float = 90.0
) -> PipelineStatus:
    """Play the carrier: every consignment of the idea picked up, then delivered, as its legs are
    booked, until the pipeline ends (its last status)."""
    from sqlmodel import Session, select

    from models.contracts import TERMINAL_STAGES, CarrierEvent
    from models.names import Signal, consignment_workflow_id
    from models.tables import Consignment, utcnow

    told: set[int] = set()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline:
        with Session(engine) as s:
            ids = [
                c.id for c in s.exec(select(Consignment).where(Consignment.trend_id == trend_id))
            ]
        for cid in ids:
            if cid is None or cid in told:
                continue
            leg = client.get_workflow_handle(consignment_workflow_id(cid))
            try:
                for kind in ("picked_up", "delivered"):
                    event = CarrierEvent(event_id=f"t-{cid}-{kind}", kind=kind, at=utcnow())  # type: ignore[arg-type]
                    await leg.signal(Signal.carrier_event, event)
            except RPCError as err:
                if err.status != RPCStatusCode.NOT_FOUND:
                    raise
                continue  # its workflow starts just after the row is written
            told.add(cid)
        status: PipelineStatus = await handle.query(TrendToProduction.status)
        if status.stage in TERMINAL_STAGES:
            return status
        await asyncio.sleep(0.2)
    raise AssertionError(f"pipeline {handle.id} not delivered in {timeout_s}s")

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

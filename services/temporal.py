"""The Temporal client side: connect with the pydantic converter, start an idea's pipeline."""

from __future__ import annotations

import asyncio

from temporalio.client import Client, WorkflowHandle
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import WorkflowAlreadyStartedError

from models.contracts import IdeaInput, PipelineConfig, PipelineResult, Stage, TrendWorkflowInput
from models.names import LIGHT_QUEUE, MERCHANT_ID, TREND_STAGE, Wf, trend_workflow_id


async def connect(address: str, namespace: str = "default", attempts: int = 50) -> Client:
    """A client with the pydantic converter; waits for a server that is still starting."""
    for attempt in range(attempts):
        try:
            return await Client.connect(
                address, namespace=namespace, data_converter=pydantic_data_converter
            )
        except RuntimeError:
            if attempt == attempts - 1:
                raise
            await asyncio.sleep(0.3)
    raise AssertionError("unreachable")


async def start_pipeline(
    client: Client,
    trend_id: int,
    idea: IdeaInput,
    config: PipelineConfig | None = None,
    task_queue: str = LIGHT_QUEUE,
) -> WorkflowHandle:
    """Start `trend-<id>`; a second call for the same idea returns the same workflow."""
    config = config or PipelineConfig()
    attrs = TypedSearchAttributes(
        [
            SearchAttributePair(MERCHANT_ID, idea.merchant_id),
            SearchAttributePair(TREND_STAGE, Stage.received.value),
        ]
    )
    wid = trend_workflow_id(trend_id)
    try:
        return await client.start_workflow(
            Wf.trend_to_production,
            TrendWorkflowInput(trend_id=trend_id, idea=idea, config=config),
            id=wid,
            task_queue=task_queue,
            result_type=PipelineResult,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=attrs if config.use_search_attributes else None,
        )
    except WorkflowAlreadyStartedError:
        return client.get_workflow_handle(wid, result_type=PipelineResult)

"""Client-side helpers to start and address pipelines (used by the API, the CLI and trend-watch).

Not imported by workflow code, so it may do I/O.
"""

from __future__ import annotations

from temporalio.client import Client, WorkflowHandle
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError

from models.contracts import IdeaInput, PipelineConfig, PipelineResult, Stage, TrendWorkflowInput
from workflows.names import LIGHT_QUEUE, trend_workflow_id

TREND_STAGE = SearchAttributeKey.for_keyword("TrendStage")
MERCHANT_ID = SearchAttributeKey.for_keyword("MerchantId")


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
            "TrendToProduction",
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

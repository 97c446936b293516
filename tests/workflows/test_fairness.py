"""Fair dispatch between merchants on the dev server as TrendForge runs it: a merchant's flood
does not starve another merchant's work, and every pipeline carries its merchant's key."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from temporalio.common import Priority
from temporalio.worker import Worker

from models.contracts import IdeaInput, PipelineConfig
from services.temporal import start_pipeline
from tests.workflows.fair_jobs import FairJob, fair_job_work


async def test_a_flood_from_one_key_does_not_starve_another(dev_env) -> None:  # type: ignore[no-untyped-def]
    """40 jobs of one merchant queued first, then 3 of another, one worker slot: the other
    merchant's jobs are dispatched among the first of the flood, not after all of it (FIFO
    would finish them last)."""
    c, q = dev_env.client, f"fair-{uuid.uuid4().hex[:8]}"
    flood = [
        await c.start_workflow(
            FairJob.run,
            "flood",
            id=f"flood-{k}-{q}",
            task_queue=q,
            priority=Priority(fairness_key="m-flood"),
        )  # fmt: skip
        for k in range(40)
    ]
    small = [
        await c.start_workflow(
            FairJob.run,
            "small",
            id=f"small-{k}-{q}",
            task_queue=q,
            priority=Priority(fairness_key="m-small"),
        )  # fmt: skip
        for k in range(3)
    ]
    with ThreadPoolExecutor(max_workers=1) as pool:
        async with Worker(
            c, task_queue=q, workflows=[FairJob], activities=[fair_job_work],
            activity_executor=pool, max_concurrent_activities=1,
        ):  # fmt: skip
            small_done = [await h.result() for h in small]
            flood_done = sorted([await h.result() for h in flood])
    before = sum(t < max(small_done) for t in flood_done)
    assert before < 25, f"the small merchant waited for {before} of 40 flood jobs"


@pytest.mark.db
async def test_a_pipeline_carries_its_merchant_as_fairness_key(dev_env) -> None:  # type: ignore[no-untyped-def]
    queue = f"nobody-{uuid.uuid4().hex[:6]}"  # no worker: only the start is looked at
    idea = IdeaInput(text="frog keychain", merchant_id=f"m-fair-{uuid.uuid4().hex[:6]}")
    handle = await start_pipeline(
        dev_env.client, 10**9 + 7, idea, PipelineConfig(use_search_attributes=False), queue
    )
    info = (await handle.describe()).raw_description.workflow_execution_info
    assert info.priority.fairness_key == idea.merchant_id
    await handle.terminate("test done")

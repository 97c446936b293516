"""A one-activity workflow for the fairness test: the activity notes when it ran."""

from __future__ import annotations

import time
from datetime import timedelta

from temporalio import activity, workflow


@activity.defn(name="fair_job_work")
def fair_job_work(tag: str) -> float:
    """A short piece of work; when it finished (epoch seconds)."""
    time.sleep(0.05)
    return time.time()


@workflow.defn(name="FairJob")
class FairJob:
    @workflow.run
    async def run(self, tag: str) -> float:
        return await workflow.execute_activity(
            fair_job_work, tag, start_to_close_timeout=timedelta(seconds=60)
        )

"""TrendWatch: run by the `trend-watch` Schedule; reads a feed and starts pipelines for viral phrases."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from models.contracts import TrendWatchInput, TrendWatchResult
    from workflows.names import Act


@workflow.defn(name="TrendWatch")
class TrendWatch:
    """One pass over the configured trend feed (the activity does the reading and starting)."""

    @workflow.run
    async def run(self, inp: TrendWatchInput) -> TrendWatchResult:
        return await workflow.execute_activity(
            Act.scan_trend_feed,
            inp,
            result_type=TrendWatchResult,
            start_to_close_timeout=timedelta(minutes=5),
            heartbeat_timeout=timedelta(seconds=60),
            retry_policy=RetryPolicy(maximum_attempts=3, non_retryable_error_types=["BadSignal"]),
        )

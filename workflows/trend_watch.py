"""TrendWatch: run by the `trend-watch` Schedule; reads a feed and starts pipelines for viral phrases."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from models.contracts import FeedScan, PipelineStarts, TrendWatchInput, TrendWatchResult
    from models.names import Act, Err, Wf

RETRY = RetryPolicy(maximum_attempts=3, non_retryable_error_types=[Err.bad_signal])
# the ideas are stored by then: starting their pipelines (idempotent) retries until it happens
START_RETRY = RetryPolicy(maximum_attempts=0, maximum_interval=timedelta(seconds=10))


@workflow.defn(name=Wf.trend_watch)
class TrendWatch:
    """One pass over the configured trend feed: take in its phrases, start the new ideas."""

    @workflow.run
    async def run(self, inp: TrendWatchInput) -> TrendWatchResult:
        scan = await workflow.execute_activity(
            Act.scan_trend_feed,
            inp,
            result_type=FeedScan,
            start_to_close_timeout=timedelta(minutes=5),
            heartbeat_timeout=timedelta(seconds=60),
            retry_policy=RETRY,
        )
        started: list[int] = []
        if scan.ideas:
            started = await workflow.execute_activity(
                Act.start_pipelines,
                PipelineStarts(ideas=scan.ideas, config=inp.config),
                result_type=list[int],
                start_to_close_timeout=timedelta(minutes=1),
                schedule_to_close_timeout=timedelta(hours=1),
                retry_policy=START_RETRY,
            )
        return TrendWatchResult(
            scored=scan.scored, started=started, skipped_duplicates=scan.skipped_duplicates
        )

"""What the workflows share: activity options, routing an activity to its worker's queue, and
the planner's review (its checks and how it is recorded)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from models.contracts import PlanReview, PlanReviewRecord, SelectVariant
    from models.names import ACTIVITY_QUEUE, DOMAIN_ERRORS, Act, Queue

T = TypeVar("T")

# A killed or restarted worker is an outage, not a verdict on the idea: activities retry without
# an attempt cap, with backoff, until their schedule-to-close bound (crash tests: trendforge.chaos).
LIGHT: dict[str, Any] = {
    "start_to_close_timeout": timedelta(seconds=30),
    "schedule_to_close_timeout": timedelta(hours=1),
    "retry_policy": RetryPolicy(maximum_attempts=0, maximum_interval=timedelta(seconds=10)),
}


def heavy(minutes: int, heartbeat_s: int = 20) -> dict[str, Any]:
    """Options of a CPU activity: `minutes` per attempt, a dead worker noticed after `heartbeat_s`
    without a heartbeat, retried until two hours have passed or a domain error says no."""
    return {
        "start_to_close_timeout": timedelta(minutes=minutes),
        "schedule_to_close_timeout": timedelta(hours=2),
        "heartbeat_timeout": timedelta(seconds=heartbeat_s),
        "retry_policy": RetryPolicy(
            maximum_attempts=0,
            maximum_interval=timedelta(seconds=15),
            non_retryable_error_types=list(DOMAIN_ERRORS),  # bad input: fail at once
        ),
    }


async def run_activity(
    name: str,
    arg: Any,
    cpu_task_queue: str,
    result_type: type[T] | None = None,
    options: dict[str, Any] | None = None,
) -> T:
    """Run activity `name` on its worker's queue (models.names.ACTIVITY_QUEUE): the CPU queue,
    or the workflow's own; with LIGHT options unless others are given."""
    queue = cpu_task_queue if ACTIVITY_QUEUE[name] is Queue.cpu else None
    return await workflow.execute_activity(
        name, arg, task_queue=queue, result_type=result_type, **(options or LIGHT)
    )


class RunsActivities:
    """For a workflow class: `_run` routes an activity to its worker's queue; the class sets
    `_cpu_task_queue` (from its input) before the first call."""

    _cpu_task_queue: str

    async def _run(
        self,
        name: str,
        arg: Any,
        result_type: type[T] | None = None,
        options: dict[str, Any] | None = None,
    ) -> T:
        return await run_activity(name, arg, self._cpu_task_queue, result_type, options)


def check_picker(selection: SelectVariant, merchant_id: str) -> None:
    """Validator part of a pick: someone named picked, the idea's own merchant or an admin."""
    if not selection.actor.strip() or not selection.role:
        raise ValueError("a pick must name who picked and their role")
    if selection.role == "admin":
        return
    if selection.role != "merchant" or selection.actor != merchant_id:
        raise ValueError("only the merchant who submitted this idea may pick its variant")
    if selection.merchant_id not in (None, merchant_id):
        raise ValueError("only the merchant who submitted this idea may pick its variant")


def check_reviewer(review: PlanReview) -> None:
    """Validator part shared by plan reviews: planners only, and a rejection says why."""
    if not review.reviewer.strip() or not review.role:
        raise ValueError("a plan review must name who decided and their role")
    if review.role not in ("planner", "admin"):
        raise ValueError(f"only a planner may review plans, not a '{review.role}'")
    if not review.approve and not review.reason.strip():
        raise ValueError("a rejection needs a reason")


async def record_review(plan_id: int, status: str, reviewer: str, reason: str) -> None:
    """Write a plan's review outcome (approved, rejected, escalated, superseded)."""
    record = PlanReviewRecord(
        plan_id=plan_id, status=status, reviewer=reviewer, reason=reason, at=workflow.now()
    )
    await workflow.execute_activity(Act.record_plan_review, record, **LIGHT)

"""Pieces both workflows use: bookkeeping activity options, plan-review recording and checks."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from models.contracts import PlanReview, PlanReviewRecord
    from workflows.names import Act

LIGHT = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(maximum_attempts=20, maximum_interval=timedelta(seconds=10)),
}


def check_reviewer(review: PlanReview) -> None:
    """Validator part shared by plan reviews: planners only, and a rejection says why."""
    if review.role != "planner":
        raise ValueError(f"only a planner may review plans, not a '{review.role}'")
    if not review.approve and not review.reason.strip():
        raise ValueError("a rejection needs a reason")


async def record_review(plan_id: int, status: str, reviewer: str, reason: str) -> None:
    """Write a plan's review outcome (approved, rejected, escalated, superseded)."""
    await workflow.execute_activity(
        Act.record_plan_review,
        PlanReviewRecord(
            plan_id=plan_id, status=status, reviewer=reviewer, reason=reason, at=workflow.now()
        ),
        **LIGHT,
    )

"""PortfolioReplan: one proposal moving every idea's not-started lots on the own lines by
priority (running lots stay put), decided as one by a planner's Update; approval moves the
bookings, writes each moved idea's next plan revision and tells its pipeline (which tells its
production run); rejection or no answer within the review timeout changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, TemporalError

with workflow.unsafe.imports_passed_through():
    from models.contracts import (
        PlanAdopted,
        PortfolioApplied,
        PortfolioApply,
        PortfolioDecision,
        PortfolioProposal,
        PortfolioReplanRequest,
        PortfolioReplanResult,
    )
    from models.names import Act, Patch, Query, Signal, Update, Wf
    from workflows.common import LIGHT, heavy, run_activity


@workflow.defn(name=Wf.portfolio_replan)
class PortfolioReplan:
    def __init__(self) -> None:
        self._state = PortfolioReplanResult(replan_id="", status="proposing")
        self._decision: PortfolioDecision | None = None

    @workflow.run
    async def run(self, req: PortfolioReplanRequest) -> PortfolioReplanResult:
        rid = workflow.info().workflow_id
        self._state.replan_id = rid
        proposal = await run_activity(
            Act.propose_portfolio_replan,
            req.model_copy(update={"replan_id": rid}),
            req.cpu_task_queue,
            PortfolioProposal,
            heavy(10),
        )
        if not proposal.bookings:
            self._state = PortfolioReplanResult(
                replan_id=rid, status="nothing_to_move", proposal=proposal
            )
            return self._state
        self._state = PortfolioReplanResult(
            replan_id=rid, status="awaiting_review", proposal=proposal
        )
        try:
            await workflow.wait_condition(
                lambda: self._decision is not None,
                timeout=timedelta(seconds=req.review_timeout_s),
            )
        except TimeoutError:
            self._state.status = "expired"
            return self._state
        decision = self._decision
        assert decision is not None
        self._state.reviewer, self._state.reason = decision.reviewer, decision.reason
        if not decision.approve:
            self._state.status = "rejected"
            return self._state
        apply = PortfolioApply(
            proposal=proposal, reviewer=decision.reviewer, reason=decision.reason
        )
        # histories recorded before: the activity answered how many bookings it wrote
        answer: type[Any] = PortfolioApplied if workflow.patched(Patch.replan_tells) else int
        try:
            applied = await run_activity(
                Act.apply_portfolio_replan, apply, req.cpu_task_queue, answer, LIGHT
            )
        except ActivityError as err:
            cause = err.cause
            self._state.status = "failed"
            self._state.reason = cause.message if isinstance(cause, ApplicationError) else str(err)
            return self._state
        self._state.status = "approved"
        if isinstance(applied, PortfolioApplied):
            for adopted in applied.plans:
                await self._tell(adopted)
        return self._state

    async def _tell(self, adopted: PlanAdopted) -> None:
        """Signal the idea's pipeline, and its production run when one runs (the pipeline
        forwards it too: the second is a no-op), its new plan. A finished or unknown workflow
        is noted in the result (bookings and plan rows moved all the same), never a failure."""
        for wid in filter(None, (adopted.workflow_id, adopted.run_id)):
            try:
                await workflow.get_external_workflow_handle(wid).signal(Signal.adopt_plan, adopted)
            except TemporalError as err:
                reason = getattr(err, "message", "") or str(err)
                self._state.not_told.append(f"{wid}: {reason}"[:500])
                continue
            self._state.told.append(wid)

    @workflow.update(name=Update.decide_portfolio_replan)
    async def decide(self, decision: PortfolioDecision) -> str:
        """Approve or reject the whole proposal; answers when the decision is carried out."""
        self._decision = decision
        await workflow.wait_condition(lambda: self._state.status != "awaiting_review")
        return self._state.status

    @decide.validator
    def _check_decision(self, decision: PortfolioDecision) -> None:
        if self._state.status != "awaiting_review" or self._decision is not None:
            raise ValueError(
                f"this portfolio replan is '{self._state.status}', not awaiting review"
            )
        if not decision.reviewer.strip() or not decision.role:
            raise ValueError("a portfolio replan decision must name who decided and their role")
        if decision.role not in ("planner", "admin"):
            raise ValueError(
                f"only a planner may decide a portfolio replan, not a '{decision.role}'"
            )
        if not decision.approve and not decision.reason.strip():
            raise ValueError("a rejection needs a reason")

    @workflow.query(name=Query.portfolio_replan)
    def proposal(self) -> PortfolioReplanResult:
        return self._state

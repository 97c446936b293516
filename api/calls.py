"""Calls into the workflows: decisions as Updates within a deadline, factory reports as signals,
cancellation, the live status, and what-if planning on the CPU workers. Each Temporal failure
becomes an HTTP answer with the workflow's own words."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from fastapi import HTTPException, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.client import (
    Client,
    RPCTimeoutOrCancelledError,
    WorkflowFailureError,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.workflow import UpdateMethodMultiParam

from api.settings import ApiSettings
from api.state import Temporal, app_client
from models.contracts import PipelineStatus, PortfolioReplanResult, WhatIfRequest, WhatIfResult
from models.names import (
    Err,
    portfolio_replan_workflow_id,
    run_workflow_id,
    trend_workflow_id,
    what_if_workflow_id,
)
from models.tables import ProductionPlan, ProductionRun
from workflows import PortfolioReplan, TrendToProduction, WhatIf

P = TypeVar("P")
R = TypeVar("R")
UPDATE_TIMEOUT_S = 15.0  # a decision the workflow does not take in this time is refused (503)
LIVE_STATUS_S = 3.0


def _no_answer(what: str, seconds: float) -> HTTPException:
    return HTTPException(
        503,
        f"{what} did not answer within {seconds:.0f} s (are the workers running?); "
        "nothing was changed, try again",
    )


async def update(
    client: Client, workflow_id: str, method: UpdateMethodMultiParam[[Any, P], R], arg: P
) -> R:
    """Run a workflow Update (a decision); 409 with the validator's reason when refused."""
    handle = client.get_workflow_handle(workflow_id)
    try:
        return await asyncio.wait_for(handle.execute_update(method, arg), UPDATE_TIMEOUT_S)
    except (TimeoutError, RPCTimeoutOrCancelledError) as err:
        raise _no_answer("the pipeline", UPDATE_TIMEOUT_S) from err
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        raise HTTPException(409, getattr(cause, "message", None) or str(cause)) from err
    except RPCError as err:
        raise HTTPException(409, f"the pipeline cannot take this now: {err.message}") from err


async def cancel_pipeline(client: Client, trend_id: int) -> None:
    try:
        await client.get_workflow_handle(trend_workflow_id(trend_id)).cancel()
    except RPCError as err:
        raise HTTPException(409, f"the pipeline cannot be cancelled: {err.message}") from err


async def live_status(request: Request, trend_id: int) -> PipelineStatus | None:
    """The pipeline's own status, or None when Temporal does not answer in time (the
    projection in the database still answers)."""
    try:
        handle = (await app_client(request)).get_workflow_handle(trend_workflow_id(trend_id))
        query = handle.query(TrendToProduction.status)
        return await asyncio.wait_for(query, timeout=LIVE_STATUS_S)
    except Exception:  # noqa: BLE001 — RPC errors, timeouts, an unreachable cluster alike
        return None


async def signal_run(
    temporal: Temporal,
    engine: Engine,
    run_id: int,
    lines: set[str],
    method: Callable[..., Any],
    arg: Any,
) -> None:
    """Send a running run's workflow a report, once every line is in one of its plans."""
    with Session(engine) as s:
        run = s.get(ProductionRun, run_id)
        if run is None:
            raise HTTPException(404, f"production run {run_id} does not exist")
        plan = s.get(ProductionPlan, run.plan_id)
        known = {ln["line_id"] for ln in plan.lines} if plan else set()
        for p in s.exec(select(ProductionPlan).where(ProductionPlan.trend_id == run.trend_id)):
            known |= {ln["line_id"] for ln in p.lines}
    if run.status != "running":
        raise HTTPException(409, f"production run {run_id} is {run.status}")
    unknown = sorted(lines - known)
    if unknown:
        names = ", ".join(f"'{x}'" for x in unknown)
        raise HTTPException(422, f"line {names} is not in this run's plan")
    handle = (await temporal.client()).get_workflow_handle(run_workflow_id(run.trend_id))
    try:
        await handle.signal(method, arg)
    except RPCError as err:
        raise HTTPException(409, f"the run does not take progress now: {err.message}") from err


async def what_if(client: Client, settings: ApiSettings, request: WhatIfRequest) -> WhatIfResult:
    """Plan the scenarios on the CPU workers (the WhatIf workflow); 422 for a bad scenario,
    503 when no worker answers in time."""
    wait_s = UPDATE_TIMEOUT_S + 2 * request.time_limit_s * (len(request.scenarios) + 1)
    try:
        return await asyncio.wait_for(
            client.execute_workflow(
                WhatIf.run,
                request,
                id=what_if_workflow_id(request.plan_id, uuid.uuid4().hex[:12]),
                task_queue=settings.task_queue,
                run_timeout=timedelta(seconds=wait_s + 60),  # then it stops by itself
            ),
            wait_s,
        )
    except TimeoutError as err:
        raise _no_answer("the what-if", wait_s) from err
    except WorkflowFailureError as err:
        cause: BaseException | None = err.cause
        while isinstance(cause, ActivityError) and cause.cause is not None:
            cause = cause.cause
        if isinstance(cause, ApplicationError) and cause.type == Err.bad_scenario:
            raise HTTPException(422, cause.message) from err
        raise HTTPException(503, f"the what-if failed: {cause}") from err


async def portfolio_replan_state(client: Client, replan_id: str) -> PortfolioReplanResult:
    """A portfolio replan as it stands (its workflow's query); 404 for none such, 503 when it
    does not answer in time."""
    if not replan_id.startswith(portfolio_replan_workflow_id("")):
        raise HTTPException(404, f"portfolio replan {replan_id} does not exist")
    handle = client.get_workflow_handle(replan_id)
    try:
        return await asyncio.wait_for(handle.query(PortfolioReplan.proposal), LIVE_STATUS_S)
    except TimeoutError as err:
        raise _no_answer("the portfolio replan", LIVE_STATUS_S) from err
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise HTTPException(404, f"portfolio replan {replan_id} does not exist") from err
        raise HTTPException(503, f"the portfolio replan did not answer: {err.message}") from err

"""ProductionRun: slippage proposes a replan for the planner; duplicates count once; shipments close it."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select
from temporalio.client import WorkflowHistory, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from activities.planning import PlanningActivities
from activities.sourcing import match_and_reserve
from models.contracts import (
    IdeaInput,
    PlanRequest,
    PlanReview,
    PlanReviewRecord,
    ProductionRunInput,
    ProductionRunResult,
    ProgressReport,
    ProgressReports,
    SourcingRequest,
)
from models.names import run_workflow_id
from models.tables import Notification, ProductionPlan, ProgressEvent, Shipment, utcnow
from services.intake import create_or_get_trend
from tests.helpers.temporal import eventually, running_workers
from workflows import ALL_WORKFLOWS

pytestmark = pytest.mark.db
LI = {"reviewer": "planner-li", "role": "planner"}


async def refused(handle, review: PlanReview) -> str:  # type: ignore[no-untyped-def]
    """The validator's reason for refusing a replan review."""
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await handle.execute_update("review_replan", review)
    return str(getattr(info.value.cause, "message", info.value.cause))


async def counted(handle, units: int) -> ProductionRunResult:  # type: ignore[no-untyped-def]
    """The run's progress once it has applied reports worth `units` (or after ~30 s)."""
    for _ in range(300):
        progress = await handle.query("progress", result_type=ProductionRunResult)
        if progress.produced >= units:
            break
        await asyncio.sleep(0.1)
    return progress


async def test_slippage_replans_and_the_run_ships_everything(dev_env, engine, tmp_path) -> None:
    """The factory reports a day's lines at once (`report_shift`): one activity per batch."""
    handle = await slippage_scenario(
        dev_env, engine, tmp_path, skip_days=False, merchant="m-slip", shifts=True
    )
    scheduled: Counter[str] = Counter()
    queues: dict[str, str] = {}
    async for event in handle.fetch_history_events():
        if event.HasField("activity_task_scheduled_event_attributes"):
            attrs = event.activity_task_scheduled_event_attributes
            scheduled[attrs.activity_type.name] += 1
            queues[attrs.activity_type.name] = attrs.task_queue.name
    # two day batches (one wake if they arrive together) and the last report: one activity
    # per wake, none per report (a resend of counted reports records nothing)
    assert 2 <= scheduled["record_progress_batch"] <= 3, scheduled
    assert queues["plan_production"].endswith("-cpu"), queues  # the replan ran on the CPU queue
    assert not queues["record_progress_batch"].endswith("-cpu"), queues


async def test_slippage_proposes_a_replan_as_factory_days_pass(ts_env, engine, tmp_path) -> None:
    """The same run on the time-skipping server, a factory day passing between reports."""
    await slippage_scenario(ts_env, engine, tmp_path, skip_days=True, merchant="m-slip-ts")


async def slippage_scenario(
    env, engine, tmp_path, *, skip_days: bool, merchant: str, shifts: bool = False
):  # type: ignore[no-untyped-def]
    """Two days at 30% of plan raise one replan proposal; the planner adopts it; all ships.
    The day's reports go one signal each, or (`shifts`) as one `report_shift` per day."""
    client = env.client
    quantity = 6000
    async with running_workers(client, engine, tmp_path) as (queue, config):
        idea = IdeaInput(
            text="slow sewing bear plush", merchant_id=merchant, expected_volume=quantity
        )
        trend, _ = create_or_get_trend(engine, idea)
        wid = f"trend-{trend.id}"
        sourcing = match_and_reserve(
            engine,
            SourcingRequest(
                workflow_id=wid,
                trend_id=trend.id,
                processes=["textile_cutting", "plush_sewing", "stuffing", "packaging"],
                units_per_day=1500,
            ),
        )
        plan = PlanningActivities(engine).plan_production(
            PlanRequest(
                workflow_id=wid,
                trend_id=trend.id,
                family="plush_animal",
                quantity=quantity,
                due_in_days=6,
                sourcing=sourcing,
                time_limit_s=1.0,
            )
        )
        acts = PlanningActivities(engine)
        acts.record_plan_review(  # the planner approved the first plan
            PlanReviewRecord(plan_id=plan.plan_id, status="approved", reviewer="li", at=utcnow())
        )
        handle = await client.start_workflow(
            "ProductionRun",
            ProductionRunInput(
                trend_id=trend.id,
                workflow_id=wid,
                plan=plan,
                family="plush_animal",
                sourcing=sourcing,
                quantity=quantity,
                shipment_batch_units=2000,
                slippage_threshold=0.15,
                cpu_task_queue=config.cpu_task_queue,
            ),
            id=run_workflow_id(trend.id),
            task_queue=queue,
            result_type=ProductionRunResult,
        )
        days = sorted({d.day for d in plan.daily})
        assert len(days) >= 2, plan.daily
        made = 0
        for day in days[:2]:  # two days at 30% of plan: the second day's report reveals the first
            if skip_days:  # the factory day passes on the skipping clock
                await env.sleep(timedelta(days=1))
            reports = [
                ProgressReport(line_id=d.line_id, day=day, units=int(d.units * 0.3))
                for d in plan.daily
                if d.day == day
            ]
            made += sum(r.units for r in reports)
            if shifts:  # the first day's first line twice in one batch: it counts once
                await handle.signal("report_shift", ProgressReports(reports=reports + reports[:1]))
            for r in [] if shifts else reports:
                await handle.signal("report_progress", r)
        first = next(x for x in plan.daily if x.day == days[0])
        await handle.signal(  # a resend of a counted report
            "report_progress", ProgressReport(line_id=first.line_id, day=first.day, units=999)
        )

        def slip_notes() -> list[Notification]:
            with Session(engine) as s:
                return list(
                    s.exec(
                        select(Notification).where(
                            Notification.trend_id == trend.id, Notification.kind == "slippage"
                        )
                    )
                )

        slip = await eventually(slip_notes)
        assert (
            len(slip) == 1 and "behind" in slip[0].message and "awaits a planner" in slip[0].message
        )
        progress = await counted(handle, made)
        assert progress.produced == made and progress.replans == 0  # proposed, not adopted
        with Session(engine) as s:
            proposed = s.exec(
                select(ProductionPlan).where(
                    ProductionPlan.workflow_id == wid, ProductionPlan.revision == 1
                )
            ).one()
        assert proposed.status == "proposed"
        assert sum(d["units"] for d in proposed.daily) == quantity - made
        assert min(d["day"] for d in proposed.daily) > days[0]

        assert "not the proposed replan" in await refused(
            handle, PlanReview(plan_id=plan.plan_id, approve=True, **LI)
        )
        assert "only a planner" in await refused(
            handle, PlanReview(plan_id=proposed.id, approve=True, reviewer="m", role="merchant")
        )
        assert "must name who decided" in await refused(
            handle, PlanReview(plan_id=proposed.id, approve=True)
        )
        decision = await handle.execute_update(
            "review_replan", PlanReview(plan_id=proposed.id, approve=True, **LI)
        )
        assert decision == "approved"
        assert (await handle.query("progress", result_type=ProductionRunResult)).replans == 1
        assert "no replan" in await refused(
            handle, PlanReview(plan_id=proposed.id, approve=True, **LI)
        )
        with Session(engine) as s:
            statuses = {
                p.revision: p.status
                for p in s.exec(select(ProductionPlan).where(ProductionPlan.workflow_id == wid))
            }
        assert statuses == {0: "superseded", 1: "approved"}

        await handle.signal(
            "report_progress",
            ProgressReport(line_id=first.line_id, day=days[1] + 1, units=quantity - made),
        )
        result = await handle.result()
    assert result.produced == quantity and result.shipped == quantity and result.shipments == 3
    with Session(engine) as s:
        events = s.exec(select(ProgressEvent).where(ProgressEvent.trend_id == trend.id)).all()
        shipments = s.exec(select(Shipment).where(Shipment.trend_id == trend.id)).all()
    assert sum(e.units for e in events) == quantity
    assert sorted(sh.sequence for sh in shipments) == [1, 2, 3]
    assert sum(sh.units for sh in shipments) == quantity
    return handle


async def test_a_recorded_run_replays_on_todays_code() -> None:
    """A run recorded on this code (the slippage scenario, a day's reports per `report_shift`:
    batches recorded by one activity each, a replan planned on the CPU queue and approved, three
    shipments) replays without a nondeterminism error. A change to ProductionRun that running
    histories could not follow fails here; it needs a `workflow.patched` branch, and this file
    is recorded again only once no running history needs the old path."""
    raw = (Path(__file__).parent / "data" / "production_run.json").read_text()
    assert '"record_progress_batch"' in raw and '"review_replan"' in raw
    history = WorkflowHistory.from_json("trend-recorded-run", raw)
    replayer = Replayer(workflows=ALL_WORKFLOWS, data_converter=pydantic_data_converter)
    await replayer.replay_workflow(history)

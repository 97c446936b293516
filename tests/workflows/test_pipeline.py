"""The whole pipeline on the real Temporal dev server, a real database and the real engines."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict

import pytest
from sqlmodel import Session, select
from temporalio.client import WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from models.contracts import (
    CarrierEvent,
    ConsignmentPlan,
    Destination,
    IdeaInput,
    MilestoneName,
    PipelineResult,
    PlanConstraints,
    PlanReview,
    ProgressReport,
    Reship,
    SelectVariant,
    Stage,
)
from models.names import consignment_workflow_id, run_workflow_id
from models.tables import (
    Consignment,
    DesignVariant,
    Milestone,
    Notification,
    ProductionPlan,
    ProductionRun,
    Prototype,
    Shipment,
    SupplierReservation,
    Trend,
    utcnow,
)
from services.intake import create_or_get_trend
from services.temporal import start_pipeline
from tests.helpers.temporal import (
    carry_until_delivered,
    eventually,
    running_workers,
    wait_for_stage,
)
from workflows import ALL_WORKFLOWS

pytestmark = pytest.mark.db
HAT = {"actor": "m-hat", "role": "merchant"}  # the idea's merchant, as the API names them
LI = {"reviewer": "planner-li", "role": "planner"}


async def refused(handle, update: str, arg) -> str:
    """The validator's reason when the workflow refuses an Update (fails if it accepts it)."""
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await handle.execute_update(update, arg)
    return str(getattr(info.value.cause, "message", info.value.cause))


def _plan(engine, plan_id: int) -> ProductionPlan:
    with Session(engine) as s:
        plan = s.get(ProductionPlan, plan_id)
        assert plan is not None
        return plan


async def _produce(client, engine, trend_id: int, plan_id: int, quantity: int) -> None:
    """Report every planned line-day (and a duplicate) until the order is made."""
    run = client.get_workflow_handle(run_workflow_id(trend_id))
    plan = _plan(engine, plan_id)
    made = 0
    by_day: dict[int, list[dict]] = defaultdict(list)
    for d in plan.daily:
        by_day[d["day"]].append(d)
    for day in sorted(by_day):
        for d in by_day[day]:
            units = min(d["units"], quantity - made)
            await run.signal(
                "report_progress", ProgressReport(line_id=d["line_id"], day=day, units=units)
            )
            made += units
    # a resent report for a day already counted must not count twice
    first = plan.daily[0]
    await run.signal(
        "report_progress",
        ProgressReport(line_id=first["line_id"], day=first["day"], units=first["units"]),
    )
    assert made == quantity


async def test_idea_runs_through_every_stage(dev_env, engine, tmp_path) -> None:
    client = dev_env.client
    async with running_workers(client, engine, tmp_path) as (queue, config):
        config = config.model_copy(update={"delivery": True})
        idea = IdeaInput(
            text="palm-sized straw sun hat",
            merchant_id="m-hat",
            expected_volume=3000,
            due_in_days=5,
            destinations=[
                Destination(market="US", units=2000),
                Destination(market="DE", units=1000),
            ],
        )
        trend, created = create_or_get_trend(engine, idea)
        assert created and trend.id is not None
        handle = await start_pipeline(client, trend.id, idea, config, queue)
        again = await start_pipeline(client, trend.id, idea, config, queue)
        assert again.id == handle.id == f"trend-{trend.id}"

        status = await wait_for_stage(handle, Stage.awaiting_selection)
        assert status.variant_count == 6
        with Session(engine) as s:
            variants = s.exec(
                select(DesignVariant)
                .where(DesignVariant.trend_id == trend.id)
                .order_by(DesignVariant.rank)
            ).all()
        assert [v.rank for v in variants] == list(range(1, 7))

        # validators refuse an unknown variant, another merchant, and a review out of stage
        assert "not one of this idea's variants" in await refused(
            handle, "select_variant", SelectVariant(variant_id=-5, **HAT)
        )
        assert "only the merchant" in await refused(
            handle,
            "select_variant",
            SelectVariant(variant_id=variants[0].id, actor="intruder", role="merchant"),
        )
        # a direct Temporal call that names no actor (as `temporal workflow update` would)
        assert "must name who picked" in await refused(
            handle, "select_variant", SelectVariant(variant_id=variants[0].id, merchant_id="m-hat")
        )
        assert "not awaiting a plan review" in await refused(
            handle, "review_plan", PlanReview(plan_id=1, approve=True)
        )

        picked = variants[1]
        chosen = await handle.execute_update(
            "select_variant", SelectVariant(variant_id=picked.id, merchant_id="m-hat", **HAT)
        )
        assert (
            chosen["variant_id"] == picked.id
            if isinstance(chosen, dict)
            else chosen.variant_id == picked.id
        )

        status = await wait_for_stage(handle, Stage.awaiting_plan_review)
        plan_id = status.plan_id
        assert plan_id is not None
        assert "only a planner" in await refused(
            handle,
            "review_plan",
            PlanReview(plan_id=plan_id, approve=True, reviewer="m-hat", role="merchant"),
        )
        assert "must name who decided" in await refused(
            handle, "review_plan", PlanReview(plan_id=plan_id, approve=True)
        )
        assert "needs a reason" in await refused(
            handle, "review_plan", PlanReview(plan_id=plan_id, approve=False, **LI)
        )

        # reject with a constraint: the replan honours it
        first_plan = _plan(engine, plan_id)
        excluded = first_plan.lines[0]["line_id"]
        await handle.execute_update(
            "review_plan",
            PlanReview(
                plan_id=plan_id,
                approve=False,
                reason="that line is booked",
                constraints=PlanConstraints(exclude_lines=[excluded]),
                **LI,
            ),
        )
        status = await wait_for_stage(handle, Stage.awaiting_plan_review)
        while status.plan_id == plan_id:
            await asyncio.sleep(0.1)
            status = await wait_for_stage(handle, Stage.awaiting_plan_review)
        second = _plan(engine, status.plan_id)
        assert second.revision == 1
        assert excluded not in {ln["line_id"] for ln in second.lines}
        assert _plan(engine, plan_id).status == "rejected"

        await handle.execute_update(
            "review_plan", PlanReview(plan_id=second.id, approve=True, **LI)
        )
        await wait_for_stage(handle, Stage.producing)
        with Session(engine) as s:
            held = s.exec(
                select(SupplierReservation).where(SupplierReservation.trend_id == trend.id)
            ).all()
        assert held and all(r.status == "held" for r in held)
        await _produce(client, engine, trend.id, second.id, 3000)
        # every batch leaves with its legs; the pipeline waits in transit until they arrive
        await wait_for_stage(handle, Stage.in_transit)
        await carry_until_delivered(client, engine, handle, trend.id)

        result: PipelineResult = await handle.result()
        assert result.stage == Stage.delivered
        assert result.shipped == 3000 and "delivered to DE, US" in result.reason

        # the recorded histories replay deterministically against today's workflow code
        replayer = Replayer(workflows=ALL_WORKFLOWS, data_converter=pydantic_data_converter)
        with Session(engine) as s:
            legs = s.exec(select(Consignment).where(Consignment.trend_id == trend.id)).all()
        wids = [handle.id, run_workflow_id(trend.id), f"trend-{trend.id}-prototype"]
        for wid in wids + [consignment_workflow_id(c.id) for c in legs if c.id is not None]:
            history = await client.get_workflow_handle(wid).fetch_history()
            await replayer.replay_workflow(history)

    with Session(engine) as s:
        rows = s.exec(select(Milestone).where(Milestone.trend_id == trend.id)).all()
        names, marks = {m.name for m in rows}, {m.name: m.at for m in rows}
        shipments = s.exec(select(Shipment).where(Shipment.trend_id == trend.id)).all()
        run = s.exec(select(ProductionRun).where(ProductionRun.trend_id == trend.id)).one()
        proto = s.exec(select(Prototype).where(Prototype.trend_id == trend.id)).one()
        row = s.get(Trend, trend.id)
        reservations = s.exec(
            select(SupplierReservation).where(SupplierReservation.trend_id == trend.id)
        ).all()
    assert names == {m.value for m in MilestoneName}
    assert marks["first_batch"] <= marks["in_transit"] <= marks["shipped"] <= marks["delivered"]
    assert {c.market for c in legs} == {"US", "DE"} and sum(c.units for c in legs) == 3000
    assert all(c.status == "delivered" for c in legs)
    assert sum(sh.units for sh in shipments) == 3000 and len(shipments) >= 2
    assert run.produced == 3000 and run.status == "completed"
    assert proto.variant_id == picked.id and proto.print_time_s > 0
    assert row is not None and row.stage == Stage.delivered and row.selected_variant_id == picked.id
    assert all(r.status == "released" for r in reservations)

    # the search attributes find it
    for _ in range(50):
        found = [
            w.id
            async for w in client.list_workflows('TrendStage="delivered" AND MerchantId="m-hat"')
        ]
        if handle.id in found:
            break
        await asyncio.sleep(0.2)
    assert handle.id in found


async def test_cancellation_releases_reservations(dev_env, engine, tmp_path) -> None:
    client = dev_env.client
    async with running_workers(client, engine, tmp_path) as (queue, config):
        idea = IdeaInput(
            text="cat-shaped phone holder", merchant_id="m-cancel", expected_volume=2000
        )
        trend, _ = create_or_get_trend(engine, idea)
        handle = await start_pipeline(client, trend.id, idea, config, queue)
        status = await wait_for_stage(handle, Stage.awaiting_selection)
        with Session(engine) as s:
            top = s.exec(
                select(DesignVariant).where(
                    DesignVariant.trend_id == trend.id, DesignVariant.rank == 1
                )
            ).one()
        await handle.execute_update(
            "select_variant", SelectVariant(variant_id=top.id, actor="admin", role="admin")
        )
        status = await wait_for_stage(handle, Stage.awaiting_plan_review)
        assert status.plan_id is not None
        with Session(engine) as s:
            held = s.exec(
                select(SupplierReservation).where(SupplierReservation.trend_id == trend.id)
            ).all()
        assert held and all(r.status == "held" for r in held)

        await handle.cancel()
        with pytest.raises(WorkflowFailureError):
            await handle.result()
    with Session(engine) as s:
        rows = s.exec(
            select(SupplierReservation).where(SupplierReservation.trend_id == trend.id)
        ).all()
        row = s.get(Trend, trend.id)
    assert rows and all(r.status == "released" and "cancelled" in r.reason for r in rows)
    assert row is not None and row.stage == Stage.cancelled


async def test_unmakeable_idea_fails_with_reason(dev_env, engine, tmp_path) -> None:
    client = dev_env.client
    async with running_workers(client, engine, tmp_path) as (queue, config):
        idea = IdeaInput(text="qwzx vlorp", merchant_id="m-bad")
        trend, _ = create_or_get_trend(engine, idea)
        handle = await start_pipeline(client, trend.id, idea, config, queue)
        with pytest.raises(WorkflowFailureError) as info:
            await handle.result()
    assert "PipelineFailed" in repr(info.value.cause) or info.value.cause is not None
    with Session(engine) as s:
        row = s.get(Trend, trend.id)
    assert row is not None and row.stage == Stage.failed and row.detail


async def test_a_lost_leg_is_reshipped_by_a_faster_mode(dev_env, engine, tmp_path) -> None:
    """A leg the carrier loses asks a planner to re-ship; the re-shipment goes by a faster mode,
    the pipeline waits for it, and ends delivered."""
    client = dev_env.client
    async with running_workers(client, engine, tmp_path) as (queue, config):
        config = config.model_copy(update={"delivery": True, "shipment_batch_units": 600})
        deadline = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=60)  # the sea meets it
        idea = IdeaInput(
            text="palm-sized straw sun hat", merchant_id="m-reship", expected_volume=600,
            due_in_days=5, destinations=[Destination(market="US", units=600, deadline=deadline)],
        )  # fmt: skip
        trend, _ = create_or_get_trend(engine, idea)
        assert trend.id is not None
        handle = await start_pipeline(client, trend.id, idea, config, queue)
        await wait_for_stage(handle, Stage.awaiting_selection)
        with Session(engine) as s:
            top = s.exec(
                select(DesignVariant).where(
                    DesignVariant.trend_id == trend.id, DesignVariant.rank == 1
                )
            ).one()
        await handle.execute_update(
            "select_variant", SelectVariant(variant_id=top.id, actor="admin", role="admin")
        )
        status = await wait_for_stage(handle, Stage.awaiting_plan_review)
        assert status.plan_id is not None
        await handle.execute_update(
            "review_plan", PlanReview(plan_id=status.plan_id, approve=True, **LI)
        )
        await wait_for_stage(handle, Stage.producing)
        await _produce(client, engine, trend.id, status.plan_id, 600)
        await wait_for_stage(handle, Stage.in_transit)
        with Session(engine) as s:
            (leg,) = s.exec(select(Consignment).where(Consignment.trend_id == trend.id)).all()
        assert leg.mode == "sea" and leg.id is not None
        assert "only a planner may re-ship" in await refused(
            handle, "reship", Reship(consignment_id=leg.id, reviewer="m", role="merchant")
        )
        assert "must name who decided" in await refused(
            handle, "reship", Reship(consignment_id=leg.id)
        )
        assert "only a late or lost leg" in await refused(
            handle, "reship", Reship(consignment_id=leg.id, **LI)
        )
        lost = CarrierEvent(event_id="gone", kind="lost", at=utcnow(), note="fell overboard")
        await client.get_workflow_handle(consignment_workflow_id(leg.id)).signal(
            "carrier_event", lost
        )
        await eventually(lambda: _notes(engine, trend.id, "reship_wanted"))
        again = await handle.execute_update(
            "reship", Reship(consignment_id=leg.id, reason="lost", **LI),
            result_type=ConsignmentPlan,
        )  # fmt: skip
        assert again.mode in ("express", "air") and again.leg == leg.leg + 100
        assert again.units == 600 and again.status in ("planned", "booked")
        assert "re-shipped already" in await refused(
            handle, "reship", Reship(consignment_id=leg.id, **LI)
        )
        await carry_until_delivered(client, engine, handle, trend.id)
        result: PipelineResult = await handle.result()
    assert result.stage == Stage.delivered
    assert result.reason == "1/2 legs delivered to US; 1 lost; 1 re-shipped"
    with Session(engine) as s:
        rows = {
            c.id: c for c in s.exec(select(Consignment).where(Consignment.trend_id == trend.id))
        }
    assert rows[leg.id].status == "lost" and rows[again.consignment_id].status == "delivered"
    assert "re-ship of consignment" in rows[again.consignment_id].explanation[0]
    assert len(_notes(engine, trend.id, "delivery_reshipped")) == 1


def _notes(engine, trend_id: int, kind: str) -> list[Notification]:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        q = select(Notification).where(Notification.trend_id == trend_id, Notification.kind == kind)
        return list(s.exec(q))

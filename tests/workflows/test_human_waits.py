"""Durable timers of the human waits, on the time-skipping test server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from models.contracts import IdeaInput, Stage
from models.tables import DesignVariant, Milestone, Notification, ProductionPlan
from services.intake import create_or_get_trend
from services.temporal import start_pipeline
from tests.helpers.temporal import eventually, running_workers, wait_for_stage

pytestmark = pytest.mark.db


def kinds(engine, trend_id: int) -> list[str]:
    """Kinds of the notifications raised for an idea, in order."""
    with Session(engine) as s:
        rows = s.exec(
            select(Notification).where(Notification.trend_id == trend_id).order_by(Notification.id)
        )
        return [n.kind for n in rows]


async def test_nobody_picks_then_top_variant_is_auto_picked(ts_env, engine, tmp_path) -> None:
    client = ts_env.client
    async with running_workers(client, engine, tmp_path) as (queue, config):
        config = config.model_copy(
            update={
                "use_search_attributes": False,
                "selection_reminder_s": 3600,
                "selection_timeout_s": 6 * 3600,
                "review_reminder_s": 3600,
                "review_timeout_s": 2 * 3600,
                "review_fallback": "escalate",
            }
        )
        idea = IdeaInput(
            text="crying horse plush toy", merchant_id="m-silent", expected_volume=4000
        )
        trend, _ = create_or_get_trend(engine, idea)
        handle = await start_pipeline(client, trend.id, idea, config, queue)
        await wait_for_stage(handle, Stage.awaiting_selection)

        await ts_env.sleep(timedelta(hours=2))  # past the reminder, before the fallback
        status = await wait_for_stage(handle, Stage.awaiting_selection)
        assert status.selected_variant_id is None
        assert await eventually(lambda: kinds(engine, trend.id) == ["reminder"])

        await ts_env.sleep(timedelta(hours=5))  # past the selection timeout
        status = await wait_for_stage(handle, Stage.awaiting_plan_review)
        with Session(engine) as s:
            top = s.exec(
                select(DesignVariant).where(
                    DesignVariant.trend_id == trend.id, DesignVariant.rank == 1
                )
            ).one()
            picked = s.exec(
                select(Milestone).where(
                    Milestone.trend_id == trend.id, Milestone.name == "variant_selected"
                )
            ).one()
        assert status.selected_variant_id == top.id
        assert picked.detail.startswith("auto-picked #1")

        # the plan nobody reviews escalates and keeps waiting
        await ts_env.sleep(timedelta(hours=3))
        expected = ["reminder", "auto_pick", "reminder", "escalation"]
        assert await eventually(lambda: kinds(engine, trend.id) == expected)
        status = await wait_for_stage(handle, Stage.awaiting_plan_review)
        assert status.escalated

        def plan_status() -> str | None:
            with Session(engine) as s:
                plan = s.get(ProductionPlan, status.plan_id)
                return plan.status if plan else None

        assert await eventually(lambda: plan_status() == "escalated")
        await handle.cancel()

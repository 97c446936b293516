"""The compliance stage on the time-skipping test server: a failing pick goes back to the
merchant, and nothing is sourced or shipped until every market has a lab report or a waiver,
across a worker restart while waiting."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select
from temporalio.client import WorkflowUpdateFailedError
from temporalio.worker import Worker

from activities.registry import activities_by_queue
from models.contracts import (
    ComplianceWaiver,
    IdeaInput,
    LabReport,
    MilestoneName,
    PipelineConfig,
    PipelineStatus,
    SelectVariant,
    Stage,
)
from models.names import Queue, Update, trend_workflow_id
from models.tables import Compliance, DesignVariant, Milestone, Notification, SupplierReservation
from services.compliance import store_lab_report
from services.intake import create_or_get_trend
from services.temporal import start_pipeline
from tests.helpers.temporal import wait_for_stage
from workflows import ALL_WORKFLOWS, TrendToProduction

pytestmark = pytest.mark.db

OWNER = {"actor": "m-baby", "role": "merchant"}
PAT = {"reviewer": "pat", "role": "planner"}  # the idea's merchant, as the API names them
PDF = b"%PDF-1.4\n% EN 71-1/2/3 and ASTM F963-23 test report, sample TF-1\n%%EOF\n"


@asynccontextmanager
async def workers(client, engine, files_dir: Path, queue: str) -> AsyncIterator[None]:
    """The light and CPU workers as trendforge.temporal.build_workers makes them, but with no
    workflow cache: a worker that goes away leaves no sticky queue behind, which the
    time-skipping server would keep sending the next workflow task to."""
    acts = activities_by_queue(engine, files_dir, client, queue)
    light = Worker(
        client, task_queue=queue, workflows=ALL_WORKFLOWS, activities=acts[Queue.light],
        activity_executor=ThreadPoolExecutor(max_workers=8), max_cached_workflows=0,
    )  # fmt: skip
    cpu = Worker(
        client, task_queue=f"{queue}-cpu", activities=acts[Queue.cpu],
        activity_executor=ThreadPoolExecutor(max_workers=2),
    )  # fmt: skip
    async with AsyncExitStack() as stack:
        for w in (light, cpu):
            await stack.enter_async_context(w)
        yield


async def refused(handle, update: str, arg) -> str:
    """The reason the workflow refuses an Update (fails if it accepts it)."""
    with pytest.raises(WorkflowUpdateFailedError) as info:
        await handle.execute_update(update, arg)
    cause = info.value.cause
    while getattr(cause, "cause", None) is not None:
        cause = cause.cause
    return str(getattr(cause, "message", cause))


async def status_when(handle, check, timeout_s: float = 180.0) -> PipelineStatus:
    """The pipeline's status once `check(status)` holds (polls the status query)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        status = await handle.query(TrendToProduction.status)
        if check(status):
            return status
        assert status.stage not in (Stage.failed, Stage.cancelled), status.last_error
        assert loop.time() < deadline, f"not reached in {timeout_s}s: {status}"
        await asyncio.sleep(0.2)


def rows(engine, table, trend_id: int) -> list:
    with Session(engine) as s:
        return list(s.exec(select(table).where(table.trend_id == trend_id)))


async def test_a_bead_eyed_baby_plush_goes_back_then_waits_for_its_gates(
    ts_env, engine, tmp_path
) -> None:
    client = ts_env.client
    queue = f"tf-comp-{uuid.uuid4().hex[:8]}"
    config = PipelineConfig(
        variant_count=4, cpu_task_queue=f"{queue}-cpu", plan_time_limit_s=1.0, use_slicer=False,
        use_search_attributes=False, compliance_markets=["US", "EU"],
        selection_reminder_s=3600, selection_timeout_s=6 * 3600,
        compliance_reminder_s=2 * 24 * 3600,
    )  # fmt: skip
    idea = IdeaInput(text="baby bunny plush with bead eyes", merchant_id="m-baby",
                     expected_volume=2000, due_in_days=20)  # fmt: skip
    trend, _ = create_or_get_trend(engine, idea)
    assert trend.id is not None
    async with workers(client, engine, tmp_path, queue):
        handle = await start_pipeline(client, trend.id, idea, config, queue)
        await wait_for_stage(handle, Stage.awaiting_selection)
        with Session(engine) as s:
            top = s.exec(
                select(DesignVariant).where(
                    DesignVariant.trend_id == trend.id, DesignVariant.rank == 1
                )
            ).one()
        await handle.execute_update(
            Update.select_variant, SelectVariant(variant_id=top.id, **OWNER)
        )

        # bead eyes on a baby's plush fail the small-parts cylinder: back to the merchant
        status = await status_when(
            handle, lambda st: st.stage == Stage.awaiting_selection and st.compliance_failures
        )
        assert "eye_" in status.compliance_failures[0]
        assert "16 CFR 1501" in status.compliance_failures[0]
        blocked = rows(engine, Compliance, trend.id)
        assert {(r.market, r.status, r.age_grade) for r in blocked} == {
            ("US", "blocked", "under_3"),
            ("EU", "blocked", "under_3"),
        }
        assert any(f["rule"] == "small_part" for f in blocked[0].findings)
        said = [n.message for n in rows(engine, Notification, trend.id) if n.kind == "compliance"]
        assert "embroidered eyes instead of beads" in said[0]

        # the same design with embroidered eyes and nose passes; the gates close the way on
        again = SelectVariant(
            variant_id=top.id, builds={"eyes": "surface", "nose": "surface"}, **OWNER
        )
        await handle.execute_update(Update.select_variant, again)
        status = await status_when(handle, lambda st: st.stage == Stage.awaiting_compliance)
        assert status.compliance_gates == {"US": False, "EU": False}
        plans = {r.market: r.plan for r in rows(engine, Compliance, trend.id)}
        assert plans["US"]["certificates"] == ["CPC"] and plans["EU"]["marks"] == ["CE"]

        # bad input is refused with the reason and opens nothing
        assert "only a planner" in await refused(
            handle, Update.waive_compliance,
            ComplianceWaiver(market="EU", reason="ok", reviewer="m-baby", role="merchant"),
        )  # fmt: skip
        assert "needs a reason" in await refused(
            handle, Update.waive_compliance, ComplianceWaiver(market="EU", reason=" ", **PAT)
        )
        assert "not gated" in await refused(
            handle, Update.waive_compliance, ComplianceWaiver(market="JP", reason="later", **PAT)
        )
        stored = store_lab_report(tmp_path, trend.id, "US", PDF)
        other = stored.model_copy(update={"trend_id": trend.id + 1000})
        assert f"not idea {trend.id}" in await refused(handle, Update.submit_lab_report, other)
        forged = stored.model_copy(update={"sha256": "0" * 64})
        assert "sha256" in await refused(handle, Update.submit_lab_report, forged)

        # ten days on, nothing sourced or made: the gates are still closed
        await ts_env.sleep(timedelta(days=10))
        status = await wait_for_stage(handle, Stage.awaiting_compliance)
        assert status.compliance_gates == {"US": False, "EU": False}
        assert rows(engine, SupplierReservation, trend.id) == []
        reminders = [
            n.message for n in rows(engine, Notification, trend.id) if n.kind == "reminder"
        ]
        assert reminders == ["compliance gates still closed: US, EU"]

    # the workers went away while it waited; a new set takes over
    async with workers(client, engine, tmp_path, queue):
        handle = client.get_workflow_handle(trend_workflow_id(trend.id))
        opened = await handle.execute_update(Update.submit_lab_report, stored, result_type=str)
        assert opened.startswith("US open: lab report")
        status = await handle.query(TrendToProduction.status)
        assert status.stage == Stage.awaiting_compliance
        assert status.compliance_gates == {"US": True, "EU": False}
        assert "already open" in await refused(handle, Update.submit_lab_report, stored)
        assert "must name who decided" in await refused(
            handle, Update.waive_compliance, ComplianceWaiver(market="EU", reason="direct call")
        )
        waiver = ComplianceWaiver(market="eu", reason="EN 71 report from the same lot accepted",
                                  **PAT)  # fmt: skip
        await handle.execute_update(Update.waive_compliance, waiver)
        await wait_for_stage(handle, Stage.awaiting_plan_review, timeout_s=180)

        gates = {r.market: r for r in rows(engine, Compliance, trend.id)}
        assert gates["US"].status == "open" and gates["US"].lab_report_sha256 == stored.sha256
        assert Path(gates["US"].lab_report_path or "").read_bytes() == PDF
        assert gates["EU"].waived_by == "pat" and gates["EU"].waiver_reason.startswith("EN 71")
        names = {m.name for m in rows(engine, Milestone, trend.id)}
        assert MilestoneName.compliance_cleared.value in names
        assert rows(engine, SupplierReservation, trend.id)  # sourcing ran once the gates opened
        await handle.cancel()


def test_a_lab_report_must_be_a_pdf(tmp_path) -> None:
    from engines.compliance import ComplianceError

    with pytest.raises(ComplianceError, match="must be a PDF"):
        store_lab_report(tmp_path, 1, "US", b"<html>report</html>")
    with pytest.raises(ComplianceError, match="empty"):
        store_lab_report(tmp_path, 1, "US", b"")
    with pytest.raises(ComplianceError, match="two-letter"):
        store_lab_report(tmp_path, 1, "Europe", PDF)
    first = store_lab_report(tmp_path, 1, "us", PDF)
    assert isinstance(first, LabReport) and first.market == "US"
    assert store_lab_report(tmp_path, 1, "US", PDF).path == first.path  # same bytes, one file

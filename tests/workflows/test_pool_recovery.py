"""A SIGKILLed mesh-pool process costs one retry, never the worker: the pool is replaced and
the pipelines go on, on the real Temporal dev server, without restarting anything."""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from concurrent.futures import ProcessPoolExecutor

import pytest
from sqlmodel import Session, select
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities import prototype
from models.contracts import IdeaInput, PipelineConfig, SelectVariant, Stage
from models.names import prototype_workflow_id
from models.tables import DesignVariant, Prototype
from services.intake import create_or_get_trend
from services.temporal import start_pipeline
from tests.helpers.temporal import eventually, running_workers, wait_for_stage

pytestmark = pytest.mark.db

PAST_PROTOTYPE = (Stage.sourcing, Stage.planning, Stage.awaiting_plan_review, Stage.producing)


def _children(pool: ProcessPoolExecutor) -> list[int]:
    """The pids of the pool's live processes (spawning them when the pool is new)."""
    pool.submit(os.getpid).result(timeout=60)
    return [p.pid for p in (pool._processes or {}).values() if p.is_alive() and p.pid]


def test_a_job_lost_with_its_process_is_retryable_and_the_next_runs_on_a_new_pool() -> None:
    pool = prototype.mesh_pool()
    victim = _children(pool)[0]
    failure: list[BaseException] = []

    def long_job() -> None:
        try:
            prototype.run_in_mesh_pool("sleeping", time.sleep, 30)
        except BaseException as err:  # noqa: BLE001 — kept for the assertions below
            failure.append(err)

    t = threading.Thread(target=long_job)
    t.start()
    deadline = time.monotonic() + 10
    while not pool._pending_work_items and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(victim, signal.SIGKILL)
    t.join(timeout=30)
    assert not t.is_alive()
    assert len(failure) == 1 and isinstance(failure[0], ApplicationError), failure
    err = failure[0]
    assert err.type == prototype.MESH_POOL_BROKEN and not err.non_retryable
    assert "died" in str(err)
    fresh = prototype.mesh_pool()
    assert fresh is not pool
    assert prototype.run_in_mesh_pool("checking", os.getpid) not in (victim, os.getpid())


def test_a_pool_broken_while_idle_is_replaced_before_the_job() -> None:
    pool = prototype.mesh_pool()
    os.kill(_children(pool)[0], signal.SIGKILL)
    time.sleep(0.5)  # the pool notices the dead process and breaks
    pid = prototype.run_in_mesh_pool("checking", os.getpid)  # no error: a new pool took it
    assert pid != os.getpid() and prototype.mesh_pool() is not pool


async def _to_variants(client: Client, engine, queue: str, config: PipelineConfig, text: str):  # type: ignore[no-untyped-def]
    idea = IdeaInput(text=text, merchant_id="m-pool", expected_volume=2000, due_in_days=10)
    trend, _ = create_or_get_trend(engine, idea)
    assert trend.id is not None
    handle = await start_pipeline(client, trend.id, idea, config, queue)
    await wait_for_stage(handle, Stage.awaiting_selection, timeout_s=120)
    with Session(engine) as s:
        top = s.exec(
            select(DesignVariant)
            .where(DesignVariant.trend_id == trend.id)
            .order_by(DesignVariant.rank)  # type: ignore[arg-type]
        ).first()
    assert top is not None
    return trend.id, handle, top.id


async def test_killed_pool_processes_do_not_stop_the_pipelines(dev_env, engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = dev_env.client
    tag = f"batch {uuid.uuid4().int % 10**6}"  # unique words the reader skips (a hex tag can read as 6e9)
    async with running_workers(client, engine, tmp_path) as (queue, config):
        # killed while idle: the next prototype job gets a new pool
        pool = prototype.mesh_pool()
        os.kill(_children(pool)[0], signal.SIGKILL)
        tid, handle, variant = await _to_variants(
            client, engine, queue, config, f"mini straw sun hat {tag}"
        )
        await handle.execute_update(
            "select_variant", SelectVariant(variant_id=variant, actor="admin", role="admin")
        )
        await wait_for_stage(handle, *PAST_PROTOTYPE, timeout_s=120)
        assert prototype.mesh_pool() is not pool

        # killed in the middle of a prototype: the attempt fails retryably, the next one runs
        # on a new pool, and the CPU worker keeps taking designs
        tid2, handle2, variant2 = await _to_variants(
            client, engine, queue, config, f"robot keychain charm {tag}"
        )
        busy = prototype.mesh_pool()
        await handle2.execute_update(
            "select_variant", SelectVariant(variant_id=variant2, actor="admin", role="admin")
        )
        await eventually(lambda: bool(busy._pending_work_items), timeout_s=60)
        os.kill(_children_now(busy)[0], signal.SIGKILL)
        await wait_for_stage(handle2, *PAST_PROTOTYPE, timeout_s=120)
        with Session(engine) as s:
            assert s.exec(select(Prototype).where(Prototype.trend_id == tid2)).first()
        assert await _prototype_attempts(client, tid2) > 1, "the lost job was not retried"

        _, handle3, _ = await _to_variants(
            client, engine, queue, config, f"frog keychain charm {tag}"
        )
        assert (await handle3.describe()).status is not None


def _children_now(pool: ProcessPoolExecutor) -> list[int]:
    """The pids of the pool's live processes, without submitting anything."""
    return [p.pid for p in (pool._processes or {}).values() if p.is_alive() and p.pid]


async def _prototype_attempts(client: Client, trend_id: int) -> int:
    """The attempt that completed the prototype child workflow's activity."""
    history = await client.get_workflow_handle(prototype_workflow_id(trend_id)).fetch_history()
    return max(
        (
            e.activity_task_started_event_attributes.attempt
            for e in history.events
            if e.HasField("activity_task_started_event_attributes")
        ),
        default=0,
    )

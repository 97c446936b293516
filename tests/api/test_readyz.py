"""/readyz: every task queue has live pollers, as the Temporal dev server reports them."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy.engine import Engine

from models.contracts import PipelineConfig
from tests.helpers.apps import make_app
from trendforge.temporal import build_workers

pytestmark = pytest.mark.db


@pytest.fixture
def queues() -> Iterator[tuple[str, PipelineConfig]]:
    queue = f"ready-{uuid.uuid4().hex[:8]}"
    yield queue, PipelineConfig(cpu_task_queue=f"{queue}-cpu")


async def _ready(app) -> httpx.Response:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tf", timeout=30) as c:
        return await c.get("/readyz")


async def test_readyz_names_the_queue_without_workers_then_goes_green(
    dev_env, engine: Engine, tmp_path, jwt_secret: str, queues
) -> None:  # type: ignore[no-untyped-def]
    queue, config = queues
    app = make_app(engine, jwt_secret, dev_env.client, task_queue=queue, pipeline=config)
    r = await _ready(app)  # nobody polls either queue
    assert r.status_code == 503 and queue in r.json()["status"], r.text
    assert {q["queue"]: q["ready"] for q in r.json()["queues"]} == {
        queue: False,
        config.cpu_task_queue: False,
    }
    light, cpu = build_workers(dev_env.client, engine, tmp_path, queue, config.cpu_task_queue)
    async with light:
        r = await _ready(app)  # the light queue is polled, the CPU queue is not
        assert r.status_code == 503 and config.cpu_task_queue in r.json()["status"], r.text
        pollers = {q["queue"]: q["pollers"] for q in r.json()["queues"]}
        assert pollers[queue]["workflow"] >= 1 and pollers[queue]["activity"] >= 1
        assert pollers[config.cpu_task_queue] == {"activity": 0}
        async with cpu:
            start = time.monotonic()
            while (r := await _ready(app)).status_code != 200 and time.monotonic() - start < 10:
                pass
            assert r.status_code == 200 and r.json()["status"] == "ready", r.text
            assert all(q["ready"] for q in r.json()["queues"])


async def test_readyz_is_503_when_temporal_does_not_answer(engine: Engine, jwt_secret: str) -> None:
    app = make_app(engine, jwt_secret, temporal_address="127.0.0.1:1")
    r = await _ready(app)
    assert r.status_code == 503 and "Temporal" in r.json()["status"]

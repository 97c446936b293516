"""Fixtures of the API tests: apps configured for what the tests need."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.engine import Engine

from tests.helpers.apps import make_app
from tests.helpers.people import AuthHeaders
from tests.helpers.temporal import running_workers


@pytest.fixture
async def planner_api(
    engine: Engine, jwt_secret: str, auth_headers: AuthHeaders
) -> AsyncIterator[httpx.AsyncClient]:
    """The app without a Temporal client, called as planner li (pass other headers to act as
    someone else)."""
    transport = httpx.ASGITransport(app=make_app(engine, jwt_secret))
    li = auth_headers("li", "planner")
    async with httpx.AsyncClient(transport=transport, base_url="http://tf", headers=li) as c:
        yield c


@pytest.fixture
async def pipeline_api(
    dev_env, engine: Engine, tmp_path, jwt_secret: str
) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    """The app on the dev server with both workers running on fresh queues (pipelines and
    what-ifs really run); no default caller."""
    async with running_workers(dev_env.client, engine, tmp_path) as (queue, config):
        app = make_app(engine, jwt_secret, dev_env.client, pipeline=config, task_queue=queue)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://tf", timeout=60) as c:
            yield c

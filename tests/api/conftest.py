"""Fixtures of the API tests: the app as a planner."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.engine import Engine

from api.app import create_app
from tests.conftest import AuthHeaders


@pytest.fixture
async def api(
    engine: Engine, jwt_secret: str, auth_headers: AuthHeaders
) -> AsyncIterator[httpx.AsyncClient]:
    """The app (no Temporal client) as planner li; tests pass other headers to act as others.

    Test files that need another app (a Temporal client, no default caller) define their own.
    """
    transport = httpx.ASGITransport(app=create_app(engine, None, jwt_secret=jwt_secret))
    li = auth_headers("li", "planner")
    async with httpx.AsyncClient(transport=transport, base_url="http://tf", headers=li) as c:
        yield c

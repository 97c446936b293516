"""Per-merchant quotas: ideas in flight and new ideas a minute, 429 with Retry-After and the
quota in the reason; a repeat of an idea never counts, and another merchant is not affected."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlmodel import select

from api.auth import create_api_key
from models.db import session_scope
from models.tables import Trend
from tests.helpers.apps import make_app
from tests.helpers.people import AuthHeaders

pytestmark = pytest.mark.db


def _client(app) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://tf")


def _idea(merchant: str) -> dict[str, str]:
    return {"text": f"frog keychain {uuid.uuid4().hex[:6]}", "merchant_id": merchant}


async def test_new_ideas_a_minute_are_limited_per_merchant(
    engine, dev_env, jwt_secret, auth_headers: AuthHeaders
) -> None:  # type: ignore[no-untyped-def]
    queue = f"nobody-{uuid.uuid4().hex[:6]}"  # no worker: the pipelines wait, untouched
    app = make_app(engine, jwt_secret, dev_env.client, task_queue=queue, ideas_per_minute=2)
    me, other = f"m-q-{uuid.uuid4().hex[:6]}", f"m-q-{uuid.uuid4().hex[:6]}"
    async with _client(app) as c:
        first = _idea(me)
        for idea in (first, _idea(me)):
            r = await c.post("/ideas", json=idea, headers=auth_headers(me, "merchant"))
            assert r.status_code == 201, r.text
        r = await c.post("/ideas", json=_idea(me), headers=auth_headers(me, "merchant"))
        assert r.status_code == 429 and "quota is 2 a minute" in r.json()["detail"]
        assert 1 <= int(r.headers["retry-after"]) <= 60
        r = await c.post("/ideas", json=first, headers=auth_headers(me, "merchant"))
        assert r.status_code == 200  # a repeat is not a new idea
        r = await c.post("/ideas", json=_idea(other), headers=auth_headers(other, "merchant"))
        assert r.status_code == 201  # another merchant has their own quota
        r = await c.post(
            "/ideas/upload", data={"text": "frog keychain x"}, headers=auth_headers(me, "merchant")
        )
        assert r.status_code == 429


async def test_ideas_in_flight_are_limited_until_some_finish(
    engine, dev_env, jwt_secret, auth_headers: AuthHeaders
) -> None:  # type: ignore[no-untyped-def]
    queue = f"nobody-{uuid.uuid4().hex[:6]}"
    app = make_app(engine, jwt_secret, dev_env.client, task_queue=queue, ideas_in_flight=2)
    me = f"m-f-{uuid.uuid4().hex[:6]}"
    who = auth_headers(me, "merchant")
    async with _client(app) as c:
        ids = []
        for _ in range(2):
            r = await c.post("/ideas", json=_idea(me), headers=who)
            ids.append(r.json()["id"])
        r = await c.post("/ideas", json=_idea(me), headers=who)
        assert r.status_code == 429 and "2 ideas in flight and the quota is 2" in r.text
        with session_scope(engine) as s:
            done = s.exec(select(Trend).where(Trend.id == ids[0])).one()
            done.stage = "shipped"
            s.add(done)
        r = await c.post("/ideas", json=_idea(me), headers=who)
        assert r.status_code == 201, r.text
        _, key = create_api_key(engine, f"feed-{me}", "machine", "feed", "tests", [me])
        feed = {"X-API-Key": key}
        r = await c.post(
            "/signals",
            json={"phrase": "frog keychain wave", "merchant_id": me,
                  "observations": [{"t_hours": 0, "views": 10}, {"t_hours": 24, "views": 9000}]},
            headers=feed,
        )  # fmt: skip
        assert r.status_code == 429 and "in flight" in r.text

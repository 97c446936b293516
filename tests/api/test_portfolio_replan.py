"""The portfolio replan over HTTP on the dev server with real workers: a planner asks for it,
reads the proposal, and approves it as one; the plans show their new dates; bad input is a 4xx."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.helpers.people import AuthHeaders
from tests.workflows.test_portfolio_replan import _factory, newest_plan

pytestmark = pytest.mark.db


def _at(text: str) -> datetime:
    """A timestamp of the API (SQLite keeps UTC without its zone)."""
    t = datetime.fromisoformat(text)
    return t if t.tzinfo else t.replace(tzinfo=UTC)


async def test_a_planner_asks_reads_and_approves_a_portfolio_replan(
    pipeline_api: httpx.AsyncClient, engine: Engine, auth_headers: AuthHeaders
) -> None:
    c, li = pipeline_api, auth_headers("li", "planner")
    viewer = auth_headers("vic", "viewer")
    process, _, ids = _factory(engine)
    bad = await c.post("/factory/replans", json={"process": "no_such_process"}, headers=li)
    assert bad.status_code == 422 and "no_such_process" in bad.text
    assert (await c.post("/factory/replans", json={}, headers=viewer)).status_code == 403
    hot_before = (await c.get(f"/plans/{ids['hot_plan']}", headers=li)).json()
    r = await c.post("/factory/replans", json={"process": process, "reason": "hot"}, headers=li)
    assert r.status_code == 202, r.text
    rid = r.json()["replan_id"]
    for _ in range(300):
        state = (await c.get(f"/factory/replans/{rid}", headers=li)).json()
        if state["status"] != "proposing":
            break
        await asyncio.sleep(0.1)
    assert state["status"] == "awaiting_review", state
    ideas = {i["trend_id"]: i for i in state["proposal"]["ideas"]}
    assert ids["hot"] in ideas and ids["run"] not in ideas
    page = await c.get(f"/app/factory/replans/{rid}", headers=li)
    assert page.status_code == 200 and 'id="replan-form"' in page.text
    assert f'href="/app/ideas/{ids["hot"]}"' in page.text
    seen = await c.get(f"/app/factory/replans/{rid}", headers=viewer)
    assert seen.status_code == 200 and 'id="replan-form"' not in seen.text
    no_reason = await c.post(
        f"/factory/replans/{rid}/decision", json={"approve": False}, headers=li
    )
    assert no_reason.status_code == 422
    denied = await c.post(
        f"/factory/replans/{rid}/decision", json={"approve": True}, headers=viewer
    )
    assert denied.status_code == 403
    ok = await c.post(f"/factory/replans/{rid}/decision", json={"approve": True}, headers=li)
    assert ok.status_code == 200 and ok.json()["status"] == "approved", ok.text
    again = await c.post(f"/factory/replans/{rid}/decision", json={"approve": True}, headers=li)
    assert again.status_code == 409  # decided once
    done = await c.get(f"/app/factory/replans/{rid}", headers=li)
    assert "approved" in done.text and 'id="replan-form"' not in done.text
    with Session(engine) as s:  # the moved plan is the idea's next revision
        hot_plan = newest_plan(s, ids["hot"]).id
    assert hot_plan != ids["hot_plan"]
    hot_after = (await c.get(f"/plans/{hot_plan}", headers=li)).json()
    want = _at(ideas[ids["hot"]]["completion_after"])
    assert _at(hot_after["eta"]) < _at(hot_before["eta"])
    assert abs((_at(hot_after["eta"]) - want).total_seconds()) < 1
    assert (await c.get("/factory/replans/portfolio-replan-none", headers=li)).status_code == 404
    assert (await c.get("/factory/replans/trend-1", headers=li)).status_code == 404

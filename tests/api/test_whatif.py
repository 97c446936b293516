"""Planner what-if over HTTP: scenarios replanned next to the baseline (on the CPU worker, through
the WhatIf workflow), bad input as 4xx."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from activities.sourcing import match_and_reserve
from models.contracts import SourcingRequest
from models.db import session_scope
from models.tables import ProductionPlan
from tests.helpers.people import AuthHeaders
from tests.helpers.records import new_idea_row

PROCESSES = ["textile_cutting", "plush_sewing", "packaging"]
pytestmark = pytest.mark.db


@pytest.fixture
def plan_id(engine: Engine) -> int:
    """A stored pending plan for 12,000 units due on day 9, on real supplier reservations."""
    trend_id = new_idea_row(engine, "what-if bear", "m-whatif")
    wf = f"wf-whatif-{trend_id}"
    request = SourcingRequest(
        workflow_id=wf,
        trend_id=trend_id,
        processes=PROCESSES,
        units_per_day=1000,
    )
    match_and_reserve(engine, request)
    with session_scope(engine) as s:
        plan = ProductionPlan(
            workflow_id=wf,
            trend_id=trend_id,
            quantity=12_000,
            due_day=9,
            completion_day=9,
            on_time=True,
        )
        s.add(plan)
        s.flush()
        assert plan.id is not None
        return plan.id


@pytest.fixture
def planner(auth_headers: AuthHeaders) -> dict[str, str]:
    return auth_headers("li", "planner")


async def _whatif(
    api: httpx.AsyncClient, plan: int, body: dict[str, Any], headers: dict[str, str]
) -> httpx.Response:
    return await api.post(f"/plans/{plan}/whatif", json=body, headers=headers)


async def test_scenarios_side_by_side_against_the_baseline(
    pipeline_api: httpx.AsyncClient, plan_id: int, planner: dict[str, str]
) -> None:
    extra = [
        {"process": p, "rate_units_per_day": 1500, "count": 2, "extra_cost": 800, "ramp_days": 0}
        for p in PROCESSES
    ]
    body = {
        "time_limit_s": 0.5,
        "scenarios": [
            {"name": "more-lines", "add_lines": extra},
            {"name": "overtime", "overtime_hours_per_day": 4},
            {"name": "split", "split_lots": 40},
        ],
    }
    r = await _whatif(pipeline_api, plan_id, body, planner)
    assert r.status_code == 200, r.text
    rows = {row["scenario"]: row for row in r.json()["scenarios"]}
    assert list(rows) == ["baseline", "more-lines", "overtime", "split"]
    base = rows["baseline"]
    assert base["extra_cost"] == 0 and base["quantity"] == 12_000
    for row in rows.values():
        assert row["completion_date"] and row["lines"] and row["utilisation"] > 0
        assert sum(x["units"] for x in row["shipments"]) == 12_000
        assert sum(ln["units"] for ln in row["lines"] if ln["process"] == "packaging") == 12_000
    more = rows["more-lines"]
    assert more["makespan_days"] < base["makespan_days"]
    used = [ln for ln in more["lines"] if ln["line_id"].startswith("WHATIF-")]
    assert used and more["extra_cost"] == 800 * len({ln["line_id"] for ln in used})
    assert rows["overtime"]["makespan_days"] < base["makespan_days"]
    assert any("overtime 4 h/day" in n for n in rows["overtime"]["notes"])
    assert any("40 lots" in n for n in rows["split"]["notes"])


async def test_bad_input_gets_4xx_with_the_reason(
    pipeline_api: httpx.AsyncClient,
    plan_id: int,
    planner: dict[str, str],
    auth_headers: AuthHeaders,
) -> None:
    zero = {"name": "z", "add_lines": [{"process": "plush_sewing", "rate_units_per_day": 0}]}
    r = await _whatif(pipeline_api, plan_id, {"scenarios": [zero]}, planner)
    assert r.status_code == 422 and "rate_units_per_day" in r.text
    r = await _whatif(
        pipeline_api, plan_id, {"scenarios": [{"name": "neg", "quantity": -5}]}, planner
    )
    assert r.status_code == 422 and "quantity" in r.text
    r = await _whatif(
        pipeline_api, plan_id, {"scenarios": [{"name": "x", "exclude_lines": ["NOPE-1"]}]}, planner
    )
    assert r.status_code == 422 and "unknown lines NOPE-1" in r.json()["detail"]
    got = (await pipeline_api.get(f"/plans/{plan_id}", headers=planner)).json()
    assert got["quantity"] == 12_000
    lines = await _whatif(
        pipeline_api, plan_id, {"scenarios": [{"name": "a"}], "time_limit_s": 0}, planner
    )
    sewing = [ln["line_id"] for ln in lines.json()["scenarios"][0]["lines"]]
    sewing = [x for x in sewing if "plush_sewing" in x or x.startswith("OWN-")]
    all_out = {"name": "none-left", "exclude_lines": sewing, "max_lines": 1}
    r = await _whatif(pipeline_api, plan_id, {"scenarios": [all_out], "time_limit_s": 0}, planner)
    assert r.status_code == 422 and "none-left" in r.json()["detail"]
    missing = await _whatif(pipeline_api, 999_999_999, {"scenarios": [{"name": "a"}]}, planner)
    assert missing.status_code == 404
    viewer = await _whatif(
        pipeline_api, plan_id, {"scenarios": [{"name": "a"}]}, auth_headers("vic-whatif", "viewer")
    )
    assert viewer.status_code == 403
    twice = {"scenarios": [{"name": "a"}, {"name": "a"}]}
    assert (await _whatif(pipeline_api, plan_id, twice, planner)).status_code == 422

"""Plan downloads as CSV: what the plan holds, row for row, and cells a spreadsheet keeps as text."""

from __future__ import annotations

import csv
import io
import uuid

import httpx
import pytest
from sqlalchemy.engine import Engine

from engines.scheduling import plan_order
from engines.scheduling.lines import Line
from models.db import session_scope
from models.tables import ProductionPlan, Trend

pytestmark = pytest.mark.db
HOSTILE = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def plan(engine: Engine) -> ProductionPlan:
    """A greedy plan of 6,000 units on cut → sew → pack, one sewing line named like a formula."""
    lines = [
        Line("CUT-1", "cutter co", "cutting", 1500, ramp_days=0),
        Line("SEW-1", "sewer co", "sewing", 900, ramp_days=1),
        Line(HOSTILE, "@sewer", "sewing", 700, ramp_days=1),
        Line("PACK-1", "-packer", "packaging", 2500, ramp_days=0),
    ]
    schedule = plan_order(
        6000, lines, 20, routing=["cutting", "sewing", "packaging"], time_limit_s=0
    )
    with session_scope(engine) as s:
        trend = Trend(dedup_key=uuid.uuid4().hex, text="export bear", merchant_id="m-exports")
        s.add(trend)
        s.flush()
        assert trend.id is not None
        row = ProductionPlan(
            workflow_id=f"wf-exports-{trend.id}",
            trend_id=trend.id,
            revision=2,
            quantity=6000,
            due_day=schedule.due_day,
            completion_day=schedule.completion_day,
            on_time=schedule.on_time,
            lines=schedule.lines,
            daily=[{"line_id": ln, "day": d, "units": u} for ln, d, u in schedule.daily],
            gantt=schedule.stored_gantt(),
        )
        s.add(row)
        s.flush()
        s.expunge(row)
    return row


def _rows(r: httpx.Response) -> list[dict[str, str]]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(r.text)))


async def test_daily_csv_is_the_plans_daily_quantities(
    planner_api: httpx.AsyncClient, plan: ProductionPlan
) -> None:
    r = await planner_api.get(f"/plans/{plan.id}/daily.csv")
    rows = _rows(r)
    assert f'filename="plan-{plan.id}-rev2-daily.csv"' in r.headers["content-disposition"]
    assert sorted((x["line_id"], int(x["day"]), int(x["units"])) for x in rows) == sorted(
        (d["line_id"], d["day"], d["units"]) for d in plan.daily
    )
    assert sum(int(x["units"]) for x in rows) == 6000
    assert {x["process"] for x in rows} == {"packaging"}  # the finishing stage ships
    assert rows[0]["owner"] == "'-packer"  # a leading minus would start a formula
    days = [int(x["day"]) for x in rows]
    assert days == sorted(days)


async def test_lots_csv_lists_every_lot_on_every_stage(
    planner_api: httpx.AsyncClient, plan: ProductionPlan
) -> None:
    rows = _rows(await planner_api.get(f"/plans/{plan.id}/lots.csv"))
    assert len(rows) == len(plan.gantt) > 3
    assert {x["process"] for x in rows} == {"cutting", "sewing", "packaging"}
    for stage in ("cutting", "sewing", "packaging"):  # every stage makes each lot once, whole
        lots = {int(x["lot"]): int(x["units"]) for x in rows if x["process"] == stage}
        assert sum(lots.values()) == 6000 and len(lots) == len(plan.gantt) // 3
    page = (
        await planner_api.get(f"/app/plans/{plan.id}")
    ).text  # the Gantt bars' tooltips say it too
    assert f"lot 0 · {lots[0]:,} units" in page
    by_line: dict[str, list[float]] = {}
    for x in rows:
        assert float(x["start_day"]) < float(x["end_day"])
        by_line.setdefault(x["line_id"], []).append(float(x["start_day"]))
    assert all(starts == sorted(starts) for starts in by_line.values())  # run order per line
    hostile = [x for x in rows if x["line_id"].endswith(HOSTILE)]
    assert hostile, "the formula-named line got lots"
    assert all(x["line_id"] == "'" + HOSTILE and x["owner"] == "'@sewer" for x in hostile)


async def test_missing_plan_and_other_merchants_get_the_reason(
    planner_api: httpx.AsyncClient, plan: ProductionPlan, auth_headers
) -> None:  # type: ignore[no-untyped-def]
    r = await planner_api.get("/plans/999999/lots.csv")
    assert r.status_code == 404 and "plan 999999 does not exist" in r.text
    other = auth_headers("m-not-the-owner", "merchant")
    r = await planner_api.get(f"/plans/{plan.id}/daily.csv", headers=other)
    assert r.status_code == 404 and f"plan {plan.id} does not exist" in r.text
    owner = auth_headers("m-exports", "merchant")
    assert _rows(await planner_api.get(f"/plans/{plan.id}/daily.csv", headers=owner))


async def test_plans_stored_before_lot_units_still_download_and_draw(
    planner_api: httpx.AsyncClient, plan: ProductionPlan, engine: Engine
) -> None:
    with session_scope(engine) as s:
        row = s.get(ProductionPlan, plan.id)
        assert row is not None
        row.gantt = [g[:5] for g in plan.gantt]  # the row layout before units were stored
        s.add(row)
    rows = _rows(await planner_api.get(f"/plans/{plan.id}/lots.csv"))
    assert len(rows) == len(plan.gantt) and {x["units"] for x in rows} == {""}
    page = await planner_api.get(f"/app/plans/{plan.id}")
    assert page.status_code == 200 and page.text.count('class="gantt-bar"') == len(plan.gantt)

"""The factory's own lines over HTTP: the seeded factory, a planner's CSV import (upsert by
line_id, all or nothing with errors by line) and the bookings plans hold on the lines."""

from __future__ import annotations

import uuid

import httpx
import pytest

from activities.planning import PlanningActivities
from tests.helpers.records import new_idea_row
from tests.test_bookings import plan_request

pytestmark = pytest.mark.db


async def test_a_planner_imports_lines_and_sees_what_holds_them(planner_api, engine) -> None:  # type: ignore[no-untyped-def]
    c: httpx.AsyncClient = planner_api
    assert (await c.get("/factory/lines")).json()  # a factory from the start (seeded if empty)
    process = f"sewing_{uuid.uuid4().hex[:6]}"
    csv = (
        "line_id,process,rate_units_per_day,shift_hours,days_off,site\n"
        f"{process}-1,{process},1200,10,6,Hall A\n"
        f"{process}-2,{process},800,,5;6,Hall B\n"
    )
    r = await c.post("/factory/lines/import", content=csv, headers={"content-type": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.json() == {"rows": 2, "created": 2, "updated": 0}
    again = csv.replace(",1200,", ",1500,")
    r = await c.post("/factory/lines/import", content=again, headers={"content-type": "text/csv"})
    assert r.json() == {"rows": 2, "created": 0, "updated": 2}
    trend = new_idea_row(engine, "factory lines page", "m-fl")
    PlanningActivities(engine).plan_production(plan_request(trend, process, 3000, f"fl-{process}"))
    mine = {ln["line_id"]: ln for ln in (await c.get("/factory/lines")).json()}
    first = mine[f"{process}-1"]
    assert first["rate_units_per_day"] == 1500 and first["shift_hours"] == 10
    assert first["days_off"] == [6] and first["site"] == "Hall A"
    assert mine[f"{process}-2"]["days_off"] == [5, 6] and mine[f"{process}-2"]["shift_hours"] == 8
    held = [
        b for ln in mine.values() for b in ln["bookings"] if b["workflow_id"] == f"fl-{process}"
    ]
    assert held and all(b["status"] == "held" and b["trend_id"] == trend for b in held)


@pytest.mark.parametrize(
    ("row", "line", "words"),
    [
        ("L-1,sewing,0", 2, "rate_units_per_day must be above 0"),
        ("L-1,sewing,100,0", 2, "no working time"),
        ("L-1,sewing,100,8,0;1;2;3;4;5;6", 2, "no working day"),
        ("L-1,Sewing!,100", 2, "process must be"),
        ("L-1,sewing,fast", 2, "must be a number"),
    ],
)
async def test_bad_lines_are_422s_naming_the_line(
    planner_api, row: str, line: int, words: str
) -> None:  # type: ignore[no-untyped-def]
    c: httpx.AsyncClient = planner_api
    csv = f"line_id,process,rate_units_per_day,shift_hours,days_off\nOK-{uuid.uuid4().hex[:6]},sewing,100,,\n{row}\n"
    r = await c.post("/factory/lines/import", content=csv, headers={"content-type": "text/csv"})
    assert r.status_code == 422, r.text
    errors = r.json()["detail"]["errors"]
    assert errors[0]["line"] == line + 1 and words in errors[0]["message"], errors
    lines = {ln["line_id"] for ln in (await c.get("/factory/lines")).json()}
    assert not any(x.startswith("OK-") for x in lines)  # nothing imported


async def test_a_file_with_unknown_columns_is_refused(planner_api) -> None:  # type: ignore[no-untyped-def]
    r = await planner_api.post(
        "/factory/lines/import", content="line_id,process,rate_units_per_day,speed\n",
        headers={"content-type": "text/csv"},
    )  # fmt: skip
    assert r.status_code == 422 and "unknown columns: speed" in r.text


async def test_the_factory_page_shows_who_holds_which_line(planner_api, engine) -> None:  # type: ignore[no-untyped-def]
    c: httpx.AsyncClient = planner_api
    process = f"sewing_{uuid.uuid4().hex[:6]}"
    csv = f"line_id,process,rate_units_per_day\n{process}-1,{process},1000\n"
    await c.post("/factory/lines/import", content=csv, headers={"content-type": "text/csv"})
    trend = new_idea_row(engine, "factory page idea", "m-fp")
    acts = PlanningActivities(engine)
    from datetime import UTC, datetime

    req = plan_request(trend, process, 3000, f"fp-{process}")
    req.start_date = datetime.now(UTC)  # today: inside the page's 30-day window
    plan = acts.plan_production(req)
    html = (await c.get("/app/factory", headers={"accept": "text/html"})).text
    assert f"{process}-1" in html and f"idea {trend} (tentative)" in html
    assert 'class="gantt-bar"' in html and "Import lines (CSV)" in html
    # the queue of plans waiting for review lists it, with the own-line days it holds
    queue = html[html.index('id="factory-queue"') :]
    row = queue[queue.index(f'href="/app/plans/{plan.plan_id}"') :].split("</tr>")[0]
    assert f"idea {trend}" in row and f"day {plan.completion_day}" in row
    held = float(row.rsplit('<td class="num">', 1)[1].split("<")[0])
    assert held > 0  # its tentative hold on the own line


async def test_conflicts_before_approval_and_the_bookings_csv(planner_api, engine) -> None:  # type: ignore[no-untyped-def]
    """A plan whose hold expired lost its time to a later plan: its conflicts name that plan's
    tentative hold (lines, dates) before anyone approves it; the CSV lists every line × day."""
    import csv
    import io
    from datetime import timedelta

    from sqlmodel import col, select

    from models.contracts import PlanReviewRecord
    from models.db import session_scope
    from models.tables import LineBooking, ProductionPlan, utcnow
    from tests.test_bookings import assert_never_shared, factory, holding

    c: httpx.AsyncClient = planner_api
    process, trend = factory(engine), new_idea_row(engine, "conflicts", "m-cf")
    acts = PlanningActivities(engine)
    first = acts.plan_production(plan_request(trend, process, 3000, f"a-{process}"))
    r = await c.get(f"/plans/{first.plan_id}/conflicts")
    assert r.status_code == 200 and r.json()["conflicts"] == []
    with session_scope(engine) as s:  # its hold expires, then another plan takes that time
        for b in s.exec(select(LineBooking).where(LineBooking.workflow_id == f"a-{process}")):
            b.expires_at = utcnow() - timedelta(minutes=1)
            s.add(b)
    second = acts.plan_production(plan_request(trend, process, 3000, f"b-{process}"))
    got = (await c.get(f"/plans/{first.plan_id}/conflicts")).json()
    assert got["expired_holds"] > 0 and got["conflicts"]
    assert {x["workflow_id"] for x in got["conflicts"]} == {f"b-{process}"}
    assert {x["status"] for x in got["conflicts"]} == {"tentative"}
    assert all(x["line_id"].startswith(f"OWN-{process}") and x["days"] for x in got["conflicts"])
    assert (await c.get(f"/plans/{second.plan_id}/conflicts")).json()["conflicts"] == []
    page = await c.get(f"/app/plans/{first.plan_id}")
    assert 'id="conflicts"' in page.text and f"idea {trend}" in page.text

    acts.record_plan_review(
        PlanReviewRecord(plan_id=second.plan_id, status="approved", reviewer="li", at=utcnow())
    )
    # approving the first anyway never double books: what it lost is released and noted
    acts.record_plan_review(
        PlanReviewRecord(plan_id=first.plan_id, status="approved", reviewer="li", at=utcnow())
    )
    with session_scope(engine) as s:
        mine = list(s.exec(select(LineBooking).where(LineBooking.workflow_id == f"a-{process}")))
        lost = [b for b in mine if b.status == "released"]
        assert lost and all(b.reason.startswith(f"taken by b-{process}") for b in lost)
        notes = s.get(ProductionPlan, first.plan_id).notes  # type: ignore[union-attr]
    assert any(n.startswith("line time lost:") for n in notes)
    assert_never_shared(holding(engine, process))
    r = await c.get("/factory/bookings.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = [x for x in csv.DictReader(io.StringIO(r.text)) if x["process"] == process]
    assert rows and f"b-{process}" in {x["workflow_id"] for x in rows}
    assert {x["status"] for x in rows} == {"firm"} and {x["trend_id"] for x in rows} == {str(trend)}
    with session_scope(engine) as s:
        booked = [
            b
            for b in s.exec(select(LineBooking).where(col(LineBooking.line_id).contains(process)))
            if b.status == "firm"
        ]
        hours = sum((b.end_at - b.start_at) / timedelta(hours=1) for b in booked)
    assert abs(sum(float(x["hours"]) for x in rows) - hours) < 0.05 * len(rows)
    assert all(0 < float(x["hours"]) <= 24 for x in rows)

"""The factory lines page over HTTP, on the real app and database: planners change lines with
plain HTML forms (the next plan uses them), bad cells are refused by the CSV's rules with the
reason and nothing stored, a CSV upload names its bad lines, and only planners and admins get
in. The session-cookie test posts the way a browser without script does."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import httpx
import pytest

from activities.planning import PlanningActivities
from api.auth import COOKIE_NAME, create_user
from tests.helpers.apps import NO_TEMPORAL, make_app
from tests.helpers.people import TEST_PASSWORD, AuthHeaders
from tests.helpers.records import new_idea_row
from tests.test_bookings import factory, plan_request

pytestmark = pytest.mark.db

LINES = "/app/factory/lines"


async def _stored(c: httpx.AsyncClient, process: str) -> dict[str, dict]:  # type: ignore[type-arg]
    lines = (await c.get("/factory/lines")).json()
    return {ln["line_id"]: ln for ln in lines if ln["process"] == process}


async def test_a_planner_edits_a_rate_and_the_next_plan_uses_it(planner_api, engine) -> None:  # type: ignore[no-untyped-def]
    c: httpx.AsyncClient = planner_api
    process = factory(engine)  # OWN-<process>-1 and -2 at 1,000 units/day
    one, two = f"OWN-{process}-1", f"OWN-{process}-2"
    r = await c.post(f"{LINES}/{one}", data={"rate_units_per_day": "1750", "days_off": "6"})
    assert r.status_code == 303 and r.headers["location"] == f"{LINES}?saved={one}", r.text
    r = await c.post(f"{LINES}/{two}", data={"active": "false"})  # its Deactivate button
    assert r.status_code == 303, r.text
    stored = await _stored(c, process)
    assert stored[one]["rate_units_per_day"] == 1750 and stored[one]["days_off"] == [6]
    assert stored[one]["shift_hours"] == 8 and stored[one]["active"]  # cells not sent: kept
    assert not stored[two]["active"]

    trend = new_idea_row(engine, "lines page idea", "m-lp")
    acts = PlanningActivities(engine)
    req = plan_request(trend, process, 3000, f"lp-{process}")
    req.start_date = datetime.now(UTC)  # today: inside the page's 14 booked days
    plan = acts.plan_production(req)
    own = {ln.line_id: ln for ln in plan.lines if ln.line_id.startswith(f"OWN-{process}")}
    assert set(own) == {one} and own[one].rate_units_per_day == 1750

    page = await c.get(LINES)
    assert page.status_code == 200 and f'id="row-{one}"' in page.text
    row = page.text.split(f'id="row-{one}"')[1].split("</tr>")[0]
    assert 'value="1750"' in row and re.search(r"\d+(\.\d)? d<div", row), row  # booked days
    assert "Reactivate" in page.text.split(f'id="row-{two}"')[1].split("</tr>")[0]


@pytest.mark.parametrize(
    ("cells", "words"),
    [
        ({"rate_units_per_day": "0"}, "rate_units_per_day must be above 0"),
        ({"rate_units_per_day": "fast"}, "rate_units_per_day must be a number"),
        ({"shift_hours": "0"}, "no working time"),
        ({"days_off": "0 1 2 3 4 5 6"}, "no working day"),
        ({"process": "Sewing!"}, "process must be"),
        ({"active": "maybe"}, "active must be true or false"),
    ],
)
async def test_a_bad_cell_is_refused_with_the_reason_and_changes_nothing(
    planner_api, engine, cells: dict[str, str], words: str
) -> None:  # type: ignore[no-untyped-def]
    c: httpx.AsyncClient = planner_api
    process = factory(engine)
    line = f"OWN-{process}-1"
    before = await _stored(c, process)
    r = await c.post(f"{LINES}/{line}", data={"site": "Hall Z", **cells})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert words in r.text and 'id="refused"' in r.text, r.text[:400]
    row = r.text.split(f'id="row-{line}"')[1].split("</tr>")[0]
    assert 'value="Hall Z"' in row  # the cells sent are back in the row
    assert await _stored(c, process) == before


async def test_adding_a_line_by_the_same_rules(planner_api, engine) -> None:  # type: ignore[no-untyped-def]
    c: httpx.AsyncClient = planner_api
    process = factory(engine)
    new = f"OWN-{process}-3"
    r = await c.post(LINES, data={"line_id": new, "process": process, "rate_units_per_day": "0"})
    assert r.status_code == 422 and "must be above 0" in r.text
    assert f'value="{new}"' in r.text  # back in the add form
    assert new not in await _stored(c, process)
    cells = {"line_id": new, "process": process, "rate_units_per_day": "900", "site": "Hall C"}
    r = await c.post(LINES, data=cells)
    assert r.status_code == 303, r.text
    got = (await _stored(c, process))[new]
    assert got["rate_units_per_day"] == 900 and got["site"] == "Hall C" and got["ramp_days"] == 3
    r = await c.post(LINES, data=cells | {"rate_units_per_day": "5"})
    assert r.status_code == 422 and f"line {new} exists already" in r.text
    assert (await _stored(c, process))[new]["rate_units_per_day"] == 900
    assert (await c.post(f"{LINES}/NOPE-{process}", data={"active": "false"})).status_code == 404


async def test_a_csv_upload_names_its_bad_line_and_imports_nothing(planner_api) -> None:  # type: ignore[no-untyped-def]
    c: httpx.AsyncClient = planner_api
    process = f"sewing_{uuid.uuid4().hex[:6]}"
    bad = (
        "line_id,process,rate_units_per_day,days_off\n"
        f"{process}-1,{process},1200,6\n"
        f"{process}-2,{process},0,\n"
    )
    r = await c.post(f"{LINES}/import", files={"file": ("lines.csv", bad, "text/csv")})
    assert r.status_code == 422, r.text[:300]
    assert "line 3: rate_units_per_day must be above 0" in r.text
    assert await _stored(c, process) == {}
    good = bad.replace(",0,", ",800,")
    r = await c.post(f"{LINES}/import", files={"file": ("lines.csv", good, "text/csv")})
    assert r.status_code == 303 and r.headers["location"] == f"{LINES}?created=2&updated=0"
    assert "Imported: 2 new, 0 changed." in (await c.get(r.headers["location"])).text
    assert set(await _stored(c, process)) == {f"{process}-1", f"{process}-2"}


@pytest.mark.parametrize("role", ["merchant", "viewer"])
async def test_only_planners_and_admins_may_change_lines(
    planner_api, engine, auth_headers: AuthHeaders, role: str
) -> None:  # type: ignore[no-untyped-def]
    c: httpx.AsyncClient = planner_api
    process = factory(engine)
    someone = auth_headers(f"lp-{role}", role)
    assert (await c.get(LINES, headers=someone)).status_code == 403
    r = await c.post(f"{LINES}/OWN-{process}-1", data={"rate_units_per_day": "5"}, headers=someone)
    assert r.status_code == 403 and "planners and admins" in r.json()["detail"]
    assert (await _stored(c, process))[f"OWN-{process}-1"]["rate_units_per_day"] == 1000
    assert (await c.get(LINES, headers=auth_headers("lp-admin", "admin"))).status_code == 200
    nav = (await c.get("/app/factory")).text
    assert f'href="{LINES}"' in nav  # a planner's navigation leads there


async def test_a_browser_form_without_script_sends_the_token_as_a_field(
    engine, jwt_secret: str
) -> None:
    name = f"lp-cookie-{uuid.uuid4().hex[:6]}"
    create_user(engine, name, "planner", TEST_PASSWORD)
    process = factory(engine)
    line = f"OWN-{process}-1"
    transport = httpx.ASGITransport(app=make_app(engine, jwt_secret, temporal_address=NO_TEMPORAL))
    async with httpx.AsyncClient(transport=transport, base_url="http://tf") as c:
        r = await c.post("/auth/login", data={"username": name, "password": TEST_PASSWORD})
        assert r.status_code == 303 and c.cookies.get(COOKIE_NAME)
        page = (await c.get(LINES)).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token, page[:300]
        r = await c.post(f"{LINES}/{line}", data={"rate_units_per_day": "1300"})
        assert r.status_code == 403  # the cookie alone changes nothing
        r = await c.post(f"{LINES}/{line}", data={"rate_units_per_day": "1300", "csrf_token": "x"})
        assert r.status_code == 403
        sent = {"rate_units_per_day": "1300", "csrf_token": token.group(1)}
        r = await c.post(f"{LINES}/{line}", data=sent)
        assert r.status_code == 303, r.text
        lines = (await c.get("/factory/lines")).json()
        assert [ln["rate_units_per_day"] for ln in lines if ln["line_id"] == line] == [1300]

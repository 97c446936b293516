"""Supplier API over HTTP: search, one supplier, CSV import, an idea's match."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy.engine import Engine

from activities.sourcing import match_and_reserve
from engines.sourcing import HUBS
from models.contracts import SourcingRequest
from tests.helpers.people import AuthHeaders
from tests.helpers.records import new_idea_row

HEADER = (
    "code,name,town,lat,lon,lead_time_days,moq_units,quality,process,"
    "capacity_units_per_day,unit_cost_usd\n"
)
pytestmark = pytest.mark.db


def _csv(prefix: str, process: str) -> str:
    lat, lon = HUBS["Suxi"]
    return HEADER + (
        f"{prefix}-1,{prefix} One,Suxi,{lat},{lon},2,100,0.9,{process},4000,0.3\n"
        f"{prefix}-1,{prefix} One,Suxi,{lat},{lon},2,100,0.9,{process}_packing,9000,0.05\n"
        f"{prefix}-2,{prefix} Two,Suxi,{lat + 0.01},{lon},3,200,0.8,{process},2500,0.28\n"
    )


async def test_search_by_process_town_and_near_a_point(planner_api: httpx.AsyncClient) -> None:
    r = await planner_api.get("/suppliers", params={"process": "plush_sewing", "limit": 5})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] > 5 and len(body["items"]) == 5
    assert all(
        any(c["process"] == "plush_sewing" for c in s["capabilities"]) for s in body["items"]
    )
    page2 = (
        await planner_api.get(
            "/suppliers", params={"process": "plush_sewing", "limit": 5, "offset": 5}
        )
    ).json()
    assert {s["id"] for s in page2["items"]}.isdisjoint({s["id"] for s in body["items"]})
    town = (await planner_api.get("/suppliers", params={"town": "houzhai", "limit": 500})).json()
    assert town["total"] > 0 and {s["town"] for s in town["items"]} == {"Houzhai"}
    lat, lon = HUBS["Futian"]
    near = (
        await planner_api.get(
            "/suppliers", params={"lat": lat, "lon": lon, "minutes": 10, "limit": 500}
        )
    ).json()
    minutes = [s["travel_minutes"] for s in near["items"]]
    assert near["total"] > 0 and minutes == sorted(minutes) and max(minutes) <= 10
    assert (await planner_api.get("/suppliers", params={"lat": lat})).status_code == 422


async def test_one_supplier_and_unknown_ids(planner_api: httpx.AsyncClient) -> None:
    first = (await planner_api.get("/suppliers", params={"limit": 1})).json()["items"][0]
    r = await planner_api.get(f"/suppliers/{first['id']}")
    assert r.status_code == 200 and r.json()["code"] == first["code"] and "held" in r.json()
    assert (await planner_api.get("/suppliers/999999999")).status_code == 404


async def test_csv_import_text_body_then_multipart_upsert(planner_api: httpx.AsyncClient) -> None:
    prefix, process = f"CSV{uuid.uuid4().hex[:6]}", f"csv_{uuid.uuid4().hex[:6]}"
    r = await planner_api.post(
        "/suppliers/import",
        content=_csv(prefix, process),
        headers={"content-type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"rows": 3, "created": 2, "updated": 0, "capabilities": 3}
    updated = _csv(prefix, process).replace(",4000,0.3", ",4500,0.29")
    r = await planner_api.post("/suppliers/import", files={"file": ("s.csv", updated, "text/csv")})
    assert r.status_code == 200 and r.json()["created"] == 0 and r.json()["updated"] == 2
    found = (await planner_api.get("/suppliers", params={"process": process})).json()
    assert found["total"] == 2
    caps = {
        c["process"]: c
        for s in found["items"]
        for c in s["capabilities"]
        if s["code"] == f"{prefix}-1"
    }
    assert caps[process]["capacity_units_per_day"] == 4500 and f"{process}_packing" in caps


async def test_csv_import_rejects_bad_lines_roles_and_size(
    planner_api: httpx.AsyncClient, auth_headers: AuthHeaders
) -> None:
    bad = (
        HEADER
        + "X1,Bad,Suxi,north,120.1,2,100,0.9,printing,100,0.1\nX2,Ok,Suxi,29.4,120.1,2,100,1.5,printing,100,0.1\n"
    )
    r = await planner_api.post(
        "/suppliers/import", content=bad, headers={"content-type": "text/csv"}
    )
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert [e["line"] for e in detail["errors"]] == [2, 3]
    assert "lat must be a number" in detail["errors"][0]["message"]
    suxi = (await planner_api.get("/suppliers", params={"town": "Suxi", "limit": 500})).json()[
        "items"
    ]
    assert not {"X1", "X2"} & {x["code"] for x in suxi}  # all or nothing
    viewer = await planner_api.post(
        "/suppliers/import", content=bad, headers=auth_headers("viewer-vi", "viewer")
    )
    assert viewer.status_code == 403 and "planner" in viewer.json()["detail"]
    huge = HEADER + "x" * (5 * 1024 * 1024)
    r = await planner_api.post(
        "/suppliers/import", content=huge, headers={"content-type": "text/csv"}
    )
    assert r.status_code == 413


async def test_idea_match_shows_reservations_and_hub(
    planner_api: httpx.AsyncClient, engine: Engine
) -> None:
    trend_id = new_idea_row(engine, "api match", "m-api")
    result = match_and_reserve(
        engine,
        SourcingRequest(
            workflow_id=f"wf-api-{trend_id}",
            trend_id=trend_id,
            processes=["packaging"],
            units_per_day=500,
        ),
    )
    body = (await planner_api.get(f"/ideas/{trend_id}/match")).json()
    assert body["hub"]["name"] == result.hub and result.hub in HUBS
    assert body["explanation"] == result.explanation and body["explanation"]
    assert len(body["alternatives"]) == len(result.alternatives)
    assert all(a.travel_minutes <= 30.0 for a in result.assignments)
    assert [r["supplier_id"] for r in body["reservations"]] == [
        a.supplier_id for a in result.assignments
    ]
    assert all(r["status"] == "held" and "lat" in r["supplier"] for r in body["reservations"])
    assert (await planner_api.get("/ideas/999999999/match")).status_code == 404

"""The compliance routes on the real app, with the pipeline running on the dev server: the
idea's markets from POST /ideas, the check's view, a lab report uploaded over HTTP opening its
market's gate, a planner's waiver, and the 4xx answers with their reasons."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session, select

from models.tables import Compliance, SupplierReservation
from tests.helpers.people import AuthHeaders
from tests.helpers.stages import reach_stage

pytestmark = pytest.mark.db

PDF = b"%PDF-1.4\n% ASTM F963-23 test report, sample TF-API-1\n%%EOF\n"


async def test_markets_are_checked_when_the_idea_is_posted(pipeline_api, auth_headers) -> None:  # type: ignore[no-untyped-def]
    merchant = auth_headers("m-comp-x", "merchant")
    idea = {"text": "baby bunny plush", "merchant_id": "m-comp-x"}
    r = await pipeline_api.post("/ideas", json={**idea, "compliance_markets": ["US", "XX"]},
                                headers=merchant)  # fmt: skip
    assert r.status_code == 422
    assert "unknown market 'XX'" in r.json()["detail"] and "DE, " in r.json()["detail"]
    r = await pipeline_api.post("/ideas", json={**idea, "age_grade": "toddler"}, headers=merchant)
    assert r.status_code == 422
    form = {"text": "baby bunny plush", "compliance_markets": "US, Mars"}
    r = await pipeline_api.post("/ideas/upload", data=form, headers=merchant)
    assert r.status_code == 422 and "unknown market 'MARS'" in r.json()["detail"]


async def test_a_lab_report_over_http_opens_its_gate(  # type: ignore[no-untyped-def]
    pipeline_api: httpx.AsyncClient, engine, auth_headers: AuthHeaders
) -> None:
    c = pipeline_api
    owner = auth_headers("m-comp", "merchant")
    other = auth_headers("m-comp-other", "merchant")
    planner = auth_headers("planner-comp", "planner")
    viewer = auth_headers("viewer-comp", "viewer")
    # a toddler's plush to the US and Germany (the EU's gate), embroidered face: it passes
    idea = {
        "text": "toddler bunny plush with embroidered eyes and nose",
        "merchant_id": "m-comp", "expected_volume": 1500, "due_in_days": 10,
        "destinations": [{"market": "US", "units": 1000}, {"market": "DE", "units": 500}],
        "compliance_markets": ["US", "DE"],
    }  # fmt: skip
    r = await c.post("/ideas", json=idea, headers=owner)
    assert r.status_code == 201, r.text
    tid = r.json()["id"]
    view = (await c.get(f"/ideas/{tid}/compliance", headers=owner)).json()
    assert view["checked"] is False and view["gates"] == []

    await reach_stage(c, owner, tid, "awaiting_selection")
    top = (await c.get(f"/ideas/{tid}/variants", headers=owner)).json()[0]
    r = await c.post(f"/ideas/{tid}/selection", json={"variant_id": top["id"],
                     "builds": {"eyes": "glued"}}, headers=owner)  # fmt: skip
    assert r.status_code == 422, r.text
    (err,) = r.json()["detail"]  # the schema's enum of builds, naming the field
    assert err["loc"] == ["body", "builds", "eyes"] and "'surface'" in err["msg"]
    r = await c.post(f"/ideas/{tid}/selection", json={"variant_id": top["id"]}, headers=owner)
    assert r.status_code == 200, r.text
    await reach_stage(c, owner, tid, "awaiting_compliance")

    view = (await c.get(f"/ideas/{tid}/compliance", headers=viewer)).json()
    assert view["checked"] and view["passed"] and view["age_grade"] == "under_3"
    assert any("toddler" in reason for reason in view["age_reasons"])
    gates = {g["market"]: g for g in view["gates"]}
    assert {m: g["status"] for m, g in gates.items()} == {"US": "awaiting", "EU": "awaiting"}
    assert gates["US"]["certificates"] == ["CPC"] and gates["EU"]["marks"] == ["CE"]
    assert set(gates["EU"]["documents"]) == {"test plan", "EU_DOC"}
    cpc = await c.get(gates["US"]["documents"]["CPC"], headers=owner)
    assert cpc.status_code == 200 and "Product Certificate (draft)" in cpc.text
    pdf = await c.get(gates["US"]["documents"]["CPC"] + "?format=pdf", headers=owner)
    assert pdf.headers["content-type"] == "application/pdf" and b"ASTM F963-23" in pdf.content
    r = await c.get(f"/ideas/{tid}/compliance/US/documents/EU_DOC", headers=owner)
    assert r.status_code == 409 and "CPC" in r.json()["detail"]

    # the idea page: the card with its gates; the owner uploads, a planner also waives
    page = (await c.get(f"/app/ideas/{tid}", headers=owner)).text
    assert 'id="compliance"' in page and "checks passed" in page and 'data-gate="EU"' in page
    assert page.count('class="lab-report"') == 2 and 'class="waiver"' not in page
    page = (await c.get(f"/app/ideas/{tid}", headers=planner)).text
    assert page.count('class="waiver"') == 2
    assert 'name="compliance_markets"' in (await c.get("/app/ideas", headers=owner)).text

    # bad input: each refused with its reason, nothing opened
    base = f"/ideas/{tid}/compliance"
    r = await c.post(f"{base}/EU/waiver", json={"reason": "  "}, headers=planner)
    assert r.status_code == 422 and "needs a reason" in r.text
    r = await c.post(f"{base}/EU/waiver", json={"reason": "fine"}, headers=owner)
    assert r.status_code == 403
    files = {"report": ("report.pdf", PDF, "application/pdf")}
    r = await c.post(f"{base}/XX/lab-report", files=files, headers=owner)
    assert r.status_code == 422 and "unknown market 'XX'" in r.json()["detail"]
    r = await c.post(f"{base}/JP/lab-report", files=files, headers=owner)
    assert r.status_code == 409 and "gated: US, EU" in r.json()["detail"]
    r = await c.post(f"{base}/US/lab-report", files=files, headers=other)
    assert r.status_code == 404 and "does not exist" in r.json()["detail"]
    html = {"report": ("report.pdf", b"<html>report</html>", "application/pdf")}
    r = await c.post(f"{base}/US/lab-report", files=html, headers=owner)
    assert r.status_code == 422 and "must be a PDF" in r.json()["detail"]

    # the merchant's report opens the US gate (DE's, the EU's, stays closed: nothing sourced)
    r = await c.post(f"{base}/us/lab-report", files=files, headers=owner)
    assert r.status_code == 200, r.text
    assert r.json()["market"] == "US" and r.json()["opened"].startswith("US open: lab report")
    again = await c.post(f"{base}/US/lab-report", files=files, headers=owner)
    assert again.status_code == 409 and "already open" in again.json()["detail"]
    view = (await c.get(base, headers=owner)).json()
    gates = {g["market"]: g for g in view["gates"]}
    assert gates["US"]["status"] == "open" and gates["EU"]["status"] == "awaiting"
    assert (await c.get(gates["US"]["lab_report_url"], headers=owner)).content == PDF
    live = (await c.get(f"/ideas/{tid}", headers=owner)).json()["live"]
    assert live["stage"] == "awaiting_compliance" and live["compliance_gates"] == {
        "US": True, "EU": False,
    }  # fmt: skip
    with Session(engine) as s:
        held = s.exec(select(SupplierReservation).where(SupplierReservation.trend_id == tid))
        assert list(held) == []

    # the planner's waiver opens the EU's: the pipeline goes on to sourcing and planning
    r = await c.post(f"{base}/de/waiver", json={"reason": "EN 71 report of the same lot"},
                     headers=planner)  # fmt: skip
    assert r.status_code == 200 and r.json()["market"] == "EU", r.text
    await reach_stage(c, owner, tid, "awaiting_plan_review")
    page = (await c.get(f"/app/ideas/{tid}", headers=planner)).text
    assert "waived by planner-comp: EN 71 report" in page and 'class="waiver"' not in page
    with Session(engine) as s:
        rows = {r.market: r for r in s.exec(select(Compliance).where(Compliance.trend_id == tid))}
        assert rows["EU"].waived_by == "planner-comp" and rows["US"].lab_report_sha256
    await c.post(f"/ideas/{tid}/cancel", headers=owner)

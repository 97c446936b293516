"""Delivery on the pages: the idea's legs (where each is), the dashboard's trend → delivered per
market and mode with the within-a-week share, and each leg's packing list and invoice."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy.engine import Engine

from api.delivery import delivery_leadtimes
from models.db import session_scope
from models.tables import Consignment, Milestone, Trend
from tests.helpers.apps import NO_TEMPORAL, make_app
from tests.helpers.people import AuthHeaders

pytestmark = pytest.mark.db

T0 = datetime(2026, 12, 1, 8, tzinfo=UTC)
PACKING = {
    "cartons": 14, "gross_kg": 118.4, "cbm": 0.742, "units_per_carton": 120,
    "carton_mm": [590, 390, 230], "carton_gross_kg": 8.9, "unit_mm": [110.0, 70.0, 12.0],
    "unit_g": 38.5, "material": "plastic", "unit_value_usd": 1.25, "category": "toys",
}  # fmt: skip


def _idea(engine: Engine, merchant: str) -> tuple[int, dict[str, int]]:
    """An idea seen at T0 with three legs: US air delivered after 5 days, DE sea delivered
    after 40, DE rail on its way (last seen in Duisburg)."""
    with session_scope(engine) as s:
        trend = Trend(dedup_key=uuid.uuid4().hex, text=f"cat phone holder {merchant}",
                      merchant_id=merchant, stage="in_transit", expected_volume=1800)  # fmt: skip
        s.add(trend)
        s.flush()
        assert trend.id is not None
        s.add(Milestone(trend_id=trend.id, name="trend_seen", at=T0))
        legs = {
            "us": Consignment(
                trend_id=trend.id, batch_sequence=1, market="US", units=1600, mode="air",
                lane_id="air-pvg-us", status="delivered", planned_departure=date(2026, 12, 3),
                eta_latest=date(2026, 12, 9), deadline=date(2026, 12, 20), freight_usd=900.0,
                duty_usd=50.0, fees_usd=10.0, export_mode="9810", documents=["CPC"],
                packing=PACKING, delivered_at=T0 + timedelta(days=5),
                location="delivered · US merchant warehouse", tracked_at=T0 + timedelta(days=5),
            ),
            "de_sea": Consignment(
                trend_id=trend.id, batch_sequence=1, market="DE", units=100, mode="sea",
                lane_id="sea-ngb-de", status="delivered", planned_departure=date(2026, 12, 4),
                eta_latest=date(2027, 1, 20), delivered_at=T0 + timedelta(days=40),
            ),
            "de_rail": Consignment(
                trend_id=trend.id, batch_sequence=2, market="DE", units=100, mode="rail",
                lane_id="rail-yiw-de", status="in_transit", planned_departure=date(2026, 12, 6),
                eta_latest=date(2026, 12, 30), location="arrived · Duisburg rail terminal",
                tracked_at=T0 + timedelta(days=20),
            ),
        }  # fmt: skip
        for leg in legs.values():
            s.add(leg)
        s.flush()
        ids = {k: leg.id for k, leg in legs.items() if leg.id is not None}
    return trend.id, ids


@pytest.fixture
async def client(engine: Engine, jwt_secret: str) -> AsyncIterator[httpx.AsyncClient]:
    app = make_app(engine, jwt_secret, temporal_address=NO_TEMPORAL)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tf", timeout=30) as c:
        yield c


def test_trend_to_delivered_per_market_and_mode(engine: Engine) -> None:
    tid, _ = _idea(engine, f"m-{uuid.uuid4().hex[:6]}")
    got = delivery_leadtimes(engine, [tid])
    by_market = {g.key: g for g in got.by_market}
    assert by_market["US"].p50_s == 5 * 86_400 and by_market["US"].within_week == 1.0
    de = by_market["DE"]  # one delivered after 40 days, one on its way
    assert (de.legs, de.delivered, de.p50_s, de.within_week) == (2, 1, 40 * 86_400, 0.0)
    assert {g.key: g.delivered for g in got.by_mode} == {"air": 1, "rail": 0, "sea": 1}
    assert got.all.within_week == 0.5 and got.all.p90_s == pytest.approx(36.5 * 86_400)


async def test_idea_page_shows_where_each_leg_is(
    client: httpx.AsyncClient, engine: Engine, auth_headers: AuthHeaders
) -> None:
    merchant = f"m-{uuid.uuid4().hex[:6]}"
    tid, ids = _idea(engine, merchant)
    page = await client.get(f"/app/ideas/{tid}", headers=auth_headers(merchant, "merchant"))
    assert page.status_code == 200, page.text
    html = page.text
    assert "1,700 units delivered in 3 legs" in html
    rail = re.search(rf'data-consignment="{ids["de_rail"]}".*?</tr>', html, re.S)
    assert rail and "rail" in rail[0] and "in transit" in rail[0] and "2026-12-30" in rail[0]
    assert "arrived · Duisburg rail terminal" in rail[0]
    assert f"/ideas/{tid}/consignments/{ids['us']}/invoice" in html
    # the map: a route per leg from its origin to its market, a dot where each is
    assert 'class="route-map"' in html and html.count('class="route ') == 3
    assert html.count('class="route delivered"') == 2 and 'class="route in_transit"' in html
    assert f"#{ids['de_rail']} 100 units by rail to DE: arrived · Duisburg rail terminal" in html


async def test_documents_list_the_packing_and_the_landed_cost(
    client: httpx.AsyncClient, engine: Engine, auth_headers: AuthHeaders
) -> None:
    merchant = f"m-{uuid.uuid4().hex[:6]}"
    tid, ids = _idea(engine, merchant)
    owner = auth_headers(merchant, "merchant")
    base = f"/ideas/{tid}/consignments"
    packing = await client.get(f"{base}/{ids['us']}/packing-list", headers=owner)
    assert packing.status_code == 200 and packing.headers["content-type"].startswith("text/html")
    assert "Packing list" in packing.text and "590 × 390 × 230" in packing.text
    assert ">14<" in packing.text and "118.4" in packing.text and "0.742" in packing.text
    invoice = await client.get(f"{base}/{ids['us']}/invoice", headers=owner)
    # 1,600 × $1.25 = $2,000 of goods; + freight 900, duty 50, fees 10 = $2,960 landed
    assert "2,000.00" in invoice.text and "2,960.00" in invoice.text and "CPC" in invoice.text
    pdf = await client.get(f"{base}/{ids['us']}/invoice?format=pdf", headers=owner)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert b"(Commercial invoice) Tj" in pdf.content and b"2,960.00" in pdf.content
    bare = await client.get(f"{base}/{ids['de_sea']}/packing-list", headers=owner)
    assert bare.status_code == 200 and "No packing was recorded" in bare.text
    # another merchant, another idea's leg, an unknown document: refused with a reason
    other = await client.get(
        f"{base}/{ids['us']}/invoice", headers=auth_headers("m-someone-else", "merchant")
    )
    assert other.status_code == 404 and "does not exist" in other.json()["detail"]
    tid2, _ = _idea(engine, merchant)
    wrong = await client.get(f"/ideas/{tid2}/consignments/{ids['us']}/invoice", headers=owner)
    assert wrong.status_code == 404 and "is not one of idea" in wrong.json()["detail"]
    odd = await client.get(f"{base}/{ids['us']}/bill-of-lading", headers=owner)
    assert odd.status_code == 422


async def test_dashboard_shows_delivery_per_market_and_mode(
    client: httpx.AsyncClient, engine: Engine, auth_headers: AuthHeaders
) -> None:
    merchant = f"m-{uuid.uuid4().hex[:6]}"
    _idea(engine, merchant)
    page = await client.get("/", headers=auth_headers(merchant, "merchant"))  # their ideas only
    assert page.status_code == 200
    html = page.text
    us = re.search(r'data-market="US">.*?</tr>', html, re.S)
    assert us and "5d00h" in us[0] and "100 %" in us[0]
    sea = re.search(r'data-mode="sea">.*?</tr>', html, re.S)
    assert sea and "40d00h" in sea[0] and "0 %" in sea[0]
    assert 'id="kpi-week">50 %<' in html


async def test_planners_get_a_reship_form_for_a_late_leg(
    client: httpx.AsyncClient, engine: Engine, auth_headers: AuthHeaders
) -> None:
    merchant = f"m-{uuid.uuid4().hex[:6]}"
    tid, ids = _idea(engine, merchant)
    with session_scope(engine) as s:
        late = s.get(Consignment, ids["de_rail"])
        assert late is not None
        late.status = "late"
    form = f'data-json="/ideas/{tid}/consignments/{ids["de_rail"]}/reship"'
    page = await client.get(f"/app/ideas/{tid}", headers=auth_headers("li", "planner"))
    assert form in page.text and page.text.count('class="reship"') == 1  # the late leg only
    mine = await client.get(f"/app/ideas/{tid}", headers=auth_headers(merchant, "merchant"))
    assert mine.status_code == 200 and 'class="reship"' not in mine.text

"""The web pages, /metrics, /events and reference-mesh uploads, on the real app and database."""

import asyncio
import contextlib
import io
import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import trimesh
import uvicorn
from PIL import Image
from sqlmodel import Session, select

from api.auth import create_api_key
from engines.design.kit.spec import Approximation, DesignSpec
from models.contracts import DELIVERY_MILESTONES, MILESTONE_ORDER
from models.db import session_scope
from models.tables import (
    DesignVariant,
    Milestone,
    ProductionPlan,
    ProductionRun,
    ProgressEvent,
    Shipment,
    SourcingMatch,
    Supplier,
    Trend,
)
from tests.helpers.apps import NO_TEMPORAL, make_app
from trendforge.temporal import free_port

pytestmark = pytest.mark.db


def project_idea(engine, files: Path, merchant: str, shipped: bool = True) -> int:  # type: ignore[no-untyped-def]
    """The database projection a finished pipeline leaves (rows and asset files), written directly."""
    files.mkdir(parents=True, exist_ok=True)
    t0 = datetime.now(UTC) - timedelta(hours=30)
    with session_scope(engine) as s:
        trend = Trend(
            dedup_key=uuid.uuid4().hex,
            text=f"viral crying horse plushie {merchant}",
            merchant_id=merchant,
            stage="shipped" if shipped else "awaiting_selection",
            expected_volume=4000,
        )
        s.add(trend)
        s.flush()
        tid = trend.id
        assert tid is not None
        gate = [m for m in MILESTONE_ORDER if m not in DELIVERY_MILESTONES]  # ends at the gate
        names = gate if shipped else gate[:2]
        for i, name in enumerate(names):
            s.add(Milestone(trend_id=tid, name=name.value, at=t0 + timedelta(hours=3 * i)))
        for rank in (1, 2, 3):
            box = trimesh.creation.box(extents=(40 + rank, 30, 20))
            stl = files / f"v{tid}-{rank}.stl"
            box.export(stl)
            box.export(stl.with_suffix(".glb"))
            png = files / f"v{tid}-{rank}.png"
            Image.new("RGB", (64, 64), (200, 100 + rank, 50)).save(png)
            s.add(
                DesignVariant(
                    trend_id=tid,
                    rank=rank,
                    family="plush_animal",
                    name=f"Crying horse #{rank}",
                    params={"mouth_curve": -0.8},
                    score=1.0 / rank,
                    unit_cost_usd=1.5 + rank,
                    volume_cm3=24.0,
                    dims_mm=[40.0 + rank, 30.0, 20.0],
                    processes=["plush_sewing"],
                    printable=rank != 3,
                    mesh_path=str(stl),
                    preview_path=str(png),
                    selected=rank == 2,
                )
            )
        if not shipped:
            return tid
        sups = s.exec(select(Supplier).limit(3)).all()
        chosen = [
            {
                "supplier_id": sup.id,
                "supplier_name": sup.name,
                "town": sup.town,
                "process": proc,
                "units_per_day": 1000,
                "unit_cost_usd": 0.5,
                "travel_minutes": 12.0,
            }
            for sup, proc in zip(sups, ("plush_sewing", "stuffing", "packaging"), strict=True)
        ]
        s.add(
            SourcingMatch(
                workflow_id=f"trend-{tid}",
                trend_id=tid,
                hub="Choujiang",
                hub_lat=sups[0].lat,
                hub_lon=sups[0].lon,
                landed_unit_cost_usd=2.1,
                units_per_day=1000,
                max_travel_minutes=30.0,
                assignments=chosen,
                alternatives=[],
                explanation=["binding constraint: none"],
            )
        )
        gantt = [["OWN-1", lot, "plush_sewing", lot * 0.5, lot * 0.5 + 0.5] for lot in range(4)]
        gantt += [["OWN-2", lot, "packaging", lot * 0.5 + 0.5, lot * 0.5 + 1.0] for lot in range(4)]
        plan = ProductionPlan(
            workflow_id=f"trend-{tid}",
            trend_id=tid,
            status="pending",
            quantity=4000,
            due_day=5,
            completion_day=3,
            on_time=True,
            lines=[
                {
                    "line_id": "OWN-1",
                    "owner": "own factory",
                    "process": "plush_sewing",
                    "rate_units_per_day": 2000.0,
                    "start_day": 0,
                    "end_day": 2,
                    "units": 4000,
                    "utilisation": 0.8,
                },
            ],
            daily=[{"line_id": "OWN-2", "day": d, "units": 1000} for d in range(4)],
            gantt=gantt,
            ramp={
                "process": "plush_sewing", "due_day": 5, "chosen": 3, "on_time": True,
                "curve": [
                    {"lines": k, "completion_day": 9 - k, "on_time": 9 - k <= 5,
                     "line_ids": [f"OWN-{i}" for i in range(1, k + 1)], "taken": []}
                    for k in (2, 3, 4)
                ],
                "recruit": [], "recruit_meets": False, "recruit_curve": [], "effects": [],
                "earliest_day": 5, "binding": [],
            },
        )  # fmt: skip
        s.add(plan)
        s.flush()
        assert plan.id is not None
        s.add(ProductionRun(workflow_id=f"run-{tid}", trend_id=tid, plan_id=plan.id, quantity=4000))
        s.add(Shipment(trend_id=tid, sequence=0, units=4000, at=t0 + timedelta(hours=24)))
    return tid


@pytest.fixture
def app(engine, tmp_path, jwt_secret):  # type: ignore[no-untyped-def]
    return make_app(
        engine,
        jwt_secret,
        temporal_address=NO_TEMPORAL,  # never reached by these tests
        uploads_dir=tmp_path / "uploads",
        max_upload_bytes=200_000,
    )


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tf", timeout=30) as c:
        yield c


async def test_idea_page_shows_timeline_gallery_prototype_and_map(
    client, engine, tmp_path, auth_headers
) -> None:  # type: ignore[no-untyped-def]
    merchant = f"m-{uuid.uuid4().hex[:6]}"
    tid = project_idea(engine, tmp_path / "files", merchant)
    who = auth_headers(merchant, "merchant")
    r = await client.get(f"/app/ideas/{tid}", headers=who)
    assert r.status_code == 200, r.text
    html = r.text
    assert html.count('class="variant') == 3 and "variant chosen" in html
    assert "print issues" in html and html.count(">printable<") == 2
    # an idea that ended at the factory gate lists no delivery milestones, done or to come
    assert html.count('<li class="done">') == len(MILESTONE_ORDER) - len(DELIVERY_MILESTONES)
    assert "In transit" not in html and "Delivered" not in html
    assert 'class="isochrone"' in html and html.count('class="supplier chosen"') == 3
    assert "model-viewer.min.js" in html and "/model.glb" in html
    vid = re.search(r'data-variant="(\d+)"', html)
    assert vid is not None
    glb = await client.get(f"/ideas/{tid}/variants/{vid.group(1)}/model.glb", headers=who)
    assert glb.status_code == 200 and glb.content[:4] == b"glTF"
    # a type of its own, declared in the schema (schemathesis checks that on whatever exists)
    assert glb.headers["content-type"] == "model/gltf-binary"
    schema = (await client.get("/openapi.json")).json()
    asset = schema["paths"]["/ideas/{trend_id}/variants/{variant_id}/{asset}"]["get"]
    assert "model/gltf-binary" in asset["responses"]["200"]["content"]
    lib = await client.get("/static/vendor/model-viewer.min.js")
    assert lib.status_code == 200 and len(lib.content) > 500_000


async def test_merchants_see_only_their_ideas_and_pages_ask_to_log_in(
    client, engine, tmp_path, auth_headers
) -> None:  # type: ignore[no-untyped-def]
    owner, other = f"m-{uuid.uuid4().hex[:6]}", f"m-{uuid.uuid4().hex[:6]}"
    tid = project_idea(engine, tmp_path / "files", owner)
    r = await client.get(f"/app/ideas/{tid}", headers=auth_headers(other, "merchant"))
    assert r.status_code == 404 and f"idea {tid} does not exist" in r.json()["detail"]
    mine = await client.get("/app/ideas", headers=auth_headers(other, "merchant"))
    assert mine.status_code == 200 and f"/app/ideas/{tid}" not in mine.text
    anyone = await client.get("/app/ideas", headers=auth_headers("vic", "viewer"))
    assert f"/app/ideas/{tid}" in anyone.text
    r = await client.get(f"/app/ideas/{tid}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/login?next=/app/ideas/{tid}"
    r = await client.get("/app/fragments/dashboard")  # fragments are fetched by script: 401
    assert r.status_code == 401
    r = await client.get("/app/plans", headers=auth_headers(owner, "merchant"))
    assert r.status_code == 403
    login = await client.get("/login?next=//evil.example/x")
    assert login.status_code == 200 and 'value="/"' in login.text


async def test_plan_page_draws_gantt_capacity_and_review_form(
    client, engine, tmp_path, auth_headers
) -> None:  # type: ignore[no-untyped-def]
    tid = project_idea(engine, tmp_path / "files", f"m-{uuid.uuid4().hex[:6]}")
    with Session(engine) as s:
        plan = s.exec(select(ProductionPlan).where(ProductionPlan.trend_id == tid)).one()
    planner = auth_headers("li", "planner")
    r = await client.get(f"/app/plans/{plan.id}", headers=planner)
    assert r.status_code == 200
    assert r.text.count('class="gantt-bar"') == len(plan.gantt) == 8
    assert 'id="review-form"' in r.text and "due day 5" in r.text
    ramp = r.text[r.text.index('id="ramp"') :].split("</table>")[0]
    assert "3 (planned)" in ramp and ramp.count("<tr") == 4  # header + 2, 3, 4 lines
    for kind in ("daily", "lots"):  # the downloads (tests/api/test_plan_exports.py)
        assert f'href="/plans/{plan.id}/{kind}.csv" download' in r.text
    viewer = await client.get(f"/app/plans/{plan.id}", headers=auth_headers("vic", "viewer"))
    assert viewer.status_code == 200 and 'id="review-form"' not in viewer.text
    queue = await client.get("/app/plans", headers=planner)
    assert f"/app/plans/{plan.id}" in queue.text


async def test_plan_page_shows_the_supplier_lines_a_late_plan_could_add(
    client, engine, tmp_path, auth_headers
) -> None:  # type: ignore[no-untyped-def]
    """A late plan's ramp card lists the supplier lines that would make the due day, with their
    units and cost, and the curve with them."""
    tid = project_idea(engine, tmp_path / "files", f"m-{uuid.uuid4().hex[:6]}")
    offer = {"line_id": "ALT9-plush_sewing-1", "supplier_id": 9, "supplier_code": "ALT9",
             "supplier_name": "Nine Sewing", "town": "Fotang", "travel_minutes": 17.0,
             "lead_time_days": 1.0, "unit_cost_usd": 0.42, "units_per_day": 800.0,
             "units": 2400, "cost_usd": 1008.0}  # fmt: skip
    with session_scope(engine) as s:
        plan = s.exec(select(ProductionPlan).where(ProductionPlan.trend_id == tid)).one()
        late = [{**p, "on_time": False, "completion_day": 8} for p in plan.ramp["curve"]]
        plan.ramp = {**plan.ramp, "on_time": False, "curve": late, "suppliers": [offer],
                     "suppliers_meet": True, "binding": ["OWN-1"], "earliest_day": 8,
                     "supplier_curve": [{"lines": 4, "completion_day": 5, "on_time": True,
                                         "line_ids": [], "taken": [],
                                         "added": [offer["line_id"]]}]}  # fmt: skip
        s.add(plan)
        plan_id = plan.id
    r = await client.get(f"/app/plans/{plan_id}", headers=auth_headers("li", "planner"))
    assert r.status_code == 200
    card = r.text[r.text.index('id="ramp"') :].split("</div>")[0]
    assert "4 + 1 supplier line(s)" in card and "ALT9-plush_sewing-1" in card
    assert "Or add supplier lines</b> that meet the due day" in card
    assert "ALT9 Nine Sewing" in card and "Fotang" in card and "$1,008" in card
    assert "+1 supplier" in card  # the chart's bar


async def test_approved_plan_page_has_the_factory_day_form_for_planners(
    client, engine, tmp_path, auth_headers
) -> None:  # type: ignore[no-untyped-def]
    tid = project_idea(engine, tmp_path / "files", f"m-{uuid.uuid4().hex[:6]}")
    with Session(engine) as s:
        plan = s.exec(select(ProductionPlan).where(ProductionPlan.trend_id == tid)).one()
        plan.status, url = "approved", f"/app/plans/{plan.id}"
        s.add(plan)
        s.add(ProgressEvent(trend_id=tid, line_id="OWN-2", day=0, units=950))
        s.commit()
        run = s.exec(select(ProductionRun).where(ProductionRun.trend_id == tid)).one()
    html = (await client.get(url, headers=auth_headers("li", "planner"))).text
    form = re.search(r'<form id="shift-form".*?</form>', html, re.S)
    assert form is not None, "no factory-day form on the approved plan"
    assert f'data-json="/runs/{run.id}/progress/batch"' in form.group(0)
    assert 'name="day" type="number" min="0" max="10000" value="1"' in form.group(0)  # day 0 is in
    assert re.findall(r'data-line="([^"]+)"', form.group(0)) == ["OWN-2"]  # the finishing line
    assert 'placeholder="1000"' in form.group(0)  # what the plan expects of it on day 1
    viewer = await client.get(url, headers=auth_headers("vic", "viewer"))
    assert 'id="shift-form"' not in viewer.text
    with Session(engine) as s:
        done = s.get(ProductionRun, run.id)
        assert done is not None
        done.status = "completed"
        s.add(done)
        s.commit()
    html = (await client.get(url, headers=auth_headers("li", "planner"))).text
    assert 'id="shift-form"' not in html  # nothing to report once the run is over


async def test_dashboard_and_metrics_agree_with_the_milestones(
    client, engine, tmp_path, auth_headers
) -> None:  # type: ignore[no-untyped-def]
    tid = project_idea(engine, tmp_path / "files", f"m-{uuid.uuid4().hex[:6]}")
    page = await client.get("/", headers=auth_headers("vic", "viewer"))
    assert page.status_code == 200
    assert f'data-idea-row="{tid}"' in page.text and "histogram of trend-to-delivery" in page.text
    assert "units shipped per day" in page.text
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    text = metrics.text
    # this idea spent 3 h in every stage (24 h trend→ship): counted in the ≤4 h design bucket
    design_4h = re.search(
        r'trendforge_stage_duration_seconds_bucket\{le="14400\.0",stage="design"\} (\d+)', text
    )
    design_1h = re.search(
        r'trendforge_stage_duration_seconds_bucket\{le="3600\.0",stage="design"\} (\d+)', text
    )
    assert (
        design_4h
        and design_1h
        and int(float(design_4h.group(1))) >= int(float(design_1h.group(1))) + 1
    )
    assert 'trendforge_ideas{stage="shipped"}' in text
    assert "trendforge_units_shipped_total" in text
    assert 'trendforge_http_request_duration_seconds_count{method="GET",route="/"' in text


@contextlib.asynccontextmanager
async def _served(app) -> AsyncIterator[str]:  # type: ignore[no-untyped-def]
    """The app over real HTTP on a free loopback port; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def test_events_stream_names_the_idea_that_changed(
    app, engine, tmp_path, auth_headers
) -> None:  # type: ignore[no-untyped-def]
    merchant = f"m-{uuid.uuid4().hex[:6]}"
    tid = project_idea(engine, tmp_path / "files", merchant, shipped=False)
    other = project_idea(engine, tmp_path / "files", f"m-{uuid.uuid4().hex[:6]}", shipped=False)
    async with _served(app) as base:
        headers = auth_headers(merchant, "merchant")
        async with (
            httpx.AsyncClient(base_url=base, timeout=20) as c,
            c.stream("GET", "/events", headers=headers) as stream,
        ):
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.aiter_lines()
            assert (await anext(lines)).startswith("retry:")
            await asyncio.sleep(1.5)  # the feed has its first fingerprint
            for changed in (other, tid):  # the other merchant's change is not told to this one
                with session_scope(engine) as s:
                    row = s.get(Trend, changed)
                    assert row is not None
                    row.stage = "prototyping"
                    s.add(row)
            event = None
            async with asyncio.timeout(10):
                async for line in lines:
                    if line.startswith("data:"):
                        event = line
                        break
            assert (
                event is not None
                and f"[{tid}]" in event
                and str(other) not in event.split(":", 1)[1].replace(str(tid), "")
            )


async def test_events_tell_a_machine_key_of_its_merchants_ideas_only(app, engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bound, elsewhere = f"m-{uuid.uuid4().hex[:6]}", f"m-{uuid.uuid4().hex[:6]}"
    tid = project_idea(engine, tmp_path / "files", bound, shipped=False)
    other = project_idea(engine, tmp_path / "files", elsewhere, shipped=False)
    _, key = create_api_key(engine, f"k-{uuid.uuid4().hex[:6]}", "machine", "k", "t", [bound])
    async with (
        _served(app) as base,
        httpx.AsyncClient(base_url=base, timeout=20) as c,
        c.stream("GET", "/events", headers={"X-API-Key": key}) as stream,
    ):
        lines = stream.aiter_lines()
        assert (await anext(lines)).startswith("retry:")
        await asyncio.sleep(1.5)  # the feed has its first fingerprint
        for changed in (other, tid):
            with session_scope(engine) as s:
                row = s.get(Trend, changed)
                assert row is not None
                row.stage = "prototyping"
                s.add(row)
        event = None
        async with asyncio.timeout(10):
            async for line in lines:
                if line.startswith("data:"):
                    event = line
                    break
        assert event is not None and json.loads(event[5:]) == {"ideas": [tid]}


def _stl_bytes() -> bytes:
    buf = io.BytesIO()
    trimesh.creation.icosphere(subdivisions=2, radius=20).export(buf, file_type="stl")
    return buf.getvalue()


async def test_upload_refuses_bad_meshes_with_reasons_and_keeps_nothing(
    client, engine, tmp_path, auth_headers
) -> None:  # type: ignore[no-untyped-def]
    who = auth_headers("m-up", "merchant")
    form = {"text": "mini straw sun hat for your palm", "expected_volume": "500"}
    uploads = tmp_path / "uploads"
    cases = [
        ("hat.exe", b"MZ\x90\x00", 422, "must be one of"),
        ("hat.stl", b"", 422, "empty"),
        ("hat.stl", b"solid x\nfacet normal nan nan\n" * 10, 422, "cannot be used"),
        ("../../../etc/hat.stl", bytes(range(256)) * 40, 422, "cannot be used"),
        ("big.stl", b"\0" * 300_000, 413, "limit of 200,000 bytes"),
    ]
    for name, content, code, words in cases:
        r = await client.post(
            "/ideas/upload", data=form, files={"mesh": (name, content)}, headers=who
        )
        assert r.status_code == code, (name, r.text)
        assert words in r.json()["detail"], (name, r.text)
    assert not uploads.exists() or not any(uploads.iterdir())
    r = await client.post(
        "/ideas/upload",
        data={**form, "merchant_id": "someone-else"},
        files={"mesh": ("hat.stl", _stl_bytes())},
        headers=who,
    )
    assert r.status_code == 403
    r = await client.post("/ideas/upload", data={"text": "  "}, headers=who)
    assert r.status_code == 422
    with Session(engine) as s:
        assert s.exec(select(Trend).where(Trend.merchant_id == "m-up")).first() is None


async def test_upload_keeps_a_good_mesh_and_starts_the_pipeline(
    engine, dev_env, tmp_path, auth_headers, jwt_secret
) -> None:  # type: ignore[no-untyped-def]
    queue = f"nobody-{uuid.uuid4().hex[:6]}"  # no worker: the pipeline waits, untouched
    app = make_app(
        engine, jwt_secret, dev_env.client, task_queue=queue, uploads_dir=tmp_path / "up"
    )
    who = auth_headers("m-good", "merchant")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tf", timeout=30) as c:
        r = await c.post(
            "/ideas/upload",
            data={
                "text": f"cat-shaped phone holder {uuid.uuid4().hex[:6]}",
                "target_size_mm": "90",
            },
            files={"mesh": ("../../cat.stl", _stl_bytes())},
            headers=who,
        )
    assert r.status_code == 201, r.text
    body = r.json()
    with Session(engine) as s:
        trend = s.get(Trend, body["id"])
        assert trend is not None and trend.merchant_id == "m-good" and trend.target_size_mm == 90
        kept = Path(trend.reference_mesh_path or "")
    assert kept.parent == (tmp_path / "up").resolve() and kept.suffix == ".stl"
    assert kept.read_bytes() == _stl_bytes() and ".." not in kept.name
    handle = dev_env.client.get_workflow_handle(body["workflow_id"])
    assert (await handle.describe()).status is not None
    await handle.terminate("test done")


async def test_cached_lead_times_follow_every_new_idea_and_milestone(engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from api.leadtimes import cached_leadtimes, compute_leadtimes

    first = cached_leadtimes(engine)
    assert cached_leadtimes(engine) is first  # nothing changed: the same answer
    tid = project_idea(engine, tmp_path / "files", f"m-{uuid.uuid4().hex[:6]}", shipped=False)
    second = cached_leadtimes(engine)
    assert second is not first and tid in {i.trend_id for i in second.ideas}
    with session_scope(engine) as s:
        s.add(Milestone(trend_id=tid, name="variant_selected", at=datetime.now(UTC)))
    third = cached_leadtimes(engine)
    assert third.model_dump() == compute_leadtimes(engine).model_dump()
    mine = next(i for i in third.ideas if i.trend_id == tid)
    assert "selection" in mine.stages_s


async def test_total_lead_time_ends_at_delivery_when_the_idea_has_legs(engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from api.leadtimes import compute_leadtimes

    gate = project_idea(engine, tmp_path / "files", f"m-{uuid.uuid4().hex[:6]}")
    legs = project_idea(engine, tmp_path / "files", f"m-{uuid.uuid4().hex[:6]}")
    with session_scope(engine) as s:
        shipped = s.exec(
            select(Milestone).where(Milestone.trend_id == legs, Milestone.name == "shipped")
        ).one()
        s.add(Milestone(trend_id=legs, name="in_transit", at=shipped.at - timedelta(hours=1)))
    steps = len([m for m in MILESTONE_ORDER if m not in DELIVERY_MILESTONES]) - 1
    hours = 3 * steps  # project_idea's milestones are 3 h apart, trend seen to shipped
    by_id = {i.trend_id: i for i in compute_leadtimes(engine, [gate, legs]).ideas}
    assert by_id[gate].total_s == hours * 3600  # no legs: trend → shipped
    assert by_id[legs].total_s is None and "transit" not in by_id[legs].stages_s  # on its way
    with session_scope(engine) as s:
        s.add(Milestone(trend_id=legs, name="delivered", at=shipped.at + timedelta(hours=50)))
    by_id = {i.trend_id: i for i in compute_leadtimes(engine, [gate, legs]).ideas}
    assert by_id[legs].total_s == (hours + 50) * 3600
    assert by_id[legs].stages_s["transit"] == 50 * 3600


async def test_dashboard_lists_the_recent_ideas_and_follows_new_shipments(
    client, engine, tmp_path, auth_headers
) -> None:  # type: ignore[no-untyped-def]
    """Past DASHBOARD_ROWS ideas the table shows the most recent, with a link to all; the
    cached view changes with a new idea and with a new shipment."""
    from api.views import DASHBOARD_ROWS

    viewer = auth_headers("vic", "viewer")
    now = datetime.now(UTC)
    with session_scope(engine) as s:
        for k in range(DASHBOARD_ROWS + 5):
            trend = Trend(dedup_key=uuid.uuid4().hex, text=f"bulk idea {k}", merchant_id="bulk")
            s.add(trend)
            s.flush()
            s.add(Milestone(trend_id=trend.id, name="trend_seen", at=now))
    with Session(engine) as s:
        ids = sorted(t for t in s.exec(select(Trend.id)) if t)
    page = (await client.get("/", headers=viewer)).text
    rows = [int(x) for x in re.findall(r'data-idea-row="(\d+)"', page)]
    assert rows == ids[::-1][:DASHBOARD_ROWS]
    assert f"most recent of {len(ids)}" in page and 'href="/?ideas=all"' in page
    every = (await client.get("/?ideas=all", headers=viewer)).text
    assert sorted(int(x) for x in re.findall(r'data-idea-row="(\d+)"', every)) == ids
    assert 'data-fragment="/app/fragments/dashboard?ideas=all"' in every
    fragment = await client.get("/app/fragments/dashboard?ideas=all", headers=viewer)
    assert fragment.text.count("data-idea-row=") == len(ids)

    tid = project_idea(engine, tmp_path / "files", "m-ship")  # shipped, with its shipment rows
    page = (await client.get("/", headers=viewer)).text
    assert f'data-idea-row="{tid}"' in page
    before = re.search(r"units shipped per day.*?</svg>", page, re.S)
    with session_scope(engine) as s:
        s.add(Shipment(trend_id=tid, sequence=1, units=777, at=now))
    after = re.search(
        r"units shipped per day.*?</svg>", (await client.get("/", headers=viewer)).text, re.S
    )
    assert before and after and before.group(0) != after.group(0)


async def test_ideas_page_through_and_the_simulator_sees_every_idea(
    app, client, engine, auth_headers
) -> None:  # type: ignore[no-untyped-def]
    """A page holds at most 500 ideas: before_id walks the rest, and the demo's simulator
    (which answers for the people in the load run) walks every page; it once saw only 500."""
    from trendforge.demo import DemoDriver

    with session_scope(engine) as s:
        s.add_all(
            Trend(dedup_key=uuid.uuid4().hex, text=f"paged idea {k}", merchant_id="pager")
            for k in range(1203)
        )
    with Session(engine) as s:
        ids = sorted((t for t in s.exec(select(Trend.id)) if t), reverse=True)
    viewer = auth_headers("vic", "viewer")
    seen: list[int] = []
    params: dict[str, int] = {"limit": 400}
    while True:
        page = (await client.get("/ideas", params=params, headers=viewer)).json()
        seen += [i["id"] for i in page]
        if len(page) < 400:
            break
        params["before_id"] = page[-1]["id"]
    assert seen == ids
    r = await client.get("/ideas", params={"before_id": 0}, headers=viewer)
    assert r.status_code == 422
    async with _served(app) as base:
        driver = DemoDriver(base, 0.1, engine)
        try:
            assert sorted((i["id"] for i in await driver.all_ideas()), reverse=True) == ids
        finally:
            await driver.close()


async def test_idea_page_and_api_show_approximations_and_generator_sources(
    client, engine, tmp_path, auth_headers
) -> None:  # type: ignore[no-untyped-def]
    merchant = f"m-{uuid.uuid4().hex[:6]}"
    tid = project_idea(engine, tmp_path / "files", merchant, shipped=False)
    spec = DesignSpec(
        text="salamander plush", form="plush", subject="frog",
        approximations=(Approximation("salamander", "frog", 0.62),),
    )  # fmt: skip
    with session_scope(engine) as s:
        trend = s.get(Trend, tid)
        assert trend is not None
        trend.design_spec = spec.to_json()
        s.add(trend)
        row = s.exec(select(DesignVariant).where(DesignVariant.trend_id == tid)).first()
        assert row is not None
        row.source = "pebbles"
        s.add(row)
    who = auth_headers(merchant, "merchant")
    html = (await client.get(f"/app/ideas/{tid}", headers=who)).text
    assert "<dt>Approximated</dt><dd>salamander ≈ frog, similarity 0.62</dd>" in html
    assert html.count(">by pebbles<") == 1
    body = (await client.get(f"/ideas/{tid}", headers=who)).json()
    assert body["design_spec"]["approximations"] == [
        {"word": "salamander", "subject": "frog", "similarity": 0.62, "feature": ""}
    ]
    variants = (await client.get(f"/ideas/{tid}/variants", headers=who)).json()
    assert sorted(v["source"] for v in variants) == ["parametric", "parametric", "pebbles"]


async def test_only_admins_and_planners_are_linked_to_the_temporal_ui(
    engine, tmp_path, jwt_secret, auth_headers
) -> None:  # type: ignore[no-untyped-def]
    ui = "http://temporal-ui.example:8233"
    app = make_app(
        engine,
        jwt_secret,
        temporal_address=NO_TEMPORAL,
        uploads_dir=tmp_path / "uploads",
        temporal_ui_url=ui,
    )
    link = f'<a href="{ui}">Temporal UI</a>'
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tf", timeout=30) as c:
        for name, role, linked in (
            ("ann", "admin", True),
            ("li", "planner", True),
            (f"m-{uuid.uuid4().hex[:6]}", "merchant", False),
            ("vic", "viewer", False),
        ):
            for page in ("/", "/app/ideas"):
                r = await c.get(page, headers=auth_headers(name, role))
                assert r.status_code == 200, (role, page, r.text)
                assert 'href="/docs"' in r.text  # the navigation is there
                assert (link in r.text) is linked, (role, page)

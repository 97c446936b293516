"""Bring your own model, through the real HTTP API and workers: an upload becomes the picked
variant, is prototyped in the units the merchant chose (repaired, with before/after pictures)
and reaches a production plan; and the 422s that say why an upload or setting cannot apply."""

from __future__ import annotations

import io
import uuid

import httpx
import numpy as np
import pytest
import trimesh
from sqlmodel import Session, select

from models.tables import Trend
from tests.helpers.apps import NO_TEMPORAL, make_app
from tests.helpers.people import AuthHeaders
from tests.helpers.stages import reach_stage

pytestmark = pytest.mark.db


def _tray_in_inches() -> bytes:
    """A 4 x 3 x 1 inch tray as STL numbers (4 units long), missing two triangles of its top."""
    outer = trimesh.creation.box((4.0, 3.0, 1.0))
    inner = trimesh.creation.box((3.6, 2.6, 1.0))
    inner.apply_translation((0, 0, 0.2))
    tray = outer.difference(inner)
    keep = np.ones(len(tray.faces), dtype=bool)
    keep[np.flatnonzero(tray.face_normals[:, 2] > 0.9)[:2]] = False  # a hole in the rim
    tray.update_faces(keep)
    buf = io.BytesIO()
    tray.export(buf, file_type="stl")
    return buf.getvalue()


async def test_an_own_model_is_picked_prototyped_in_its_units_and_planned(
    pipeline_api: httpx.AsyncClient, auth_headers: AuthHeaders
) -> None:
    c, who = pipeline_api, auth_headers("m-own", "merchant")
    planner = auth_headers("planner-own", "planner")
    form = {
        "text": f"replacement shelf bracket {uuid.uuid4().hex[:6]}",  # no form we make
        "use_as": "design",
        "alternatives": "false",
        "units": "inch",
        "expected_volume": "800",
        "due_in_days": "5",
        "printer": "bambu_x1c",
    }
    r = await c.post(
        "/ideas/upload", data=form, files={"mesh": ("tray.stl", _tray_in_inches())}, headers=who
    )
    assert r.status_code == 201, r.text
    idea_id = r.json()["id"]
    await reach_stage(c, who, idea_id, "awaiting_selection", timeout_s=120)
    idea = (await c.get(f"/ideas/{idea_id}", headers=who)).json()
    assert idea["use_as"] == "design" and idea["units"] == "inch" and idea["design_spec"] is None
    variants = (await c.get(f"/ideas/{idea_id}/variants", headers=who)).json()
    assert len(variants) == 1, variants  # only the merchant's model: no alternatives asked for
    mine = variants[0]
    assert mine["source"] == "merchant" and mine["labels"] == ["your model", "in inch"]
    assert mine["family"] == "custom" and sorted(mine["dims_mm"]) == pytest.approx(
        [25.4, 76.2, 101.6], abs=0.1
    )
    page = (await c.get(f"/app/ideas/{idea_id}", headers=who)).text
    assert "Your model" in page and "made as it is" in page

    r = await c.post(f"/ideas/{idea_id}/selection", json={"variant_id": mine["id"]}, headers=who)
    assert r.status_code == 200, r.text
    await reach_stage(c, who, idea_id, "awaiting_plan_review", timeout_s=120)
    proto = (await c.get(f"/ideas/{idea_id}/prototype", headers=who)).json()
    assert proto["status"] == "ready" and proto["print_time_s"] > 0
    assert proto["unit"] == "inch" and "as chosen" in proto["unit_note"]
    assert proto["printer"] == "bambu_x1c"
    assert sorted(proto["dims_mm"]) == pytest.approx([25.4, 76.2, 101.6], abs=0.1)
    assert proto["repaired"] and proto["health_before"]["boundary_edges"] > 0
    assert proto["health_after"]["boundary_edges"] == 0
    assert "before_preview_path" not in proto  # server paths stay on the server
    for kind in ("before.png", "after.png"):
        png = await c.get(proto["downloads"][kind], headers=who)
        assert png.status_code == 200 and png.content[:4] == b"\x89PNG"
        other = auth_headers("m-not-own", "merchant")
        assert (await c.get(proto["downloads"][kind], headers=other)).status_code == 404
    page = (await c.get(f"/app/ideas/{idea_id}", headers=who)).text
    assert "defects in red" in page and "Bambu Lab X1C" in page and "inches" in page
    plans = (
        await c.get("/plans", params={"status": "pending", "trend_id": idea_id}, headers=planner)
    ).json()
    assert len(plans) == 1 and plans[0]["quantity"] == 800


async def test_an_own_model_with_alternatives_comes_first(
    pipeline_api: httpx.AsyncClient, auth_headers: AuthHeaders
) -> None:
    c, who = pipeline_api, auth_headers("m-own-alt", "merchant")
    frog = io.BytesIO()
    trimesh.creation.icosphere(subdivisions=2, radius=20).export(frog, file_type="stl")
    r = await c.post(
        "/ideas/upload",
        data={"text": f"frog keychain {uuid.uuid4().hex[:6]}", "use_as": "design"},
        files={"mesh": ("frog.stl", frog.getvalue())},
        headers=who,
    )
    assert r.status_code == 201, r.text
    await reach_stage(c, who, r.json()["id"], "awaiting_selection", timeout_s=120)
    variants = (await c.get(f"/ideas/{r.json()['id']}/variants", headers=who)).json()
    assert len(variants) == 6 and [v["rank"] for v in variants] == [1, 2, 3, 4, 5, 6]
    assert variants[0]["source"] == "merchant" and variants[0]["family"] == "keychain"
    assert all(v["source"] != "merchant" and v["family"] == "keychain" for v in variants[1:])


@pytest.fixture
async def offline(engine, tmp_path, jwt_secret):  # type: ignore[no-untyped-def]
    app = make_app(engine, jwt_secret, temporal_address=NO_TEMPORAL, uploads_dir=tmp_path / "up")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tf", timeout=30) as c:
        yield c


async def test_settings_that_cannot_apply_are_422s_that_keep_nothing(
    offline: httpx.AsyncClient, engine, tmp_path, auth_headers: AuthHeaders
) -> None:  # type: ignore[no-untyped-def]
    who = auth_headers("m-own-bad", "merchant")
    tiny = io.BytesIO()
    trimesh.creation.box((0.15, 0.1, 0.05)).export(tiny, file_type="stl")
    mesh = {"mesh": ("part.stl", tiny.getvalue())}
    cases = [
        ({"use_as": "design", "units": "mm"}, mesh, "sub-millimetre"),
        ({"use_as": "design", "units": "mm", "scale": "0.5"}, mesh, "choose units"),
        ({"use_as": "design"}, {}, "upload it with POST /ideas/upload"),
        ({"printer": "mystery_9000"}, {}, "known: bambu_x1c, ender3, prusa_mk4"),
        ({"scale": "2"}, {}, "apply to your own model"),
        ({"units": "inch"}, mesh, "apply to your own model"),
        ({"units": "furlong"}, {}, "units"),
    ]
    for extra, files, words in cases:
        data = {"text": "frog keychain", **extra}
        r = await offline.post("/ideas/upload", data=data, files=files or None, headers=who)
        assert r.status_code == 422, (extra, r.text)
        assert words in r.text, (extra, r.text)
    r = await offline.post(
        "/ideas/upload",
        data={"text": "replacement shelf bracket", "use_as": "design"},
        files={"mesh": ("tray.stl", _tray_in_inches())},
        headers=who,
    )
    assert r.status_code == 422 and "alternatives=false" in r.json()["detail"]
    r = await offline.post(
        "/ideas", json={"text": "frog keychain", "merchant_id": "m-own-bad", "use_as": "design"},
        headers=who,
    )  # fmt: skip
    assert r.status_code == 422 and "POST /ideas/upload" in r.json()["detail"]
    uploads = tmp_path / "up"
    assert not uploads.exists() or not any(uploads.iterdir()), "a refused upload left a file"
    with Session(engine) as s:
        assert s.exec(select(Trend).where(Trend.merchant_id == "m-own-bad")).first() is None

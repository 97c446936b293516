"""The coaster form (engines.design.forms.coaster): a flat slab of the worded or sampled
outline, the subject pressed into a low, flat-topped relief on it, an optional rim; measured
on the built meshes (bounds, rays, areas)."""

from __future__ import annotations

import io

import numpy as np
import pytest
import trimesh

from engines.design.forms import FORM_RULES, build_form
from engines.design.forms.coaster import OUTLINES
from engines.design.forms.place import ray_hits
from engines.design.kit.parts import Model
from engines.design.kit.spec import DesignSpec
from engines.design.reader import read_spec
from engines.design.render import FLAT_VIEW, VIEW, view_of
from engines.design.subjects import build_subject

DOWN = np.array([0.0, 0.0, -1.0])


def coaster(subject: str | None, text: str = "", **knobs: float) -> Model:
    """A coaster built around a subject (face on, as generate builds it), mm."""
    spec = DesignSpec(text=text or f"{subject or 'plain'} coaster", form="coaster", subject=subject)
    model = build_subject(subject, face_on=True) if subject else None
    return build_form("coaster", model, spec=spec, knobs=dict(knobs))


def slab(model: Model) -> trimesh.Trimesh:
    """The coaster's slab part."""
    return next(p.mesh for p in model.parts if p.name == "slab")


def height_at(mesh: trimesh.Trimesh, x: float, y: float) -> float | None:
    """The height where a ray cast down at (x, y) first meets the mesh (None: it misses), mm."""
    hits = ray_hits(mesh, np.array([x, y, 100.0]), DOWN)
    return 100.0 - float(hits.min()) if len(hits) else None


def footprint_mm2(mesh: trimesh.Trimesh) -> float:
    """The slab's area seen from below: its bottom faces' area, mm2."""
    bottom = mesh.face_normals[:, 2] < -0.99
    return float(mesh.area_faces[bottom].sum())


def test_coaster_is_a_ceramic_product_without_a_subject_too() -> None:
    rule = FORM_RULES["coaster"]
    assert not rule.subject_required and rule.fixtures == ("slab",)
    assert rule.processes == ("ceramic_glazing", "printing", "packaging")
    plain = coaster(None)
    lo, hi = plain.bounds
    assert [p.name for p in plain.parts] == ["slab"]
    assert np.allclose(hi[:2] - lo[:2], 100.0, atol=0.5) and 4.0 <= hi[2] - lo[2] <= 7.0


@pytest.mark.parametrize("subject", ["frog", "capybara", "strawberry"])
@pytest.mark.parametrize("outline", range(len(OUTLINES)))
def test_every_outline_is_a_flat_watertight_slab_under_its_relief(
    subject: str, outline: int
) -> None:
    model = coaster(subject, outline=outline)
    solid, _ = model.solid()
    stl = trimesh.load(io.BytesIO(solid.export(file_type="stl")), file_type="stl")
    assert stl.is_watertight
    lo, hi = model.bounds
    assert hi[2] - lo[2] <= 12.0 and 60.0 <= float(np.max(hi[:2] - lo[:2])) <= 105.0
    base = slab(model)
    top = float(base.bounds[1][2])
    relief = [p for p in model.parts if p.name != "slab"]
    assert relief, "the subject is on the coaster"
    for p in relief:  # on the top, inside the outline
        assert p.mesh.bounds[1][2] > top + 0.5, p.name
        assert (p.mesh.bounds[0][:2] >= base.bounds[0][:2] - 1e-6).all(), p.name
        assert (p.mesh.bounds[1][:2] <= base.bounds[1][:2] + 1e-6).all(), p.name
    assert max(float(p.mesh.bounds[1][2]) for p in relief) - top <= 4.0, "a low relief"


def test_outlines_differ_as_named() -> None:
    areas = {
        kind: footprint_mm2(slab(coaster("frog", outline=k))) for k, kind in enumerate(OUTLINES)
    }
    assert areas["round"] == pytest.approx(np.pi * 50.0**2, rel=0.02)
    assert areas["hexagon"] < 0.92 * areas["round"]  # a hexagon inside the round's circle
    square = slab(coaster("frog", outline=1))
    corner = 0.5 * float(square.bounds[1][0] - square.bounds[0][0]) - 3.0
    assert height_at(square, corner, corner) is not None, "a square has corners a disc has not"
    assert height_at(slab(coaster("frog", outline=0)), corner, corner) is None
    bunny = coaster("bunny", outline=3)
    lo, hi = slab(bunny).bounds
    assert hi[1] - lo[1] < 0.7 * (hi[0] - lo[0]), "an outlined bunny is its tall silhouette"


def test_words_choose_the_outline_and_the_rim() -> None:
    hexagon = coaster("frog", "frog hexagon coaster", outline=0)
    assert footprint_mm2(slab(hexagon)) == pytest.approx(
        footprint_mm2(slab(coaster("frog", outline=2))), rel=1e-6
    )
    rimmed = coaster("frog", "frog coaster with a rim", rim=0.0)
    assert slab(rimmed).bounds[1][2] > slab(coaster("frog", rim=0.0)).bounds[1][2] + 2.0
    assert read_spec("wooden hexagon coaster").material == "wood"


def test_the_rim_runs_round_the_top_above_the_relief() -> None:
    model = coaster("cat", rim=1.0)
    base = slab(model)
    relief_top = max(float(p.mesh.bounds[1][2]) for p in model.parts if p.name != "slab")
    lo, hi = base.bounds
    for x, y in ((hi[0] - 1.5, 0.0), (lo[0] + 1.5, 0.0), (0.0, hi[1] - 1.5), (0.0, lo[1] + 1.5)):
        rim = height_at(base, x, y)
        assert rim is not None and rim > relief_top + 0.3
    inside = height_at(base, 0.5 * hi[0], 0.0)
    assert inside is not None and inside < relief_top - 1.0, "the rim is a band, not a lid"


def test_the_relief_has_a_flat_top_a_glass_stands_on() -> None:
    model = coaster("capybara")
    relief = [p.mesh for p in model.parts if p.name != "slab" and p.role != "detail"]
    top = max(float(m.bounds[1][2]) for m in relief)
    xs = np.linspace(-15.0, 15.0, 7)
    heights = [max((h for m in relief if (h := height_at(m, x, y)) is not None), default=0.0)
               for x in xs for y in xs]  # fmt: skip
    level = np.array(heights) >= top - 0.6
    assert level.mean() >= 0.6, "the middle of the relief is one flat level"


def test_the_face_shows_on_top_of_the_relief() -> None:
    model = coaster("cat")
    names = {p.name for p in model.parts}
    assert {"eye_l", "eye_r", "nose"} <= names
    body_top = max(float(p.mesh.bounds[1][2]) for p in model.parts if p.role == "body")
    eye = next(p.mesh for p in model.parts if p.name == "eye_l")
    assert eye.bounds[1][2] > body_top, "the eyes stand on the relief's top, not under it"


def test_outlined_without_a_subject_is_round() -> None:
    plain = coaster(None, outline=3)
    assert footprint_mm2(slab(plain)) == pytest.approx(np.pi * 50.0**2, rel=0.02)


def test_a_flat_product_is_previewed_from_high_up() -> None:
    solid, _ = coaster("frog").solid()
    assert view_of(solid) is FLAT_VIEW
    mug, _ = build_form("mug", None).solid()
    assert view_of(mug) is VIEW


def test_the_coaster_checks_catch_what_is_not_one() -> None:
    from tests.engines.design.test_idea_checks import (
        check_coaster,
        check_outlined,
        check_relief,
        check_rim,
        literal,
    )

    round_one = literal("capybara coaster")
    with pytest.raises(AssertionError):  # a round coaster's outline is not the capybara's
        check_outlined(round_one)
    with pytest.raises(AssertionError):  # no rim unless worded or sampled
        check_rim(round_one)
    with pytest.raises(AssertionError):  # a plain coaster shows no subject
        check_relief(literal("round marble coaster"))
    with pytest.raises(AssertionError):  # a mug is no flat slab
        check_coaster(literal("frog mug"))


def test_a_plain_coaster_samples_no_outline_of_a_subject() -> None:
    from engines.design.axes import open_axes

    def outlines(text: str) -> float:
        return dict(open_axes(read_spec(text)).form_knobs)["outline"][1]

    assert outlines("coaster") == OUTLINES.index("hexagon")
    assert outlines("frog coaster") == OUTLINES.index("outlined")
    assert "outline" not in dict(open_axes(read_spec("frog hexagon coaster")).form_knobs)

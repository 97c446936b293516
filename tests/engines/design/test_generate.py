"""The variant pipeline: contract fields, determinism, worded things in every variant, distinct
top 8 (silhouette IoU), labels, printability checks and the STL / PNG / GLB assets."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh
from PIL import Image

from engines.design import ranking
from engines.design.axes import COLOURWAYS, sample_choices, shade
from engines.design.base import DesignError
from engines.design.generate import (
    GeneratedVariant,
    fits_bed,
    generate_designs,
    glb_path,
    read,
    watertight_after_stl,
    write_variant_assets,
)
from engines.design.kit.spec import DesignSpec, FeatureSpec
from engines.design.kit.vocab import COLOURS, SAMPLED_STYLES
from tests.engines.design.standins import BUILDERS

PINK_FROG = DesignSpec(
    text="pink frog figurine wearing a hat",
    form="figurine",
    subject="frog",
    body_colour="pink",
    features=(FeatureSpec("hat", words="hat"),),
)
COUNT = 16


@pytest.fixture(scope="module")
def frogs() -> list[GeneratedVariant]:
    return generate_designs(PINK_FROG, COUNT, seed=3, builders=BUILDERS)


def test_variants_carry_the_whole_contract(frogs: list[GeneratedVariant]) -> None:
    assert [v.rank for v in frogs] == list(range(1, COUNT + 1))
    for v in frogs:
        assert v.family == "figurine" and v.source == "parametric" and v.spec is PINK_FROG
        assert v.name and v.description and v.labels and v.parts
        assert v.mesh.is_watertight and v.volume_cm3 > 0
        assert v.face_colours.shape == (len(v.mesh.faces), 3) and v.face_colours.dtype == np.uint8
        assert v.dims_mm == pytest.approx(tuple(v.mesh.extents))
        assert max(v.dims_mm) == pytest.approx(80.0, rel=1e-3)  # the form's default size
        assert v.unit_cost_usd > 0 and v.processes
        assert {"words", "printability", "cheapness", "novelty"} <= set(v.objectives)
        assert all(isinstance(x, float) for x in v.params.values())
        assert v.printable == (not v.findings)
    assert [v.score for v in frogs] != sorted(v.score for v in frogs)  # MMR, not plain score


def test_same_seed_same_variants_other_seed_others(frogs: list[GeneratedVariant]) -> None:
    again = generate_designs(PINK_FROG, COUNT, seed=3, builders=BUILDERS)
    assert [(v.label, v.params, v.score) for v in again] == [
        (v.label, v.params, v.score) for v in frogs
    ]
    other = generate_designs(PINK_FROG, COUNT, seed=4, builders=BUILDERS)
    assert [v.params for v in other] != [v.params for v in frogs]


@pytest.mark.parametrize("count", [1, 5])
def test_count_is_honoured(count: int) -> None:
    variants = generate_designs(PINK_FROG, count, builders=BUILDERS)
    assert [v.rank for v in variants] == list(range(1, count + 1))


@pytest.mark.parametrize("count", [0, 501])
def test_bad_counts_are_refused(count: int) -> None:
    with pytest.raises(DesignError, match="count"):
        generate_designs(PINK_FROG, count, builders=BUILDERS)


def test_worded_colour_and_feature_are_in_every_variant(frogs: list[GeneratedVariant]) -> None:
    pink = COLOURS["pink"]
    for v in frogs:
        body = [c for name, c in zip(v.parts, v.part_colours, strict=True) if name == "body"]
        assert body == [pink], v.label
        assert any("hat" in name or name == "crown" for name in v.parts), v.parts
    assert len({v.choice.colourway for v in frogs if v.choice}) >= 3  # the others do vary


def test_worded_choices_are_kept_in_every_variant() -> None:
    spec = DesignSpec(
        text="chibi frog in a party hat",
        form="figurine",
        subject="frog",
        style="chibi",
        features=(FeatureSpec("hat", variant="party", colour="red"),),
    )
    variants = generate_designs(spec, 8, builders=BUILDERS)
    red = COLOURS["red"]
    for v in variants:
        assert v.choice is not None and v.choice.style == "chibi"
        assert dict(v.choice.features)["hat"] == "party"
        assert "party hat" in v.parts
        assert v.part_colours[v.parts.index("party hat")] == red
    assert len({v.choice.pose for v in variants if v.choice}) > 1


def test_sampling_covers_every_open_axis() -> None:
    choices = sample_choices(PINK_FROG, 60, seed=0)
    assert len(set(choices)) == 60
    assert {c.style for c in choices} == set(SAMPLED_STYLES)  # low-poly only when worded
    assert {c.colourway for c in choices} == set(COLOURWAYS)
    assert len({dict(c.features)["hat"] for c in choices}) >= 10
    assert choices[0].colourway == "natural"  # the literal design comes first


def test_top_eight_are_visibly_distinct(frogs: list[GeneratedVariant]) -> None:
    masks = np.stack([ranking.silhouettes([v.mesh], 80.0) for v in frogs[:8]])
    mean, worst = ranking.top_iou(ranking.iou_matrix(masks))
    assert worst < ranking.IOU_THRESHOLD
    assert mean < worst


def test_iou_sees_a_colour_change_as_the_same_and_a_pose_as_different() -> None:
    base = generate_designs(PINK_FROG, 1, builders=BUILDERS)[0]
    choice = base.choice
    assert choice is not None
    from engines.design.generate import build_candidate

    def mesh_of(**change: str) -> list[trimesh.Trimesh]:
        c = build_candidate(
            PINK_FROG, choice.__class__(**{**choice.__dict__, **change}), 80.0, BUILDERS
        )
        return [p.mesh for p in c.model.parts]

    masks = np.stack([ranking.silhouettes(mesh_of(**c), 80.0)
                      for c in ({}, {"colourway": "deep"}, {"pose": "lying"})])  # fmt: skip
    iou = ranking.iou_matrix(masks)
    assert iou[0, 1] == pytest.approx(1.0)
    assert iou[0, 2] < ranking.IOU_THRESHOLD


def test_top_eight_labels_are_distinct(frogs: list[GeneratedVariant]) -> None:
    top = [v.label for v in frogs[:8]]
    assert len(set(top)) == 8, top


def test_colourways_leave_worded_colours_alone() -> None:
    assert shade(COLOURS["green"], "pastel") != COLOURS["green"]
    assert shade(COLOURS["green"], "natural") == COLOURS["green"]


def test_stl_round_trip_is_watertight(frogs: list[GeneratedVariant], tmp_path) -> None:
    for v in frogs[:4]:
        stl, _ = write_variant_assets(v, tmp_path, f"v{v.rank:03d}")
        back = trimesh.load(stl)
        assert back.is_watertight and back.volume == pytest.approx(v.mesh.volume, rel=1e-3)
        assert watertight_after_stl(v.mesh)


def test_round_trip_check_catches_open_and_flipped_meshes() -> None:
    ball = trimesh.creation.icosphere(2, 10.0)
    assert watertight_after_stl(ball)
    assert not watertight_after_stl(trimesh.Trimesh(ball.vertices, ball.faces[1:]))
    flipped = ball.faces.copy()
    flipped[0] = flipped[0][::-1]
    assert not watertight_after_stl(trimesh.Trimesh(ball.vertices, flipped, process=False))


@pytest.mark.parametrize(
    ("extents", "fits"),
    [((240, 200, 100), True), ((300, 20, 20), True), ((330, 20, 20), False),
     ((100, 100, 230), False), ((250, 250, 10), False)],
)  # fmt: skip
def test_bed_fit_allows_any_turn_about_z(extents: tuple[int, int, int], fits: bool) -> None:
    assert fits_bed(trimesh.creation.box(extents)) is fits


def test_thin_parts_make_a_variant_unprintable() -> None:
    from tests.engines.design.standins import StandInRule

    builders = BUILDERS.__class__(
        BUILDERS.subject, BUILDERS.feature, BUILDERS.form, lambda _: StandInRule(min_wall_mm=40.0)
    )
    v = generate_designs(PINK_FROG, 1, builders=builders)[0]
    assert not v.printable
    assert any("under the 40 mm wall" in f for f in v.findings)


def test_assets_are_stl_coloured_png_and_glb_with_a_material_per_part(
    frogs: list[GeneratedVariant], tmp_path
) -> None:
    v = frogs[0]
    stl, png = write_variant_assets(v, tmp_path, "v001")
    pixels = np.asarray(Image.open(png).convert("RGB")).reshape(-1, 3)
    pinkish = np.abs(pixels.astype(int) - COLOURS["pink"]).sum(axis=1) < 90
    assert pinkish.mean() > 0.02  # the pink body shows in the preview
    scene = trimesh.load(glb_path(stl))
    colours = {
        name: tuple(int(x) for x in g.visual.material.baseColorFactor[:3])
        for name, g in scene.geometry.items()
    }
    assert set(colours) >= {"body", "head", "base"}
    assert colours["body"] == COLOURS["pink"]
    assert colours["base"] == v.part_colours[v.parts.index("base")]
    assert scene.extents[1] == pytest.approx(v.mesh.extents[2], rel=1e-3)  # +Y up


def test_learned_preference_lifts_the_liked_style() -> None:
    from engines.design.ranking import learn

    shown = generate_designs(PINK_FROG, 12, seed=1, builders=BUILDERS)
    model = None
    for _ in range(6):
        liked = next(i for i, v in enumerate(shown) if v.choice and v.choice.style == "realistic")
        model = learn(model, "figurine", [v.params for v in shown],
                      [v.unit_cost_usd for v in shown], liked)  # fmt: skip
    assert model is not None and model.weights["style=realistic"] > 0
    after = generate_designs(PINK_FROG, 12, seed=1, builders=BUILDERS, preference=model)
    rank = lambda vs: min(v.rank for v in vs if v.choice and v.choice.style == "realistic")  # noqa: E731
    assert rank(after) <= rank(shown)
    assert after[0].objectives["preference"] > 0


def test_forms_that_wear_the_face_do_not_vary_the_pose_and_sample_their_knobs() -> None:
    mug = sample_choices(DesignSpec(text="frog mug", form="mug", subject="frog"), 24, seed=0)
    assert {c.pose for c in mug} == {"sitting"}
    assert {dict(c.form_knobs).get("tall") for c in mug[1:]} == {0.0, 1.0}
    boba = DesignSpec(text="frog bubble tea cup", form="mug", subject="frog")
    assert all("tall" not in dict(c.form_knobs) for c in sample_choices(boba, 24, seed=0))


def test_thickness_reads_discs_tubes_and_cup_walls() -> None:
    from engines.design.generate import ray_thickness_mm, thickness_mm
    from engines.design.shapes import capsule, cylinder

    disc = cylinder((0, 0, 0), (0, 0, 3), 30.0)
    assert ray_thickness_mm(disc) == pytest.approx(3.0, abs=0.05)
    assert thickness_mm(capsule((0, 0, 0), (40, 10, 0), 1.0)) == pytest.approx(2.0, rel=0.05)
    cup = trimesh.creation.annulus(20.0, 23.0, 40.0)
    assert ray_thickness_mm(cup) == pytest.approx(3.0, abs=0.1)
    assert thickness_mm(cup, wall=True) < 3.0 < thickness_mm(cup)


def test_stl_safe_agrees_with_the_written_file() -> None:
    from engines.design.generate import stl_safe

    ball = trimesh.creation.icosphere(2, 10.0)
    vertices = np.vstack([ball.vertices, ball.vertices[ball.faces[0][0]] + 1e-10])
    faces = ball.faces.copy()
    faces[0][0] = len(vertices) - 1  # a twin corner: open in memory, merged by a reader
    twin = trimesh.Trimesh(vertices, faces, process=False)
    assert not twin.is_watertight
    assert stl_safe(twin) == watertight_after_stl(twin) is True
    assert stl_safe(ball) and not stl_safe(trimesh.Trimesh(ball.vertices, ball.faces[1:]))


def test_mmr_keeps_near_twins_out_of_the_top_while_others_qualify() -> None:
    # rows 0-2 are near twins (IoU 0.95), rows 3-4 differ; relevance favours the twins
    iou = np.full((5, 5), 0.5)
    iou[:3, :3] = 0.95
    np.fill_diagonal(iou, 1.0)
    relevance = np.array([1.0, 0.99, 0.98, 0.6, 0.5])
    assert ranking.mmr_order(relevance, iou, 5, threshold=0.9, top=3)[:3] == [0, 3, 4]
    # a different colour makes a twin less alike, but the top still needs a new silhouette
    like = iou * np.where(np.eye(5, dtype=bool), 1.0, 0.6)
    assert ranking.mmr_order(relevance, iou, 2, threshold=0.9, top=2, likeness=like)[1] == 3
    assert ranking.mmr_order(relevance, iou, 2, threshold=0.9, top=1, likeness=like)[1] == 1


def test_mmr_finds_a_distinct_top_where_the_greedy_pick_runs_out() -> None:
    """The most relevant row is like two of the others: picked first, it leaves one row to
    add under the bar; the distinct three (the other rows) exist and come first."""
    relevance = np.array([1.0, 0.6, 0.55, 0.5])
    iou = np.full((4, 4), 0.5)
    iou[0, 2] = iou[2, 0] = iou[0, 3] = iou[3, 0] = 0.95
    np.fill_diagonal(iou, 1.0)
    order = ranking.mmr_order(relevance, iou, 4, threshold=0.9, top=3)
    assert sorted(order[:3]) == [1, 2, 3] and order[3] == 0
    assert ranking.distinct_set(relevance, iou, 4, threshold=0.9) is None  # none of four


def test_generate_variants_reads_the_words_and_fits_the_activity_rows() -> None:
    from activities.mappers import variant_row
    from engines.design.generate import generate_variants

    form, variants = generate_variants("pink frog keychain wearing a crown", count=4, seed=2)
    assert form == "keychain" and [v.rank for v in variants] == [1, 2, 3, 4]
    for v in variants:
        assert v.spec is not None and v.spec.subject == "frog"
        assert "crown" in dict(v.choice.features).values() if v.choice else False
        assert any(p in ("ring", "loop") or "ring" in p for p in v.parts), v.parts
        row = variant_row(1, v, "m.stl", "p.png")
        assert row.family == "keychain" and row.params == v.params and row.printable == v.printable
    with pytest.raises(DesignError, match="pickleball"):
        generate_variants("a pickleball paddle", count=4)


def test_a_worded_kind_of_feature_keeps_its_colours_in_every_colourway() -> None:
    spec = read("strawberry cow plush")
    caps = [
        {c for p, c in zip(v.parts, v.part_colours, strict=True) if p.endswith(" berry")}
        for v in generate_designs(spec, 12, seed=1)
    ]
    assert all(cap == {(215, 45, 55)} for cap in caps), caps  # the strawberry stays red


def test_a_rainbow_mane_has_several_colours_in_the_glb_in_every_colourway(tmp_path) -> None:
    """ "rainbow mane": the mane's parts (its locks and tufts) each take a rainbow colour, in the
    GLB's materials, whatever the variant's colourway (the words decided them)."""
    from engines.design.reader import read_spec

    variants = generate_designs(read_spec("unicorn plush with a rainbow mane"), 4)
    for k, v in enumerate(variants):
        stl, _ = write_variant_assets(v, tmp_path, f"u{k}")
        scene = trimesh.load(glb_path(stl))
        mane = {
            tuple(int(x) for x in g.visual.material.baseColorFactor[:3])
            for name, g in scene.geometry.items()
            if name.startswith("mane")
        }
        assert len(mane) >= 3, f"{v.label}: a mane of {len(mane)} colours"

"""Features: every vocab feature variant attaches to a creature (hats also to an object and a
frog), stays one watertight solid, and sits where it belongs (hat on the head, wings behind,
tears under the eyes, scarf at the neck ...), coloured by the words or its own default."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import trimesh

from engines.design.features import attach_feature, feature_colour
from engines.design.forms.place import ray_hits
from engines.design.kit.parts import Model, Part
from engines.design.kit.spec import FeatureSpec
from engines.design.kit.vocab import COLOURS, FEATURES, FORM_FEATURES, HELD_PLACES, MATERIALS
from engines.design.subjects import build_subject
from tests.engines.design.test_idea_checks import buck_teeth_show, held_item, held_shows
from tests.engines.design.test_subjects import thinnest_mm, watertight_after_stl

VARIANTS = [
    (name, v)
    for name, variants in FEATURES.items()
    for v in variants
    if name not in FORM_FEATURES  # a cup's straw: built by the cup (test_pots_frogs_straws)
]


def _with(subject: str, name: str, variant: str, **spec: Any) -> tuple[Model, list[Part]]:
    """The subject with one feature, and the parts the feature added."""
    model = build_subject(subject)
    before = {id(p) for p in model.parts}
    attach_feature(model, FeatureSpec(name, variant, **spec))
    return model, [p for p in model.parts if id(p) not in before]


def _lowest(parts: list[Part]) -> float:
    return min(float(p.mesh.bounds[0][2]) for p in parts)


def _centre(parts: list[Part]) -> np.ndarray:
    corners = np.vstack([p.mesh.bounds for p in parts])
    return (corners.min(axis=0) + corners.max(axis=0)) / 2


@pytest.mark.parametrize(("name", "variant"), VARIANTS)
def test_every_variant_attaches_to_a_creature(name: str, variant: str) -> None:
    model, added = _with("cat", name, variant)
    assert added
    assert all(p.role in ("feature", "detail") for p in added)
    assert all(p.mesh.is_watertight for p in added)
    assert all(thinnest_mm(p.mesh) >= 1.95 for p in added), [p.name for p in added]
    mesh, _ = model.solid()  # raises when a part floats
    assert watertight_after_stl(mesh)


@pytest.mark.parametrize("variant", [v for v in FEATURES["hat"] if v != "space"])
@pytest.mark.parametrize("subject", ["strawberry", "frog", "capybara"])
def test_hats_sit_on_the_head_above_the_face(subject: str, variant: str) -> None:
    model, hat = _with(subject, "hat", variant)
    top, size = model.anchors["head_top"].point, model.anchors["head_top"].size_mm
    deep = 1.0 if variant == "beanie" else 0.6  # a beanie comes down over the ears' bases
    assert _lowest(hat) > top[2] - deep * size  # on the head, not around the body
    v = np.vstack([p.mesh.vertices for p in hat])
    for k in ("eye_l", "eye_r"):  # the face shows: seen from the front, no hat over an eye
        eye = model.anchors[k]
        d = v - eye.point
        over = (d[:, 0] > 0) & (np.abs(d[:, 1]) < eye.size_mm) & (np.abs(d[:, 2]) < eye.size_mm)
        assert not over.any(), k
    centre = _centre(hat)
    assert np.linalg.norm(centre[:2] - top[:2]) < 0.4 * size  # centred over the head
    mesh, _ = model.solid()
    assert watertight_after_stl(mesh)


@pytest.mark.parametrize("subject", ["seal", "penguin", "duck", "bear"])
def test_santa_hat_droops_over_a_rolled_fur_cuff(subject: str) -> None:
    """A santa hat is a soft cone that bends over, its pom-pom hanging low beside the cuff
    (not a straight party cone), above a thick rolled cuff (rounder than a drum)."""
    model, hat = _with(subject, "hat", "santa")
    fur = next(p.mesh for p in hat if p.name.endswith("fur"))
    tip = next(p.mesh for p in hat if p.name.endswith("pompom")).bounds.mean(axis=0)
    highest = max(float(p.mesh.bounds[1][2]) for p in hat)
    height = highest - float(fur.bounds[0][2])
    axis = fur.bounds.mean(axis=0)
    assert np.linalg.norm(tip[:2] - axis[:2]) >= 0.6 * height  # out to the side and back
    assert highest - tip[2] >= 0.55 * height  # hanging well below the bend
    v = np.asarray(fur.vertices)
    z0, z1 = v[:, 2].min(), v[:, 2].max()
    spread = np.abs(v[:, 1] - axis[1])
    upper = spread[v[:, 2] > z1 - 0.1 * (z1 - z0)].max()
    assert spread.max() - upper >= 0.25 * (z1 - z0)  # a roll: its top edge turned in
    head = next(p.mesh for p in model.parts if p.name == "head")
    assert spread.max() > 0.5 * head.extents[1]  # wider than the head, hugging it


def _upper_head_covered(model: Model, hat: list[Part]) -> float:
    """The share of the head's upper half whose surface, looked at straight out, is under
    the hat within a third of the head's half-width."""
    head = next(p.mesh for p in model.parts if p.name == "head")
    centre = model.anchors["head_centre"].point if "head_centre" in model.anchors else None
    zc = float(centre[2]) if centre is not None else float(head.bounds.mean(axis=0)[2])
    up = np.asarray(head.vertices)[:, 2] > zc
    points, normals = head.vertices[up], head.vertex_normals[up]
    tri = np.vstack([p.mesh.triangles for p in hat])
    reach = 0.33 * model.anchors["head_top"].size_mm
    hit = [0.0 < _ray_hit(p, n, tri) < reach for p, n in zip(points, normals, strict=True)]
    return float(np.mean(hit))


def _ray_hit(origin: np.ndarray, direction: np.ndarray, tri: np.ndarray) -> float:
    """The distance along a ray to the nearest triangle it crosses (inf for none)."""
    mesh = trimesh.Trimesh(
        tri.reshape(-1, 3), np.arange(3 * len(tri)).reshape(-1, 3), process=False
    )
    d = ray_hits(mesh, origin, direction)
    d = d[d > 1e-6]
    return float(d.min()) if len(d) else float("inf")


@pytest.mark.parametrize("subject", ["bear", "dinosaur", "cat", "capybara"])
def test_beanie_covers_the_head_down_to_the_ears(subject: str) -> None:
    """A beanie pulls down over the head (not a flat cap on top): its rim at least a third
    of the head's height below the head top, hugging most of the head's upper half."""
    model, hat = _with(subject, "hat", "beanie")
    head = next(p.mesh for p in model.parts if p.name == "head")
    top = model.anchors["head_top"].point[2]
    assert top - _lowest(hat) >= 0.35 * head.extents[2]
    assert _upper_head_covered(model, hat) >= 0.6


@pytest.mark.parametrize("subject", ["bunny", "cat", "capybara", "dog"])
def test_space_helmet_wraps_the_head_and_shows_the_face(subject: str) -> None:
    model, hat = _with(subject, "hat", "space")
    shell = next(p.mesh for p in hat if p.name.endswith("shell"))
    head = next(p.mesh for p in model.parts if p.name == "head")
    assert (shell.bounds[0] < head.bounds[0]).all()  # behind, beside and under the head
    assert (shell.bounds[1][1:] > head.bounds[1][1:]).all()  # the face side is open
    assert next(p for p in hat if p.name.endswith("visor")).colour != COLOURS["white"]
    v = np.vstack([p.mesh.vertices for p in hat])
    for k in ("eye_l", "eye_r"):  # the opening: seen from the front, no helmet over an eye
        eye = model.anchors[k]
        d = v - eye.point
        over = (d[:, 0] > 0) & (np.abs(d[:, 1]) < eye.size_mm) & (np.abs(d[:, 2]) < eye.size_mm)
        assert not over.any(), k
    mesh, _ = model.solid()
    assert watertight_after_stl(mesh)


@pytest.mark.parametrize(
    ("subject", "variant"),
    [("capybara", "straw"), ("salamander", "straw"), ("frog", "straw"), ("capybara", "cowboy"),
     ("capybara", "bucket")],
)  # fmt: skip
def test_brimmed_hats_sit_on_the_head_not_through_it(subject: str, variant: str) -> None:
    """A worn brimmed hat sits on the head: seen from above, every head vertex inside the
    brim's outer radius is under the hat (crown or brim) and none has the brim beneath it
    (no head poking up through the brim); the crown covers the head's top."""
    model, hat = _with(subject, "hat", variant)
    head = next(p.mesh for p in model.parts if p.name == "head")
    brim = next(p.mesh for p in hat if p.name.endswith("brim"))
    crown = next(p.mesh for p in hat if p.name.endswith("crown"))
    centre = brim.bounds.mean(axis=0)
    reach = float(np.linalg.norm(brim.vertices[:, :2] - centre[:2], axis=1).max())
    v = np.asarray(head.vertices)
    v = v[np.linalg.norm(v[:, :2] - centre[:2], axis=1) < reach]
    assert len(v)
    down, up = np.array([0.0, 0.0, -1.0]), np.array([0.0, 0.0, 1.0])
    through = [p for p in v if _ray_hit(p, down, brim.triangles) < np.inf]
    assert not through, f"{len(through)} head vertices above or in the brim"
    tri = np.vstack([p.mesh.triangles for p in hat])
    bare = [p for p in v if _ray_hit(p, up, tri) == np.inf]
    assert not bare, f"{len(bare)} head vertices under the brim's reach not under the hat"
    top = v[np.argmax(v[:, 2])]
    assert _ray_hit(top, up, crown.triangles) < np.inf  # the crown over the head's top


@pytest.mark.parametrize("variant", ["straw", "bucket", "cowboy", "top", "witch"])
def test_brims_are_sized_to_the_head(variant: str) -> None:
    model, hat = _with("bear", "hat", variant)
    head_width = 2 * model.anchors["head_top"].size_mm
    brim = next(p for p in hat if p.name.endswith("brim"))
    assert 1.1 <= brim.mesh.extents[1] / head_width <= 1.4


def test_straw_hat_is_straw_and_words_recolour() -> None:
    _, hat = _with("capybara", "hat", "straw")
    assert next(p for p in hat if p.name.endswith("brim")).colour == COLOURS["straw"]
    _, blue = _with("capybara", "hat", "straw", colour="blue")
    assert next(p for p in blue if p.name.endswith("brim")).colour == COLOURS["blue"]
    _, wood = _with("capybara", "hat", "cowboy", material="wood")
    assert next(p for p in wood if p.name.endswith("brim")).colour == MATERIALS["wood"]
    assert all(p.material == "wood" for p in wood)
    assert feature_colour(FeatureSpec("hat", "straw")) is None


def test_wings_are_behind_the_body() -> None:
    for subject in ("cat", "penguin", "capybara"):
        model, wings = _with(subject, "wings", "feathered")
        body = next(p for p in model.parts if p.name == "body")
        wing = [p for p in wings if p.name.endswith("wing")]
        assert len(wing) == 2
        assert all(p.mesh.centroid[0] < body.mesh.centroid[0] for p in wing)
        assert {np.sign(p.mesh.centroid[1]) for p in wing} == {-1.0, 1.0}  # one each side


def test_tears_are_under_the_eyes() -> None:
    model, tears = _with("bear", "tears", "drops")
    for side in ("l", "r"):
        eye = model.anchors[f"eye_{side}"]
        drop = next(p for p in tears if p.name.endswith(side))
        assert drop.mesh.bounds[1][2] < eye.point[2]
        assert abs(drop.mesh.centroid[1] - eye.point[1]) < 2 * eye.size_mm


def test_scarf_is_at_neck_height() -> None:
    for subject in ("cat", "penguin", "cow"):
        model, scarf = _with(subject, "scarf", "plain")
        neck = model.anchors["neck"]
        ring = next(p for p in scarf if p.name.endswith("ring"))
        assert abs(ring.mesh.centroid[2] - neck.point[2]) < 0.5 * neck.size_mm


def test_glasses_teeth_held_items_at_their_anchors() -> None:
    model, glasses = _with("dog", "glasses", "round")
    eyes = (model.anchors["eye_l"].point + model.anchors["eye_r"].point) / 2
    lens = [p for p in glasses if p.name.endswith("rim")]
    assert np.linalg.norm(_centre(lens) - eyes) < 0.3 * model.anchors["head_top"].size_mm
    model, teeth = _with("bunny", "teeth", "buck")
    mouth = model.anchors["mouth"]
    assert np.linalg.norm(_centre(teeth) - mouth.point) < 2 * mouth.size_mm
    assert _centre(teeth)[2] < mouth.point[2]
    model, item = _with("bear", "held", "heart")
    hand = model.anchors["hand"]
    assert np.linalg.norm(_centre(item) - hand.point) < 0.25 * model.bounds[1][2]


@pytest.mark.parametrize("place", HELD_PLACES)
@pytest.mark.parametrize("variant", FEATURES["held"])
def test_held_items_sit_where_worded_and_show_from_the_front(variant: str, place: str) -> None:
    model, added = _with("bear", "held", variant, place=place)
    held_shows(model.parts, held_item(added), model.anchors, place)
    if place:  # on the head or at the mouth: joined to the head, one solid
        model.solid()


def test_eye_variants_replace_the_eyes() -> None:
    for variant in FEATURES["eyes"]:
        model, new = _with("cat", "eyes", variant)
        old = [p for p in model.parts if p.name in ("eye_l", "eye_r") and p not in new]
        assert not old, variant
        assert any("eye" in p.name or "heart" in p.name for p in new)


def test_horns_and_bow_on_the_head() -> None:
    for variant in FEATURES["horns"]:
        model, horns = _with("horse", "horns", variant)
        assert _lowest(horns) > model.anchors["neck"].point[2]
    model, bow = _with("bunny", "bow", "head")
    assert _lowest(bow) > model.anchors["mouth"].point[2]
    model, bow = _with("bunny", "bow", "neck")
    assert abs(_centre(bow)[2] - model.anchors["neck"].point[2]) < model.anchors["neck"].size_mm


def test_spots_and_stripes_pattern_the_body() -> None:
    for name in ("spots", "stripes"):
        model, colour = _with("pig", name, "colour")
        body = next(p for p in model.parts if p.name == "body")
        assert len(colour) >= 3
        assert all(sum(p.colour) < sum(body.colour) for p in colour)  # darker marks
        _, relief = _with("pig", name, "relief")
        assert relief


def test_cape_hangs_behind_from_the_neck() -> None:
    model, cape = _with("fox", "cape", "plain")
    sheet = next(p for p in cape if p.name.endswith("sheet"))
    assert sheet.mesh.centroid[0] < model.anchors["neck"].point[0]
    assert sheet.mesh.bounds[1][2] <= model.anchors["neck"].point[2] + model.anchors["neck"].size_mm


@pytest.mark.parametrize("style", ["kawaii", "chibi", "realistic", "minimal", "cartoon"])
def test_buck_teeth_read_from_the_front_in_every_style(style: str) -> None:
    model = build_subject("bunny", style=style, pose="sitting")
    attach_feature(model, FeatureSpec("teeth", "buck"))
    buck_teeth_show(model.parts)


@pytest.mark.parametrize("subject", ["frog", "cat", "capybara", "cow"])
def test_a_cow_print_is_black_patches_on_the_body_of_any_subject(subject: str) -> None:
    """Issue 20: "cow print frog" showed a green frog with darker green spots. The print's
    patches are black, wherever the body is, and replace a cow's own patches."""
    model, added = _with(subject, "spots", "cow")
    patches = [p for p in added if p.name.endswith("print")]
    assert len(patches) >= 8 and all(p.colour == (40, 38, 40) for p in patches)
    assert not [p for p in model.parts if p.name == "patch"]
    skin = np.vstack([p.mesh.vertices for p in model.parts if p.name in ("body", "head")])
    near = [float(np.linalg.norm(skin - p.mesh.centroid, axis=1).min()) for p in patches]
    assert max(near) < 0.25 * model.anchors["head_top"].size_mm  # on the body or the head
    mesh, _ = model.solid()
    assert watertight_after_stl(mesh)


def test_a_strawberry_print_is_small_red_berries_with_leaves_over_a_cows_patches() -> None:
    model, added = _with("cow", "spots", "strawberry")
    berries = [p for p in added if p.name.endswith("print")]
    leaves = [p for p in added if p.name.endswith("leaf")]
    assert len(berries) >= 6 and len(leaves) == len(berries)
    assert all(p.colour == (215, 45, 55) for p in berries)
    assert all(p.colour[1] > p.colour[0] for p in leaves)  # green caps
    assert not [p for p in model.parts if p.name == "patch"]  # no black cow spots left
    for berry, leaf in zip(berries, leaves, strict=True):  # each cap at the top of its berry
        assert leaf.mesh.centroid[2] > berry.mesh.centroid[2] - 1e-6
    assert all(thinnest_mm(p.mesh) >= 1.95 for p in added)


def test_worded_only_variants_are_never_sampled_and_a_worded_one_is_every_variants() -> None:
    """An unworded hat or spots never samples a frog hat or a print; a worded frog hat is the
    only hat every variant shows (issue 20: a cat in a frog hat showed straw, top, chef hats)."""
    from engines.design.axes import open_axes, sample_choices, sampled_variants
    from engines.design.reader import read_spec

    plain = dict(open_axes(read_spec("cat wearing a hat")).features)
    assert "frog" not in plain["hat"] and len(plain["hat"]) > 5
    assert sampled_variants("spots") == ("relief", "colour")
    spec = read_spec("cat wearing a frog hat")
    assert dict(open_axes(spec).features)["hat"] == ("frog",)
    assert {dict(c.features)["hat"] for c in sample_choices(spec, 36, 3)} == {"frog"}


@pytest.mark.parametrize("subject", ["shark", "crocodile", "cat"])
def test_teeth_are_a_row_of_white_triangles_that_read_at_a_thumbnail(subject: str) -> None:
    """A shark's teeth (the sharp ones, not buck teeth) were two slivers at the mouth's
    corners, lost at the gallery's 176 px tiles: a row of at least five white teeth along
    the mouth, the row a third of the head wide, each tooth 8% of it, most seen from in front."""
    from engines.design.forms.place import ray_hits

    model, added = _with(subject, "teeth", "fangs")
    teeth = [p for p in added if p.name.endswith("tooth")]
    assert len(teeth) >= 5, [p.name for p in added]
    assert all(p.colour == (250, 250, 250) for p in teeth)
    head = next(p.mesh for p in model.parts if p.name == "head")
    front = np.mean([p.mesh.centroid for p in teeth], axis=0) - head.centroid
    front[2] = 0.0
    front /= np.linalg.norm(front)
    side = np.cross((0.0, 0.0, 1.0), front)
    width = float(np.ptp(head.vertices @ side))
    row = np.vstack([p.mesh.vertices for p in teeth]) @ side
    assert np.ptp(row) >= 0.33 * width, f"a row {np.ptp(row) / width:.2f} of the head wide"
    seen = 0
    for tooth in teeth:
        wide, tall = float(np.ptp(tooth.mesh.vertices @ side)), float(tooth.mesh.extents[2])
        assert min(wide, tall) >= 0.08 * width, f"a tooth {wide / width:.2f} of the head wide"
        origin = tooth.mesh.centroid + front * 3.0 * width
        nearest = {id(p.mesh): ray_hits(p.mesh, origin, -front) for p in model.parts}
        seen += min((d.min(), k) for k, d in nearest.items() if len(d))[1] == id(tooth.mesh)
    # most seen from in front (a crocodile's outer teeth are on the sides of its snout)
    assert seen > len(teeth) / 2, f"{seen} of {len(teeth)} teeth seen from the front"

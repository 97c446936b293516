"""Colourways that suit the product (gallery defects): a cactus planter's pot takes the
colourway while the cactus stays a cactus, a frog mug's frog stays green, and a bubble-tea cup
"with a straw" shows a straw rising out of it."""

from __future__ import annotations

import colorsys

import numpy as np

from engines.design.axes import colour_name
from engines.design.generate import GeneratedVariant, generate_designs, read
from engines.design.kit.vocab import COLOURS, MATERIALS
from tests.engines.design.test_subjects import watertight_after_stl

RGB = tuple[int, int, int]


def _colour(v: GeneratedVariant, name: str) -> RGB:
    """The colour of the variant's (first) part of that name."""
    return next(c for p, c in zip(v.parts, v.part_colours, strict=True) if p == name)


def _hsv(rgb: RGB) -> tuple[float, float, float]:
    return colorsys.rgb_to_hsv(*(c / 255.0 for c in rgb))


def test_a_cactus_planters_pots_vary_unless_worded() -> None:
    """Real cactus planters sell in many pot colours: the top 8 of "desk cactus planter" show
    at least three pot colours (two of them hues, not white or grey), the cactus staying green;
    a worded pot colour or material is the pot in every variant."""
    top = generate_designs(read("desk cactus planter"), 36)[:8]
    pots = [_colour(v, "pot") for v in top]
    names = {colour_name(c) for c in pots}
    chromatic = {colour_name(c) for c in pots if _hsv(c)[1] > 0.2}
    assert len(names) >= 3 and len(chromatic) >= 2, pots
    for v in top:
        hue, sat, _ = _hsv(_colour(v, "body"))
        assert 0.2 < hue < 0.47 and sat > 0.2, (v.label, _colour(v, "body"))  # a green cactus
        assert watertight_after_stl(v.mesh), v.label
    for text, rgb in (
        ("white planter with a cactus", COLOURS["white"]),
        ("terracotta cactus planter", MATERIALS["clay"]),
    ):
        assert {_colour(v, "pot") for v in generate_designs(read(text), 36)} == {rgb}, text


def test_every_frog_mug_is_a_green_frog_unless_worded() -> None:
    """A frog's coats are greens: no blue or lavender frog mug in any colourway (the mug's
    wall is the frog's body), and "in matte black" is black in every variant."""
    frogs = generate_designs(read("frog mug"), 36)
    for v in frogs:
        for name in ("wall", "eye bump_l", "arm_l"):
            if name in v.parts:
                hue, sat, _ = _hsv(_colour(v, name))
                assert 0.17 < hue < 0.47 and sat > 0.2, (v.label, name, _colour(v, name))
    assert len({_colour(v, "wall") for v in frogs}) >= 3  # greens still vary
    black = generate_designs(read("frog mug in matte black"), 36)
    assert {_colour(v, "wall") for v in black} == {COLOURS["black"]}


def test_a_cactus_pen_cup_wearing_the_face_is_a_green_cactus() -> None:
    """A pen cup shaped like a cactus is the cactus's body: its cup is green in every variant
    that wears the face. A squat cactus's pot was larger than its column, so the cup took the
    pot's terracotta and the colourways shaded it red, brown or lavender."""
    hugging = [v for v in generate_designs(read("pen holder shaped like a cactus"), 36)
               if "face on cup" in v.label]  # fmt: skip
    assert len(hugging) >= 4
    for v in hugging:
        hue, sat, _ = _hsv(_colour(v, "cup"))
        assert 0.2 < hue < 0.47 and sat > 0.2, (v.label, _colour(v, "cup"))


def test_a_bubble_tea_cup_with_a_straw_shows_a_straw_above_its_rim() -> None:
    """ "with a straw" is the drinking straw: a thick straw stands in every variant, from
    inside the cup up past its rim, in a colour unlike the cup's; a straw hat stays a hat."""
    spec = read("bear-shaped bubble tea cup with a straw")
    assert spec.feature_words() == ["straw/"]
    assert read("capybara wearing a straw hat").feature_words() == ["hat/straw"]
    assert read("boba cup with a pink straw").feature_words() == ["straw/:pink"]
    for v in generate_designs(spec, 36)[:8]:
        meshes = dict(zip(v.parts, range(len(v.parts)), strict=False))
        assert "straw" in meshes, (v.label, v.parts)
        owner = np.asarray(v.owner)
        faces = v.mesh.faces[owner == v.parts.index("straw")]
        wall = v.mesh.faces[owner == v.parts.index("wall")]
        straw_z = v.mesh.vertices[faces.ravel(), 2]
        wall_pts = v.mesh.vertices[wall.ravel()]
        rim_z = float(wall_pts[:, 2].max())
        assert straw_z.max() > rim_z + 0.2 * rim_z, (v.label, straw_z.max(), rim_z)
        assert straw_z.min() < 0.5 * rim_z, v.label  # it stands in the cup, not on the rim
        width = np.ptp(v.mesh.vertices[faces.ravel(), 1])
        assert width > 0.1 * np.ptp(wall_pts[:, 1]), v.label  # a thick bubble-tea straw
        assert _colour(v, "straw") != _colour(v, "wall"), v.label
        assert watertight_after_stl(v.mesh), v.label

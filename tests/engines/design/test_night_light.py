"""Night-light (engines.design.forms.lights): the subject as a hollow shell, its wall held by
rays cast through it, over a base seating a 40 x 10 mm LED puck with a cable hole at the back;
the words that make one and the lamps we still refuse."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from engines.design.axes import COLOURWAYS
from engines.design.base import DesignError
from engines.design.forms import FORM_RULES, build_form, fits_bed
from engines.design.forms.lights import PUCK_MM
from engines.design.forms.place import ray_hits
from engines.design.generate import (
    build_candidate,
    default_builders,
    distinct_geometries,
    generate_designs,
    recoloured,
)
from engines.design.kit.parts import Model
from engines.design.kit.spec import DesignSpec
from engines.design.kit.vocab import COLOURS
from engines.design.reader import read_spec
from engines.design.subjects import build_subject
from tests.engines.design.test_forms import round_trip
from tests.engines.design.test_idea_checks import check_cable_hole, check_hollow, literal

WALL = FORM_RULES["night_light"].min_wall_mm
UP = np.array([0.0, 0.0, 1.0])


@cache
def light(subject: str, squish: float = 0.0, base: float = 0.0) -> Model:
    """The night-light of a real subject with these knobs."""
    spec = DesignSpec(text=f"{subject} night light", form="night_light", subject=subject)
    knobs = {"squish": squish, "base": base}
    return build_form("night_light", build_subject(subject), spec=spec, knobs=knobs)


def _part(model: Model, name: str):  # noqa: ANN202 - a trimesh
    """The mesh of the part called `name`."""
    return next(p.mesh for p in model.parts if p.name == name)


def _directions(count: int) -> np.ndarray:
    """Unit directions spread over the sphere (a Fibonacci lattice)."""
    k = np.arange(count) + 0.5
    z = 1.0 - 2.0 * k / count
    a = np.pi * (1.0 + 5**0.5) * k
    r = np.sqrt(1.0 - z**2)
    return np.column_stack([r * np.cos(a), r * np.sin(a), z])


@pytest.mark.parametrize("subject", ["cat", "mushroom", "moon", "capybara", "ghost"])
def test_the_shell_is_one_watertight_hollow_with_walls_over_the_minimum(subject: str) -> None:
    model = light(subject)
    solid = model.solid()[0]
    assert round_trip(solid).is_watertight and fits_bed(model)
    assert 130.0 <= float(np.ptp(model.bounds, axis=0).max()) <= 141.0
    inside = model.anchors["cavity"].point
    walls = []
    for d in _directions(60):  # from inside the hollow out through the shell (and a belly on it)
        hits = ray_hits(solid, inside, d)
        if len(hits) >= 2 and d[2] > -0.3:  # (down: out through the open bottom)
            walls.append(float(hits[1] - hits[0]))
    assert len(walls) >= 30, "the rays found no shell around the hollow"
    assert min(walls) >= WALL - 0.05, f"a {min(walls):.2f} mm wall"
    assert np.median(walls) <= 2.5 * WALL, f"walls of {np.median(walls):.1f} mm: not thin"


@pytest.mark.parametrize("subject", ["donut", "cat", "moon"])
def test_the_hollow_opens_over_the_light_never_a_sealed_void(subject: str) -> None:
    solid = light(subject).solid()[0]  # a void inside would be a second surface
    assert solid.body_count == 1
    assert len(ray_hits(solid, light(subject).anchors["base"].point - UP, UP)) >= 2


@pytest.mark.parametrize("subject", ["cat", "frog", "duck"])
def test_the_puck_fits_its_seat_under_a_lip_with_the_lights_aperture(subject: str) -> None:
    model = light(subject)
    base = _part(model, "base")
    seat = model.anchors["base"].point
    radius, height = PUCK_MM[0] / 2, PUCK_MM[1]
    for a in np.linspace(0.0, 2 * np.pi, 12, endpoint=False):  # the puck's rim is free
        edge = seat + np.array([0.98 * radius * np.cos(a), 0.98 * radius * np.sin(a), -1.0])
        hits = ray_hits(base, edge, UP)
        assert len(hits) and hits[0] - 1.0 >= height - 0.01, "the seat is shallower than the puck"
        assert hits[0] - 1.0 <= float(base.bounds[1][2]), "no lip over the puck"
    assert len(ray_hits(base, seat - UP, UP)) == 0, "no aperture over the light"


def test_the_checks_see_a_hollow_shell_and_a_cable_hole_only_on_a_night_light() -> None:
    check_hollow(literal("cat lamp"))
    check_cable_hole(literal("cat lamp"))
    figurine = literal("cat figurine")
    with pytest.raises((AssertionError, StopIteration)):
        check_hollow(figurine)
    with pytest.raises(AssertionError):
        check_cable_hole(figurine)


def test_squish_makes_a_round_mochi_or_a_tall_shell_and_the_base_a_plinth() -> None:
    shapes = {k: np.ptp(light("cat", k).bounds, axis=0) for k in (0.0, 1.0, 2.0)}
    ratio = {k: float(s[:2].max() / s[2]) for k, s in shapes.items()}
    assert ratio[1.0] > ratio[0.0] > ratio[2.0]  # mochi wider, tall slimmer for its height
    disc, plinth = _part(light("cat"), "base"), _part(light("cat", 0.0, 1.0), "base")
    assert abs(float(disc.volume) - float(plinth.volume)) > 0.02 * float(disc.volume)


def test_a_night_light_needs_a_subject() -> None:
    with pytest.raises(DesignError):
        build_form("night_light", None)
    with pytest.raises(DesignError, match="night-light"):
        read_spec("night light")


@pytest.mark.parametrize(
    ("text", "subject"),
    [("cat lamp", "cat"), ("mushroom lamp", "mushroom"), ("capybara night-light", "capybara"),
     ("duck nightlight", "duck"), ("bear lamp shade", "bear"), ("mood light penguin", "penguin"),
     ("jack o lantern night light", "pumpkin")],
)  # fmt: skip
def test_lamp_words_read_as_a_night_light(text: str, subject: str) -> None:
    spec = read_spec(text)
    assert (spec.form, spec.subject) == ("night_light", subject)


@pytest.mark.parametrize("text", ["desk lamp", "cat desk lamp", "fairy lights", "led strip",
                                  "cat lantern"])  # fmt: skip
def test_other_lamps_stay_refused_naming_the_night_light(text: str) -> None:
    with pytest.raises(DesignError, match="night-light"):
        read_spec(text)


def test_generate_makes_36_night_lights() -> None:
    variants = generate_designs(read_spec("mushroom night light"), 36)
    assert len(variants) == 36
    assert all({"shell", "base"} <= set(v.parts) for v in variants)


def _shells(text: str) -> dict[str, tuple[int, int, int]]:
    """The shell colour of the idea's literal night-light in each colourway."""
    cand = literal(text)
    return {
        way: next(p.colour for p in recoloured(cand, way).model.parts if p.name == "shell")
        for way in COLOURWAYS
    }


def test_an_unworded_shell_is_pale_enough_to_glow_in_every_colourway() -> None:
    """Light passes a pale shell: in every colourway the cat lamp's shell is light (its
    darkest channel 110 or more: a black cat's coat had made it (40, 40, 45)), and the
    colourways still differ; a colour the words give the subject stays as worded."""
    cat = _shells("cat lamp")
    assert all(min(c) >= 110 for c in cat.values()), cat
    assert len(set(cat.values())) >= 4, cat  # the coats still vary
    assert set(_shells("black cat lamp").values()) == {COLOURS["black"]}
    assert set(_shells("pink bunny mood light").values()) == {COLOURS["pink"]}


def test_the_parts_beside_the_shell_join_it_cleanly_at_the_first_try() -> None:
    # the stem under a mushroom's cap was cut by the same hollow as the cap: their cut faces
    # met face to face, the union opened at the seam in an STL reader (watertight 1 of 6)
    # and Model.solid() redid it with the parts nudged apart, a union more per design
    spec = read_spec("mushroom night light")
    b = default_builders()
    for choice in distinct_geometries(spec, 6, 0):
        model = build_candidate(spec, choice, 100.0, b).model
        assert {"shell", "stem"} <= {p.name for p in model.parts}
        mesh, _ = model._union(0)
        assert mesh.is_watertight, choice

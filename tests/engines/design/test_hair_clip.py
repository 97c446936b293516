"""Hair clips (engines.design.forms.clips): a flat-backed topper of the subject glued on a metal
clip: the clip's kind (knob and words), its length, the topper's size and its glued back,
measured on the built meshes."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import trimesh

from engines.design.axes import default_choice
from engines.design.base import DesignError
from engines.design.forms import FORM_RULES, build_form, fits_bed
from engines.design.forms.clips import CLIPS, TOPPERS
from engines.design.forms.place import ray_hits
from engines.design.generate import build_candidate, default_builders, generate_designs, thin_parts
from engines.design.kit.parts import Model, Part
from engines.design.kit.spec import DesignSpec
from engines.design.kit.vocab import COLOURS
from engines.design.reader import read_spec
from engines.design.subjects import build_subject
from tests.engines.design.test_forms import round_trip, solid_of

X = np.array([1.0, 0.0, 0.0])


def clip_of(subject: str, text: str = "", size_mm: float | None = None, **knobs: float) -> Model:
    """A hair clip of a real subject, built with the given form knobs."""
    spec = DesignSpec(text=text or f"{subject} hair clip", form="hair_clip", subject=subject)
    subject_model = build_subject(subject, face_on=True)
    return build_form("hair_clip", subject_model, size_mm=size_mm, spec=spec, knobs=knobs)


def _part(model: Model, name: str) -> object:
    """The mesh of the part named `name`."""
    return next(p.mesh for p in model.parts if p.name == name)


def _topper(model: Model) -> list[object]:
    """The meshes of the topper (every part but the clip)."""
    return [p.mesh for p in model.parts if p.name != "clip"]


def _front(meshes: list[object]) -> np.ndarray:
    """The (Y, Z) extents of the meshes together, mm."""
    lo = np.min([m.bounds[0] for m in meshes], axis=0)  # type: ignore[attr-defined]
    hi = np.max([m.bounds[1] for m in meshes], axis=0)  # type: ignore[attr-defined]
    return (hi - lo)[1:]


@pytest.mark.parametrize("size", [55.0, 33.0])
@pytest.mark.parametrize("kind", range(len(CLIPS)))
@pytest.mark.parametrize("subject", ["axolotl", "frog", "star"])
def test_every_clip_is_one_printable_piece_as_long_as_the_product(
    kind: int, subject: str, size: float
) -> None:
    model = clip_of(subject, size_mm=size, clip=kind)
    back = round_trip(solid_of(model))
    assert back.is_watertight and back.is_volume and len(back.split()) == 1
    assert fits_bed(model)
    clip = _part(model, "clip")
    assert clip.extents[1] == pytest.approx(size, rel=0.01)  # type: ignore[attr-defined]
    assert 0.45 * size <= max(_front(_topper(model))) <= 0.82 * size  # 30-40 mm on 55 mm
    clip_part = next(p for p in model.parts if p.name == "clip")
    assert clip_part.role == "fixture" and clip_part.material == "metal"


@pytest.mark.parametrize("subject", ["axolotl", "capybara", "strawberry"])
def test_the_topper_is_glued_flat_on_the_clip(subject: str) -> None:
    """A ray from behind through the clip's middle meets the clip, then the topper's back
    where the clip's front ends (a long-tailed axolotl's thin body is cut flat too)."""
    model = clip_of(subject)
    clip = _part(model, "clip")
    z = float(clip.bounds.mean(axis=0)[2])  # type: ignore[attr-defined]
    start = np.array([float(clip.bounds[0][0]) - 5.0, 0.0, z])  # type: ignore[attr-defined]
    clip_hits = np.sort(ray_hits(clip, start, X))  # type: ignore[arg-type]
    topper_hits = [h for m in _topper(model) for h in ray_hits(m, start, X)]  # type: ignore[arg-type]
    assert len(clip_hits) >= 2 and topper_hits
    assert min(topper_hits) < clip_hits[-1] <= min(topper_hits) + 1.0


def test_the_clip_knob_and_words_choose_the_clip() -> None:
    heights = []
    for kind in range(len(CLIPS)):
        clip = _part(clip_of("frog", clip=kind), "clip")
        heights.append(float(clip.extents[2]))  # type: ignore[attr-defined]
    assert len({round(h, 1) for h in heights}) == len(CLIPS)  # three different clips
    worded = _part(clip_of("frog", "frog barrette", clip=0), "clip")
    assert float(worded.extents[2]) == pytest.approx(heights[CLIPS.index("barrette")])  # type: ignore[attr-defined]


def test_the_topper_size_knob_grows_the_topper() -> None:
    sizes = [max(_front(_topper(clip_of("duck", topper_size=k)))) for k in range(len(TOPPERS))]
    assert sizes[0] < sizes[1] < sizes[2]
    assert sizes[2] / sizes[0] == pytest.approx(TOPPERS[2][1] / TOPPERS[0][1], rel=0.1)


def test_a_mini_snap_clip_keeps_the_min_wall() -> None:
    spec = DesignSpec(text="mini frog hair clip", form="hair_clip", subject="frog")
    subject = build_subject("frog", face_on=True)
    model = build_form("hair_clip", subject, size_mm=30.0, spec=spec, knobs={"clip": 1.0})
    assert round_trip(solid_of(model)).is_watertight
    clip = _part(model, "clip")
    lo, hi = clip.bounds  # type: ignore[attr-defined]
    start = np.array([float(lo[0]) - 5.0, 0.0, 0.5 * float(lo[2] + hi[2])])
    hits = np.sort(ray_hits(clip, start, X))  # type: ignore[arg-type]
    assert len(hits) >= 2 and hits[1] - hits[0] >= FORM_RULES["hair_clip"].min_wall_mm - 1e-6


def test_hair_clip_variants_show_the_clips() -> None:
    variants = generate_designs(read_spec("frog hair clip"), 36)
    assert len(variants) >= 8
    labels = " ".join(v.label for v in variants[:8])
    assert "snap clip" in labels or "barrette" in labels  # the clip is an axis a merchant sees
    assert not [f for v in variants for f in v.findings if "clip" in f]  # thick enough, bent
    assert "claw" not in labels  # a claw clip is another product: only when worded
    claws = generate_designs(read_spec("frog claw clip"), 36)
    assert len(claws) >= 8 and not [f for v in claws for f in v.findings]


def test_a_bow_alone_tops_a_bow_hair_clip() -> None:
    variants = generate_designs(read_spec("pink bow hair clip"), 36)
    assert len(variants) >= 8 and not [f for v in variants for f in v.findings]
    assert "silver" not in " ".join(v.label for v in variants)  # the clip is not its colour
    spec = read_spec("pink bow hair clip")
    model = build_candidate(spec, default_choice(spec), 55.0, default_builders()).model
    bow = [p for p in model.parts if p.name == "bow"]
    assert bow and {p.colour for p in bow} == {COLOURS["pink"]}
    assert 25.0 <= max(_front([p.mesh for p in bow])) <= 45.0
    with pytest.raises(DesignError):  # no subject, no bow: nothing to top the clip
        build_form("hair_clip", None)


@pytest.mark.parametrize("way", ["pastel", "two_tone"])
def test_the_metal_clip_keeps_its_colour_in_every_colourway(way: str) -> None:
    spec = read_spec("frog hair clip")
    b = default_builders()
    choice = replace(default_choice(spec), colourway=way)
    candidate = build_candidate(spec, choice, 55.0, b)
    clips = [p.colour for p in candidate.model.parts if p.name == "clip"]
    assert clips == [FORM_RULES["hair_clip"].colour]
    gold = build_candidate(read_spec("frog on a gold clip"), choice, 55.0, b)
    assert [p.colour for p in gold.model.parts if p.name == "clip"] == [COLOURS["gold"]]


def test_the_bought_metal_clip_is_not_held_to_the_printed_wall() -> None:
    # a 0.6 mm spring-steel strip: thin for a print, what a bought clip is made of
    strip = trimesh.creation.box((0.6, 50.0, 8.0))
    grey = FORM_RULES["hair_clip"].colour
    bought = Model([Part("clip", strip, grey, "fixture", "metal")])
    printed = Model([Part("base", strip.copy(), grey, "fixture", "metal")])
    wall = FORM_RULES["hair_clip"].min_wall_mm
    assert thin_parts(bought, wall) == []
    assert thin_parts(printed, wall) == [f"the base is 0.6 mm thick, under the {wall:g} mm wall"]

"""Horses and unicorns read as horses (a neck rising from the chest, the head at its top, a
flowing mane), unicorns come white or pastel, and the low-poly style is faceted."""

from __future__ import annotations

import colorsys

import numpy as np
import pytest

from engines.design.generate import generate_designs
from engines.design.reader import read_spec
from engines.design.subjects import build_subject

NECK_RISE = 0.2  # the head centre above the body's top / the body's length, at least


def _part(model, name: str):
    found = [p.mesh for p in model.parts if p.name == name]
    assert found, f"no {name} among {sorted({p.name for p in model.parts})}"
    return found[0]


@pytest.mark.parametrize("name", ["horse", "unicorn"])
@pytest.mark.parametrize("style", ["kawaii", "realistic", "chibi"])
@pytest.mark.parametrize("pose", ["standing", "sitting", "lying"])
def test_a_horse_holds_its_head_up_on_a_neck(name: str, style: str, pose: str) -> None:
    """The head centre is above the body's top by a neck's rise and forward of the chest."""
    model = build_subject(name, style=style, pose=pose)
    body, head = _part(model, "body"), _part(model, "head")
    length = float(max(body.extents[0], body.extents[2]))  # a sitting body stands up
    centre = head.bounds.mean(axis=0)
    rise = float(centre[2] - body.bounds[1][2])
    assert rise >= NECK_RISE * length, f"head {rise:.1f} mm over the body of {length:.1f} mm"
    assert centre[0] > float(body.bounds.mean(axis=0)[0] + 0.3 * body.extents[0])
    neck = _part(model, "neck")
    assert neck.extents[2] > 0.35 * length, "the neck does not rise"


def test_a_rainbow_mane_is_flowing_locks_of_many_hues() -> None:
    """At least 4 long locks down the neck (each reaching down its side), of 3+ hues."""
    spec = read_spec("unicorn plush with a rainbow mane")
    v = generate_designs(spec, 2)[0]
    locks = []
    for name, colour in zip(v.parts, v.part_colours, strict=True):
        if name == "mane":
            locks.append(colour)
    assert len(locks) >= 4, f"{len(locks)} mane locks"
    hues = {round(colorsys.rgb_to_hsv(*(np.array(c) / 255))[0] * 12) % 12 for c in locks}
    assert len(hues) >= 3, f"mane hues {hues}"


def test_mane_locks_fall_down_the_neck() -> None:
    """Each mane lock hangs down the neck's side: taller than a third of the head."""
    model = build_subject("unicorn", style="kawaii", pose="standing")
    head = _part(model, "head")
    locks = [p.mesh for p in model.parts if p.name == "mane"]
    long = [m for m in locks if m.extents[2] > 0.33 * head.extents[2]]
    assert len(long) >= 4, f"{len(long)} long locks of {len(locks)}"


def test_unicorns_come_white_or_pastel() -> None:
    """Every variant's body is light: high value, low to moderate saturation."""
    variants = generate_designs(read_spec("unicorn figurine"), 36)
    assert len(variants) == 36
    for v in variants:
        body = [c for n, c in zip(v.parts, v.part_colours, strict=True) if n == "body"]
        assert body, v.parts
        _, s, val = colorsys.rgb_to_hsv(*(np.array(body[0]) / 255))
        assert val >= 0.85 and s <= 0.3, f"{v.label}: body {body[0]}"


def test_low_poly_is_few_large_facets() -> None:
    """A low-poly fox has under a quarter of the faces of a kawaii one, its facets far bigger."""
    spec = read_spec("low poly fox figure")
    assert spec.style == "low-poly"
    low = build_subject("fox", style="low-poly", pose="sitting")
    normal = build_subject("fox", style="kawaii", pose="sitting")
    faces = [sum(len(p.mesh.faces) for p in m.parts) for m in (low, normal)]
    assert faces[0] < faces[1] / 4, faces
    areas = [float(np.median(_part(m, "body").area_faces)) for m in (low, normal)]
    assert areas[0] > 8 * areas[1], areas

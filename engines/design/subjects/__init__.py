"""Subjects as coloured parts with anchors: every vocab.SUBJECTS name, in any style, pose and
expression, levelled on z = 0, centred on x = y = 0, facing +X, `height_mm` tall."""

from __future__ import annotations

from functools import partial

import numpy as np

from engines.design.base import DesignError
from engines.design.kit.parts import Anchor, Model, Part
from engines.design.kit.vocab import (
    COLOURS,
    CREATURES,
    EXPRESSIONS,
    MATERIALS,
    OBJECTS,
    POSES,
    STYLES,
)
from engines.design.subjects.anatomy import colours_of
from engines.design.subjects.creature import build_creature
from engines.design.subjects.geom import coarse, nudged, trim_below
from engines.design.subjects.objects import build_object, object_colours
from engines.design.subjects.style import KNOBS, look_of

RGB = tuple[int, int, int]
MIN_LINE = 0.0105  # thinnest line radius / height: a 2.1 mm line at 100 mm
FLAT_BASE = 0.025  # the bottom is cut flat this fraction of the height above the lowest point

__all__ = ["KNOBS", "build_subject", "default_colours"]


def default_colours(name: str) -> dict[str, RGB]:
    """The subject's own colour roles (body, belly, accent, nose, eyes ...)."""
    if name in CREATURES:
        return colours_of(name)
    if name in OBJECTS:
        return object_colours(name)
    raise DesignError(f"unknown subject {name!r}")


def build_subject(
    name: str,
    *,
    style: str = "kawaii",
    pose: str = "standing",
    expression: str = "happy",
    colours: dict[str, RGB] | None = None,
    height_mm: float = 100.0,
    knobs: dict[str, float] | None = None,
    colour: str | RGB | None = None,
    face_on: bool = False,
) -> Model:
    """The subject as coloured parts with every parts.ANCHORS anchor, height_mm tall.
    `colour` (a vocab colour or material name, or an RGB) is short for colours={"body": ...}.
    `face_on`: shown from the front only (a charm, an ornament), so a flat object (a donut)
    stands up with its top facing the viewer."""
    body = _rgb(colour)
    if body is not None:
        colours = {**(colours or {}), "body": body}
    style = style if style in STYLES else "kawaii"
    pose = pose if pose in POSES else "standing"
    expression = expression if expression in EXPRESSIONS else "happy"
    look = look_of(style, knobs)
    if name not in CREATURES and name not in OBJECTS:
        raise DesignError(f"unknown subject {name!r}")
    build = build_creature if name in CREATURES else partial(build_object, face_on=face_on)
    with coarse(style == "low-poly"):  # low-poly: its primitives built with few, big facets
        parts, anchors, line = build(name, look, pose, expression, colours or {})
        model = Model(parts, anchors)
        lo, hi = model.bounds
        needed = MIN_LINE * (hi[2] - lo[2])  # the lines must print at the final height
        if line < needed:
            parts, anchors, _ = build(name, look, pose, expression, colours or {}, needed)
            model = Model(parts, anchors)
    return levelled(model, height_mm)


def _rgb(colour: str | RGB | None) -> RGB | None:
    """An RGB from a vocab colour or material name (None when unknown or not given)."""
    if colour is None or not isinstance(colour, str):
        return colour
    return COLOURS.get(colour) or MATERIALS.get(colour)


def levelled(model: Model, height_mm: float) -> Model:
    """The model cut flat at its bottom, standing on z = 0, centred and scaled to height_mm."""
    lo, hi = model.bounds
    cut = lo[2] + FLAT_BASE * (hi[2] - lo[2])
    parts = []
    for p in model.parts:
        mesh = p.mesh if p.mesh.bounds[0][2] >= cut else trim_below(p.mesh, cut)
        if mesh is not None:
            parts.append(Part(p.name, mesh, p.colour, p.role, p.material))
    flat = Model(parts, model.anchors)
    lo, hi = flat.bounds
    k = height_mm / (hi[2] - lo[2])
    matrix = np.eye(4)
    matrix[:3, :3] *= k
    matrix[:3, 3] = -k * np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, lo[2]])
    out = flat.transform(matrix)
    for i, part in enumerate(out.parts):
        part.mesh = nudged(part.mesh, i)
    drop = min(p.mesh.bounds[0][2] for p in out.parts)
    for part in out.parts:
        part.mesh.apply_translation((0.0, 0.0, -drop))
    base = out.anchors["base"]
    out.anchors["base"] = Anchor(np.zeros(3), np.array([0.0, 0.0, -1.0]), base.size_mm)
    return out

"""A drinking straw standing in a cup (the feature "straw", vocab.FORM_FEATURES): a thick
bubble-tea straw from the cup's floor up past its rim, leaning back, its top cut on the slant,
in a colour that stands out from the cup's. Built by the cup (forms.vessels.mug), mm."""

from __future__ import annotations

import numpy as np
import trimesh

from engines.design.axes import accent
from engines.design.forms.context import FormContext
from engines.design.forms.geometry import minus
from engines.design.kit.parts import Part

STRAW_DIAMETER = 0.15  # of the rim's diameter: 12 mm in an 80 mm bubble-tea cup
STRAW_RISE = 0.38  # how far it stands above the rim, share of the cup's height
STRAW_LEAN_DEG = 7.0  # its lean from upright, toward the back (-X), away from the face (+X)
STRAW_BACK = 0.3  # where it stands on the floor: behind the axis, share of the rim's radius
STRAW_SIDE = 0.15  # and to the side away from the handle (+Y), share of the rim's radius
TIP_CUT_DEG = 35.0  # the slant of its cut top from level


def wants_straw(ctx: FormContext) -> bool:
    """Whether the words ask for a straw in the cup ("bubble tea cup with a straw")."""
    return ctx.spec is not None and any(f.name == "straw" for f in ctx.spec.features)


def drinking_straw(ctx: FormContext, r_rim: float, height: float, floor: float) -> list[Part]:
    """The straw standing in a cup of rim radius r_rim and height `height` whose floor is
    `floor` thick: its foot sunk into the floor (so it joins the cup), off the cup's axis (the
    cavity stays open from above), leaning back so it clears the rim, its top STRAW_RISE of
    the height above the rim; one part "straw" of role feature."""
    radius = max(0.5 * STRAW_DIAMETER * 2.0 * r_rim, ctx.rule.min_wall_mm)
    lean = np.radians(STRAW_LEAN_DEG)
    axis = np.array([-np.sin(lean), 0.0, np.cos(lean)])
    foot = np.array([-STRAW_BACK * r_rim, STRAW_SIDE * r_rim, 0.5 * floor])
    top_z = height * (1.0 + STRAW_RISE)
    length = (top_z - foot[2]) / axis[2]
    tip = foot + axis * (length + 2.0 * radius)  # the slanted cut takes off the extra
    mesh = trimesh.creation.cylinder(radius=radius, segment=np.array([foot, tip]), sections=32)
    cut_normal = np.array([-np.sin(np.radians(TIP_CUT_DEG)), 0.0, np.cos(np.radians(TIP_CUT_DEG))])
    cutter = trimesh.creation.box(extents=(8.0 * radius, 8.0 * radius, 8.0 * radius))
    cutter.apply_translation([0.0, 0.0, 4.0 * radius])
    to_tip = trimesh.geometry.align_vectors(np.array([0.0, 0.0, 1.0]), cut_normal)
    cutter.apply_transform(to_tip)
    cutter.apply_translation(foot + axis * length)
    cut = minus(mesh, cutter)
    return [Part("straw", cut if cut is not None else mesh, accent(ctx.body_colour()), "feature")]

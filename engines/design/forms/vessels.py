"""Open vessels: mug (and bubble-tea cup), planter, pen holder; the subject as relief (mm)."""

from __future__ import annotations

import numpy as np
import trimesh

from engines.design.forms.context import DETAIL_MIN_MM, Builder, FormContext
from engines.design.forms.geometry import cylinder_z, minus, revolved, ring, vessel
from engines.design.forms.place import (
    Decoration,
    base_anchor,
    chunky,
    decorations,
    fitted,
    fitted_height,
    head_frame,
    moved,
    scale_about,
    snapped,
    thinnest,
)
from engines.design.kit.parts import Anchor, Model, Part
from engines.design.shapes import _manifold

PLANTS = ("cactus", "mushroom")  # subjects that grow in a pot rather than decorate it
EAR_ANGLE_DEG = 45.0
MIN_RELIEF_MM = 0.8  # a face detail stands at least this far out of the wall  # ears sit on the rim this far either side of the front


def _rotation_z(angle_rad: float) -> np.ndarray:
    """4x4 rotation about Z."""
    return trimesh.transformations.rotation_matrix(angle_rad, [0.0, 0.0, 1.0])


def _on_rim(deco: Decoration, r_mid: float, rim_z: float, sink: float) -> Decoration:
    """An ear-like group turned to its rim angle and set on the rim (root `sink` into it)."""
    c = deco.centre
    phi = float(np.arctan2(c[1], c[0]))
    if abs(c[1]) > 0.15 * r_mid:  # side groups (ears) frame the face at +-EAR_ANGLE_DEG
        target = np.sign(phi) * np.radians(min(np.degrees(abs(phi)), EAR_ANGLE_DEG))
        turned = deco.transformed(_rotation_z(target - phi))
    else:  # a middle group (hat, horn, leaf cap) sits on the front rim, above the face
        target = 0.0
        lo = np.min([p.mesh.bounds[0] for p in deco.parts], axis=0)
        hi = np.max([p.mesh.bounds[1] for p in deco.parts], axis=0)
        side = float(np.max(hi[:2] - lo[:2]))
        shrink = min(1.0, 0.8 * r_mid / max(side, 1e-6))  # a hat no wider than the mug
        turned = deco.transformed(scale_about(shrink, deco.root))
        r_mid += 0.3 * side * shrink  # mostly outside the cavity, which cuts it back
    goal = np.array([r_mid * np.cos(target), r_mid * np.sin(target), rim_z - sink])
    return turned.transformed(moved(goal - turned.root))


def relief(
    ctx: FormContext,
    body: trimesh.Trimesh,
    centre_z: float,
    radius: float,
    rim_z: float,
    wall: float,
    rim_r: float,
    cavity: trimesh.Trimesh,
    face: bool = True,
) -> list[Part]:
    """The subject's face as relief on a round vessel wall and its ears on the rim, cut
    back from the `cavity` so nothing blocks it, mm."""
    if ctx.subject is None:
        return []
    c, r = head_frame(ctx.subject)
    k = 1.15 * radius / r  # a bold face: features keep their angles and grow
    to_wall = moved(np.array([0.0, 0.0, centre_z])) @ scale_about(k, np.zeros(3)) @ moved(-c)
    parts: list[Part] = []
    for deco in decorations(ctx.subject):
        d = deco.transformed(to_wall)
        if d.kind == "top":
            sink = max(d.sink_mm, 1.5)
            d = _on_rim(d, rim_r, rim_z, sink)
        elif face:
            origin = np.array([0.0, 0.0, d.root[2]])
            d = snapped(d, body, origin, d.stand_out(MIN_RELIEF_MM))
            top = max(float(p.mesh.bounds[1][2]) for p in d.parts)
            if top > rim_z - 1.0:
                d = d.transformed(moved(np.array([0.0, 0.0, rim_z - 1.0 - top])))
        else:
            continue
        parts.extend(d.parts)
    parts = chunky(Model(parts), max(ctx.rule.min_wall_mm, 2.0), DETAIL_MIN_MM).parts
    out = []
    for p in parts:
        mesh = minus(p.mesh, cavity)
        if mesh is not None:
            out.append(Part(p.name, mesh, p.colour, p.role, p.material))
    return out


def cavity_cutter(r_bottom: float, r_top: float, floor: float, height: float) -> trimesh.Trimesh:
    """The space a vessel's decorations must keep clear: its cavity and the air above, mm."""
    up = height + max(height, 100.0)
    slope = (r_top - r_bottom) / max(height - floor, 1e-6)
    outline = [(0.0, floor), (r_bottom, floor), (r_top, height), (r_top + slope * (up - height), up),
               (0.0, up)]  # fmt: skip
    return revolved(np.array(outline), 60)


def _handle(ctx: FormContext, radius: float, height: float, wall: float) -> trimesh.Trimesh:
    """A D-shaped handle on the -Y side of a mug of outer radius `radius`, mm."""
    wire = max(ctx.wall(9.0), 2 * wall)
    major = 0.27 * height
    centre = np.array([0.0, -(radius + 0.14 * height), 0.52 * height])
    loop = ring(centre, major - wire / 2, wire, np.array([1.0, 0.0, 0.0]))
    loop.apply_transform(scale_about(np.array([1.0, 1.0, 1.12]), centre))
    cut = _manifold(loop).trim_by_plane((0.0, -1.0, 0.0), radius - wall / 2)
    from engines.design.forms.geometry import one_body

    return one_body(cut)


def mug(ctx: FormContext) -> Model:
    """A mug (or a taller bubble-tea cup) with a handle; the subject's face on the front and
    its ears on the rim, height size_mm."""
    tall = ctx.knob(
        "tall", 1.0 if any(w in ctx.words() for w in ("bubble", "boba", "tumbler")) else 0.0
    )
    height = ctx.size_mm * (1.45 if tall >= 0.5 else 1.0)
    radius = (0.4 if tall >= 0.5 else 0.43) * ctx.size_mm
    wall, floor = ctx.wall(4.0), ctx.wall(6.0)
    r_bottom = radius * (0.82 if tall >= 0.5 else 0.97)
    body = vessel(r_bottom, radius, height, wall, floor)
    colour = ctx.body_colour()
    model = Model([Part("wall", body, colour, "fixture", ctx.material)])
    if tall < 0.5:
        model.parts.append(Part("handle", _handle(ctx, radius, height, wall), colour,
                                "fixture", ctx.material))  # fmt: skip
    clear = cavity_cutter(r_bottom - 0.7 * wall, radius - 0.7 * wall, floor + 0.3 * wall, height)
    model.parts.extend(
        relief(ctx, body, 0.5 * height, radius, height, wall, radius - wall / 2, clear)
    )
    _vessel_anchors(model, radius, height, floor)
    return model


def _vessel_anchors(model: Model, radius: float, height: float, floor: float) -> None:
    """base (bottom centre), cavity (a point inside the open cavity), face (front wall)."""
    model.anchors["base"] = base_anchor(size_mm=radius)
    model.anchors["cavity"] = Anchor(np.array([0.0, 0.0, (floor + height) / 2]),
                                     np.array([0.0, 0.0, 1.0]), radius)  # fmt: skip
    model.anchors["face"] = Anchor(np.array([radius, 0.0, height / 2]),
                                   np.array([1.0, 0.0, 0.0]), radius / 2)  # fmt: skip


def _is_plant(ctx: FormContext) -> bool:
    """Whether the subject is a plant that stands in the pot (cactus, mushroom)."""
    if ctx.spec and ctx.spec.subject:
        return ctx.spec.subject in PLANTS
    names = " ".join(p.name.lower() for p in ctx.subject.parts) if ctx.subject else ""
    return any(w in names for w in PLANTS)


def planter(ctx: FormContext) -> Model:
    """A flower pot with a drain hole; the subject's face and ears on it, or the plant
    subject standing in it; width size_mm."""
    r_top = 0.5 * ctx.size_mm
    r_bottom, height = 0.74 * r_top, 0.85 * ctx.size_mm
    wall, floor = ctx.wall(4.0), ctx.wall(6.0)
    lip_h, lip = ctx.mm(12.0), ctx.wall(3.0)
    inner_top, inner_bottom = r_top - 1.1 * wall, r_bottom - 1.1 * wall
    profile = [
        (0.0, 0.0), (r_bottom, 0.0), (r_top, height - lip_h), (r_top + lip, height - lip_h),
        (r_top + lip, height), (inner_top, height), (inner_bottom, floor), (0.0, floor),
    ]  # fmt: skip
    drain = max(ctx.mm(5.0), 3.0)
    pot = minus(revolved(np.array(profile)), cylinder_z(np.zeros(3), drain, 3 * floor, True))
    assert pot is not None
    plant = ctx.subject is not None and _is_plant(ctx)
    colour = ctx.colour if plant else ctx.body_colour()
    model = Model([Part("pot", pot, colour, "fixture", ctx.material)])
    if plant:
        soil_z = 0.72 * height
        r_soil = inner_bottom + (inner_top - inner_bottom) * (soil_z + wall - floor) / (
            height - floor
        )
        soil = cylinder_z(np.array([0.0, 0.0, soil_z]), r_soil + 0.6 * wall, wall, centred=False)
        model.parts.append(Part("soil", soil, (110, 75, 50), "fixture"))
        assert ctx.subject is not None
        own_pot = [p for p in ctx.subject.parts if p.name != "pot"]  # the planter is the pot
        plant_only = Model(own_pot, dict(ctx.subject.anchors)) if own_pot else ctx.subject
        figure = fitted_height(
            plant_only, 0.95 * height, np.array([0.0, 0.0, soil_z + wall - ctx.mm(3.0)])
        )
        lo, hi = figure.bounds
        if max(abs(lo[1]), abs(hi[1]), abs(lo[0]), abs(hi[0])) > 0.8 * inner_top:
            figure = figure.transform(scale_about(0.8 * inner_top / max(abs(lo[:2]).max(), abs(hi[:2]).max()),
                                                np.array([0.0, 0.0, soil_z + wall - ctx.mm(3.0)])))  # fmt: skip
        model.extend(chunky(figure, ctx.rule.min_wall_mm, DETAIL_MIN_MM))
    else:
        r_mid = 0.5 * (r_top + r_bottom)
        clear = cavity_cutter(
            inner_bottom + 0.3 * wall, inner_top + 0.3 * wall, floor + 0.3 * wall, height
        )
        model.parts.extend(
            relief(ctx, pot, 0.45 * height, r_mid, height, wall, r_top - wall / 2 + lip / 2, clear)
        )
    _vessel_anchors(model, r_top, height, floor)
    model.anchors["drain"] = Anchor(np.zeros(3), np.array([0.0, 0.0, -1.0]), drain)
    return model


def pen_holder(ctx: FormContext) -> Model:
    """An open cup for pens with the subject sitting beside it (knob 'hug' 1: the cup
    wears the subject's face instead), height size_mm."""
    height, radius = ctx.size_mm, 0.36 * ctx.size_mm
    wall, floor = ctx.wall(3.0), ctx.wall(4.0)
    cup = vessel(radius, radius, height, wall, floor)
    hug = ctx.subject is not None and ctx.knob("hug", 0.0) >= 0.5
    colour = ctx.body_colour() if hug else ctx.colour  # the cup is the subject's body
    model = Model([Part("cup", cup, colour, "fixture", ctx.material)])
    if hug:
        clear = cavity_cutter(radius - 0.7 * wall, radius - 0.7 * wall, floor + 0.3 * wall, height)
        model.parts.extend(
            relief(ctx, cup, 0.55 * height, radius, height, wall, radius - wall / 2, clear)
        )
    elif ctx.subject is not None:
        figure = fitted_height(ctx.subject, 0.72 * height)
        if float(np.max(figure.bounds[1] - figure.bounds[0])) > 0.9 * height:  # a wide donut
            figure = fitted(ctx.subject, 0.9 * height)
        figure = chunky(figure, ctx.rule.min_wall_mm, DETAIL_MIN_MM)
        lo, hi = figure.bounds
        half_w = 0.5 * float(hi[1] - lo[1])
        at = np.array([0.3 * radius, -(radius + 0.55 * half_w), 0.0])
        figure = figure.transform(moved(at))
        # cut at mid-wall: the cut face is buried in the wall, none of the subject in the cavity
        hole = cylinder_z(np.array([0.0, 0.0, floor]), radius - wall / 2, 2 * height, centred=False)
        for p in figure.parts:
            mesh = minus(p.mesh, hole)
            if mesh is not None:
                limit = DETAIL_MIN_MM if p.role == "detail" else ctx.rule.min_wall_mm
                if thinnest(mesh)[1] >= limit:  # no slivers left by the cut
                    model.parts.append(Part(p.name, mesh, p.colour, p.role, p.material))
        model.anchors.update({k: a for k, a in figure.anchors.items() if k != "base"})
    _vessel_anchors(model, radius, height, floor)
    return model


BUILDERS: dict[str, Builder] = {"mug": mug, "planter": planter, "pen_holder": pen_holder}

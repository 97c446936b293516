"""Hair clips: the subject (or a worded bow) as a flat-backed topper glued on a bought metal
clip (mm).

The clip lies along Y behind the topper, which faces +X as a keychain charm does; the clip is
one part "clip" (role fixture, material metal): an alligator clip, a snap clip, a barrette or,
when worded, a claw clip.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import trimesh
from manifold3d import CrossSection, Manifold, OpType

from engines.design.base import DesignError
from engines.design.forms.context import DETAIL_MIN_MM, Builder, FormContext
from engines.design.forms.figures import flat_charm, tag_plate
from engines.design.forms.geometry import cut_behind, mesh_of
from engines.design.forms.place import base_anchor, chunky, moved
from engines.design.kit.parts import Model, Part
from engines.design.shapes import _manifold, capsule, volume_mm3
from engines.design.subjects.geom import blob

# knob "clip": sampled among the first three; a claw clip (a hair claw) only when worded
CLIPS: tuple[str, ...] = ("alligator", "snap", "barrette", "claw")
TOPPERS: tuple[tuple[str, float], ...] = (
    ("small topper", 0.56),
    ("classic topper", 0.68),
    ("big topper", 0.82),
)  # knob "topper_size": the topper's longest front side, of the clip's length
GLUE_MM = 0.4  # the clip's front sinks this far into the topper's flat back (the glue joint)
SNAP_BEND_MM = 3.5  # how far a snap clip's ends bend back behind its middle
SEGMENT_MM = 2.0  # a clip's flat faces are cut into facets this long (depth-sorted previews)


def _clip_kind(ctx: FormContext) -> str:
    """The clip the words name ('snap clip', 'barrette', 'claw clip'), else the knob's
    (default alligator)."""
    words = ctx.words()
    for kind, names in CLIP_WORDS.items():
        if any(n in words for n in names):
            return kind
    return CLIPS[int(ctx.knob("clip", 0.0)) % len(CLIPS)]


# words that decide the clip (axes.FORM_KNOB_WORDS keeps the knob unsampled for them)
CLIP_WORDS: dict[str, tuple[str, ...]] = {
    "claw": ("claw", "jaw clip"),
    "snap": ("snap clip", "snap hair clip", "snap clips"),
    "barrette": ("barrette",),
    "alligator": ("alligator", "duckbill", "duck bill"),
}


def _slab(section: CrossSection, front_x: float, thick: float) -> trimesh.Trimesh:
    """A flat plate of the given YZ outline, `thick` deep, its front face on x = front_x, mm."""
    return tag_plate(section, SEGMENT_MM / 0.25, front_x - thick, thick)


def _taper(length: float, root_w: float, tip_w: float) -> CrossSection:
    """A prong's outline along Y (centred on 0): root_w wide at -Y, rounded, tip_w at +Y, mm."""
    root = CrossSection.circle(root_w / 2, 32).translate((-length / 2 + root_w / 2, 0.0))
    tip = CrossSection.circle(tip_w / 2, 24).translate((length / 2 - tip_w / 2, 0.0))
    return CrossSection.batch_hull([root, tip])


def alligator(ctx: FormContext, front_x: float, width: float) -> trimesh.Trimesh:
    """A duckbill clip: a top prong under the topper, a lower prong behind it and the hinge
    barrel joining them at the -Y end, mm."""
    length, thick = ctx.size_mm, ctx.wall(1.6)
    gap = ctx.mm(1.4)
    top = _slab(_taper(length, width, 0.45 * width), front_x, thick)
    lower_len = 0.9 * length
    lower = _taper(lower_len, 0.9 * width, 0.4 * width).translate(((lower_len - length) / 2, 0))
    bottom = _slab(lower, front_x - thick - gap, thick)
    y = -length / 2 + 0.5 * width
    barrel_r = thick + gap / 2
    x = front_x - thick - gap / 2
    barrel = capsule(np.array([x, y, -0.45 * width]), np.array([x, y, 0.45 * width]), barrel_r)
    lever = capsule(np.array([x, y, 0.0]), np.array([x - 2.5 * barrel_r, y - 0.2 * width, 0.0]),
                    0.8 * barrel_r)  # fmt: skip
    return _joined([top, bottom, barrel, lever])


def snap(ctx: FormContext, front_x: float, width: float) -> trimesh.Trimesh:
    """A snap clip: a teardrop frame of flat strip (a solid pad in its middle, under the
    topper) bent back towards its ends, mm."""
    length, bend = ctx.size_mm, ctx.mm(SNAP_BEND_MM)
    flat = 0.2 * length  # the pad stays flat, the ends bend back as the strip springs
    slope = 2.0 * bend / (length / 2 - flat)  # the bend's steepest, at the ends
    thick = ctx.wall(1.4) * float(np.hypot(1.0, slope))  # the min wall across the bent strip
    outline = _taper(length, 1.6 * width, 0.5 * width)
    strip = max(ctx.mm(2.6), ctx.rule.min_wall_mm)
    hole = outline.offset(-strip, circular_segments=24)
    pad = CrossSection.square((0.3 * length, 2.0 * width), center=True)
    mesh = _slab(outline - (hole - pad), front_x, thick)
    v = np.asarray(mesh.vertices).copy()
    reach = np.clip((np.abs(v[:, 1]) - flat) / (length / 2 - flat), 0.0, None)
    v[:, 0] -= bend * reach**2
    return trimesh.Trimesh(v, mesh.faces, process=False)


def barrette(ctx: FormContext, front_x: float, width: float) -> trimesh.Trimesh:
    """A barrette: a long rounded bar, and behind it the clasp's rod held at both ends, mm."""
    length, thick = ctx.size_mm, ctx.wall(1.8)
    corner = 0.45 * width
    bar = CrossSection.square((length - 2 * corner, width - 2 * corner), center=True)
    plate = _slab(bar.offset(corner, circular_segments=24), front_x, thick)
    rod_r = ctx.wall(1.8) / 2
    x = front_x - thick - ctx.mm(1.6) - rod_r
    ends = [np.array([x, s * (length / 2 - corner), 0.0]) for s in (-1.0, 1.0)]
    rod = capsule(ends[0], ends[1], rod_r)
    posts = [capsule(e, e + np.array([front_x - thick / 2 - x, 0.0, 0.0]), 1.3 * rod_r)
             for e in ends]  # fmt: skip
    return _joined([plate, rod, *posts])


CLAW_TEETH = 7  # teeth on each jaw of a claw clip
CLAW_GAP_MM = 9.0  # between a claw clip's jaws at the hinge, at the default size


def _comb(length: float, band: float, tooth: float, shift: float, min_wall: float) -> CrossSection:
    """A jaw's outline in YZ: a band `band` tall (top at z = band / 2) and CLAW_TEETH rounded
    teeth `tooth` long below it (their tips at least `min_wall` wide), shifted `shift` of a
    pitch along Y, mm."""
    pitch = length / CLAW_TEETH
    corner = 0.4 * band
    top = CrossSection.square((length - 2 * corner, band - 2 * corner), center=True)
    outline = top.offset(corner, circular_segments=16)
    for k in range(CLAW_TEETH):
        y = -length / 2 + (k + 0.5 + shift) * pitch
        if abs(y) > length / 2 - 0.3 * pitch:
            continue
        root = CrossSection.circle(0.22 * pitch, 16).translate((y, 0.0))
        tip = CrossSection.circle(max(0.14 * pitch, min_wall / 2), 16)
        tip = tip.translate((y, -band / 2 - tooth))
        outline = outline + CrossSection.batch_hull([root, tip])
    return outline


def _curled(mesh: trimesh.Trimesh, below_z: float, reach: float, bend: float) -> trimesh.Trimesh:
    """The mesh with what lies below `below_z` curled along X by up to `bend` at `reach`
    under it (a jaw's teeth curving in), mm."""
    v = np.asarray(mesh.vertices).copy()
    depth = np.clip((below_z - v[:, 2]) / reach, 0.0, None)
    v[:, 0] += bend * depth**2
    return trimesh.Trimesh(v, mesh.faces, process=False)


def claw(ctx: FormContext, front_x: float, width: float) -> trimesh.Trimesh:
    """A claw clip (hair claw): two toothed jaws, their teeth curling towards each other and
    interleaving, joined by the spring hinge along their tops, mm."""
    length, gap, tooth = ctx.size_mm, ctx.mm(CLAW_GAP_MM), 1.5 * width
    bend = 0.5 * (gap + ctx.mm(2.2))  # the teeth's tips curl this far towards the other jaw
    thick = ctx.wall(1.8) * float(np.hypot(1.0, 2.0 * bend / tooth))  # across the curl
    jaws = []
    for k, (x, sign) in enumerate(((front_x, -1.0), (front_x - thick - gap, 1.0))):
        comb = _comb(length, width, tooth, 0.5 * k, ctx.rule.min_wall_mm)
        jaws.append(_curled(_slab(comb, x, thick), -width / 2, tooth, sign * bend))
    x = front_x - thick - gap / 2
    ends = [np.array([x, s * (length / 2 - width), width / 2]) for s in (-1.0, 1.0)]
    hinge = capsule(ends[0], ends[1], gap / 2 + 0.7 * thick)  # within the jaws: no tangent
    return _joined([*jaws, hinge])


CLIP_BUILDERS: dict[str, Callable[[FormContext, float, float], trimesh.Trimesh]] = {
    "alligator": alligator,
    "snap": snap,
    "barrette": barrette,
    "claw": claw,
}
CLIP_WIDTHS: dict[str, float] = {"alligator": 8.0, "snap": 7.0, "barrette": 11.0, "claw": 10.0}


def _joined(meshes: list[trimesh.Trimesh]) -> trimesh.Trimesh:
    """One watertight solid of overlapping pieces, mm."""
    return mesh_of(Manifold.batch_boolean([_manifold(m) for m in meshes], OpType.Add))


BOW_PINK = (240, 90, 140)  # a bow topper's colour unless worded (features.wear's bow's)


def _tilt(angle: float) -> np.ndarray:
    """Rotation about X by `angle` radians (turns Y towards Z)."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def bow_topper() -> Model:
    """A bow facing +X, about 50 mm wide, to top a clip with no subject worded: two loops
    rising outwards from a knot, two tails splayed below it; every part "bow", mm."""
    parts = []
    for side in (1.0, -1.0):
        loop = blob((0.0, side * 13.0, 2.0), (6.0, 13.0, 9.5), _tilt(side * 0.3), boxy=0.8)
        tail = blob((-1.0, side * 7.0, -11.0), (3.5, 4.5, 11.0), _tilt(side * 0.4), boxy=0.8)
        parts += [loop, tail]
    parts.append(blob((2.5, 0.0, 1.0), (6.0, 5.5, 7.0), boxy=0.8))
    return Model([Part("bow", m, BOW_PINK, "feature") for m in parts])


def _topper(ctx: FormContext) -> FormContext:
    """The context whose subject tops the clip: the subject, else a worded bow."""
    if ctx.subject is not None:
        return ctx
    if ctx.spec is None or not any(f.name == "bow" for f in ctx.spec.features):
        raise DesignError("a hair clip needs a subject or a bow on top, e.g. 'a frog hair clip'")
    return replace(ctx, subject=bow_topper())


def hair_clip(ctx: FormContext) -> Model:
    """The subject (or a worded bow) as a flat-backed topper (knob 'topper_size': small to
    big, of the clip's length) glued on a metal clip size_mm long along Y (knob 'clip':
    alligator, snap, barrette, claw)."""
    kind = _clip_kind(ctx)
    share = TOPPERS[int(ctx.knob("topper_size", 1.0)) % len(TOPPERS)][1]
    depth = max(ctx.mm(7.0), 3 * ctx.rule.min_wall_mm)
    model = flat_charm(_topper(ctx), share * ctx.size_mm, depth)
    lo, hi = model.bounds
    centre = 0.5 * (lo + hi)
    model = model.transform(moved(np.array([0.0, -centre[1], -centre[2]])))  # on the clip
    back = _back_plane(model, -depth / 2)
    if back > -depth / 2:  # cut thin parts grow forward from the cut back to the min wall
        turn = np.array([[0, 0, -1, 0], [0, 1, 0, 0], [1, 0, 0, -back], [0, 0, 0, 1.0]])
        cut = Model(_cut_at(model.parts, back), model.anchors).transform(turn)  # back: z = 0
        grown = chunky(cut, ctx.rule.min_wall_mm, DETAIL_MIN_MM, on_floor=True)
        model = grown.transform(np.linalg.inv(turn))
    clip = CLIP_BUILDERS[kind](ctx, back + GLUE_MM, ctx.mm(CLIP_WIDTHS[kind]))
    model.parts.insert(0, Part("clip", clip, ctx.colour, "fixture", "metal"))
    model.anchors["base"] = base_anchor(size_mm=depth)
    return model


BODY_CUT = 0.3  # a body short of the charm's back plane is cut this share of its depth in


def _back_plane(model: Model, plane: float) -> float:
    """Where the topper's back is flat, mm: the charm's back plane, or, when its body (the
    largest part) stops short of it (the squash took a long tail's depth), a plane through
    the body's back, so the clip is glued on a flat face."""
    body = max(model.parts, key=lambda p: abs(volume_mm3(p.mesh)))
    lo, hi = float(body.mesh.bounds[0][0]), float(body.mesh.bounds[1][0])
    return plane if lo <= plane + 0.05 else lo + BODY_CUT * (hi - lo)


def _cut_at(parts: list[Part], back: float) -> list[Part]:
    """The parts cut at the plane x = back (those wholly behind it left out), mm."""
    out = []
    for p in parts:
        mesh = cut_behind(p.mesh, back) if p.mesh.bounds[0][0] < back else p.mesh
        if mesh is not None:
            out.append(Part(p.name, mesh, p.colour, p.role, p.material))
    return out


BUILDERS: dict[str, Builder] = {"hair_clip": hair_clip}

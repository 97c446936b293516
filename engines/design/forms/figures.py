"""Forms that are the subject itself: plush, figurine, keychain charm, ornament (mm)."""

from __future__ import annotations

from typing import Any

import numpy as np
import trimesh
from manifold3d import CrossSection, Manifold, OpType

from engines.design.forms.context import DETAIL_MIN_MM, Builder, FormContext
from engines.design.forms.geometry import (
    cut_behind,
    lens_outline,
    mesh_of,
    revolved,
    ring,
    touching,
)
from engines.design.forms.place import (
    base_anchor,
    chunky,
    fitted,
    fitted_height,
    flat_bottom,
    head_only,
    mostly_head,
    moved,
    scale_about,
)
from engines.design.kit.parts import Anchor, Model, Part
from engines.design.shapes import _manifold, capsule, union


def _subject(ctx: FormContext) -> Model:
    """The subject the form shows (build_form checked it is there)."""
    assert ctx.subject is not None
    return ctx.subject


# forms seen from the front only: a flat subject (a donut) stands up for them, its top facing
# the viewer (engines.design.subjects.build_subject's face_on)
FACE_ON: tuple[str, ...] = ("keychain", "ornament", "coaster", "hair_clip")

SQUISH = (1.15, 1.15, 0.78)  # knob "squish": a mochi plush, wider and lower (X, Y, Z)


def plush(ctx: FormContext) -> Model:
    """The subject as a chunky plush standing flat on z = 0, longest side size_mm; knob
    'squish' makes it a round, low mochi plush."""
    subject = _subject(ctx)
    if ctx.knob("squish", 0.0) >= 0.5:
        subject = subject.transform(scale_about(np.array(SQUISH), np.zeros(3)))
    body = fitted(subject, ctx.size_mm)
    height = float(body.bounds[1][2] - body.bounds[0][2])
    body = flat_bottom(body, max(0.04 * height, 1.0))
    body = chunky(body, ctx.rule.min_wall_mm, DETAIL_MIN_MM, on_floor=True)  # embroidery: flat
    body.anchors["base"] = base_anchor(size_mm=ctx.size_mm / 2)
    return body


PLINTHS: tuple[str, ...] = ("oval", "round", "square", "pedestal")  # figurine knob "plinth"
PEDESTAL_RISE = 2.5  # a pedestal's height, in plinth heights


def plinth_solid(kind: str, radii: np.ndarray, centre: np.ndarray, height: float) -> Any:
    """A figurine's plinth on z = 0, mm: an oval following the footprint (a pedestal too, taller
    and round), a disc, or a rounded square."""
    if kind == "square":
        corner = 0.25 * float(radii.min())
        section = CrossSection.square(tuple(2 * radii - 2 * corner), center=True).offset(
            corner, circular_segments=24
        )
        mesh = mesh_of(Manifold.extrude(section.translate(tuple(centre)), height))
        fine = mesh.subdivide_to_size(max_edge=max(0.3 * float(radii.min()), 2.0), max_iter=6)
        assert isinstance(fine, trimesh.Trimesh)
        return fine
    if kind in ("round", "pedestal"):
        radii = np.full(2, float(radii.max()) * (0.85 if kind == "pedestal" else 1.0))
    bevel = 0.25 * min(height, 8.0)
    outline = [(0, 0), (1.0, 0), (1.0, height - bevel), (1.0 - bevel / radii.max(), height),
               (0, height)]  # fmt: skip
    plinth = revolved(np.array(outline))
    plinth.apply_transform(
        moved(np.array([*centre, 0.0])) @ scale_about(np.array([*radii, 1.0]), np.zeros(3))
    )
    return plinth


def figurine(ctx: FormContext) -> Model:
    """The subject standing on a plinth (part 'base'; knob 'plinth': an oval following its
    footprint, round, a rounded square or a tall pedestal); longest side size_mm."""
    kind = PLINTHS[int(ctx.knob("plinth", 0.0)) % len(PLINTHS)]
    plinth_h = ctx.wall(8.0) * (PEDESTAL_RISE if kind == "pedestal" else 1.0)
    subject = _subject(ctx)
    lo, hi = subject.bounds
    tall = float(hi[2] - lo[2]) >= float(np.max(hi[:2] - lo[:2]))
    figure = (fitted_height(subject, ctx.size_mm - plinth_h) if tall
              else fitted(subject, 0.86 * ctx.size_mm))  # fmt: skip
    figure = chunky(figure, ctx.rule.min_wall_mm, DETAIL_MIN_MM)
    lo, hi = figure.bounds
    margin = ctx.mm(7.0)
    radii = np.maximum(0.5 * (hi[:2] - lo[:2]) + margin, 0.22 * ctx.size_mm)
    centre = 0.5 * (hi[:2] + lo[:2])
    sink = min(ctx.wall(1.5), 0.4 * plinth_h, _resting(figure))
    figure = figure.transform(moved(np.array([0.0, 0.0, plinth_h - sink])))
    plinth = plinth_solid(kind, radii, centre, plinth_h)
    model = Model([Part("base", plinth, ctx.colour, "fixture", ctx.material)])
    model.extend(figure)
    model.anchors = dict(figure.anchors)
    model.anchors["base"] = base_anchor(np.array([*centre, 0.0]), size_mm=float(radii.min()))
    return model


SINK_SHARE = 0.25  # at most this share of a thin part it stands on sinks into the plinth


def _resting(figure: Model) -> float:
    """How deep the figure may sink into its plinth without burying a thin part it rests on
    (a leaping dolphin's level fluke): a share of the lowest parts' height, mm."""
    lo = float(figure.bounds[0][2])
    heights = [
        float(p.mesh.bounds[1][2] - p.mesh.bounds[0][2])
        for p in figure.parts
        if float(p.mesh.bounds[0][2]) < lo + 0.5
    ]
    return SINK_SHARE * min(heights) if heights else 0.0


def _top_near_centre(model: Model, half_width: float) -> np.ndarray:
    """The highest point of the model within `half_width` of its Y centre, mm."""
    vertices = np.vstack([p.mesh.vertices for p in model.parts])
    centre_y = float(model.bounds.mean(axis=0)[1])
    near = vertices[np.abs(vertices[:, 1] - centre_y) <= half_width]
    return (
        near[int(np.argmax(near[:, 2]))] if len(near) else vertices[int(np.argmax(vertices[:, 2]))]
    )


def _hanger(model: Model, ctx: FormContext, name: str, hole_mm: float, wire_mm: float) -> Model:
    """The model with a ring (hole facing +X) standing on its highest central point."""
    top = _top_near_centre(model, hole_mm)
    lo, hi = model.bounds
    x = min(float(top[0]), float(hi[0]) - wire_mm / 2)
    x = max(x, float(lo[0]) + wire_mm / 2)
    z = max(float(top[2]) + hole_mm + 0.1 * wire_mm, float(hi[2]) - 0.5 * wire_mm)
    centre = np.array([x, float(top[1]), z])
    loop = ring(centre, hole_mm, wire_mm, np.array([1.0, 0.0, 0.0]))
    if z - hole_mm - wire_mm / 2 > float(top[2]) - 0.2 * wire_mm:  # above the ears: a post
        foot = top - np.array([0.0, 0.0, wire_mm])
        post = capsule(foot, centre - np.array([0.0, 0.0, hole_mm]), 0.6 * wire_mm)
        loop = union([loop, post])
    model.parts.append(Part(name, loop, ctx.colour, "fixture", ctx.material))
    model.anchors["hole"] = Anchor(centre, np.array([1.0, 0.0, 0.0]), hole_mm)
    return model


# knob "tag": the charm alone, on a round, square or heart tag, or on a backing cut along its
# outline a border wide (an acrylic charm's look)
TAGS: tuple[str, ...] = ("", "round tag", "square tag", "heart tag", "outlined")
TAG_SHARE = 0.84  # a tagged charm's figure, of the untagged one's size (the tag frames it)
OUTLINE_MM = 3.0  # an outlined charm's border around the figure, at the default size


def _tag_section(kind: str, radius: float, figure: Model, border: float) -> CrossSection:
    """A tag's outline in the YZ plane (section x = y, section y = z), mm: round, a rounded
    square or a heart of about `radius` about the figure's centre, or the figure's own front
    outline grown by `border`."""
    lo, hi = figure.bounds
    cy, cz = 0.5 * (lo[1] + hi[1]), 0.5 * (lo[2] + hi[2])
    if kind == "outlined":
        solid = Manifold.batch_boolean([_manifold(p.mesh) for p in figure.parts], OpType.Add)
        turned = solid.transform(np.array([[0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0.0]]))
        return turned.project().simplify(0.05).offset(border, circular_segments=32)
    if kind == "round tag":
        section = CrossSection.circle(radius, 48)
    elif kind == "heart tag":  # a heart's lobes and point need more room than a disc
        section = CrossSection([lens_outline("heart", 1.4 * radius, 96)])
        section = section.translate((0.0, -0.3 * radius))
    else:
        corner = 0.3 * radius
        side = 2.0 * (0.86 * radius - corner)
        section = CrossSection.square((side, side), center=True).offset(
            corner, circular_segments=24
        )
    return section.translate((cy, cz))


def tag_plate(section: CrossSection, radius: float, x0: float, thick: float) -> Any:
    """A flat tag of the given YZ outline from x0 to x0 + thick, mm."""
    mesh = mesh_of(Manifold.extrude(section, thick))
    v = np.asarray(mesh.vertices)[:, [2, 0, 1]]  # (x, y, z) -> (z, x, y): a turn, not a mirror
    v = v + np.array([x0, 0.0, 0.0])
    # small facets: a flat face's few huge triangles mis-sort in depth-sorted previews
    fine = trimesh.Trimesh(v, mesh.faces, process=False).subdivide_to_size(
        max_edge=max(0.25 * radius, 2.0), max_iter=6
    )
    assert isinstance(fine, trimesh.Trimesh)
    return fine


def keychain(ctx: FormContext) -> Model:
    """The subject as a flat-backed charm (longest side ~size_mm) with an open ring on top;
    knob 'tag' sets it on a round or square tag."""
    wire = ctx.wall(2.6)
    hole = max(ctx.mm(2.6), 2.0)  # a split key ring's wire passes a 4 mm hole
    tag = TAGS[int(ctx.knob("tag", 0)) % len(TAGS)]
    share = TAG_SHARE if tag and tag != "outlined" else 1.0
    depth = max(ctx.mm(9.0), 3 * ctx.rule.min_wall_mm)
    flat = flat_charm(ctx, share * (ctx.size_mm - 2 * (hole + wire)), depth)
    if tag:  # behind the figure, half its thickness into the figure's flat back
        lo, hi = flat.bounds
        radius = 0.5 * float(max(hi[1] - lo[1], hi[2] - lo[2])) + ctx.mm(2.0)
        thick = max(ctx.wall(3.0), 0.3 * depth)
        section = _tag_section(tag, radius, flat, ctx.mm(OUTLINE_MM))
        plate = tag_plate(section, radius, -depth / 2 - 0.5 * thick, thick)
        flat.parts.insert(0, Part("tag", plate, ctx.colour, "fixture", ctx.material))
    model = _hanger(flat, ctx, "ring", hole, wire)
    model.anchors["base"] = base_anchor(size_mm=depth)
    return model


def flat_charm(
    ctx: FormContext, front_mm: float, depth: float, min_wall: float | None = None
) -> Model:
    """The subject as a flat-backed charm facing +X: its front view (Y, Z) front_mm at its
    longest, `depth` thick, its flat back on the plane x = -depth/2, its parts at least
    `min_wall` thick (the form's min wall by default) (keychain, hair clip, coaster), mm."""
    subject = _subject(ctx)
    if ctx.spec is not None and ctx.spec.portrait and not mostly_head(subject, ctx.spec.subject):
        subject = head_only(subject)  # "cat face coaster": the head alone
    lo, hi = subject.bounds
    front = float(np.max(hi[1:] - lo[1:]))  # the charm is seen from the front: fit Y and Z
    charm = fitted(subject, front_mm * float(np.max(hi - lo)) / front)
    lo, hi = charm.bounds
    squash = 1.6 * depth / float(hi[0] - lo[0])
    charm = charm.transform(scale_about(np.array([min(squash, 1.0), 1.0, 1.0]), np.zeros(3)))
    back = float(charm.bounds[1][0]) - depth
    wall = ctx.rule.min_wall_mm if min_wall is None else min_wall
    flat = chunky(Model(_flattened(charm.parts, back, depth), charm.anchors), wall, DETAIL_MIN_MM)
    return flat.transform(moved(np.array([-back - depth / 2, 0.0, 0.0])))


def _flattened(parts: list[Part], back: float, depth: float) -> list[Part]:
    """The charm's parts cut at its back plane. Parts wholly behind it (wings, a cape spread
    behind the body) move forward into its depth, so the flat charm still shows them beside
    the body, if they then touch it; one that would float (a banana's tip, curving back over
    the cut) is left out, else the ring would hang on it alone, mm."""
    cut: list[Part | None] = []
    behind = []
    for k, p in enumerate(parts):
        front = float(np.asarray(p.mesh.vertices)[:, 0].max())
        if front < back + 0.25 * depth and p.role != "detail":
            moved_mesh = p.mesh.copy().apply_translation([back + 0.6 * depth - front, 0, 0])
            behind.append(k)
            cut.append(Part(p.name, moved_mesh, p.colour, p.role, p.material))
            continue
        mesh = cut_behind(p.mesh, back) if p.mesh.bounds[0][0] < back else p.mesh
        cut.append(None if mesh is None else Part(p.name, mesh, p.colour, p.role, p.material))
    held = [p.mesh for k, p in enumerate(cut) if p is not None and k not in behind]
    for k in behind:
        if not any(touching(cut[k].mesh, m) for m in held):  # type: ignore[union-attr]
            cut[k] = None
    return [p for p in cut if p is not None]


def ornament(ctx: FormContext) -> Model:
    """The subject as a light hanging ornament with a loop (part 'loop') on top."""
    wire = ctx.wall(2.4)
    hole = max(ctx.mm(3.5), 2.5)
    body = fitted(_subject(ctx), ctx.size_mm - 2 * (hole + wire))
    body = chunky(body, ctx.rule.min_wall_mm, DETAIL_MIN_MM)
    model = _hanger(body, ctx, "loop", hole, wire)
    model.anchors["base"] = base_anchor(size_mm=ctx.size_mm / 4)
    return model


BUILDERS: dict[str, Builder] = {
    "plush": plush,
    "figurine": figurine,
    "keychain": keychain,
    "ornament": ornament,
}

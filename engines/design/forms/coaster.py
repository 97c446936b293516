"""Drinks coaster: a flat slab, the subject in low relief on its top or as its outline (mm)."""

from __future__ import annotations

import re

import numpy as np
import trimesh
from manifold3d import CrossSection, Manifold, OpType
from scipy.ndimage import grey_dilation, map_coordinates

from engines.design.axes import COASTER_OUTLINE_WORDS, FORM_KNOB_WORDS
from engines.design.forms.context import DETAIL_MIN_MM, Builder, FormContext
from engines.design.forms.figures import flat_charm
from engines.design.forms.geometry import mesh_of
from engines.design.forms.place import base_anchor, chunky, moved
from engines.design.kit.parts import Model, Part
from engines.design.shapes import _manifold

# knob "outline": the slab's shape, or the subject's own silhouette grown by a border
OUTLINES: tuple[str, ...] = ("round", "square", "hexagon", "outlined")
THICK_MM = 5.0  # the slab's thickness at the default size
RELIEF_MM = 2.2  # the relief's flat top above the slab top at the default size
DETAIL_PROUD_MM = 0.4  # eyes, nose, blush stand this far above the relief's flat top
SINK_MM = 0.6  # the relief's underside this far into the slab, so they join
FIGURE_SHARE = 0.72  # the relief's longest side on a round, square or hexagon coaster
BORDER_MM = 5.0  # an outlined coaster's border around the relief, at the default size
RIM_MM = (3.5, 0.8)  # knob "rim": its width, and its height above the relief's details
RIM_WORDS = FORM_KNOB_WORDS[("coaster", "rim")]  # words that ask for the rim
CORNER_SHARE = 0.2  # a square or hexagon's rounded corners, share of its half side
# the relief's raw dome rises this many times its height, then is pressed flat: a wide flat
# top where the glass stands, and steep edges that read as the subject's outline
DOME_RISE = 2.5
KNEE_SHARE = 0.4  # the relief is flat where it rose above this share of its highest
LAYER_SHARE = 0.12  # this share of the relief's height still follows its layers
GRID_CELLS = 32  # the relief's top surface is sampled on cells of its span / GRID_CELLS
_UP_TO_TOP = np.array([[0, 0, -1, 0], [0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1.0]])
"""4x4 turn laying a front-facing subject on its back: its front (+X) faces up, its head
points away from the viewer (-X), so it reads upright on the table (a turn, not a mirror)."""


def coaster(ctx: FormContext) -> Model:
    """A slab THICK_MM thick, size_mm across (knob 'outline': round, square, hexagon or the
    subject's outline), the subject in low relief with a flat top on it; knob 'rim' raises a
    rim around the top that keeps drips on it and carries the glass."""
    kind = _worded_outline(ctx.words()) or OUTLINES[int(ctx.knob("outline", 0.0)) % len(OUTLINES)]
    if ctx.subject is None and kind == "outlined":
        kind = "round"
    thick = ctx.wall(THICK_MM)
    relief_h = max(ctx.mm(RELIEF_MM), DETAIL_MIN_MM)
    rim = ctx.knob("rim", 0.0) >= 0.5 or _says(ctx.words(), RIM_WORDS)
    rim_w = ctx.wall(RIM_MM[0]) if rim else 0.0
    relief = _relief(ctx, kind, relief_h) if ctx.subject is not None else None
    if relief is not None and not relief.parts:  # nothing of the subject left to show
        relief, kind = None, "round" if kind == "outlined" else kind
    section = _outline(kind, ctx.size_mm / 2, relief, ctx.mm(BORDER_MM))
    solid = Manifold.extrude(section, thick)
    if rim_w:
        rim_h = relief_h + ctx.mm(DETAIL_PROUD_MM + RIM_MM[1])
        band = (section - section.offset(-rim_w, circular_segments=48)).simplify(0.05)
        solid = solid + Manifold.extrude(band, rim_h + 0.5).translate((0.0, 0.0, thick - 0.5))
    model = Model([Part("slab", _fine(mesh_of(solid), ctx.mm(8.0)), ctx.colour, "fixture",
                        ctx.material)])  # fmt: skip
    if relief is not None:
        inner = Manifold.extrude(section.offset(-rim_w - ctx.mm(1.5), circular_segments=48),
                                 4 * thick).translate((0.0, 0.0, -thick))  # fmt: skip
        model.parts += _inside(relief.transform(moved(np.array([0, 0, thick - SINK_MM]))), inner)
    model.anchors["base"] = base_anchor(size_mm=ctx.size_mm / 2)
    return model


def _worded_outline(words: str) -> str | None:
    """The outline the words ask for ("hexagon coaster", "cat shaped coaster"), if any."""
    return next((k for k, names in COASTER_OUTLINE_WORDS.items() if _says(words, names)), None)


def _says(words: str, names: tuple[str, ...]) -> bool:
    """Whether the words hold one of the names as a word of its own ("rim", not "grim")."""
    return any(re.search(rf"\b{re.escape(name)}\b", words) for name in names)


def _relief(ctx: FormContext, kind: str, relief_h: float) -> Model:
    """The subject seen from the front, flattened like a keychain charm and laid on its back
    on z = 0, centred on the Z axis; its top cut flat SINK_MM + relief_h up (details
    DETAIL_PROUD_MM above), mm."""
    span = ctx.size_mm - 2 * ctx.mm(BORDER_MM) if kind == "outlined" else (
        FIGURE_SHARE * ctx.size_mm)  # fmt: skip
    depth = DOME_RISE * relief_h + SINK_MM
    flat = flat_charm(ctx, span, depth, DETAIL_MIN_MM)  # its back on x = -depth / 2
    laid = flat.transform(_UP_TO_TOP).transform(moved(np.array([0.0, 0.0, depth / 2])))
    lo, hi = laid.bounds
    laid = laid.transform(moved(np.array([-(lo[0] + hi[0]) / 2, -(lo[1] + hi[1]) / 2, 0.0])))
    pressed = _flat_topped(laid, SINK_MM + relief_h, ctx.mm(DETAIL_PROUD_MM), span / GRID_CELLS)
    return _deepened(pressed, ctx.rule.min_wall_mm)


def _flat_topped(relief: Model, top: float, proud: float, cell: float) -> Model:
    """The relief pressed flat from above: its bulk's top surface (sampled on a grid of
    `cell`) is brought to `top` wherever it rose above KNEE_SHARE of its highest, sloping
    down to its edges, a LAYER_SHARE of it keeping the layers apart (arms in front of the
    body); each column is scaled with it, and what stands above the surface (eyes, nose)
    keeps its place on it, at most `proud` higher. A continuous map, rising in z, so parts
    that did not cross still do not, mm."""
    bulk = np.vstack([p.mesh.vertices for p in relief.parts if p.role != "detail"]
                     or [p.mesh.vertices for p in relief.parts])  # fmt: skip
    lo = bulk[:, :2].min(axis=0) - cell
    cells = np.ceil((bulk[:, :2].max(axis=0) + cell - lo) / cell).astype(int) + 1
    surface = np.zeros(cells)
    index = np.floor((bulk[:, :2] - lo) / cell).astype(int)
    np.maximum.at(surface, (index[:, 0], index[:, 1]), bulk[:, 2])
    surface = grey_dilation(surface, size=3)  # no cell left empty inside the outline
    highest = float(surface.max())

    def pressed(v: np.ndarray) -> np.ndarray:
        h = map_coordinates(surface, ((v[:, :2] - lo) / cell - 0.5).T, order=1, mode="nearest")
        h = np.maximum(h, 1e-6)
        flat = np.minimum(1.0, h / (KNEE_SHARE * highest))
        goal = top * ((1.0 - LAYER_SHARE) * flat + LAYER_SHARE * h / highest)
        z = v[:, 2]
        high = goal + proud * np.tanh((z - h) / proud)
        return np.column_stack([v[:, :2], np.where(z <= h, z * goal / h, high)])

    parts = [Part(p.name, trimesh.Trimesh(pressed(np.asarray(p.mesh.vertices)), p.mesh.faces,
                                          process=False), p.colour, p.role, p.material)
             for p in relief.parts]  # fmt: skip
    return Model(parts, {})


def _deepened(relief: Model, min_mm: float) -> Model:
    """The relief with each part pressed thinner than its limit (`min_mm`, details
    DETAIL_MIN_MM) grown down from its top into what it lies on, then thickened across
    the plane where it is still too thin, mm."""
    parts = []
    for p in relief.parts:
        limit = DETAIL_MIN_MM if p.role == "detail" else min_mm
        v = np.asarray(p.mesh.vertices).copy()
        top, height = float(v[:, 2].max()), float(np.ptp(v[:, 2]))
        if height < limit:
            v[:, 2] = top - (top - v[:, 2]) * 1.05 * limit / max(height, 1e-6)
        mesh = trimesh.Trimesh(v, p.mesh.faces, process=False)
        parts.append(Part(p.name, mesh, p.colour, p.role, p.material))
    return chunky(Model(parts, {}), min_mm, DETAIL_MIN_MM)


def _outline(kind: str, radius: float, relief: Model | None, border: float) -> CrossSection:
    """The coaster's outline about the origin, mm: a disc, a rounded square or hexagon of
    about `radius`, or the relief's silhouette seen from above grown by `border`."""
    if kind == "outlined" and relief is not None:
        solid = Manifold.batch_boolean([_manifold(p.mesh) for p in relief.parts], OpType.Add)
        return solid.project().simplify(0.05).offset(border, circular_segments=48).simplify(0.05)
    corner = CORNER_SHARE * radius
    if kind == "square":
        side = 2.0 * (0.9 * radius - corner)
        return CrossSection.square((side, side), center=True).offset(corner, circular_segments=24)
    if kind == "hexagon":
        return CrossSection.circle(radius - corner, 6).offset(corner, circular_segments=36)
    return CrossSection.circle(radius, 96)


def _inside(relief: Model, inner: Manifold) -> list[Part]:
    """The relief's parts clipped to the slab's inner outline (nothing hangs over its edge)."""
    parts = []
    for p in relief.parts:
        kept = _manifold(p.mesh) ^ inner
        if not kept.is_empty() and kept.volume() > 1e-3:
            parts.append(Part(p.name, mesh_of(kept), p.colour, p.role, p.material))
    return parts


def _fine(mesh: trimesh.Trimesh, edge_mm: float) -> trimesh.Trimesh:
    """The mesh with no edge longer than `edge_mm`: a flat face's few huge triangles
    mis-sort in depth-sorted previews, mm."""
    fine = mesh.subdivide_to_size(max_edge=max(edge_mm, 3.0), max_iter=6)
    assert isinstance(fine, trimesh.Trimesh)
    return fine


BUILDERS: dict[str, Builder] = {"coaster": coaster}

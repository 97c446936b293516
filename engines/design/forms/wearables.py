"""Wearables: headband, hat, novelty eyewear; the subject's ears and face on them (mm)."""

from __future__ import annotations

import numpy as np
import trimesh
from manifold3d import CrossSection, Manifold

from engines.design.forms.context import DETAIL_MIN_MM, Builder, FormContext
from engines.design.forms.geometry import lens_outline, mesh_of, revolved, swept_band
from engines.design.forms.place import (
    Decoration,
    base_anchor,
    chunky,
    decorations,
    fitted_height,
    head_frame,
    mostly_head,
    moved,
    scale_about,
    snapped,
)
from engines.design.kit.parts import Anchor, Model, Part
from engines.design.shapes import _manifold

ARC_START_DEG, ARC_END_DEG = -22.0, 202.0  # headband arc, from +Y counter-clockwise
HAT_STYLES = ("bucket", "beanie", "cap", "straw", "top", "witch", "party")
HAT_ALIASES = {"cowboy": "straw", "sailor": "bucket", "helmet": "beanie", "santa": "party",
               "chef": "beanie", "crown": "top", "space": "beanie"}  # fmt: skip
LENS_TINT = (60, 60, 70)
RGB = tuple[int, int, int]


def _limited(deco: Decoration, longest_mm: float) -> Decoration:
    """The group scaled about its root so its longest side is at most `longest_mm`."""
    lo = np.min([p.mesh.bounds[0] for p in deco.parts], axis=0)
    hi = np.max([p.mesh.bounds[1] for p in deco.parts], axis=0)
    side = float(np.max(hi - lo))
    return (
        deco if side <= longest_mm else deco.transformed(scale_about(longest_mm / side, deco.root))
    )


def _head_on(ctx: FormContext, centre: np.ndarray, radius: float) -> tuple[list[Decoration], float]:
    """The subject's head decorations with its head mapped onto a sphere (centre, radius)."""
    assert ctx.subject is not None
    c, r = head_frame(ctx.subject)
    k = radius / r
    m = moved(centre) @ scale_about(k, np.zeros(3)) @ moved(-c)
    return [d.transformed(m) for d in decorations(ctx.subject)], k


def _is_object(ctx: FormContext) -> bool:
    """Whether the subject is an object shown whole (strawberry) rather than by its ears."""
    assert ctx.subject is not None
    return mostly_head(ctx.subject, ctx.spec.subject if ctx.spec else None)


def _topper(ctx: FormContext, height_mm: float, at: np.ndarray) -> list[Part]:
    """The whole subject, `height_mm` tall, standing on `at`."""
    assert ctx.subject is not None
    figure = fitted_height(ctx.subject, height_mm, at)
    return chunky(figure, ctx.rule.min_wall_mm, DETAIL_MIN_MM).parts


BAND_WIDTHS: tuple[tuple[str, float], ...] = (
    ("thin band", 7.0),
    ("classic band", 11.0),
    ("wide band", 19.0),
)  # knob "band": width mm
TOPPER_SIZES: tuple[tuple[str, float], ...] = (
    ("small ears", 0.8),
    ("classic ears", 1.0),
    ("big ears", 1.32),
)  # knob "topper": scale
CROWNS: tuple[tuple[str, float], ...] = (
    ("low crown", 0.62),
    ("classic crown", 1.0),
    ("tall crown", 1.4),
)  # knob "crown": height factor (a third apart: the outline changes, not just a few pixels)
HAT_TOPPERS: tuple[tuple[str, float], ...] = (
    ("small toppers", 0.72),
    ("classic toppers", 1.0),
    ("big toppers", 1.65),
)  # knob "topper" on a hat: scale of the ears or eyes on the crown
BRIM_WIDTHS: tuple[tuple[str, float], ...] = (
    ("narrow brim", 0.45),
    ("classic brim", 1.0),
    ("wide brim", 1.25),
)  # knob "brim_w": factor of the style's brim width
HAT_SPREADS: tuple[tuple[str, float], ...] = (
    ("set close", 0.0),
    ("classic", 13.0),
    ("set apart", 28.0),
)  # knob "spread" on a hat: degrees the side toppers turn out along the crown from where the
# subject's head has them (closer would cross the middle: _turned_out moves them back)
HAT_MAX_WIDTH = 1.05  # a wide brim may make the hat this share wider than its size
EAR_SPREADS: tuple[tuple[str, float], ...] = (
    ("ears close", -10.0),
    ("ears classic", 0.0),
    ("ears apart", 14.0),
)  # knob "spread": degrees


def _pick(table: tuple[tuple[str, float], ...], ctx: FormContext, knob: str) -> float:
    """The value of a form knob's table row (knob index, default the middle row)."""
    return table[int(ctx.knob(knob, len(table) // 2)) % len(table)][1]


def headband(ctx: FormContext) -> Model:
    """An arc band size_mm wide (3-5 mm thick, thin to wide) with the subject's ears on top
    (small to big, close or apart), mm."""
    thick = float(np.clip(ctx.wall(4.0), ctx.rule.min_wall_mm, 5.0))
    width = max(ctx.mm(_pick(BAND_WIDTHS, ctx, "band")), 2 * thick)
    a = ctx.size_mm / 2 - thick / 2
    b = 1.02 * a
    t = np.radians(np.linspace(ARC_START_DEG, ARC_END_DEG, 97))
    path = np.column_stack([a * np.cos(t), b * np.sin(t)])
    z0 = -float(path[:, 1].min()) + thick / 2
    path[:, 1] += z0
    band = swept_band(path, thick, width)
    model = Model([Part("band", band, ctx.colour, "fixture", ctx.material)])
    centre = np.array([0.0, 0.0, z0])
    if ctx.subject is not None:
        decos, _ = _head_on(ctx, centre, a)
        tops = [] if _is_object(ctx) else [d for d in decos if d.kind == "top"]
        grow, spread = _pick(TOPPER_SIZES, ctx, "topper"), _pick(EAR_SPREADS, ctx, "spread")
        for d in tops:
            d = d.transformed(moved(np.array([-d.centre[0], 0.0, 0.0])))
            d = _limited(d, 0.75 * a)
            d = d.transformed(scale_about(grow, d.root))
            turn = -np.radians(spread) * np.sign(d.centre[1])  # along the arc, about X
            d = d.transformed(moved(centre) @ _rotation_x(turn) @ moved(-centre))
            sink = max(d.sink_mm, thick)
            d = snapped(d, band, centre, sink)
            model.parts.extend(chunky(Model(d.parts), ctx.rule.min_wall_mm, DETAIL_MIN_MM).parts)
        if not tops:
            top = np.array([0.0, 0.0, z0 + b + thick / 2 - ctx.wall(2.0)])
            model.parts.extend(_topper(ctx, 0.6 * a * grow, top))
    model.anchors["base"] = base_anchor(size_mm=a)
    model.anchors["head_top"] = Anchor(np.array([0.0, 0.0, z0 + b]), np.array([0.0, 0.0, 1.0]), a)
    return model


def _rotation_x(angle_rad: float) -> np.ndarray:
    """4x4 rotation about X (+ turns +Y towards +Z)."""
    return trimesh.transformations.rotation_matrix(angle_rad, [1.0, 0.0, 0.0])


def _hat_style(ctx: FormContext) -> str:
    """The hat's style: the worded hat variant, else knob 'style' (index), else bucket."""
    worded = ctx.feature_variant("hat")
    if worded:
        return HAT_ALIASES.get(worded, worded if worded in HAT_STYLES else "bucket")
    return HAT_STYLES[int(ctx.knob("style", 0.0)) % len(HAT_STYLES)]


BEANIE_FITS: tuple[str, ...] = ("watch cap", "dome", "slouchy")  # knob "fit" of a beanie
SLOUCH = (1.18, 0.42)  # a slouchy beanie: height factor, how far its top leans back (of ri)


CROWN_SHAPES: tuple[str, ...] = ("round crown", "tapered crown", "straight crown")  # knob
# "crown_shape" of a bucket or straw hat (the middle one is each style's own taper)


def _crown_outline(
    style: str, ri: float, h: float, n: int = 24, fit: str = "dome", shape: str = ""
) -> np.ndarray:
    """(radius, height) points of a crown's inner surface from the opening to the apex, mm."""
    s = np.linspace(0.0, 1.0, n)
    if style in ("beanie", "cap"):  # dome (a watch cap: straight sides, a flat top)
        ang = s * np.pi / 2
        if style == "beanie" and fit == "watch cap":  # straight sides, a low rounded top
            side = np.column_stack([ri * (1 - 0.03 * s[:6]), 0.5 * h * s[:6]])
            top = np.column_stack(
                [0.97 * ri * np.cos(ang[1:]), 0.5 * h + 0.35 * h * np.sin(ang[1:])]
            )
            return np.vstack([side, top])
        return np.column_stack([ri * np.cos(ang), h * np.sin(ang)])
    if style in ("witch", "party"):  # cone
        return np.column_stack([ri * (1 - s), h * s])
    if shape == "round crown" and style in ("straw", "bucket"):  # a dome on short sides
        ang = s[1:] * np.pi / 2
        dome = np.column_stack([0.9 * ri * np.cos(ang), 0.35 * h + 0.65 * h * np.sin(ang)])
        return np.vstack([[[ri, 0.0], [0.95 * ri, 0.3 * h]], dome])
    taper = {"top": 0.98, "straw": 0.88, "bucket": 0.8}[style]
    if shape == "straight crown" and style in ("straw", "bucket"):
        taper = 0.98
    side = np.column_stack([ri * (1 - (1 - taper) * s[:-4]), h * 0.92 * s[:-4]])
    top_r = ri * taper
    corner = np.array([[top_r * 0.93, h * 0.985], [top_r * 0.8, h], [0.0, h]])
    return np.vstack([side, corner])


def _inside(outline: np.ndarray) -> CrossSection:
    """The region under a crown's inner outline, down to below the opening, mm."""
    return CrossSection([np.vstack([[0.0, -1.0], [outline[0][0], -1.0], outline,
                                    [0.0, outline[-1][1]]])])  # fmt: skip


def _shell(outline: np.ndarray, wall: float) -> trimesh.Trimesh:
    """A crown shell: the outline's region offset outward by `wall`, the inside open below."""
    section = _inside(outline)
    outer = section.offset(wall, circular_segments=24)
    solid = Manifold.revolve(outer, 72) - Manifold.revolve(section, 72)
    return mesh_of(solid.trim_by_plane((0.0, 0.0, 1.0), 0.0))


CUFF_FOLD = 0.6  # how far a beanie's folded cuff stands out of its crown, of the wall
CUFF_SLOPE = 2.5  # its top edge falls this many mm per mm outward (about 68 degrees)


def _beanie_cuff(outline: np.ndarray, wall: float, cuff_h: float) -> trimesh.Trimesh:
    """A beanie's folded cuff hugging the crown whatever its profile: a fold's thickness
    proud of it, its top edge sloping steeply back into it (no flat top: a fold, never a
    brim's ledge), its inner side inside the crown's wall, mm."""
    zs = np.linspace(0.0, cuff_h, 6)
    top = cuff_h + CUFF_SLOPE * (0.5 + CUFF_FOLD) * wall
    r = np.interp(np.r_[zs, top], outline[:, 1], outline[:, 0])  # the crown's inside
    out = np.column_stack([r[:-1] + (1.0 + CUFF_FOLD) * wall, zs])
    inner = np.column_stack([r + 0.5 * wall, np.r_[zs, top]])[::-1]
    return revolved(np.vstack([out, inner]))


def _slouched(mesh: trimesh.Trimesh, ri: float, crown_h: float) -> trimesh.Trimesh:
    """A slouchy beanie's part: its top falls back (-X), more the higher up (a bend, still
    closed), mm."""
    v = np.array(mesh.vertices)
    v[:, 0] -= SLOUCH[1] * ri * np.clip(v[:, 2] / crown_h, 0.0, None) ** 2
    return trimesh.Trimesh(v, mesh.faces, process=False)


def hat(ctx: FormContext) -> Model:
    """A wearable hat (bucket, beanie, cap, straw, top, witch, party) size_mm wide with a
    head cavity open below; the subject's ears and face decorate the crown, mm."""
    style = _hat_style(ctx)
    wall = ctx.wall(2.4)
    ri = ctx.mm(74.0)  # head opening radius at the default size
    brim_w = {"bucket": 22.0, "straw": 24.0, "top": 16.0, "witch": 24.0}.get(style, 0.0)
    brim_w *= _pick(BRIM_WIDTHS, ctx, "brim_w")
    room = (HAT_MAX_WIDTH if ctx.knob("brim_w", 1.0) > 1.5 else 1.0) * ctx.size_mm / 2 - ri - wall
    brim_w = min(ctx.mm(brim_w), room) if brim_w else 0.0
    drop = {"bucket": ctx.mm(14.0), "straw": ctx.mm(4.0)}.get(style, 0.0)
    crown_h = ctx.mm({"top": 120.0, "witch": 150.0, "party": 150.0, "beanie": 92.0, "cap": 78.0}
                     .get(style, 80.0)) * _pick(CROWNS, ctx, "crown")  # fmt: skip
    fit = BEANIE_FITS[int(ctx.knob("fit", 1.0)) % len(BEANIE_FITS)] if style == "beanie" else ""
    if fit == "slouchy":
        crown_h *= SLOUCH[0]
    shape = CROWN_SHAPES[int(ctx.knob("crown_shape", 1.0)) % len(CROWN_SHAPES)]
    outline = _crown_outline(style, ri, crown_h, fit=fit, shape=shape)
    shells = {"crown": _shell(outline, wall)}
    if style == "beanie":
        shells["cuff"] = _beanie_cuff(outline, wall, ctx.mm(22.0))
    if fit == "slouchy":
        shells = {k: _slouched(m, ri, crown_h) for k, m in shells.items()}
    crown = shells["crown"]
    crown.apply_translation([0.0, 0.0, drop])
    colour = ctx.body_colour()
    model = Model([Part(k, m, colour, "fixture", ctx.material) for k, m in shells.items()])
    model.parts.extend(_hat_trims(ctx, style, colour, ri, wall, drop, brim_w))
    if ctx.subject is not None:
        model.parts.extend(_crown_decor(ctx, crown, ri + wall, drop, crown_h, brim_w > 0))
    model.anchors["base"] = base_anchor(size_mm=ri)
    model.anchors["cavity"] = Anchor(
        np.array([0.0, 0.0, drop + 0.3 * crown_h]), np.array([0.0, 0.0, -1.0]), ri
    )
    model.anchors["head_top"] = Anchor(
        np.array([0.0, 0.0, drop + crown_h + wall]), np.array([0.0, 0.0, 1.0]), ri
    )
    return model


def _hat_trims(
    ctx: FormContext, style: str, colour: RGB, ri: float, wall: float, drop: float, brim_w: float
) -> list[Part]:
    """The hat's brim, cuff, visor or hat band around a crown of opening radius ri, mm."""
    parts: list[Part] = []
    brim_t = ctx.wall(3.0)
    if brim_w > 0:
        r0, r1 = ri - 0.2 * wall, ri + wall + brim_w
        edge = drop + 0.7 * brim_w if ctx.knob("brim", 0.0) >= 0.5 else 0.0  # turned up
        brim = revolved(np.array([(r0, drop), (r1, edge), (r1, edge + brim_t),
                                  (r0, drop + brim_t + wall)]))  # fmt: skip
        parts.append(Part("brim", brim, colour, "fixture", ctx.material))
    if style == "cap":
        visor = revolved(np.array([(ri - 0.2 * wall, 0.0), (ri + ctx.mm(62.0), 0.0),
                                   (ri + ctx.mm(62.0), brim_t), (ri - 0.2 * wall, brim_t)]), 72)  # fmt: skip
        visor_m = _manifold(visor).trim_by_plane((1.0, 0.0, 0.0), ri * 0.2).scale((1.0, 0.7, 1.0))
        parts.append(Part("visor", mesh_of(visor_m), colour, "fixture", ctx.material))
    if style in ("straw", "top"):
        band = revolved(np.array([(ri + wall * 0.5, drop + brim_t), (ri + wall + ctx.wall(1.5), drop + brim_t),
                                  (ri + wall + ctx.wall(1.5), drop + ctx.mm(20.0)), (ri + wall * 0.5, drop + ctx.mm(20.0))]))  # fmt: skip
        parts.append(
            Part("band", band, (40, 40, 45) if style == "top" else (215, 45, 50), "feature")
        )
    return parts


def _crown_decor(
    ctx: FormContext, crown: trimesh.Trimesh, r_out: float, drop: float, h: float, brimmed: bool
) -> list[Part]:
    """The subject's ears on top of the crown and its face on the front, mm."""
    centre = np.array([0.0, 0.0, drop + 0.5 * h])
    decos, _ = _head_on(ctx, centre, 0.92 * r_out)
    parts: list[Part] = []
    spread = np.radians(_pick(HAT_SPREADS, ctx, "spread"))
    for d in decos:
        grow = _pick(HAT_TOPPERS, ctx, "topper") if d.kind == "top" else 1.0
        if d.kind == "top" and brimmed:
            d = d.transformed(scale_about(1.3, d.root))  # toppers read from across a room
        d = _limited(d, 0.7 * r_out).transformed(scale_about(grow, d.root))
        if d.kind == "top" and abs(float(d.root[1])) > 4.0:  # out along the crown
            turn = -spread * np.sign(float(d.root[1]))
            d = d.transformed(moved(centre) @ _rotation_x(turn) @ moved(-centre))
        sink = max(d.sink_mm, 1.0) if d.kind == "top" else d.stand_out(0.8)
        if d.kind == "face":
            lift = drop + 0.3 * h - float(d.root[2])
            if lift > 0:  # keep the face on the crown, clear of the brim
                d = d.transformed(moved(np.array([0.0, 0.0, lift])))
        low = drop + 0.3 * h  # toppers: from low in the crown, so the ray leaves its dome
        origin_z = low if d.kind == "top" else max(centre[2], float(d.root[2]) - 0.3 * h)
        origin = np.array([0.0, 0.0, origin_z])
        d = snapped(d, crown, origin, sink)
        if d.kind == "top" and abs(float(d.root[1])) > 4.0:
            d = _own_side(_turned_out(d, crown, centre, origin, sink))
        reach = max(float(np.abs(p.mesh.vertices[:, 1]).max()) for p in d.parts)
        if reach > 0.5 * ctx.size_mm - 2.0:  # keep the hat inside the bed's width
            inward = -np.sign(d.centre[1]) * (reach - 0.5 * ctx.size_mm + 2.0)
            d = d.transformed(moved(np.array([0.0, inward, 0.0])))
        parts.extend(d.parts)
    return chunky(Model(parts), ctx.rule.min_wall_mm, DETAIL_MIN_MM).parts


LENS_SHAPES: tuple[str, ...] = ("round", "heart", "star")  # knob "lens" when unworded
FRAMES: tuple[str, ...] = ("classic frame", "chunky frame", "cat-eye frame", "brow bar")
LENS_SIZES: tuple[tuple[str, float], ...] = (
    ("small lenses", 0.8),
    ("classic lenses", 1.0),
    ("oversized", 1.2),
)  # knob "lens_size": scale


def _inner_reach(d: Decoration) -> float:
    """How far a side topper's innermost point is from the middle, on its own side (mm,
    negative when it crosses)."""
    side = float(np.sign(d.root[1]))
    return min(float((side * p.mesh.vertices[:, 1]).min()) for p in d.parts)


def _turned_out(
    d: Decoration,
    crown: trimesh.Trimesh,
    centre: np.ndarray,
    origin: np.ndarray,
    sink: float,
    gap_mm: float = 2.0,
) -> Decoration:
    """A side topper turned out along the crown (about X through `centre`, snapped back on)
    until it keeps to its own side of the middle: big ears move apart instead of shrinking."""
    for _ in range(OUTWARD_STEPS):
        if _inner_reach(d) >= gap_mm:
            break
        turn = -np.radians(OUTWARD_STEP_DEG) * np.sign(float(d.root[1]))
        d = snapped(
            d.transformed(moved(centre) @ _rotation_x(turn) @ moved(-centre)), crown, origin, sink
        )
    return d


OUTWARD_STEPS, OUTWARD_STEP_DEG = 8, 5.0  # at most 40 deg further out


def _own_side(d: Decoration, gap_mm: float = 2.0) -> Decoration:
    """A side topper (an ear) shrunk about its root until it stays on its own side of the
    middle (big ears on a low crown would cross into each other), mm."""
    side = float(np.sign(d.root[1]))
    inner = min(float((side * p.mesh.vertices[:, 1]).min()) for p in d.parts)
    root = side * float(d.root[1])
    if inner >= gap_mm or root <= gap_mm:
        return d
    factor = max(0.3, (root - gap_mm) / (root - inner))
    return d.transformed(scale_about(factor, d.root))


def _lens_shape(ctx: FormContext) -> str:
    """heart, star or round: the spec's lens shape, else the worded glasses variant, else
    knob "lens" (index into LENS_SHAPES)."""
    shape = (ctx.spec.lens_shape if ctx.spec else None) or ctx.feature_variant("glasses")
    if shape in LENS_SHAPES:
        return shape
    return LENS_SHAPES[int(ctx.knob("lens", 0)) % len(LENS_SHAPES)]


def _frame_extras(style: str, cy: float, lens_r: float, rim: float) -> CrossSection:
    """The frame style's additions to the front outline: cat-eye wings at the outer top
    corners, or a brow bar across the top of both lenses (empty for the others), mm."""
    if style == "cat-eye frame":
        wings = [np.array([(s * (cy + 0.3 * lens_r), -0.2 * lens_r), (s * (cy + 1.75 * lens_r), 1.6 * lens_r),
                           (s * cy, 1.05 * lens_r)])[:: (1 if s > 0 else -1)]
                 for s in (-1, 1)]  # fmt: skip
        return CrossSection(wings)
    if style == "brow bar":
        return CrossSection.square((2 * (cy + 1.15 * lens_r), 2.2 * rim)).translate(
            (-(cy + 1.15 * lens_r), 0.7 * lens_r)
        )
    return CrossSection()


def _upright(solid: Manifold, x0: float) -> trimesh.Trimesh:
    """A flat solid extruded along Z, stood up in the YZ plane with its front at +X, mm."""
    turn = np.array([[0.0, 0.0, 1.0, x0], [1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]])
    return mesh_of(solid.transform(turn))


def eyewear(ctx: FormContext) -> Model:
    """Novelty sunglasses: a flat front frame size_mm wide with two lenses, a bridge and
    short temple stubs; front face flat (prints face down), mm."""
    shape = _lens_shape(ctx)
    style = FRAMES[int(ctx.knob("frame", 0)) % len(FRAMES)]
    chunky_ = style == "chunky frame"  # a wider and deeper rim
    rim, thick = (
        ctx.wall(5.0) * (1.7 if chunky_ else 1.0),
        ctx.wall(4.5) * (1.6 if chunky_ else 1.0),
    )
    lens_r = ctx.mm(25.0) * _pick(LENS_SIZES, ctx, "lens_size")
    cy = ctx.size_mm / 2 - ctx.mm(12.0) - min(lens_r, ctx.mm(25.0)) - (rim - ctx.wall(5.0))
    lens = lens_outline(shape, lens_r)
    lenses = [lens + np.array([s * cy, 0.0]) for s in (-1, 1)]
    rims = CrossSection(lenses).offset(rim, circular_segments=24)
    bridge = CrossSection.square((2 * cy - lens_r, rim * 1.6)).translate(
        (-(cy - lens_r / 2), lens_r * 0.35)
    )
    ends = [CrossSection.square((ctx.mm(12.0) + rim, rim * 2.2)).translate((s * (cy + lens_r) - (s < 0) * (ctx.mm(12.0) + rim), lens_r * 0.3))
            for s in (-1, 1)]  # fmt: skip
    extras = _frame_extras(style, cy, lens_r, rim)
    frame_2d = (rims + bridge + ends[0] + ends[1] + extras) - CrossSection(lenses)
    frame = _upright(Manifold.extrude(frame_2d, thick), -thick)
    lens_t = max(ctx.rule.min_wall_mm, 0.45 * thick)
    lens_parts = [_upright(Manifold.extrude(CrossSection([lns]).offset(min(rim * 0.45, 1.5)), lens_t),
                           -thick / 2 - lens_t / 2) for lns in lenses]  # fmt: skip
    lo_y = float(frame.bounds[0][1])
    full = ctx.knob("arms", 0.0) >= 0.5  # full temple arms with ear hooks, else stubs
    stub_len = ctx.mm(110.0 if full else 18.0)
    stubs = []
    for s in (-1, 1):
        y = s * (abs(lo_y) - rim / 2)
        z = lens_r * 0.3 + rim * 1.1
        arm = trimesh.creation.box(extents=[stub_len + thick / 2, rim, rim * 2.2]).apply_translation(
            [-thick / 2 - stub_len / 2, y, z - rim * 1.1])  # fmt: skip
        if full:  # the ear hook bends down at the end
            hook_h = ctx.mm(24.0)
            hook = trimesh.creation.box(extents=[rim * 2.2, rim, hook_h]).apply_translation(
                [-thick / 2 - stub_len + rim * 1.1, y, z - rim * 1.1 - hook_h / 2 + rim])  # fmt: skip
            arm = mesh_of(_manifold(arm) + _manifold(hook))
        stubs.append(arm)
    colour = ctx.colour
    tint = LENS_TINT if colour != LENS_TINT else (150, 200, 240)
    model = Model([Part("frame", frame, colour, "fixture", ctx.material)])
    model.parts += [
        Part(n, m, tint, "fixture", "plastic")
        for n, m in zip(("lens_r", "lens_l"), lens_parts, strict=True)
    ]
    model.parts += [
        Part(f"temple_{n}", m, colour, "fixture", ctx.material)
        for n, m in zip("rl", stubs, strict=True)
    ]
    if ctx.subject is not None:
        model.parts.extend(_frame_decor(ctx, frame, cy, thick))
    model.anchors["base"] = base_anchor(size_mm=lens_r)
    model.anchors["lens_l"] = Anchor(np.array([0.0, cy, 0.0]), np.array([1.0, 0.0, 0.0]), lens_r)
    model.anchors["lens_r"] = Anchor(np.array([0.0, -cy, 0.0]), np.array([1.0, 0.0, 0.0]), lens_r)
    return model


def _frame_decor(ctx: FormContext, frame: trimesh.Trimesh, cy: float, thick: float) -> list[Part]:
    """The subject's ears on the frame's top corners, or the subject on the bridge, mm."""
    top_z = float(frame.bounds[1][2])
    decos, _ = _head_on(ctx, np.array([0.0, 0.0, top_z - cy * 0.4]), cy * 1.25)
    tops = [] if _is_object(ctx) else [d for d in decos if d.kind == "top"]
    parts: list[Part] = []
    overlap = max(ctx.wall(2.5), 0.15 * cy)
    for d in tops:
        d = _limited(d, 0.9 * cy)
        flat = max(thick * 0.9, 1e-3) / max(float(_extent(d)[0]), 1e-3)
        d = d.transformed(scale_about(np.array([min(flat, 1.0), 1.0, 1.0]), d.centre))
        lo = np.min([p.mesh.bounds[0] for p in d.parts], axis=0)
        y = float(np.clip(d.centre[1], -1.3 * cy, 1.3 * cy))
        near = frame.vertices[np.abs(frame.vertices[:, 1] - y) < 0.1 * cy]
        z = float(near[:, 2].max()) if len(near) else top_z
        goal = np.array([-thick / 2 - d.centre[0], y - d.centre[1], z - overlap - lo[2]])
        parts.extend(d.transformed(moved(goal)).parts)
    if not tops:
        for s in (-1, 1):
            near = frame.vertices[np.abs(frame.vertices[:, 1] - s * cy) < 0.1 * cy]
            z = float(near[:, 2].max()) if len(near) else top_z
            at = np.array([-thick / 2, s * cy, z - overlap])
            parts.extend(_topper(ctx, 0.75 * cy, at))
    return chunky(Model(parts), ctx.rule.min_wall_mm, DETAIL_MIN_MM).parts


def _extent(d: Decoration) -> np.ndarray:
    """The group's bounding box size, mm."""
    lo = np.min([p.mesh.bounds[0] for p in d.parts], axis=0)
    hi = np.max([p.mesh.bounds[1] for p in d.parts], axis=0)
    return hi - lo


BUILDERS: dict[str, Builder] = {"headband": headband, "hat": hat, "eyewear": eyewear}

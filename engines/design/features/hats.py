"""Hats on the head top, sized to the head (brim 1.1-1.4 head widths), their brims above the
eyes so the face shows; every hat touches the head so it is one solid, a brimmed one sitting
on it with no head through its brim (mm)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import trimesh

from engines.design.features.kit import Ctx
from engines.design.shapes import _manifold, prism, revolve, volume_mm3
from engines.design.subjects.geom import Ellipsoid, _to_trimesh, blob, trim_below, tube

RGB = tuple[int, int, int]
Z = np.array([0.0, 0.0, 1.0])

DEFAULT: dict[str, RGB] = {
    "straw": (225, 195, 120), "bucket": (205, 190, 150), "crown": (215, 175, 55),
    "sailor": (248, 248, 248), "party": (245, 120, 170), "helmet": (250, 200, 40),
    "santa": (215, 40, 45), "beanie": (70, 130, 200), "cowboy": (150, 100, 60),
    "top": (40, 40, 45), "witch": (80, 55, 110), "chef": (250, 250, 250),
    "strawberry": (215, 45, 55), "space": (246, 247, 250), "frog": (105, 190, 85),
    "mushroom": (215, 55, 55),
}  # fmt: skip
VISOR: RGB = (120, 175, 225)  # the light-blue frame of a space helmet's face opening
LEAF: RGB = (70, 150, 60)
WHITE: RGB = (250, 250, 250)
BAND: RGB = (200, 55, 60)
DARK: RGB = (35, 30, 35)
NAVY: RGB = (35, 50, 100)


@dataclass(frozen=True)
class Seat:
    """Where a hat sits: centre xy, brim height, crown bottom, crown radius, head half-width
    and half-height (mm)."""

    c: np.ndarray  # (x, y) of the hat axis
    brim: float  # z of the brim's underside
    low: float  # z of the crown's bottom (inside the head)
    rc: float  # crown radius at its bottom
    hw: float
    hh: float
    t: float  # thinnest sheet, mm


def seat(ctx: Ctx, drop: float = 0.0) -> Seat:
    """The seat of a hat on this head; `drop` lowers a brim that slopes down (fraction of hw)."""
    hw, hh = ctx.head_w, ctx.head_h
    top = ctx.anchor("head_top").point
    hc = ctx.head_c
    brim = max(top[2] - 0.42 * hh, ctx.eye_top + 0.8 * ctx.line) + drop * hw
    low = min(brim, top[2] - 0.3 * hh)
    u = np.clip((low - hc[2]) / hh, -1.0, 1.0)
    rc = max(1.05 * hw * np.sqrt(1 - u * u), 0.55 * hw)
    xy = np.array([top[0] - 0.05 * hw, top[1]])
    return Seat(xy, float(brim), float(low), float(rc), hw, hh, 2.0 * ctx.line)


def _rev(s: Seat, profile: list[tuple[float, float]], sections: int = 40):
    """A solid of revolution of (radius, z) points about the hat axis."""
    mesh = revolve(np.array(profile, dtype=float), sections)
    return mesh.apply_translation((s.c[0], s.c[1], 0.0))


def _at(s: Seat, r: float, angle_deg: float, z: float) -> np.ndarray:
    """A point at radius r and angle about the hat axis, height z."""
    a = np.radians(angle_deg)
    return np.array([s.c[0] + r * np.cos(a), s.c[1] + r * np.sin(a), z])


def _disc(s: Seat, radius: float, z0: float, t: float):
    """A flat brim disc."""
    return _rev(s, [(0, z0), (radius, z0), (radius, z0 + t), (0, z0 + t)])


def _crown(s: Seat, r: float, top_z: float, taper: float = 1.0, round_top: float = 0.15):
    """A crown from inside the head up to top_z, radius r tapering to r*taper."""
    rt = r * taper
    k = round_top * s.hw
    return _rev(s, [(0, s.low), (r, s.low), (rt, top_z - k), (rt * 0.8, top_z), (0, top_z)])


def _band(s: Seat, r: float, z0: float, h: float):
    """A ring around a crown."""
    return _rev(s, [(0.8 * r, z0), (r + s.t * 0.6, z0), (r + s.t * 0.6, z0 + h), (0.8 * r, z0 + h)])


def build_hat(ctx: Ctx, variant: str) -> None:
    """The hat variant on the head top."""
    ctx.name = f"{variant} hat"
    col = DEFAULT[variant]
    s = seat(ctx, drop=0.2 if variant in ("bucket", "frog") else 0.0)
    hw, t = s.hw, s.t
    rc = s.rc
    b = s.brim
    if variant == "straw":
        _brimmed(ctx, s, col, Brim(0.6, 0.95, 1.35, 0.3, 0.04), BAND)
    elif variant in ("bucket", "frog"):
        _brimmed(ctx, s, col, Brim(0.55, 0.9, 1.18, 0.2, 0.08))
        if variant == "frog":
            _frog_eyes(ctx, s, col)
    elif variant == "crown":
        zb = max(s.low, ctx.eye_top + ctx.line)
        ctx.add("lining", _crown(s, 0.7 * rc, zb + 0.1 * hw, 1.0, 0.0), col)
        h = 0.32 * hw
        r = 0.85 * rc
        ring = _rev(s, [(r - t, zb), (r, zb), (r, zb + h), (r - t, zb + h)])
        ctx.add("band", ring, col)
        ctx.add("cap", _rev(s, [(0, zb), (r - 0.5 * t, zb), (r - 0.5 * t, zb + 0.4 * h),
                                (0, zb + 0.4 * h)]), (180, 40, 60), fixed=True)  # fmt: skip
        for k in range(5):
            a = 90 + 72 * k
            base = _at(s, r - 0.5 * t, a, zb + 0.8 * h)
            tip = _at(s, r - 0.5 * t, a, zb + 1.9 * h)
            ctx.add("point", tube([base, (base + tip) / 2, tip], [0.2 * hw, 0.13 * hw, t / 2]), col)
            ctx.add("ball", blob(tip, (t * 0.8,) * 3), col)
            if k in (0,):
                gem = _at(s, r + 0.2 * t, 0, zb + 0.5 * h)
                ctx.add(
                    "gem", blob(gem, (0.6 * t, 0.11 * hw, 0.11 * hw)), (210, 40, 70), fixed=True
                )
    elif variant == "sailor":  # a white gob cap: a domed crown over an upturned cuff whose
        rs = 0.8 * rc  # outside carries a dark band; smaller than the head, set on its top
        ctx.add("crown", _crown(s, 0.9 * rs, b + 0.62 * hw, 0.92, 0.3), col)
        cuff_z = b + 0.24 * hw
        ring = _rev(
            s, [(0.85 * rs, b), (rs + 1.5 * t, b), (rs + 2.2 * t, cuff_z), (0.85 * rs, cuff_z)]
        )
        ctx.add("brim", ring, col)
        ctx.add(
            "band", _band(s, rs + 2.0 * t, b + 0.09 * hw, 0.06 * hw + 0.6 * t), NAVY, fixed=True
        )
    elif variant == "party":
        r = 0.6 * rc
        ctx.add("cone", _rev(s, [(0, s.low), (r, s.low), (0.12 * hw, s.low + 1.4 * hw),
                                 (0, s.low + 1.4 * hw)]), col)  # fmt: skip
        tip = np.array([s.c[0], s.c[1], s.low + 1.45 * hw])
        ctx.add("pompom", blob(tip, (0.17 * hw,) * 3), (250, 215, 60), fixed=True)
        for f in (0.35, 0.7):
            z = s.low + f * 1.4 * hw
            rr = r + (0.12 * hw - r) * f
            ctx.add("stripe", _band(s, rr, z, 0.08 * hw + t / 2), (250, 215, 60), "detail", True)
    elif variant == "helmet":
        hc = ctx.head_c
        dome = Ellipsoid.of(
            hc + Z * 0.12 * s.hh - np.array([0.04 * hw, 0, 0]),
            (1.1 * ctx.head.r[0], 1.1 * hw, 1.02 * s.hh),
        ).mesh(3)
        cut = trim_below(dome, b)
        if cut is not None:
            ctx.add("shell", cut, col)
        ctx.add("lining", _crown(s, 0.8 * rc, b + 0.3 * hw, 1.0, 0.0), col)
        visor = blob(_at(s, 0.95 * hw, 0, b + 0.5 * t), (0.4 * hw, 0.7 * hw, t))
        ctx.add("visor", visor, col)
    elif variant == "santa":
        _santa(ctx, s, col)
    elif variant == "beanie":
        _beanie(ctx, s, col)
    elif variant == "cowboy":
        _brimmed(ctx, s, col, Brim(0.7, 0.88, 1.3, 0.25, -0.06, curl=0.22), (70, 45, 30))
    elif variant == "top":
        ctx.add("crown", _crown(s, 0.72 * rc, b + 1.15 * hw, 1.05, 0.02), col)
        ctx.add("brim", _disc(s, 1.12 * hw, b, t), col)
        ctx.add("band", _band(s, 0.72 * rc, b + t, 0.2 * hw), BAND, fixed=True)
    elif variant == "witch":
        ctx.add("brim", _disc(s, 1.38 * hw, b, t), col)
        base = np.array([s.c[0], s.c[1], b + 0.8 * rc])
        pts = [base, base + (0, 0, 0.5 * hw), base + (-0.2 * hw, 0, 1.1 * hw),
               base + (-0.6 * hw, 0.0, 1.3 * hw)]  # fmt: skip
        ctx.add("base", _crown(s, 0.8 * rc, b + 0.8 * rc, 1.0, 0.0), col)
        ctx.add("cone", tube(pts, [0.8 * rc, 0.45 * rc, 0.2 * rc, t * 0.6]), col)
        ctx.add("band", _band(s, 0.75 * rc, b + t, 0.16 * hw), (120, 200, 90), fixed=True)
    elif variant == "chef":
        ctx.add("band", _crown(s, 0.85 * rc, b + 0.4 * hw, 1.0, 0.0), col)
        puff = b + 0.75 * hw
        ctx.add("puff", blob((s.c[0], s.c[1], puff), (1.05 * rc, 1.05 * rc, 0.45 * hw)), col)
        for k in range(4):
            p = _at(s, 0.55 * rc, 45 + 90 * k, puff + 0.25 * hw)
            ctx.add("puff", blob(p, (0.45 * rc,) * 3), col)
    elif variant == "strawberry":
        _strawberry(ctx, s, col)
    elif variant == "space":
        _space_helmet(ctx, col)
    elif variant == "mushroom":
        _mushroom(ctx, s, col)


def _frog_eyes(ctx: Ctx, s: Seat, col: RGB) -> None:
    """A frog hat's eyes: two bumps on the front of the crown, each a white eye with a dark
    pupil looking forward (what "frog hat" means on a cat; the hat product does the same)."""
    hw, top = s.hw, s.brim + 0.6 * s.hw
    for sg in (1.0, -1.0):
        c = _at(s, 0.42 * s.rc, sg * 38.0, top - 0.05 * hw)
        ctx.add("eye bump", blob(c, (0.3 * hw,) * 3), col)
        eye = c + np.array([0.17 * hw, sg * 0.04 * hw, 0.1 * hw])
        ctx.add("eye", blob(eye, (0.16 * hw, 0.19 * hw, 0.19 * hw)), WHITE, fixed=True)
        pupil = eye + np.array([0.12 * hw, 0.0, 0.0])
        ctx.add("pupil", blob(pupil, (0.07 * hw, 0.1 * hw, 0.1 * hw)), DARK, fixed=True)


def _space_helmet(ctx: Ctx, col: RGB) -> None:
    """An astronaut's helmet: a round shell around the whole head with an opening on the face
    side, framed by a light-blue visor ring, so the face shows through (ears stick out)."""
    hc, head, hw = ctx.head_c, ctx.head, ctx.head_w
    r = np.array([1.22 * head.r[0], 1.22 * hw, 1.2 * ctx.head_h])
    r[:] = np.maximum(r, 0.9 * r.max())  # rounder than the head: a dome, not a cap
    c = hc + Z * 0.06 * r[2]
    ry, rz = 0.8 * r[1], 0.74 * r[2]  # the opening's half width and height
    oc = c - Z * 0.1 * r[2]  # a little low: eyes to mouth show
    window = trimesh.creation.cylinder(radius=1.0, height=2.0, sections=48)
    window.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, (0, 1, 0)))
    window.apply_scale((1.5 * r[0], ry, rz))
    window.apply_translation(oc + np.array([1.5 * r[0], 0.0, 0.0]))
    shell = _manifold(Ellipsoid.of(c, r).mesh(3)) - _manifold(window)
    ctx.add("shell", _to_trimesh(shell), col)
    t = max(1.6 * ctx.line, 0.07 * hw)
    # the ring sits where the opening meets the shell (its front, at the opening's edge)
    x = c[0] + r[0] * np.sqrt(max(1.0 - 0.5 * ((ry / r[1]) ** 2 + (rz / r[2]) ** 2), 0.0))
    ring = trimesh.creation.torus(1.0, t / max(ry, rz), major_sections=48, minor_sections=10)
    ring.apply_scale((rz, ry, max(ry, rz)))
    ring.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, (0, 1, 0)))
    ring.apply_translation((x, oc[1], oc[2]))
    ctx.add("visor", ring, VISOR, fixed=True)


def _strawberry(ctx: Ctx, s: Seat, col: RGB) -> None:
    """A strawberry cap: a red dome over the head and a green star of leaves with a stem on top
    (few parts: each costs a union on every variant)."""
    hw, t, hc = s.hw, s.t, ctx.head_c
    dome = Ellipsoid.of(hc + Z * 0.12 * s.hh, (1.08 * ctx.head.r[0], 1.08 * hw, s.hh)).mesh(3)
    cut = trim_below(dome, s.brim)
    if cut is not None:
        ctx.add("berry", cut, col)
    ctx.add("lining", _crown(s, 0.8 * s.rc, s.brim + 0.3 * hw, 1.0, 0.0), col)
    top_z = hc[2] + 1.12 * s.hh
    a = np.radians(np.arange(10) * 36.0)
    r = np.where(np.arange(10) % 2 == 0, 0.6 * hw, 0.22 * hw)
    star = np.column_stack([s.c[0] + r * np.cos(a), s.c[1] + r * np.sin(a)])
    ctx.add("leaves", prism(star, top_z - 0.1 * hw, top_z + max(t, 0.06 * hw)), LEAF,
            "feature", True)  # fmt: skip
    stem = np.array([s.c[0], s.c[1], top_z - 0.05 * hw])
    ctx.add("stem", tube([stem, stem + Z * 0.3 * hw], [0.08 * hw + t / 2, 0.06 * hw + t / 2]),
            LEAF, "feature", True)  # fmt: skip


MUSHROOM_SPOTS = (
    (20.0, 78.0),
    (10.0, 46.0),
    (130.0, 48.0),
    (250.0, 44.0),
    (70.0, 30.0),
    (310.0, 32.0),
    (190.0, 28.0),
)  # (azimuth, elevation) deg of a cap's spots, off
# its poles, mirror plane and rim (spots meeting the cap's own corners or crossing its rim
# break its STL)


def _mushroom(ctx: Ctx, s: Seat, col: RGB) -> None:
    """A mushroom cap ("frog with a mushroom hat"): a wide, low dome over the head, its rim out
    past the head above the eyes, white spots over it (few parts: each costs a union)."""
    hw, hc = s.hw, ctx.head_c
    c = np.array([s.c[0], s.c[1], s.brim - 0.1 * hw])  # cut above its equator's corners
    r = np.array([1.4 * hw, 1.4 * hw, max(hc[2] + 1.05 * s.hh - c[2], 0.6 * hw)])
    cut = trim_below(Ellipsoid.of(c, r).mesh(3), s.brim)
    if cut is not None:
        ctx.add("cap", cut, col)
    ctx.add("lining", _crown(s, 0.8 * s.rc, s.brim + 0.3 * hw, 1.0, 0.0), col)
    for az, el in MUSHROOM_SPOTS:
        a, e = np.radians(az), np.radians(el)
        on = c + r * np.array([np.cos(e) * np.cos(a), np.cos(e) * np.sin(a), np.sin(e)])
        ctx.add("spot", blob(on, (0.15 * hw,) * 3), WHITE, "detail", True)


@dataclass(frozen=True)
class Fit:
    """A head-hugging frame for a worn hat (a beanie, a santa hat): an ellipsoid `r` about `c`
    just outside the head, and a rim plane through it tilted back (front higher, above the
    eyes; back lower, over the ears' bases). Columns of `rot` are the frame's front, side and
    up (the rim plane's normal); `h0` is the rim's height along the up axis from c (mm)."""

    c: np.ndarray
    r: np.ndarray
    rot: np.ndarray
    h0: float

    @property
    def up(self) -> np.ndarray:
        return self.rot[:, 2]

    def world(self, q: np.ndarray) -> np.ndarray:
        """Frame coordinates (front, side, up from c) to world points."""
        return self.c + np.asarray(q, dtype=float) @ self.rot.T

    def radius(self, phi: np.ndarray, h: float) -> np.ndarray:
        """Distance from the frame's axis to the ellipsoid at height h, at angles phi."""
        m = self.rot.T @ np.diag(1.0 / self.r**2) @ self.rot
        u = np.stack([np.cos(phi), np.sin(phi), np.zeros_like(phi)], axis=1)
        w = np.array([0.0, 0.0, h])
        a = np.einsum("ij,jk,ik->i", u, m, u)
        b = 2.0 * (u @ m @ w)
        cc = w @ m @ w - 1.0
        return (-b + np.sqrt(np.maximum(b * b - 4 * a * cc, 0.0))) / (2 * a)

    def top(self) -> float:
        """Height of the ellipsoid's top along the up axis, from c."""
        n = np.array([0.0, 0.0, 1.0])
        m = self.rot.T @ np.diag(1.0 / self.r**2) @ self.rot
        return float(1.0 / np.sqrt(n @ m @ n))


def fit(ctx: Ctx, front: float, back: float, lift: float = 0.0, tilt_max: float = 24.0) -> Fit:
    """The fit of a worn hat: its rim just above the eyes at the front (at most `front`, at
    the back `back`, of the head's half-height or half-width, the smaller, below its top;
    tilted at most `tilt_max` degrees); its ellipsoid `lift` of the head's half-width outside the
    head (the hat's thickness)."""
    hc, head, hw, hh = ctx.head_c, ctx.head, ctx.head_w, ctx.head_h
    top = float(ctx.anchor("head_top").point[2])
    eye_x = float(ctx.anchor("eye_l").point[0])
    zf = max(ctx.eye_top + 0.8 * ctx.line, top - front * min(hh, hw))
    zb = min(zf - 0.05 * hh, top - back * min(hh, hw))
    span = max(eye_x - (hc[0] - head.r[0]), 0.5 * head.r[0])
    tilt = min(np.arctan2(zf - zb, span), np.radians(tilt_max))
    up = np.array([-np.sin(tilt), 0.0, np.cos(tilt)])
    ahead = np.array([np.cos(tilt), 0.0, np.sin(tilt)])
    rot = np.column_stack([ahead, [0.0, 1.0, 0.0], up])
    c = hc + Z * 0.04 * hh
    r = head.r.copy()
    part = next((p for p in ctx.model.parts if p.name == "head"), None)
    if part is not None:  # a boxy head (a capybara's) pokes out of its ellipsoid: enclose it
        v = np.asarray(part.mesh.vertices)
        v = v[v[:, 2] > zb - 0.1 * hh]
        if len(v):
            r = r * max(float(np.sqrt((((v - c) / r) ** 2).sum(axis=1)).max()), 1.0)
    r = r + lift * hw
    h0 = float(up @ (np.array([eye_x, hc[1], zf]) - c))
    return Fit(c, r, rot, h0)


def _loft(f: Fit, heights: list[float], offsets: list[float], ribs: int = 0, rib: float = 0.0,
          n: int = 72, floor: float = 0.0) -> trimesh.Trimesh:  # fmt: skip
    """A solid band hugging the fit's ellipsoid: rings at the heights, each `offsets` outside
    it (at least `floor` from the axis; ribbed: `ribs` bumps of depth `rib`), capped flat at both ends (filled to the axis)."""
    phi = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    bump = rib * np.maximum(np.cos(ribs * phi), 0.0) ** 0.5 if ribs else 0.0
    rings = []
    for h, off in zip(heights, offsets, strict=True):
        rad = np.maximum(f.radius(phi, h), floor) + off + bump
        rings.append(np.column_stack([rad * np.cos(phi), rad * np.sin(phi), np.full(n, h)]))
    v = np.vstack([*rings, [0.0, 0.0, heights[0]], [0.0, 0.0, heights[-1]]])
    k, lo, hi = len(rings), len(rings) * n, len(rings) * n + 1
    faces = []
    for i in range(k - 1):
        for j in range(n):
            a, b = i * n + j, i * n + (j + 1) % n
            faces += [[a, b, b + n], [a, b + n, a + n]]
    for j in range(n):
        faces += [[lo, (j + 1) % n, j], [hi, (k - 1) * n + j, (k - 1) * n + (j + 1) % n]]
    mesh = trimesh.Trimesh(f.world(v), np.array(faces), process=False)
    if volume_mm3(mesh) < 0:
        mesh.invert()
    return mesh


def _dome(f: Fit) -> trimesh.Trimesh | None:
    """The fit's ellipsoid above its tilted rim plane."""
    solid = _manifold(Ellipsoid.of(f.c, f.r).mesh(3))
    cut = solid.trim_by_plane(tuple(f.up), float(f.up @ f.c) + f.h0)
    return None if cut.is_empty() else _to_trimesh(cut)


def _plug(ctx: Ctx, s: Seat, f: Fit, h: float, col: RGB) -> None:
    """Where the rim sits high on the head (a frog's eyes on top), a crown from inside the
    head up to the rim's top (height h) holds the hat on, so it never floats."""
    if f.h0 > 0.5 * f.top():
        z = float(f.world(np.array([0.0, 0.0, h]))[2])
        ctx.add("lining", _crown(s, 0.6 * s.rc, z, 1.0, 0.0), col)


def _beanie(ctx: Ctx, s: Seat, col: RGB) -> None:
    """A beanie: a knitted dome hugging the head from just above the eyes at the front to the
    ears' bases at the back (the ears poke out through it), a folded ribbed cuff round its
    rim, and a pom-pom on top."""
    hw, t = s.hw, s.t
    f = fit(ctx, front=0.75, back=0.85, lift=0.06)
    dome = _dome(f)
    if dome is not None:
        ctx.add("dome", dome, col)
    h0, cuff_h = f.h0, 0.3 * s.hh
    hs = [h0 - 0.3 * t, h0, h0 + 0.5 * cuff_h, h0 + cuff_h - 0.3 * t, h0 + cuff_h]
    offs = [0.6 * t, 0.9 * t, 0.8 * t, 0.7 * t, 0.0]
    ctx.add("cuff", _loft(f, hs, offs, ribs=22, rib=0.45 * t, n=88, floor=0.6 * s.rc), col)
    _plug(ctx, s, f, h0 + cuff_h, col)
    tip = f.world(np.array([0.0, 0.0, f.top() + 0.12 * hw]))
    ctx.add("pompom", blob(tip, (0.24 * hw,) * 3), WHITE, fixed=True)


def _santa(ctx: Ctx, s: Seat, col: RGB) -> None:
    """A santa hat: a thick rolled white fur cuff hugging the head above the eyes, a soft red
    cone rising from it that bends over and droops to the back and the viewer's side, and a
    white pom-pom at the drooping tip resting near the cuff."""
    hw, t = s.hw, s.t
    f = fit(ctx, front=0.5, back=0.55, lift=0.02)
    h0, roll = f.h0, max(0.14 * s.hh, 1.2 * t)  # the cuff's half height
    a = np.linspace(-np.pi / 2, np.pi / 2, 9)
    hs = [h0 + roll * (1 + np.sin(x)) for x in a]
    offs = [roll * 0.9 * np.cos(x) + 0.3 * t for x in a]
    offs[0], offs[-1] = 0.0, 0.0
    crown = _dome(f)  # red over the whole head top, whatever the cone's round base misses
    if crown is not None:
        ctx.add("crown", crown, col)
    ctx.add("fur", _loft(f, hs, offs, n=72, floor=0.6 * s.rc), WHITE, fixed=True)
    _plug(ctx, s, f, h0 + 2 * roll, col)
    hm = h0 + 2 * roll
    r0 = float(f.radius(np.linspace(0, 2 * np.pi, 24, endpoint=False), hm).min())
    r0 = 0.85 * max(r0, 0.6 * s.rc)
    side = np.array([-0.5, -0.87])  # towards the back and the camera's side
    side /= np.linalg.norm(side)
    apex = f.top() + 0.7 * hw
    dist = float(f.radius(np.array([np.arctan2(side[1], side[0])]), hm)[0])
    dist = min(max(dist, 0.8 * hw), 0.9 * min(hw, s.hh))  # a wide frog head: droop less
    ctrl = np.array([
        [0.0, 0.0, hm - 0.5 * roll],
        [0.0, 0.0, apex + 0.15 * hw],
        [0.8 * dist * side[0], 0.8 * dist * side[1], apex + 0.2 * hw],
        [1.3 * dist * side[0], 1.3 * dist * side[1], hm + 0.1 * hw],
    ])  # fmt: skip
    u = np.linspace(0.0, 1.0, 22)[:, None]
    path = ((1 - u) ** 3 * ctrl[0] + 3 * (1 - u) ** 2 * u * ctrl[1]
            + 3 * (1 - u) * u**2 * ctrl[2] + u**3 * ctrl[3])  # fmt: skip
    radii = r0 * (1 - u[:, 0]) ** 1.6 + (0.06 * hw + t / 2) * u[:, 0]
    cone = _manifold(tube(f.world(path), radii, sections=28))  # its round base cut flat
    ctx.add("cap", _to_trimesh(cone.trim_by_plane(tuple(f.up), float(f.up @ f.c) + h0 + roll)), col)
    ctx.add("pompom", blob(f.world(path[-1]), (0.22 * hw,) * 3), WHITE, fixed=True)


@dataclass(frozen=True)
class Brim:
    """A brimmed hat's shape, in head half-widths: the crown's height above the rim and its
    taper; the brim's outer radius (round) and least width beyond the rim; how far its edge
    droops (negative: turns up), and how much more its sides curl up (a cowboy hat)."""

    height: float
    taper: float
    radius: float
    width: float
    droop: float
    curl: float = 0.0


def _sweep(
    f: Fit, rings: Sequence[tuple[np.ndarray, np.ndarray | float]], closed: bool
) -> trimesh.Trimesh:
    """A solid through rings of (radius, height) per angle about the fit's axis: a loop of
    rings (an annulus's cross-section) when closed, else a stack capped at both ends."""
    n = len(rings[0][0])
    phi = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    pts = [np.column_stack([r * np.cos(phi), r * np.sin(phi), np.broadcast_to(h, (n,))])
           for r, h in rings]  # fmt: skip
    k = len(rings)
    faces = []
    for i in range(k if closed else k - 1):
        i2 = (i + 1) % k
        for j in range(n):
            a, b = i * n + j, i * n + (j + 1) % n
            c, d = i2 * n + (j + 1) % n, i2 * n + j
            faces += [[a, b, c], [a, c, d]]
    if not closed:
        lo, hi = k * n, k * n + 1
        pts += [np.array([[0.0, 0.0, float(np.mean(rings[0][1]))]]),
                np.array([[0.0, 0.0, float(np.mean(rings[-1][1]))]])]  # fmt: skip
        for j in range(n):
            faces += [[lo, (j + 1) % n, j], [hi, (k - 1) * n + j, (k - 1) * n + (j + 1) % n]]
    mesh = trimesh.Trimesh(f.world(np.vstack(pts)), np.array(faces), process=False)
    if volume_mm3(mesh) < 0:
        mesh.invert()
    return mesh


def _brimmed(ctx: Ctx, s: Seat, col: RGB, shape: Brim, band: RGB | None = None) -> None:
    """A brimmed hat worn on the head: a crown fitted over the head top above the rim plane
    (the head inside it, none poking out), and a brim round the crown's base, outside the
    head, as wide as the shape wants (at least its width beyond the rim all round)."""
    hw, t, n = s.hw, s.t, 72
    f = fit(ctx, front=0.42, back=0.5, lift=0.04, tilt_max=10.0)  # a brim sits level
    phi = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    h0, top = f.h0, f.top()
    rim = np.maximum(f.radius(phi, h0), 0.75 * s.rc)  # a rim above the head (a frog's): round

    def inside(h: float) -> np.ndarray:  # the fit's section at height h (0 above its top)
        return f.radius(phi, h) if h < top else np.zeros(n)

    height = max(shape.height * hw, top - h0 + 0.12 * hw)
    hs = [h0, h0 + 0.55 * height, h0 + 0.88 * height, h0 + height]
    scale = [1.0, 0.5 + 0.5 * shape.taper, shape.taper, 0.8 * shape.taper]
    crown = [
        (np.maximum(rim * k, inside(h)) + 0.3 * t, float(h)) for h, k in zip(hs, scale, strict=True)
    ]
    ctx.add("crown", _sweep(f, crown, closed=False), col)
    r_in = rim - 0.3 * t  # into the crown's base, still outside the head (lift 0.04 hw)
    r_out = np.maximum(shape.radius * hw, rim + shape.width * hw)
    edge = h0 - shape.droop * hw + shape.curl * hw * np.sin(phi) ** 2
    mid = (r_in + r_out) / 2
    mid_h = h0 + 0.35 * (edge - h0)
    brim = [(r_in, np.full(n, h0)), (mid, mid_h), (r_out, edge), (r_out, edge + t),
            (mid, mid_h + t), (r_in, np.full(n, h0 + t))]  # fmt: skip
    ctx.add("brim", _sweep(f, brim, closed=True), col)
    if band is not None:
        hb = h0 + t + 0.16 * hw
        rb = np.maximum(rim, inside(h0 + t)) + 0.3 * t
        ring = [(rb - t, float(h0 + t)), (rb + 0.6 * t, float(h0 + t)),
                (rb + 0.6 * t, float(hb)), (rb - t, float(hb))]  # fmt: skip
        ctx.add("band", _sweep(f, ring, closed=True), band, fixed=True)
    _plug(ctx, s, f, h0 + t, col)

"""Features other than hats: wings on the back, horns on the head, scarf and bow at the neck,
glasses over the eyes, teeth at the mouth, tears under the eyes, eye variants, spots and
stripes on the body, a cape, blush (mm); held items are in held.py."""

from __future__ import annotations

import numpy as np

from engines.design.features.kit import Ctx, darker, support
from engines.design.subjects.face import FaceLayout, one_eye
from engines.design.subjects.geom import (
    Ellipsoid,
    blob,
    disc_on,
    frame,
    heart_outline,
    plate,
    star_outline,
    tube,
    unit,
)

RGB = tuple[int, int, int]
SPOT_SUBDIV = 1  # a flat colour spot: an 80-face disc (320 faces made the union 4x the work)
X, Y, Z = np.eye(3)
WHITE: RGB = (250, 250, 250)
DARK: RGB = (35, 30, 35)
BUCK_TOOTH_W = 0.26  # a buck tooth's width / the head's half width (two read from the front)
BUCK_TOOTH_H = 0.36  # its height below the mouth / the head's half width
TEETH = 6  # a row of teeth along the mouth (a shark's)
TOOTH_ROW = 0.6  # the row's half width / the head's half width
TOOTH_TALL = 1.3  # a tooth's height / its width
FANG_LENGTH = 1.6  # a fang's height / a tooth's


# ---- wings, horns ------------------------------------------------------------------------


def _wing_outline(variant: str, size: float) -> np.ndarray:
    """A wing outline (u outward, v up) about its centroid, `size` long, mm."""
    if variant == "bat":
        pts = [(0, 0.1), (0.3, 0.55), (0.75, 0.8), (1.0, 0.6), (0.85, 0.25), (0.7, 0.05),
               (0.55, 0.22), (0.4, -0.05), (0.25, 0.12), (0.05, -0.15)]  # fmt: skip
    else:  # feathered: a rounded leading edge rising to the tip, feather points below
        top = [(0.0, 0.35), (0.12, 0.58), (0.3, 0.78), (0.55, 0.93), (0.8, 1.0), (1.0, 0.95)]
        xs = np.linspace(0.97, 0.06, 9)
        low = [(x, 0.12 + 0.6 * x - (0.13 if i % 2 == 0 else 0.0)) for i, x in enumerate(xs)]
        pts = top + low
    xy = np.array(pts) * size
    return xy - xy.mean(axis=0)


def wings(ctx: Ctx, variant: str) -> None:
    """A pair of wings on the back, reaching out and up behind the body."""
    ctx.name = f"{variant} wings"
    for p in ctx.parts_named("wing"):  # the worded wings replace the subject's own (dragon)
        ctx.removed.add(id(p))
    back = ctx.anchor("back")
    by = float(back.size_mm)
    size = max(1.8 * by, 1.15 * ctx.head_w)
    t = max(2.0 * ctx.line, 0.08 * by)
    colour = {"feathered": WHITE, "bat": (90, 60, 110), "fairy": (200, 185, 240)}[variant]
    for sg in (1.0, -1.0):
        u = unit((-0.4, sg, 0.45))
        v = unit(np.cross(u, (1.0, 0.0, 0.0)) * -sg)
        v = v if v[2] > 0 else -v
        root = back.point + Y * sg * 0.25 * by + back.normal * 0.1 * by + Z * 0.25 * by
        if variant == "fairy":
            for k, (length, lift) in enumerate(((0.95, 0.45), (0.65, -0.25))):
                c = root + u * 0.5 * length * size + Z * lift * size * 0.6
                e = np.linspace(0, 2 * np.pi, 24, endpoint=False)
                ell = np.column_stack([0.55 * length * size * np.cos(e), 0.3 * size * np.sin(e)])
                rot = np.array(
                    [[np.cos(0.5 - k), -np.sin(0.5 - k)], [np.sin(0.5 - k), np.cos(0.5 - k)]]
                )
                ctx.add(f"lobe {k}", plate(ell @ rot.T, t, c - u * 0.05 * size, u, v), colour)
        else:
            outline = _wing_outline(variant, size)
            c = root + u * (0.5 * size - 0.1 * by) + v * 0.35 * size
            ctx.add("wing", plate(outline, t, c, u, v), colour)
        on_body = ctx.snap(root - back.normal * 0.1 * by, lift=-0.12 * by)
        stub = tube([on_body, root + u * 0.12 * size], max(0.14 * by, 1.2 * ctx.line))
        ctx.add("root", stub, colour)


def horns(ctx: Ctx, variant: str) -> None:
    """Horns on the head: one unicorn horn, two devil horns, or curled ram horns."""
    ctx.name = f"{variant} horns"
    h = ctx.head
    hw = ctx.head_w
    if variant == "unicorn":
        root, n = h.at((0.45, 0.0, 0.9))
        root = ctx.snap(root)
        tip = root + unit((0.35, 0.0, 1.0)) * 0.95 * hw
        ctx.add("horn", tube([root - n * 0.15 * hw, (root + tip) / 2, tip],
                             [0.2 * hw, 0.12 * hw, ctx.line]), (240, 200, 80))  # fmt: skip
        for f in (0.25, 0.5):
            q = root + (tip - root) * f
            ctx.add(
                "ring",
                tube(
                    [q - (tip - root) * 0.04, q + (tip - root) * 0.04],
                    (0.2 - 0.13 * f) * hw + ctx.line * 0.4,
                ),
                (250, 225, 130),
            )
        return
    for sg in (1.0, -1.0):
        if variant == "devil":
            root, n = h.at((0.1, sg * 0.5, 0.85))
            root = ctx.snap(root)
            pts = [root - n * 0.12 * hw, root + (0.0, sg * 0.15 * hw, 0.3 * hw),
                   root + (0.1 * hw, sg * 0.1 * hw, 0.55 * hw)]  # fmt: skip
            ctx.add("horn", tube(pts, [0.17 * hw, 0.1 * hw, ctx.line]), (215, 45, 50))
        else:  # ram: a curl on each side of the head
            root, n = h.at((-0.1, sg * 0.75, 0.55))
            root = ctx.snap(root)
            a = np.linspace(0, 1.6 * np.pi, 14)
            r = 0.35 * hw * (1 - 0.35 * a / a[-1])
            c = root + n * 0.05 * hw + Y * sg * 0.05 * hw
            pts = c + np.column_stack([r * np.sin(a), np.full_like(a, 0.0) + sg * 0.1 * hw * a / a[-1],
                                       r * (1 - np.cos(a)) * -1 + 0.0])  # fmt: skip
            ctx.add("horn", tube(pts, np.linspace(0.16 * hw, 0.08 * hw + ctx.line, 14)),
                    (235, 220, 180))  # fmt: skip
            ctx.peg(pts[0], 0.12 * hw, (235, 220, 180))


# ---- neck: scarf, bow, cape --------------------------------------------------------------


def _ring_around(centre: np.ndarray, axis: np.ndarray, radius: float, wire: float):
    """A closed ring of wire radius `wire` around an axis, mm."""
    import trimesh

    ring = trimesh.creation.torus(radius, wire, major_sections=32, minor_sections=10)
    rot = frame(axis)
    m = np.eye(4)
    m[:3, :3] = rot
    m[:3, 3] = centre
    return ring.apply_transform(m)


def scarf(ctx: Ctx, variant: str) -> None:
    """A scarf ring around the neck with one end hanging down the chest."""
    ctx.name = "scarf"
    neck = ctx.anchor("neck")
    f = frame(neck.normal)
    reach = [  # the real surface around the neck: snap four points on the anchor's circle
        float(np.linalg.norm(np.cross(ctx.snap(neck.point + d * neck.size_mm) - neck.point, neck.normal)))
        for d in (f[:, 0], -f[:, 0], f[:, 1], -f[:, 1])
    ]  # fmt: skip
    r = min(float(neck.size_mm), float(np.mean(reach)))
    wire = max(0.2 * r, 1.5 * ctx.line)
    colour = (220, 60, 60)
    ctx.add("ring", _ring_around(neck.point, neck.normal, r + 0.15 * wire, wire), colour)
    side = unit(np.cross(neck.normal, X)) if abs(neck.normal[0]) < 0.9 else Y
    start = neck.point + X * r * 0.85 + side * 0.35 * r
    end = start + (0.25 * r, 0.05 * r, -1.1 * r)
    ctx.add("end", tube([start, (start + end) / 2 + X * 0.1 * r, end], [wire, 0.9 * wire, wire]),
            colour)  # fmt: skip
    _ = variant


def _bow_at(ctx: Ctx, centre: np.ndarray, normal: np.ndarray, size: float, colour: RGB) -> None:
    """A bow: two loops and a knot, facing `normal`, `size` wide, mm."""
    f = frame(normal)
    t = max(1.2 * ctx.line, 0.12 * size)
    for sg in (1.0, -1.0):
        c = centre + f[:, 0] * sg * 0.5 * size
        ctx.add("loop", blob(c, (0.48 * size, 0.34 * size, t), f @ _rz(sg * 0.25)), colour)
    ctx.add("knot", blob(centre + normal * 0.3 * t, (0.2 * size, 0.22 * size, 1.3 * t), f), colour)


def _rz(angle: float) -> np.ndarray:
    """Rotation about the local z axis (radians)."""
    c, s = np.cos(angle), np.sin(angle)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def bow(ctx: Ctx, variant: str) -> None:
    """A bow on the head beside an ear, or at the front of the neck."""
    ctx.name = f"{variant} bow"
    colour = (240, 90, 140)
    if variant == "head":
        ear = ctx.anchor("ear_l")
        h = ctx.head
        p, n = h.at(ear.point + X * 0.3 * ctx.head_w - h.c)
        p = ctx.snap(p)
        size = 0.55 * ctx.head_w
        _bow_at(ctx, p + n * 0.1 * size, unit(n + X), size, colour)
        ctx.peg(p + n * 0.1 * size, 0.15 * size, colour)
    else:
        neck = ctx.anchor("neck")
        r = float(neck.size_mm)
        body = ctx.body_part()
        p, n = support(body.mesh, neck.point - X * r, X)
        front = ctx.snap(neck.point + X * r, lift=0.1 * r)
        size = max(0.6 * r, 0.35 * ctx.head_w)
        _bow_at(ctx, front, X, size, colour)
        ctx.peg(front, 0.15 * size, colour)
        _ = (p, n)


def cape(ctx: Ctx, variant: str) -> None:
    """A cape from the neck down the back: the back half of a widening cone shell."""
    ctx.name = "cape"
    neck, back = ctx.anchor("neck"), ctx.anchor("back")
    edge = ctx.snap(neck.point - X * float(neck.size_mm))  # the real surface at the back
    r0 = max(float(np.linalg.norm((edge - neck.point)[:2])), 0.3 * float(neck.size_mm))
    z0 = float(neck.point[2]) + 0.1 * r0
    z1 = min(max(0.08 * ctx.height, z0 - 2.2 * float(back.size_mm)), z0 - 0.2 * ctx.height)
    r1 = 1.1 * float(back.size_mm) + 0.3 * (z0 - z1)
    t = max(2.0 * ctx.line, 0.06 * r0)
    c = np.array([neck.point[0] - 0.1 * r0, neck.point[1]])
    ctx.add("sheet", _shell(c, z0, z1, r0, r1, 70.0, 290.0, t), (200, 40, 50))
    ctx.peg(np.array([c[0] - r0, c[1], z0 - 0.5 * t]), max(t, 0.1 * r0), (200, 40, 50))
    clasp = ctx.snap(neck.point + X * r0)
    ctx.add("clasp", blob(clasp, (0.2 * r0, 0.2 * r0, 0.2 * r0)), (230, 190, 60), fixed=True)
    _ = variant


def _shell(c, z0, z1, r0, r1, a0, a1, t, nu: int = 20, nv: int = 8):
    """A sector of a cone shell (azimuth a0..a1 degrees) from (r0, z0) down to (r1, z1), t
    thick, as one closed mesh, mm."""
    import trimesh

    a = np.radians(np.linspace(a0, a1, nu))
    v = np.linspace(0, 1, nv)
    rows = []
    for off in (0.0, t):
        for k in v:
            r = r0 + (r1 - r0) * k + off
            z = z0 + (z1 - z0) * k
            rows.append(
                np.column_stack([c[0] + r * np.cos(a), c[1] + r * np.sin(a), np.full(nu, z)])
            )
    verts = np.vstack(rows)

    def idx(layer: int, i: int, j: int) -> int:
        return layer * nv * nu + i * nu + j

    faces = []
    for i in range(nv - 1):
        for j in range(nu - 1):
            a_, b_, c_, d_ = idx(0, i, j), idx(0, i, j + 1), idx(0, i + 1, j + 1), idx(0, i + 1, j)
            faces += [[a_, c_, b_], [a_, d_, c_]]
            a_, b_, c_, d_ = idx(1, i, j), idx(1, i, j + 1), idx(1, i + 1, j + 1), idx(1, i + 1, j)
            faces += [[a_, b_, c_], [a_, c_, d_]]
    for i in range(nv - 1):  # the two straight edges
        for j, flip in ((0, False), (nu - 1, True)):
            q = [idx(0, i, j), idx(0, i + 1, j), idx(1, i + 1, j), idx(1, i, j)]
            tri = [[q[0], q[1], q[2]], [q[0], q[2], q[3]]]
            faces += [f[::-1] for f in tri] if flip else tri
    for j in range(nu - 1):  # top and bottom edges
        for i, flip in ((0, True), (nv - 1, False)):
            q = [idx(0, i, j), idx(0, i, j + 1), idx(1, i, j + 1), idx(1, i, j)]
            tri = [[q[0], q[1], q[2]], [q[0], q[2], q[3]]]
            faces += [f[::-1] for f in tri] if flip else tri
    mesh = trimesh.Trimesh(verts, np.array(faces), process=False)
    trimesh.repair.fix_normals(mesh)
    return mesh


# ---- face: glasses, teeth, tears, eyes, blush --------------------------------------------


def glasses(ctx: Ctx, variant: str) -> None:
    """Glasses over the eyes: round rims, or heart or star lenses, a bridge and temples."""
    ctx.name = f"{variant} glasses"
    el, er = ctx.anchor("eye_l"), ctx.anchor("eye_r")
    span = float(np.linalg.norm(el.point - er.point))
    r = max(1.9 * max(el.size_mm, er.size_mm), 0.3 * span)
    r = min(r, 0.48 * span)
    wire = max(ctx.line, 0.1 * r)
    frame_col = {"round": (50, 45, 50), "heart": (240, 80, 120), "star": (240, 190, 50)}[variant]
    inner = []
    for e, sg in ((el, 1.0), (er, -1.0)):
        centre = e.point + e.normal * (wire * 0.6 + 0.2 * e.size_mm)
        f = frame(e.normal)
        pad = ctx.snap(centre - f[:, 0] * sg * 0.8 * r - f[:, 1] * 0.3 * r)
        ctx.add("pad", tube([centre - f[:, 0] * sg * 0.95 * r, pad], wire), frame_col)
        if variant == "round":
            ctx.add("rim", _ring_around(centre, e.normal, r, wire), frame_col)
        else:
            out = heart_outline(2.1 * r) if variant == "heart" else star_outline(1.2 * r, 5, 0.5)
            ctx.add("lens", plate(out, 2 * wire, centre, f[:, 0], f[:, 1]), frame_col)
        inner.append(centre - f[:, 0] * sg * r * 0.95)
        side = centre + f[:, 0] * sg * r * 0.95
        back = ctx.snap(side - X * 0.9 * ctx.head.r[0] + Y * sg * 0.1 * ctx.head_w)
        ctx.add(
            "temple", tube([side, (side + back) / 2 + Y * sg * 0.05 * r, back], wire), frame_col
        )
    ctx.add("bridge", tube([inner[0], (inner[0] + inner[1]) / 2 + Z * 0.2 * r, inner[1]], wire),
            frame_col)  # fmt: skip


def teeth(ctx: Ctx, variant: str) -> None:
    """Two buck teeth below the mouth; else a row of white triangular teeth hanging along
    the mouth (a shark's), sized to the head so that they read at a thumbnail, the two at
    the corners long fangs when so worded."""
    ctx.name = f"{variant} teeth"
    if variant == "buck":
        _buck_teeth(ctx)
        return
    m = ctx.anchor("mouth")
    f = frame(m.normal)
    half_row = TOOTH_ROW * ctx.head_w
    wide = 2.0 * half_row / TEETH
    thick = max(2.0 * ctx.line, 0.35 * wide)
    for k in range(TEETH):
        x = -half_row + (k + 0.5) * wide
        top = ctx.snap(m.point + f[:, 0] * x)
        normal = ctx.snap(top, 1.0) - top
        side = unit(f[:, 0] - np.dot(f[:, 0], normal) * normal)
        up = unit(np.cross(normal, side))
        long = FANG_LENGTH if variant == "fangs" and k in (0, TEETH - 1) else 1.0
        tall = TOOTH_TALL * wide * long
        outline = np.array([[-0.5 * wide, 0.15 * tall], [0.5 * wide, 0.15 * tall], [0.0, -tall]])
        ctx.add("tooth", plate(outline, thick, top + normal * 0.15 * thick, side, up), WHITE)


def _buck_teeth(ctx: Ctx) -> None:
    """Two front teeth hanging from the mouth, sized to the head (not the mouth line, which
    made them specks): their tops sunk in the face, their lower halves standing out of it."""
    m = ctx.anchor("mouth")
    f = frame(m.normal)
    half_w, half_h = 0.5 * BUCK_TOOTH_W * ctx.head_w, 0.5 * BUCK_TOOTH_H * ctx.head_w
    t = max(ctx.line * 1.1, 0.16 * half_w)
    for sg in (1.0, -1.0):
        c = m.point - f[:, 1] * 0.8 * half_h + f[:, 0] * sg * 1.08 * half_w + m.normal * 0.5 * t
        ctx.add("tooth", blob(c, (half_w, half_h, t), f, 2, 0.5), WHITE)


def tears(ctx: Ctx, variant: str) -> None:
    """Tear drops running from under each eye."""
    ctx.name = "tears"
    for side in ("l", "r"):
        a = ctx.anchor(f"eye_{side}")
        f = frame(a.normal)
        e = float(a.size_mm)
        pts = [ctx.snap(a.point - f[:, 1] * k * e, lift=0.25 * ctx.line) for k in (1.4, 2.2, 3.0)]
        radii = [ctx.line, 1.25 * ctx.line, 1.7 * ctx.line]
        ctx.add(f"drop {side}", tube(pts, radii), (120, 190, 245))
    _ = variant


def eyes(ctx: Ctx, variant: str) -> None:
    """New eyes in place of the subject's own: big cartoon, closed, sleepy or hearts."""
    ctx.name = f"{variant} eyes"
    for p in ctx.parts_named("eye_l", "eye_r", "brow_"):
        ctx.removed.add(id(p))
    h = ctx.head
    for side in ("l", "r"):
        a = ctx.anchor(f"eye_{side}")
        e = float(a.size_mm)
        local = Ellipsoid.of(a.point - a.normal * ctx.head_w, (ctx.head_w,) * 3)
        if variant == "heart":
            f = frame(a.normal)
            out = heart_outline(3.0 * e)
            ctx.add(f"heart_{side}", plate(out, 2.2 * ctx.line, a.point + a.normal * 0.4 * ctx.line,
                                           f[:, 0], f[:, 1]), (230, 50, 80))  # fmt: skip
            continue
        style, expression, size = {
            "big": ("cartoon", "happy", 1.15 * e),
            "closed": ("kawaii", "crying", 1.1 * e),
            "sleepy": ("kawaii", "sleepy", 1.1 * e),
        }[variant]
        n = a.normal
        az, el = np.degrees(np.arctan2(n[1], n[0])), np.degrees(np.arcsin(np.clip(n[2], -1, 1)))
        lay = FaceLayout(eye_elevation_deg=float(el), eye_mm=size, line_mm=ctx.line)
        parts, _ = one_eye(local, float(az), lay, side, style, expression, DARK)
        for part in parts:
            ctx.add(part.name.replace(f"eye_{side}", f"eye_{side} {variant}"), part.mesh,
                    part.colour, "detail", fixed=part.colour == WHITE)  # fmt: skip
    _ = h


def blush(ctx: Ctx, variant: str) -> None:
    """Pink blush ovals on both cheeks."""
    ctx.name = "blush"
    for side in ("l", "r"):
        c = ctx.anchor(f"cheek_{side}")
        r = max(float(c.size_mm), 2.5 * ctx.line)
        mesh = blob(c.point, (1.3 * r, 0.8 * r, 1.2 * ctx.line), frame(c.normal))
        ctx.add(f"cheek_{side}", mesh, (250, 140, 160), "detail")
    _ = variant


# ---- body patterns -----------------------------------------------------------------------


def _golden(n: int) -> np.ndarray:
    """n directions spread evenly over the sphere."""
    i = np.arange(n) + 0.5
    z = 1 - 2 * i / n
    t = np.pi * (3 - np.sqrt(5)) * i
    r = np.sqrt(1 - z * z)
    return np.column_stack([r * np.cos(t), r * np.sin(t), z])


# A worded print ("cow print", "strawberry print"): its ink, spot size (times a plain spot's)
# and which of the spot places it uses (every k-th), so a print costs no more unions than
# plain spots; the subject's own pattern parts (a cow's patches, a tiger's stripes) give way.
PRINTS: dict[str, tuple[RGB, float, int]] = {
    "cow": ((40, 38, 40), 1.3, 1),  # big black patches on a white body (the reader's white)
    "strawberry": ((215, 45, 55), 0.8, 2),  # small red berries, each under a green leaf cap
    "leopard": ((90, 58, 35), 0.6, 1),  # small dark-brown spots on a tan body
    "polka": (WHITE, 0.7, 1),  # white dots (darker ones on a light body)
}
OWN_PATTERN = ("patch", "stripe")  # subject part names a print replaces
LEAF: RGB = (70, 150, 60)


def _spot_places(ctx: Ctx) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """Where spots go (point, normal, radius): the back of the head, the body's sides and
    back (not under the neck of an upright body), sizes varied."""
    body = ctx.body_part()
    c = body.mesh.centroid
    size = float(np.min(body.mesh.extents))
    neck = ctx.anchor("neck")
    upright = body.name == "body" and neck.normal[2] > 0.7
    out: list[tuple[np.ndarray, np.ndarray, float]] = []
    for d in _golden(18):
        if d[0] > -0.1 or d[2] < 0.0:
            continue
        p, n = ctx.head.at(d)
        out.append((ctx.snap(p), n, 0.09 * 2 * ctx.head_w * (1.0 + 0.3 * (len(out) % 3) / 2)))
    for d in _golden(40):
        if d[0] > 0.55 or d[2] < -0.5:
            continue
        p, n = support(body.mesh, c, d)
        if upright and p[2] > float(neck.point[2]) - 0.05 * size:
            continue
        out.append((p, n, 0.11 * size * (1.0 + 0.35 * ((len(out) * 7) % 3) / 2)))
    return out


def spots(ctx: Ctx, variant: str) -> None:
    """Round spots over the body's sides and back: flush colour patches, raised bumps, or a
    worded print (PRINTS) in its own colours over the subject's own pattern."""
    ctx.name = f"{variant} spots"
    body = ctx.body_part()
    if variant in PRINTS:
        _print(ctx, variant, body.colour)
        return
    colour = darker(body.colour, 0.55) if variant == "colour" else darker(body.colour, 0.85)
    for p, n, r in _spot_places(ctx):
        if variant == "colour":
            mesh = disc_on(p, n, r, max(1.2 * ctx.line, 0.12 * r), sub=SPOT_SUBDIV)
            ctx.add("spot", mesh, colour, "detail")
        else:
            ctx.add("bump", blob(p, (r, r, 0.6 * r), frame(n)), colour, "feature")


def _print(ctx: Ctx, variant: str, body: RGB) -> None:
    """A worded print on the body: cow patches (uneven ovals), strawberries (a red oval under
    a green leaf cap), leopard spots or polka dots; the subject's own pattern parts go."""
    ink, scale, step = PRINTS[variant]
    if variant == "polka" and min(body) > 200:
        ink = darker(body, 0.6)
    ctx.removed |= {id(p) for p in ctx.parts_named(*OWN_PATTERN)}
    for k, (p, n, r) in enumerate(_spot_places(ctx)[::step]):
        r *= scale
        thick = max(1.2 * ctx.line, 0.12 * r)
        if variant == "cow":  # an uneven patch: an oval turned its own way, sunk so its
            up = unit(Z + 0.9 * np.sin(2.4 * k) * np.cross(n, Z) + 1e-3 * X)  # edge follows
            rot = frame(n, up)  # the curved body (a flat disc this wide would stand off it)
            mesh = blob(p - n * 0.3 * r, (1.3 * r, 0.85 * r, 0.42 * r), rot, SPOT_SUBDIV)
        else:
            mesh = disc_on(p, n, r, thick, sub=SPOT_SUBDIV)
        ctx.add("print", mesh, ink, "detail")
        if variant == "strawberry":  # the leaf cap at the berry's top, up the surface
            top = p + frame(n)[:, 1] * 0.75 * r
            cap = blob(top, (0.55 * r, 0.3 * r, 1.3 * thick), frame(n), SPOT_SUBDIV)
            ctx.add("leaf", cap, LEAF, "detail", fixed=True)


def stripes(ctx: Ctx, variant: str) -> None:
    """Bands across the body's back and sides: colour lines or raised ridges."""
    ctx.name = f"{variant} stripes"
    body = ctx.body_part()
    mesh = body.mesh
    c = mesh.centroid
    ext = mesh.extents
    colour = darker(body.colour, 0.5) if variant == "colour" else darker(body.colour, 0.85)
    wire = max(1.3 * ctx.line, 0.035 * float(np.min(ext))) * (1.0 if variant == "colour" else 1.4)
    long_x = ext[0] > 1.25 * ext[2]
    for k in (-0.5, -0.15, 0.2, 0.55) if long_x else (-0.35, 0.0, 0.35):
        if long_x:  # bands over the back, across the body
            dirs = [unit((k, np.cos(a), np.sin(a))) for a in np.radians(np.linspace(-20, 200, 11))]
        else:  # bands around the back and sides
            dirs = [unit((np.cos(a), np.sin(a), k)) for a in np.radians(np.linspace(45, 315, 13))]
        pts = np.array([support(mesh, c, d)[0] for d in dirs])
        keep = np.r_[True, np.linalg.norm(np.diff(pts, axis=0), axis=1) > 1e-6]
        pts = pts[keep]
        if len(pts) >= 3:
            ctx.add(
                "band", tube(pts, wire, 10), colour, "detail" if variant == "colour" else "feature"
            )

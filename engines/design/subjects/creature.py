"""The shared creature template: a layout (upright, quad, swim, octopus) places body and head
for a pose; ears, snout, face, limbs, tail and pattern parts follow the anatomy row (nominal mm,
scaled to the asked height at the end)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import trimesh

from engines.design.kit.parts import Anchor, Model, Part
from engines.design.subjects.anatomy import ANATOMY, Anatomy, colours_of
from engines.design.subjects.face import (
    FaceLayout,
    add_cheeks,
    add_eyes,
    add_mouth,
    add_tears,
    one_eye,
)
from engines.design.subjects.geom import Ellipsoid, blob, cone, disc_on, frame, plate, tube, unit
from engines.design.subjects.style import Look

RGB = tuple[int, int, int]
X, Y, Z = np.eye(3)
PINK_TONGUE: RGB = (235, 105, 125)


def smooth(points: list, n: int = 12) -> np.ndarray:
    """A Catmull-Rom curve through control points, n samples (mm)."""
    p = np.asarray(points, dtype=float)
    p = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    out = []
    for t in np.linspace(0, len(p) - 3, n):
        i = min(int(t), len(p) - 4)
        u = t - i
        a, b, c, d = p[i : i + 4]
        out.append(
            0.5
            * (
                2 * b
                + (c - a) * u
                + (2 * a - 5 * b + 4 * c - d) * u**2
                + (3 * b - a - 3 * c + d) * u**3
            )
        )
    return np.array(out)


@dataclass
class Sketch:
    """Parts and anchors being built, the colour roles and the look (style, pose ...)."""

    a: Anatomy
    look: Look
    colours: dict[str, RGB]
    parts: list[Part] = field(default_factory=list)
    anchors: dict[str, Anchor] = field(default_factory=dict)
    body: Ellipsoid | None = None
    head: Ellipsoid | None = None
    line: float = 1.1  # thinnest line radius, nominal mm
    tail_root: np.ndarray | None = None
    hand: np.ndarray | None = None
    mouth_surface: Ellipsoid | None = None
    mouth_point: np.ndarray | None = None
    face_surface: Ellipsoid | None = None  # a face patch the eyes sit on (else the head)
    has_mouth: bool = True
    neck: tuple[np.ndarray, np.ndarray, float] | None = None  # a neck's base, top and radius

    def add(self, name: str, mesh: trimesh.Trimesh, role_colour: str | RGB, role: str = "body"):
        """Add a part coloured by a colour role name (or an RGB)."""
        colour = self.colours[role_colour] if isinstance(role_colour, str) else role_colour
        self.parts.append(Part(name, mesh, colour, role))


# ---- layouts: body and head ellipsoids, limbs, hand, tail root --------------------------


def _upright(s: Sketch, sitting: bool, waving: bool, body=None) -> None:
    """A creature standing (or sitting) upright on its feet, head on its body."""
    lk = s.look
    bx, by, bz = body if body is not None else s.a.body
    bx, by = bx * lk.chub, by * lk.chub
    hx, hy, hz = np.array(s.a.head) * lk.head
    foot_h = 0.2 * bz
    leg = max(0.0, lk.limbs - 1.0) * 0.7 * bz
    if sitting:
        bc = np.array([-0.12 * bx, 0.0, 0.92 * bz])
    else:
        bc = np.array([0.0, 0.0, 1.3 * foot_h + leg + 0.9 * bz])
    s.body = Ellipsoid.of(bc, (bx, by, bz))
    hc = bc + (0.1 * bx, 0.0, 0.8 * bz + 0.6 * hz)
    s.add("body", s.body.mesh(3), "body")
    if s.a.neck > 0:  # a horse sitting: its neck rises steeply from the chest
        hc = _neck(s, bc + (0.5 * bx, 0.0, 0.55 * bz), 68.0, (hx, hy, hz))
    s.head = Ellipsoid.of(hc, (hx, hy, hz), s.a.head_boxy)
    s.add("head", s.head.mesh(3), s.a.head_role)
    limb_r = 0.22 * by * min(lk.limbs, 1.2) ** 0.3
    for side, sg in (("l", 1.0), ("r", -1.0)):
        if s.a.feet != "none" and s.a.limbs != "tentacles":
            if sitting:
                hip = bc + (0.25 * bx, sg * 0.5 * by, -0.55 * bz)
                foot = np.array([bc[0] + 1.0 * bx + 0.3 * leg, sg * 0.55 * by, 0.9 * foot_h])
                s.add(f"leg_{side}", tube([hip, foot], 0.26 * by * lk.limbs**0.3), "limbs")
                fr = (0.7 * foot_h, 0.26 * by, 1.5 * foot_h)
                s.add(f"foot_{side}", blob(foot + (0.2 * foot_h, 0, 0.6 * foot_h), fr), "feet")
            else:
                foot = np.array([0.3 * bx, sg * 0.45 * by, foot_h])
                if leg > 0:
                    hip = bc + (0.05 * bx, sg * 0.45 * by, -0.6 * bz)
                    s.add(f"leg_{side}", tube([hip, foot], 0.22 * by), "limbs")
                long = 1.6 if s.a.feet == "webbed" else 1.0
                fr = (0.42 * by * long, 0.27 * by * (1.2 if long > 1 else 1), foot_h)
                s.add(f"foot_{side}", blob(foot + (0.1 * by * long, 0, 0), fr), "feet")
        shoulder = bc + (0.15 * bx, sg * 0.7 * by, 0.4 * bz)
        up = waving and sg < 0
        if s.a.limbs == "paws":
            if up:
                hand = bc + (0.4 * bx, sg * 1.05 * by, 0.95 * bz + 0.3 * hz)
            elif sitting:
                hand = bc + (0.8 * bx, sg * 0.55 * by, -0.15 * bz)
            else:
                hand = bc + (0.7 * bx, sg * 0.8 * by, -0.05 * bz * lk.limbs)
            s.add(f"arm_{side}", tube([shoulder, hand], limb_r), "limbs")
        else:  # flippers or wings held at the sides
            tilt = -0.9 if up else 0.35
            rot = frame((0.0, sg, 0.0), (tilt * sg * 0, 0.0, 1.0))
            rot = _tilted(sg, tilt)
            big = 1.0 if s.a.limbs == "flippers" else 0.75
            c = bc + (-0.05 * bx, sg * 0.92 * by, (0.35 if up else -0.05) * bz)
            s.add(f"arm_{side}", blob(c, (0.12 * by, 0.38 * bx, 0.6 * bz * big), rot), "limbs")
            hand = c + (0.3 * bx, sg * 0.1 * by, -0.4 * bz)
        if side == "l":
            s.hand = hand
    s.tail_root = s.body.at((-1.0, 0.0, -0.35))[0]


NECK_TAPER = (0.62, 0.5)  # a neck's radius at the chest / the body's width, at the head / head's


def _neck(s: Sketch, chest: np.ndarray, rise_deg: float, head: tuple) -> np.ndarray:
    """A neck from the chest rising forward-up at rise_deg, a.neck of the body's length long;
    the head hangs forward from its top (the poll at the head's back and top). Returns the
    head's centre."""
    hx, hy, hz = head
    b = s.body
    assert b is not None
    length = s.a.neck * 2.0 * s.a.body[0]
    d = np.array([np.cos(np.radians(rise_deg)), 0.0, np.sin(np.radians(rise_deg))])
    top = chest + d * length
    r0 = NECK_TAPER[0] * min(b.r[1], b.r[2])
    r1 = max(NECK_TAPER[1] * hy, 0.55 * r0)
    base = chest - d * 0.6 * r0  # sunk into the chest
    pts = smooth([base, chest + d * 0.5 * length + X * 0.04 * length, top], 8)
    s.add("neck", tube(pts, np.linspace(r0, r1, 8)), "body")
    s.neck = (chest, top, float(r1))
    return top + np.array([0.5 * hx, 0.0, -0.05 * hz])


def _tilted(sign: float, tilt: float) -> np.ndarray:
    """Rotation for a side limb: long axis z leaned outward by `tilt` radians."""
    c, sn = np.cos(tilt), np.sin(tilt)
    up = np.array([0.0, sign * sn, c])
    side = np.array([0.0, sign * c, -sn])
    return np.column_stack([np.cross(side, up), side, up])


def _quad(s: Sketch, waving: bool) -> None:
    """A four-legged creature standing, head in front of its body."""
    lk = s.look
    bl, bw, bh = s.a.body
    bw, bh = bw * lk.chub, bh * lk.chub
    hx, hy, hz = np.array(s.a.head) * lk.head
    leg = 0.85 * bh * s.a.legs * lk.limbs
    bc = np.array([0.0, 0.0, leg + 0.8 * bh])
    s.body = Ellipsoid.of(bc, (bl, bw, bh))
    s.add("body", s.body.mesh(3), "body")
    hc = bc + (bl * 0.85 + 0.3 * hx, 0.0, 0.5 * bh + 0.35 * hz)
    if s.a.neck > 0:
        hc = _neck(s, bc + (0.72 * bl, 0.0, 0.45 * bh), 58.0, (hx, hy, hz))
    s.head = Ellipsoid.of(hc, (hx, hy, hz), s.a.head_boxy)
    s.add("head", s.head.mesh(3), s.a.head_role)
    if s.a.neck <= 0 and np.linalg.norm(hc - bc) > 0.9 * bl:  # a neck bridges a long gap
        s.add("neck", tube([bc + (0.6 * bl, 0, 0.2 * bh), hc], 0.7 * min(hy, bh)), "body")
    leg_r = (0.26 if s.a.legs < 1.5 else 0.2) * bw
    sprawl = 1.05 if s.a.limbs == "legs" else 0.6
    for name, sx, sy in (("fl", 1, 1), ("fr", 1, -1), ("bl", -1, 1), ("br", -1, -1)):
        top = bc + (sx * 0.55 * bl, sy * 0.5 * bw, -0.3 * bh)
        foot = np.array([sx * 0.6 * bl, sy * sprawl * bw, leg_r])
        if waving and name == "fr":
            foot = bc + (bl * 1.0 + leg_r, sy * 0.65 * bw, -0.1 * bh)
        s.add(f"leg_{name}", tube([top, foot], leg_r), "limbs")
        if s.a.feet == "hoof":
            hoof = blob(foot + (0, 0, -0.1 * leg_r), (1.1 * leg_r, 1.1 * leg_r, 0.8 * leg_r))
            s.add(f"hoof_{name}", hoof, s.colours.get("hooves", (70, 55, 50)))
        if name == "fl":
            s.hand = bc + (0.8 * bl, 0.4 * bw, -0.25 * bh)
    s.tail_root = s.body.at((-1.0, 0.0, 0.2))[0]


def _loaf(s: Sketch) -> None:
    """Lying down: the body on the ground, head raised in front, paws tucked forward."""
    lk = s.look
    a = s.a
    if a.layout == "upright":
        bl, bw, bh = 1.15 * a.body[2], a.body[1], 0.85 * a.body[0]
    else:
        bl, bw, bh = a.body[0], a.body[1], 0.9 * a.body[2]
    bw, bh = bw * lk.chub, bh * lk.chub
    hx, hy, hz = np.array(a.head) * lk.head
    bc = np.array([0.0, 0.0, 0.88 * bh])
    s.body = Ellipsoid.of(bc, (bl, bw, bh))
    s.add("body", s.body.mesh(3), "body")
    hc = bc + (0.75 * bl + 0.15 * hx, 0.0, 0.5 * bh + 0.5 * hz)
    if a.neck > 0:  # lying with its legs folded, the neck still up
        hc = _neck(s, bc + (0.7 * bl, 0.0, 0.45 * bh), 60.0, (hx, hy, hz))
    s.head = Ellipsoid.of(hc, (hx, hy, hz), a.head_boxy)
    s.add("head", s.head.mesh(3), a.head_role)
    pr = 0.3 * min(bw, bh)
    for side, sg in (("l", 1.0), ("r", -1.0)):
        if a.limbs not in ("tentacles", "fins"):
            front = np.array([0.85 * bl, sg * 0.5 * bw, pr])
            s.add(f"paw_{side}", blob(front, (1.5 * pr, pr, pr)), "limbs")
            back = np.array([-0.55 * bl, sg * 0.8 * bw, 0.9 * pr])
            s.add(f"haunch_{side}", blob(back, (1.6 * pr, pr, 1.2 * pr)), "limbs")
        if side == "l":
            s.hand = np.array([0.95 * bl, 0.5 * bw, 2 * pr])
    s.tail_root = s.body.at((-1.0, 0.0, 0.0))[0]


def _swim(s: Sketch, pose: str) -> None:
    """A sea creature on its belly: long body, head merged in front, fins at the sides."""
    lk = s.look
    a = s.a
    bl, bw, bh = a.body
    bw, bh = bw * lk.chub, bh * lk.chub
    hx, hy, hz = np.array(a.head) * lk.head
    bc = np.array([0.0, 0.0, 0.9 * bh])
    s.body = Ellipsoid.of(bc, (bl, bw, bh))
    s.add("body", s.body.mesh(3), "body")
    raised = pose == "sitting" or "seal_head" in a.extras
    lift = (0.55 * bh + 0.45 * hz) if raised else 0.05 * bh
    hc = bc + ((0.55 if raised else 0.62) * bl + 0.2 * hx, 0.0, lift)
    s.head = Ellipsoid.of(hc, (hx, hy, hz), a.head_boxy)
    s.add("head", s.head.mesh(3), a.head_role)
    for side, sg in (("l", 1.0), ("r", -1.0)):
        up = pose == "waving" and sg < 0
        c = bc + (0.25 * bl, sg * 0.95 * bw, (0.3 if up else -0.45) * bh)
        rot = _tilted(sg, -0.9 if up else 1.2)
        s.add(f"fin_{side}", blob(c, (0.28 * bl, 0.45 * bw, 0.1 * bh), rot), "limbs")
        if side == "l":
            s.hand = c + (0.25 * bl, 0.0, 0.2 * bh)
    s.tail_root = s.body.at((-1.0, 0.0, 0.1))[0]


OCTOPUS_ROOT = 1.3  # an octopus's tentacle root radius / the mantle's lift above the ground
OCTOPUS_TIP = 0.2  # an octopus's tentacle tip radius / its root's


def _octopus(s: Sketch, pose: str) -> None:
    """A mantle on eight tentacles, broad at the mantle and tapering to thin tips that
    curl up."""
    lk = s.look
    hx, hy, hz = np.array(s.a.head) * lk.head * lk.chub
    tr = 0.2 * hx
    hc = np.array([0.0, 0.0, 0.55 * hz + 2.2 * tr])
    s.head = s.body = Ellipsoid.of(hc, (hx, hy, hz))
    s.add("head", s.head.mesh(3), "body")
    reach = 1.25 * lk.limbs
    for k in range(8):
        ang = np.radians(22.5 + 45 * k)
        d = np.array([np.cos(ang), np.sin(ang), 0.0])
        start = hc + d * 0.5 * hx - Z * 0.5 * hz
        if pose == "waving" and k == 6:
            end = hc + d * 1.2 * hx + Z * 0.7 * hz
            pts = [start, start + d * 0.6 * hx + Z * 0.1 * hz, end,
                   end + d * 0.12 * hx + Z * 0.12 * hz]  # fmt: skip
        else:  # out over the ground, the thin tip curling up and over
            flat = 1.3 if pose == "lying" else 1.0
            mid = d * hx * 0.9 * reach * flat
            end = d * hx * 1.3 * reach * flat
            pts = [start, np.array([*mid[:2], 0.8 * tr]),
                   np.array([*(0.5 * (mid + end))[:2], 0.45 * tr]),
                   np.array([*end[:2], 0.5 * tr + 0.12 * hz]),
                   np.array([*(end - d * 0.1 * hx)[:2], 0.5 * tr + 0.22 * hz])]  # fmt: skip
        curve = smooth(pts, 16)
        taper = 1.0 - (1.0 - OCTOPUS_TIP) * np.linspace(0.0, 1.0, 16) ** 0.8
        s.add(f"tentacle_{k}", tube(curve, np.maximum(OCTOPUS_ROOT * tr * taper, s.line)), "limbs")
        if k == 0:  # the front-left tentacle holds things
            s.hand = curve[-6]
    s.tail_root = None


# ---- head parts ---------------------------------------------------------------------------


MANE_LOCKS = 3  # a mane's run from forelock to withers in this many overlapping parts


# The least style-and-knob factor of the parts that make a subject what it is: a horse with
# a chibi's short muzzle and small ears is a bear (chibi: a bigger head, not a ball); a
# dolphin without its beak is a whale.
SNOUT_MIN: dict[str, float] = {"horse": 1.0, "rostrum": 0.9}  # by snout kind
UPRIGHT_EAR_MIN = 0.9  # a horse's upright ears


def _ears(s: Sketch) -> None:
    """Ears by kind, and the ear anchors at their roots."""
    h, a = s.head, s.a
    assert h is not None
    hx, hy, hz = h.r
    k = a.ear_size * max(s.look.ears, UPRIGHT_EAR_MIN if a.ears == "upright" else 0.0)
    inner = s.look.details
    for side, sg in (("l", 1.0), ("r", -1.0)):
        kind = a.ears
        root, n = h.at((0.0, sg * 0.55, 0.85))
        if kind in ("pointy", "upright"):  # a cat's ear: a flat triangle facing forward
            # (pink inside); a horse's: narrower, taller and standing straight up
            tall, wide, lean = (0.68, 0.4, 0.4) if kind == "pointy" else (0.95, 0.32, 1.6)
            base, tip = root - n * 0.1 * hy, root + unit(n + lean * Z) * tall * hy * k
            s.add(f"ear_{side}", _flat_ear(base, tip, wide * hy * k, 0.42), "ears")
            if inner:
                fwd = _forward(unit(tip - base))
                off = fwd * 0.1 * hy * k + unit(tip - base) * 0.06 * hy * k
                inner_ear = _flat_ear(
                    base + off,
                    tip + off - 0.22 * (tip - base),
                    (0.25 if kind == "pointy" else 0.75 * wide) * hy * k,
                    0.4,
                )
                s.add(f"ear_{side} inner", inner_ear, "inner", "detail")
        elif kind in ("round", "big_round"):
            r = (0.34 if kind == "round" else 0.5) * hy * k
            root, n = h.at((-0.05, sg * 0.7, 0.7))
            c = root + n * 0.35 * r
            s.add(f"ear_{side}", blob(c, (r, r, 0.4 * r), frame((1, sg * 0.25, 0))), "ears")
            if inner:
                ci = c + X * 0.25 * r
                ri = (0.62 * r, 0.62 * r, 0.3 * r)
                s.add(
                    f"ear_{side} inner", blob(ci, ri, frame((1, sg * 0.25, 0))), "inner", "detail"
                )
        elif kind == "long":
            root, n = h.at((-0.1, sg * 0.35, 0.95))
            c = root + unit((0, sg * 0.18, 1.0)) * 0.6 * hy * k * 1.1
            rot = frame((1.0, 0.0, 0.0), (0.0, sg * 0.2, 1.0))
            s.add(f"ear_{side}", blob(c, (0.24 * hy * k, 0.85 * hy * k, 0.13 * hy)), "ears")
            s.parts[-1].mesh = blob(c, (0.24 * hy * k, 0.85 * hy * k, 0.14 * hy), rot)
            if inner:
                ci = c + X * 0.08 * hy
                ri = (0.14 * hy * k, 0.65 * hy * k, 0.1 * hy)
                s.add(f"ear_{side} inner", blob(ci, ri, rot), "inner", "detail")
        elif kind == "floppy":  # a dog's ear: from the top of the head, hanging past the cheek
            root, n = h.at((0.0, sg * 0.8, 0.6))
            rot = _tilted(sg, -0.3)  # hangs beside the head, its top leaning into it
            c = h.c + np.array([0.05 * hx, sg * 1.0 * hy, 0.05 * hz])
            s.add(f"ear_{side}", blob(c, (0.32 * hy * k, 0.13 * hy, 0.62 * hz * k), rot), "accent")
        elif kind == "tiny":
            root, n = h.at((-0.35, sg * 0.6, 0.75))
            s.add(f"ear_{side}", blob(root + n * 0.05 * hy, (0.16 * hy * k,) * 3), "ears")
        elif kind == "side":
            root, n = h.at((-0.1, sg * 1.0, 0.45))
            c = root + sg * Y * 0.3 * hy * k
            r3 = (0.42 * hy * k, 0.22 * hy * k, 0.13 * hy)
            rot = frame((1.0, 0.0, 0.35))
            s.add(f"ear_{side}", blob(c, r3, rot), "ears")
            if inner:
                ri = (0.3 * hy * k, 0.13 * hy * k, 0.1 * hy)
                s.add(f"ear_{side} inner", blob(c + X * 0.06 * hy, ri, rot), "inner", "detail")
        elif kind == "fan":
            root, n = h.at((-0.35, sg * 0.9, 0.15))
            c = root + sg * Y * 0.35 * hy * k
            rot = frame((1.0, sg * 0.35, 0.0))
            s.add(f"ear_{side}", blob(c, (0.7 * hy * k, 0.85 * hz * k, 0.13 * hy), rot), "ears")
            if inner:
                ri = (0.5 * hy * k, 0.62 * hz * k, 0.1 * hy)
                s.add(
                    f"ear_{side} inner", blob(c + rot[:, 2] * 0.06 * hy, ri, rot), "inner", "detail"
                )
        elif kind == "tuft":
            root, n = h.at((0.0, sg * 0.6, 0.8))
            tip = root + unit((0.1, sg * 0.5, 1.0)) * 0.55 * hy * k
            s.add(f"ear_{side}", _cone(root - n * 0.1 * hy, tip, 0.24 * hy * k), "ears")
        s.anchors[f"ear_{side}"] = Anchor(root, n, 0.3 * hy * max(k, 0.5))


def _forward(axis: np.ndarray) -> np.ndarray:
    """The creature's front (+X) made square to an ear's axis: the way its ear faces."""
    f = X - np.dot(X, axis) * axis
    return unit(f) if np.linalg.norm(f) > 1e-6 else Y


def _flat_ear(base: np.ndarray, tip: np.ndarray, radius: float, flat: float) -> trimesh.Trimesh:
    """A pointed ear: a rounded cone pressed to `flat` of its width front to back, so it reads
    as a triangle from the front and a thin shell from the side, mm."""
    cone = _cone(base, tip, radius)
    f = _forward(unit(tip - base))
    squash = np.eye(3) - (1.0 - flat) * np.outer(f, f)
    v = (np.asarray(cone.vertices) - base) @ squash.T + base
    return trimesh.Trimesh(v, cone.faces, process=False)


def _cone(base: np.ndarray, tip: np.ndarray, radius: float, sections: int = 12) -> trimesh.Trimesh:
    """A cone with a rounded base and a small rounded tip (a tapered tube), mm."""
    return cone(base, tip, radius, sections)


def _snout(s: Sketch) -> None:
    """Snout, nose or beak by kind; sets where the mouth goes."""
    h, a, line = s.head, s.a, s.line
    assert h is not None
    hx, hy, hz = h.r
    kind = a.snout
    k = a.snout_size * max(s.look.snout, SNOUT_MIN.get(kind, 0.0))
    nose = s.colours["nose"]
    if kind in ("muzzle", "pointy", "wide", "long", "dog", "reptile", "horse", "rostrum"):
        shape = {
            "rostrum": ((0.92, 0.0, -0.3), (0.78, 0.3, 0.22), "body"),  # a dolphin's long beak
            "horse": ((0.85, 0.0, -0.38), (1.05, 0.68, 0.62), "nose"),  # a horse's long muzzle
            "reptile": ((0.82, 0.0, -0.22), (0.82, 0.56, 0.44), "body"),  # a dragon's long snout
            "muzzle": ((0.75, 0.0, -0.32), (0.36, 0.42, 0.3), "belly"),
            "dog": ((0.85, 0.0, -0.3), (0.58, 0.4, 0.3), "belly"),  # a snout that reaches out
            "pointy": ((0.8, 0.0, -0.28), (0.55, 0.3, 0.26), "belly"),
            "wide": ((0.78, 0.0, -0.35), (0.42, 0.72, 0.42), "nose"),
            "long": ((0.95, 0.0, -0.4), (0.85, 0.72, 0.55), "body"),
        }[kind]
        off, rr, colour = shape
        rr = np.array(rr) * (hx, hy, hz) * np.array([k, 1.0, 1.0])
        c = h.c + np.array(off) * (hx, hy, hz) + X * (k - 1.0) * 0.4 * hx
        m = Ellipsoid.of(c, rr)
        s.add("snout", m.mesh(2), colour if colour != "body" else s.a.head_role)
        s.mouth_surface = m
        s.mouth_point = c + rr * (0.85, 0.0, -0.5)
        if kind in ("muzzle", "pointy", "dog"):
            tip, tn = m.at((1.0, 0.0, {"muzzle": 0.45, "pointy": 0.1, "dog": 0.35}[kind]))
            nr = max(0.3 * rr[1], 2 * line) * {"muzzle": 1.0, "pointy": 0.8, "dog": 1.25}[kind]
            s.add("nose", blob(tip, (0.7 * nr, nr, 0.7 * nr), frame(tn)), nose, "detail")
            if kind == "dog":  # the tongue out under the snout
                t, tn2 = m.at((0.7, 0.0, -0.75))
                tongue = blob(t + tn2 * 0.1 * rr[2], (0.32 * rr[0], 0.45 * rr[1], 0.2 * rr[2]),
                              frame(tn2), 2)  # fmt: skip
                s.add("tongue", tongue, PINK_TONGUE, "detail")
        elif kind != "rostrum":  # a dolphin breathes through its blowhole, not its beak
            for sg in (1.0, -1.0):
                p, n = m.at((1.0, sg * 0.35, 0.15))
                s.add(
                    "nostril",
                    disc_on(p, n, max(0.12 * rr[1], 1.6 * line), line * 1.3),
                    "mouth",
                    "detail",
                )
    elif kind == "square":  # capybara: the blunt front of a boxy head, a dark nose pad
        p, n = h.at((1.0, 0.0, 0.15))
        pad = blob(p, (0.14 * hx, 0.42 * hy, 0.26 * hz), None, 2, 0.7)
        s.add("nose", pad, nose, "detail")
        s.mouth_point = h.at((1.0, 0.0, -0.45))[0]
    elif kind == "beak":
        p, n = h.at((1.0, 0.0, -0.15))
        tip = p + unit((1.0, 0.0, -0.25)) * 0.42 * hx * k
        s.add("beak", _cone(p - X * 0.15 * hx, tip, 0.24 * hy * k), "beak")
        s.has_mouth = False
        s.mouth_point = p + (tip - p) * 0.4
    elif kind == "bill":
        p, n = h.at((1.0, 0.0, -0.2))
        c = p + X * 0.18 * hx * k
        bill = blob(c, (0.45 * hx * k, 0.42 * hy, 0.14 * hz), None, 2, 0.85)
        s.add("beak", bill, "beak")
        s.has_mouth = False
        s.mouth_point = c + X * 0.4 * hx * k
    elif kind == "pig":
        p, n = h.at((1.0, 0.0, -0.2))
        c = p + X * 0.12 * hx
        s.add("snout", blob(c, (0.18 * hx, 0.3 * hy, 0.24 * hz), None, 2, 0.6), "nose")
        for sg in (1.0, -1.0):
            q = c + X * 0.17 * hx + Y * sg * 0.11 * hy
            s.add("nostril", disc_on(q, X, 0.07 * hy + line, line * 1.3), "accent", "detail")
        s.mouth_point = h.at((1.0, 0.0, -0.62))[0]
    elif kind == "trunk":
        p, n = h.at((1.0, 0.0, -0.2))
        pts = smooth(
            [
                p - X * 0.2 * hx,
                p + (0.3 * hx, 0, -0.45 * hz),
                p + (0.45 * hx, 0, -1.0 * hz),
                p + (0.75 * hx, 0, -1.15 * hz),
            ],
            12,
        )
        s.add("trunk", tube(pts, np.linspace(0.3 * hy, 0.16 * hy, 12)), s.a.head_role)
        s.mouth_point = h.at((1.0, 0.0, -0.55))[0] + Y * 0.3 * hy
    elif kind == "koala":
        p, n = h.at((1.0, 0.0, -0.12))
        s.add("nose", blob(p, (0.18 * hx, 0.22 * hy, 0.3 * hz), None, 2), nose, "detail")
        s.mouth_point = h.at((1.0, 0.0, -0.55))[0]
    else:  # a small nose between the eyes
        if a.eyes != "top":
            p, n = h.at((1.0, 0.0, -0.12))
            r = max(0.07 * hy, 1.5 * line)
            s.add("nose", blob(p, (r, 1.3 * r, 0.9 * r), frame(n)), nose, "detail")


def _face(s: Sketch, expression: str) -> None:
    """Eyes, mouth, cheeks and their anchors."""
    h, a, lk = s.head, s.a, s.look
    assert h is not None
    e = 0.13 * h.r[1] * a.eye_size * lk.eyes
    layout = FaceLayout(
        eye_azimuth_deg=a.eye_az * lk.eye_spread,
        eye_elevation_deg=a.eye_el,
        eye_mm=max(e, 2.2 * s.line),
        line_mm=s.line,
        mouth_surface=s.mouth_surface,
        mouth_point=s.mouth_point,
        mouth_width_mm=0.32 * h.r[1] if a.eyes != "top" else 0.6 * h.r[1],
    )
    style = "cartoon" if a.eye_white else lk.style
    eye_colour = s.colours["eyes"]
    if a.eyes == "top":  # frog: eyes on bumps on top of the head
        parts, anchors = [], {}
        one = FaceLayout(eye_elevation_deg=12.0, eye_mm=layout.eye_mm * 1.3, line_mm=s.line)
        for side, sg in (("l", 1.0), ("r", -1.0)):
            root, _ = h.at((0.5, sg * 0.62, 0.62))
            bump = Ellipsoid.of(root, (0.28 * h.r[1],) * 3)
            s.add(f"eye bump_{side}", bump.mesh(2), s.a.head_role)
            ps, anchors[f"eye_{side}"] = one_eye(
                bump, sg * 10.0, one, side, style, expression, eye_colour
            )
            parts += ps
        layout = FaceLayout(
            eye_azimuth_deg=40.0,
            eye_elevation_deg=-5.0,
            eye_mm=layout.eye_mm,
            line_mm=s.line,
            mouth_elevation_deg=-12.0,
            mouth_width_mm=0.75 * h.r[1],
        )
    else:
        parts, anchors = add_eyes(s.face_surface or h, layout, style, expression, eye_colour)
    s.parts += parts
    s.anchors.update(anchors)
    if s.has_mouth:
        mparts, mouth = add_mouth(s.face_surface or h, layout, expression, s.colours["mouth"])
        s.parts += mparts
    else:
        assert s.mouth_point is not None
        mouth = Anchor(s.mouth_point, X, 0.15 * h.r[1])
    s.anchors["mouth"] = mouth
    blush = s.colours["blush"] if lk.blush else None
    cparts, cheeks = add_cheeks(s.face_surface or h, layout, blush)
    s.parts += cparts
    s.anchors.update(cheeks)
    if expression == "crying":
        s.parts += add_tears(s.anchors, s.line, [p for p in s.parts if p.role == "body"])


# ---- tail and pattern parts ----------------------------------------------------------------


def _tail(s: Sketch) -> None:
    """The tail by kind, from the back of the body."""
    if s.tail_root is None or s.a.tail == "none":
        return
    b = s.body
    assert b is not None
    by = b.r[1]
    L = 1.1 * min(b.r[1], b.r[2]) * s.a.tail_len * s.look.tail
    r0 = s.tail_root
    kind = s.a.tail
    back = -X
    if kind in ("stub", "pompom"):
        r = (0.2 if kind == "stub" else 0.3) * by
        s.add("tail", blob(r0 + back * 0.3 * r, (r, r, r)), "body" if kind == "stub" else "belly")
        return
    if kind in ("long", "bushy", "ringed", "tuft", "hair"):
        ctrl = [
            r0 + X * 0.2 * L,
            r0 + (-0.45 * L, 0.15 * L, -0.1 * L),
            r0 + (-0.75 * L, 0.35 * L, 0.35 * L),
            r0 + (-0.6 * L, 0.45 * L, 0.85 * L),
        ]
        if kind in ("tuft", "hair"):
            ctrl = [
                r0 + X * 0.2 * L,
                r0 + (-0.4 * L, 0.0, -0.05 * L),
                r0 + (-0.6 * L, 0.05 * L, -0.45 * L),
                r0 + (-0.65 * L, 0.08 * L, -0.8 * L),
            ]
        pts = smooth(ctrl, 14)
        thick = {"long": 0.13, "bushy": 0.32, "ringed": 0.24, "tuft": 0.08, "hair": 0.2}[kind]
        r = np.full(14, max(thick * by, 1.4 * s.line))
        if kind == "bushy":
            r = thick * by * np.sin(np.linspace(0.5, 2.8, 14)) + 0.06 * by
        colour = "accent" if kind == "hair" else "body"
        s.add("tail", tube(pts, r), colour)
        if kind == "bushy":
            s.add("tail tip", blob(pts[-2], (0.22 * by,) * 3), "belly")
        elif kind == "tuft":
            s.add("tail tip", blob(pts[-1], (0.16 * by,) * 3), "accent")
        elif kind == "hair" and "mane" in s.a.extras:  # locks like the mane's, fanned out
            for sg in (1.0, 0.0, -1.0):
                spread = np.outer(np.linspace(0, 1, 12) ** 1.5, (-0.12 * L, sg * 0.22 * L, 0.0))
                lock = pts[2:] + spread
                rr = np.linspace(0.8, 0.45, 12) * r[0]
                s.add("mane_tail lock", tube(lock, rr), "accent")
        elif kind == "ringed":
            for i in (4, 8, 12):
                seg = pts[i - 1 : i + 1]
                s.add("tail ring", tube(seg, r[i] * 1.12), "accent", "detail")
    elif kind == "curly":
        t = np.linspace(0, 2.2 * np.pi, 16)
        rr = 0.16 * by
        pts = r0 + np.column_stack([-0.05 * by - rr * t / 4, rr * np.sin(t), rr * (1 - np.cos(t))])
        s.add("tail", tube(pts, max(0.06 * by, 1.3 * s.line)), "body")
    elif kind == "thick":
        pts = smooth(
            [
                b.c + (-0.4 * b.r[0], 0, -0.2 * b.r[2]),
                r0 + (-0.5 * L, 0.1 * L, -0.55 * L),
                np.array([r0[0] - 1.3 * L, 0.35 * L, 0.3 * by]),
            ],
            12,
        )
        s.add("tail", tube(pts, np.linspace(0.45 * by, 0.14 * by, 12)), "body")
        if "spikes" in s.a.extras and s.look.details:
            for i in (3, 6, 9):
                d = unit(np.cross(pts[i + 1] - pts[i - 1], Y)) * -1
                d = d if d[2] > 0 else -d
                rad = np.linspace(0.45 * by, 0.14 * by, 12)[i]
                s.add(
                    "spike",
                    _cone(pts[i] + d * 0.6 * rad, pts[i] + d * (rad + 0.2 * by), 0.13 * by),
                    "accent",
                )
    elif kind == "taper":  # a lizard's tail: long, low, tapering to a point, a little curved
        z_end = 0.35 * b.r[2]
        pts = smooth([b.c + (-0.5 * b.r[0], 0, 0), r0 + (-0.45 * L, 0.12 * L, 0.0),
                      np.array([r0[0] - L, 0.3 * L, z_end])], 12)  # fmt: skip
        s.add("tail", tube(pts, np.linspace(0.6 * b.r[2], max(0.12 * b.r[2], 1.4 * s.line), 12)),
              "body")  # fmt: skip
    elif kind in ("flat", "fin", "fluke"):
        far = r0 + back * L * (1.6 if kind == "flat" else 0.9) + Z * 0.15 * L
        pts = smooth([r0 + X * 0.3 * L, r0 + back * 0.5 * L, far], 10)
        s.add("tail", tube(pts, np.linspace(0.5 * b.r[2], 0.18 * b.r[2], 10)), "body")
        if kind == "flat":  # a fin along the top and bottom of the tail
            outline = (
                np.array(
                    [[0.0, 0.0], [1.0, 0.05], [1.25, 0.45], [0.9, 0.7], [0.3, 0.62], [-0.2, 0.3]]
                )
                * L
            )
            outline[:, 1] -= 0.33 * L
            s.add(
                "tail fin",
                plate(outline, max(0.1 * by, 2 * s.line), r0 + back * 0.7 * L + Z * 0.2 * L, -X, Z),
                "accent",
            )
        elif kind == "fin":
            lobes = (
                np.array(
                    [[0.0, 0.0], [0.6, 1.2], [0.9, 1.15], [0.5, 0.0], [0.9, -0.75], [0.7, -0.8]]
                )
                * 0.9
                * L
            )
            s.add(
                "tail fin",
                plate(lobes - lobes.mean(axis=0), 0.16 * by, far + back * 0.2 * L, -X, Z),
                "body",
            )
        else:
            from engines.design.subjects.geom import heart_outline

            heart = heart_outline(2.2 * L)
            s.add("tail fin", plate(heart, 0.18 * b.r[2], far + back * 0.45 * L, Y, -X), "body")


def _extras(s: Sketch) -> None:
    """Pattern and character parts named by the anatomy (belly, mane, gills, shell ...)."""
    b, h, a = s.body, s.head, s.a
    assert b is not None and h is not None
    detail = s.look.details
    line = s.line
    for extra in a.extras:
        if extra == "belly" and a.layout in ("upright",) and s.look.details:
            big = 1.15 if s.colours["body"] != s.colours["belly"] else 1.0
            if s.parts[0].name == "body" and b.r[0] > b.r[2]:  # lying: belly under
                continue
            c = b.c + (0.6 * b.r[0], 0, -0.12 * b.r[2])
            r = (0.5 * b.r[0], 0.68 * b.r[1] * big, 0.75 * b.r[2] * big)
            s.add("belly", blob(c, r, None, 3), "belly")
        elif extra == "belly" and a.layout == "swim":
            c = b.c + (0.1 * b.r[0], 0, -0.3 * b.r[2])
            s.add("belly", blob(c, (0.95 * b.r[0], 0.85 * b.r[1], 0.72 * b.r[2]), None, 3), "belly")
        elif extra == "face_white" or (extra == "face_light" and detail):
            c = h.c + (0.42 * h.r[0], 0, -0.1 * h.r[2])
            patch = Ellipsoid.of(c, (0.68 * h.r[0], 0.8 * h.r[1], 0.74 * h.r[2]))
            s.add("face", patch.mesh(3), "belly")
            s.face_surface = patch
        elif extra == "muzzle_patch" and detail:
            c = h.c + (0.78 * h.r[0], 0, -0.33 * h.r[2])
            m = Ellipsoid.of(c, (0.28 * h.r[0], 0.36 * h.r[1], 0.22 * h.r[2]))
            s.add("muzzle", m.mesh(2), "belly")
            s.mouth_surface, s.mouth_point = m, c + m.r * (0.9, 0.0, -0.3)
        elif extra == "patches":
            for az, el, size in ((40, 30, 0.5), (150, 10, 0.6), (-100, 20, 0.55), (-20, -10, 0.35)):
                p, n = b.angles(az, el)
                s.add("patch", disc_on(p, n, size * b.r[2], 2 * line, sub=2), "pattern", "detail")
            p, n = h.angles(-45, 35)
            s.add("patch", disc_on(p, n, 0.35 * h.r[1], 2 * line), "pattern", "detail")
        elif extra == "horns":
            for sg in (1.0, -1.0):
                root, n = h.at((-0.1, sg * 0.45, 0.9))
                tip = root + unit((0.1, sg * 0.7, 1.0)) * 0.45 * h.r[1]
                s.add("horn", _cone(root - n * 0.1 * h.r[1], tip, 0.13 * h.r[1]), "horn")
        elif extra == "dragon_horns":  # two long horns swept back from the top of the head
            for sg in (1.0, -1.0):
                root, n = h.at((-0.3, sg * 0.5, 0.85))
                tip = root + unit((-0.85, sg * 0.3, 0.75)) * 0.85 * h.r[1]
                mid = (root + tip) / 2 + Z * 0.08 * h.r[1]
                s.add("horn", tube([root - n * 0.12 * h.r[1], mid, tip],
                                   [0.2 * h.r[1], 0.13 * h.r[1], 1.3 * line]), "horn")  # fmt: skip
        elif extra == "long_horns":  # a highland cow's: out to the sides, then curving up
            for sg in (1.0, -1.0):
                root, n = h.at((0.0, sg * 0.6, 0.8))
                mid = root + (0.05 * h.r[0], sg * 0.75 * h.r[1], 0.05 * h.r[2])
                tip = root + (0.2 * h.r[0], sg * 1.2 * h.r[1], 0.6 * h.r[2])
                s.add("horn", tube([root - n * 0.12 * h.r[1], mid, tip],
                                   [0.16 * h.r[1], 0.11 * h.r[1], 1.3 * line]), "horn")  # fmt: skip
        elif extra == "fringe":  # shaggy locks over the brow, hanging down over the eyes
            for lock_az in (-42.0, -21.0, 0.0, 21.0, 42.0):
                p, n = h.angles(lock_az, 38.0)
                c = p + n * 0.08 * h.r[0] - Z * 0.12 * h.r[2]
                lock = (0.16 * h.r[0], 0.15 * h.r[1], 0.3 * h.r[2] * (1.0 - abs(lock_az) / 150.0))
                s.add("fringe", blob(c, lock), "body")
        elif extra == "shaggy":  # long hair hanging down the flanks and over the back
            for shag_az in range(0, 360, 36):
                for shag_el in (-15.0, 25.0):
                    p, n = b.angles(shag_az + (18.0 if shag_el > 0 else 0.0), shag_el)
                    c = p + n * 0.05 * b.r[1] - Z * 0.1 * b.r[2]
                    s.add("shag", blob(c, (0.2 * b.r[1], 0.2 * b.r[1], 0.38 * b.r[2])), "body")
        elif extra == "horn":
            root, n = h.at((0.55, 0.0, 0.85))
            tip = root + unit((0.45, 0.0, 1.0)) * 1.0 * h.r[2]
            base, hr = root - n * 0.1 * h.r[1], 0.2 * h.r[1]
            s.add("horn", _cone(base, tip, hr), "horn")
            if detail:  # a spiral groove wound up it, pearl on gold
                s.add("horn spiral", _spiral(base, tip, hr, line), HORN_PEARL, "detail")
        elif extra == "gills":
            for sg in (1.0, -1.0):
                for gz in (0.55, 0.1, -0.35):
                    root, n = h.at((-0.2, sg * 1.0, gz))
                    d = unit((-0.4, sg * 1.0, 0.9 * gz + 0.25))
                    pts = np.array(
                        [
                            root - n * 0.1 * h.r[1],
                            root + d * 0.35 * h.r[1],
                            root + d * 0.62 * h.r[1],
                        ]
                    )
                    gr = max(0.07 * h.r[1], 1.3 * line)
                    s.add("gill", tube(pts, gr), "accent")
                    for j in (1, 2):
                        q = root + d * (0.25 + 0.3 * j / 2) * h.r[1]
                        fr = blob(q + Z * 0.05 * h.r[1], (1.6 * gr, 1.6 * gr, 2.2 * gr))
                        s.add("gill frill", fr, "accent")
        elif extra == "mane" and s.neck is not None:
            _flowing_mane(s)
        elif extra == "mane":
            top = h.c + (-0.3 * h.r[0], 0, 0.9 * h.r[2])
            pts = smooth(
                [
                    h.c + (0.3 * h.r[0], 0, 0.95 * h.r[2]),
                    top,
                    b.c + (0.75 * b.r[0], 0, 0.9 * b.r[2]),
                    b.c + (0.4 * b.r[0], 0, 0.9 * b.r[2]),
                ],
                10,
            )
            for seg in np.array_split(np.arange(len(pts)), MANE_LOCKS):  # locks, each its
                ends = np.arange(max(seg[0] - 1, 0), min(seg[-1] + 2, len(pts)))  # own part
                s.add("mane", tube(pts[ends], 0.22 * h.r[1]), "accent")  # (a rainbow's colour)
            for k, q in enumerate(pts[1:-1:2]):  # locks of hair along it, a forelock in front
                r = (0.36 if k == 0 else 0.3) * h.r[1]
                s.add("mane tuft", blob(q + Z * 0.12 * h.r[1], (1.3 * r, 0.8 * r, r), None, 2),
                      "accent")  # fmt: skip
        elif extra == "mane_ring":
            c = h.c - X * 0.3 * h.r[0]
            s.add("mane", blob(c, (0.5 * h.r[0], 1.18 * h.r[1], 1.15 * h.r[2]), None, 3), "accent")
            for k in range(12):
                t = 2 * np.pi * k / 12
                q = c + (0.1 * h.r[0], np.cos(t) * 1.12 * h.r[1], np.sin(t) * 1.1 * h.r[2])
                s.add("mane tuft", blob(q, (0.35 * h.r[1],) * 3, None, 1), "accent")
        elif extra == "dorsal":
            tri = np.array([[-0.35, 0.0], [0.25, 0.0], [-0.3, 0.85], [-0.42, 0.75]]) * b.r[0]
            p = b.c + Z * 0.7 * b.r[2]
            s.add(
                "dorsal fin",
                plate(
                    tri - tri.mean(axis=0) + (0, 0.1 * b.r[0]),
                    0.22 * b.r[1],
                    p + Z * 0.15 * b.r[2],
                    X,
                    Z,
                ),
                "body",
            )
        elif extra == "dorsal_curved":  # a dolphin's: swept back, its trailing edge hollow
            fin = np.array(
                [(0.18, -0.3), (0.18, 0.0), (0.1, 0.3), (0.0, 0.55), (-0.12, 0.78), (-0.26, 0.95),
                 (-0.38, 1.02), (-0.31, 0.86), (-0.23, 0.62), (-0.2, 0.36), (-0.21, 0.15),
                 (-0.27, 0.0), (-0.27, -0.3)]
            ) * (b.r[0], b.r[2])  # fmt: skip
            thick = max(0.2 * b.r[1], 2 * line)
            s.add("dorsal fin", plate(fin, thick, b.c + Z * 0.92 * b.r[2], X, Z), "body")
        elif extra == "tuft":
            p = h.c + Z * h.r[2]
            pts = smooth(
                [
                    p - Z * 0.1 * h.r[2],
                    p + (0.05 * h.r[0], 0, 0.3 * h.r[2]),
                    p + (-0.15 * h.r[0], 0, 0.4 * h.r[2]),
                    p + (-0.2 * h.r[0], 0, 0.25 * h.r[2]),
                ],
                8,
            )
            s.add("tuft", tube(pts, max(0.07 * h.r[1], 1.4 * line)), "body")
        elif extra == "cheek_pouches":
            for sg in (1.0, -1.0):
                p, n = h.angles(sg * 55, -30)
                s.add("cheek", blob(p, (0.3 * h.r[1],) * 3, None, 2), "belly")
        elif extra in ("eye_patches", "sloth_eyes", "mask", "facial_disc"):
            for side in ("l", "r"):
                sg = 1.0 if side == "l" else -1.0
                e = s.anchors.get(f"eye_{side}")
                if e is None:
                    continue
                f = frame(e.normal)
                if extra == "eye_patches":
                    rot = f @ _rz(sg * 0.5)
                    q = e.point - f[:, 1] * 0.4 * e.size_mm
                    s.add(
                        "eye patch",
                        blob(q, (2.1 * e.size_mm, 2.6 * e.size_mm, 1.3 * line), rot),
                        "accent",
                        "detail",
                    )
                elif extra == "sloth_eyes":
                    rot = f @ _rz(sg * -0.35)
                    q = e.point - f[:, 0] * sg * 0.8 * e.size_mm - f[:, 1] * 0.5 * e.size_mm
                    s.add(
                        "eye stripe",
                        blob(q, (3.2 * e.size_mm, 1.4 * e.size_mm, 1.3 * line), rot),
                        "accent",
                        "detail",
                    )
                elif extra == "mask":
                    q = e.point - f[:, 0] * sg * 0.5 * e.size_mm
                    s.add(
                        "mask",
                        blob(q, (3.0 * e.size_mm, 1.8 * e.size_mm, 1.3 * line), f),
                        "accent",
                        "detail",
                    )
                else:
                    s.add(
                        "face disc",
                        blob(e.point, (2.6 * e.size_mm, 2.6 * e.size_mm, 1.3 * line), f),
                        "belly",
                        "detail",
                    )
        elif extra == "face_marks":
            _face_marks(s)
        elif extra == "spikes":
            for el in (-30, 0, 30, 60):
                p, n = b.angles(180, el)
                s.add(
                    "spike",
                    _cone(p - n * 0.05 * b.r[1], p + n * 0.3 * b.r[1], 0.16 * b.r[1]),
                    "accent",
                )
            for el in (30, 60):
                p, n = h.angles(180, el)
                s.add(
                    "spike",
                    _cone(p - n * 0.05 * h.r[1], p + n * 0.25 * h.r[1], 0.13 * h.r[1]),
                    "accent",
                )
        elif extra == "small_wings":  # bat-like wings reaching back and up
            wing = np.array([(0, 0.1), (0.3, 0.55), (0.75, 0.8), (1.0, 0.6), (0.85, 0.25),
                             (0.7, 0.05), (0.55, 0.22), (0.4, -0.05), (0.25, 0.12),
                             (0.05, -0.15)]) * 1.3 * b.r[1]  # fmt: skip
            for sg in (1.0, -1.0):
                p, n = b.angles(180 - sg * 50, 30)
                u = unit((-0.75, sg * 0.75, 0.35))
                v = unit(np.cross(u, X) * -sg)
                v = v if v[2] > 0 else -v
                c = p + u * 0.55 * b.r[1] + v * 0.3 * b.r[1]
                s.add(
                    "wing", plate(wing - wing.mean(axis=0), 0.1 * b.r[1] + line, c, u, v), "accent"
                )
        elif extra == "wool":
            golden = np.pi * (3 - np.sqrt(5))
            for i in range(40):
                zz = 1 - 2 * (i + 0.5) / 40
                if zz < -0.35:
                    continue
                t = golden * i
                d = np.array(
                    [np.cos(t) * np.sqrt(1 - zz * zz), np.sin(t) * np.sqrt(1 - zz * zz), zz]
                )
                p, n = b.at(d)
                s.add("wool", blob(p, (0.3 * b.r[1],) * 3, None, 1), "body")
            for dy in (-0.3, 0.0, 0.3):
                p, n = h.at((0.1, dy, 1.0))
                s.add("wool", blob(p, (0.28 * h.r[1],) * 3, None, 1), "body")
        elif extra == "tusks":
            for sg in (1.0, -1.0):
                p, n = h.at((1.0, sg * 0.45, -0.45))
                s.add(
                    "tusk",
                    _cone(
                        p - X * 0.1 * h.r[0],
                        p + (0.4 * h.r[0], sg * 0.05 * h.r[1], 0.1 * h.r[2]),
                        0.1 * h.r[1],
                    ),
                    "horn",
                )
        elif extra == "shell":
            c = b.c + Z * 0.25 * b.r[2]
            shell = Ellipsoid.of(c, (1.05 * b.r[0], 1.05 * b.r[1], 1.6 * b.r[2]))
            s.add("shell", shell.mesh(3), "accent")
            s.add(
                "shell rim", _ellipse_ring(c, shell.r[0], shell.r[1], 0.12 * b.r[2] + line), "body"
            )
            if detail:
                for az, el in ((0, 90), (0, 45), (72, 45), (144, 45), (216, 45), (288, 45)):
                    p, n = shell.angles(az, el)
                    s.add(
                        "shell plate", disc_on(p, n, 0.3 * b.r[1], 1.5 * line), "pattern", "detail"
                    )
        elif extra == "quills":
            golden = np.pi * (3 - np.sqrt(5))
            for surf, count in ((b, 56), (h, 44)):
                for i in range(count):
                    zz = 1 - 2 * (i + 0.5) / count
                    t = golden * i
                    d = np.array(
                        [np.cos(t) * np.sqrt(1 - zz * zz), np.sin(t) * np.sqrt(1 - zz * zz), zz]
                    )
                    limit = 0.15 if surf is b else 0.05
                    if d[0] > limit or zz < -0.45:
                        continue
                    p, n = surf.at(d)
                    s.add(
                        "quill",
                        _cone(p - n * 0.05 * b.r[1], p + n * 0.38 * b.r[1], 0.13 * b.r[1], 7),
                        "accent",
                    )
        elif extra == "stripes":
            for el in (-15, 15, 42):
                pts = np.array([b.angles(az, el)[0] for az in np.linspace(70, 150, 6)])
                s.add("stripe", tube(pts, 1.4 * line), "pattern", "detail")
                pts = np.array([b.angles(-az, el)[0] for az in np.linspace(70, 150, 6)])
                s.add("stripe", tube(pts, 1.4 * line), "pattern", "detail")
            for mark in (-24.0, 0.0, 24.0):  # forehead marks, spaced so they never merge
                pts = np.array([h.angles(mark, up)[0] for up in np.linspace(48, 62, 4)])
                s.add("stripe", tube(pts, 1.05 * line), "pattern", "detail")
            for sg in (1.0, -1.0):  # cheek strokes
                for up in (4.0, 20.0):
                    pts = np.array([h.angles(sg * a, up)[0] for a in (78.0, 88.0, 98.0)])
                    s.add("stripe", tube(pts, 1.05 * line), "pattern", "detail")


HORN_PEARL: RGB = (252, 244, 228)
MANE_LOCK_COUNT = 6  # a flowing mane's locks along the crest of the neck


def _flowing_mane(s: Sketch) -> None:
    """A mane of locks along the crest of the neck from the poll to the withers, each draped
    over the crest and falling down both sides, and a forelock over the brow (each lock its
    own part, so a rainbow mane shows bands)."""
    h = s.head
    assert h is not None and s.neck is not None
    chest, top, r = s.neck
    d = unit(top - chest)
    back = unit(np.array([-d[2], 0.0, d[0]]))  # square to the neck, up and back: the crest
    assert s.body is not None
    r0 = NECK_TAPER[0] * min(s.body.r[1], s.body.r[2])  # the neck's radius at the chest
    poll = h.at((-0.8, 0.0, 0.6))[0]
    withers = chest + back * 0.85 * r0 - d * 0.2 * r0
    rad = max(0.3 * r0, 1.4 * s.line)
    for i in range(MANE_LOCK_COUNT):
        t = i / (MANE_LOCK_COUNT - 1)
        root = poll + (withers - poll) * t
        w = (0.75 + 0.3 * t) * r0  # the neck's half width there, and a little more
        fall = (0.7 + 0.5 * t) * r0
        pts = smooth([root + Y * w - Z * fall, root + Y * 0.85 * w - Z * 0.2 * fall,
                      root + back * 0.35 * r0, root - Y * 0.85 * w - Z * 0.2 * fall,
                      root - Y * w - Z * fall], 12)  # fmt: skip
        s.add("mane", tube(pts, rad), "accent")
    p, n = h.at((-0.1, 0.0, 1.0))
    fore = smooth([p - n * 0.1 * h.r[2], p + n * 0.25 * h.r[2] + X * 0.2 * h.r[0],
                   p + X * 0.55 * h.r[0] + Z * 0.05 * h.r[2]], 6)  # fmt: skip
    s.add("mane", tube(fore, np.linspace(rad, max(0.6 * rad, 1.2 * s.line), 6)), "accent")


def _spiral(base: np.ndarray, tip: np.ndarray, radius: float, line: float) -> trimesh.Trimesh:
    """A helical ridge wound three turns up a cone() from base to tip, on its surface, mm."""
    axis = tip - base
    rot = frame(unit(axis))
    t = np.linspace(0.08, 0.8, 30)
    taper = np.interp(t, (0.0, 0.5, 1.0), (1.0, 0.55, 0.14)) * radius
    ang = 3 * 2 * np.pi * t
    ring = np.column_stack([np.cos(ang), np.sin(ang), np.zeros_like(t)]) * taper[:, None]
    pts = base + t[:, None] * axis + ring @ rot.T
    return tube(pts, max(0.12 * radius, 0.9 * line), 6, 1)


def _face_marks(s: Sketch) -> None:
    """A red panda's white face mask: a cheek patch under each eye and a brow spot over it
    (the belly colour; the muzzle is white too), so it never reads as a fox."""
    h = s.head
    assert h is not None
    az = s.a.eye_az * s.look.eye_spread
    for sg in (1.0, -1.0):
        p, n = h.angles(sg * (az + 14.0), s.a.eye_el - 30.0)
        s.add("cheek mark", disc_on(p, n, 0.3 * h.r[1], 1.3 * s.line), "belly", "detail")
        p, n = h.angles(sg * (az - 4.0), s.a.eye_el + 27.0)
        brow = max(0.12 * h.r[1], 2.2 * s.line)
        s.add("brow mark", disc_on(p, n, brow, 1.3 * s.line), "belly", "detail")


def _rz(angle: float) -> np.ndarray:
    """Rotation about the local z axis (radians)."""
    c, sn = np.cos(angle), np.sin(angle)
    return np.array([[c, -sn, 0.0], [sn, c, 0.0], [0.0, 0.0, 1.0]])


def _ellipse_ring(c: np.ndarray, rx: float, ry: float, wire: float) -> trimesh.Trimesh:
    """A horizontal elliptical ring of wire radius `wire` centred at c, mm."""
    ring = trimesh.creation.torus(1.0, wire / max(rx, ry), major_sections=32, minor_sections=8)
    ring.apply_scale((rx, ry, max(rx, ry)))
    return ring.apply_translation(c)


# ---- the whole creature -------------------------------------------------------------------


def build_creature(
    name: str,
    look: Look,
    pose: str,
    expression: str,
    colours: dict[str, RGB],
    line_mm: float | None = None,
) -> tuple[list[Part], dict[str, Anchor], float]:
    """The creature's parts, anchors and thinnest line radius at nominal size (about 100 mm
    tall), before levelling; `line_mm` forces the line radius."""
    a = ANATOMY[name]
    s = Sketch(a, look, colours_of(name, colours))
    if a.layout == "octopus":
        _octopus(s, pose)
    elif pose == "lying" and a.layout in ("upright", "quad"):
        _loaf(s)
    elif a.layout == "swim":
        _swim(s, pose)
    elif a.layout == "quad" and pose == "sitting" and ("shell" in a.extras or not a.sits_up):
        _quad(s, False)  # a turtle, a salamander sits as it stands
    elif a.layout == "quad" and pose == "sitting":
        bl, bw, bh = a.body
        _upright(s, True, False, body=(1.05 * bh, bw, 0.85 * bl))
    elif a.layout == "quad":
        _quad(s, pose == "waving")
    else:
        _upright(s, pose == "sitting", pose == "waving")
    _ears(s)
    top = max(p.mesh.bounds[1][2] for p in s.parts)
    assert s.head is not None
    s.line = line_mm or max(0.0115 * top * 1.15, 0.03 * s.head.r[1])
    _extras_before_face(s)
    _snout(s)
    _face(s, expression)
    _tail(s)
    _extras(s)
    _anchors(s)
    if a.leaps and pose == "sitting":  # a dolphin sits up in a leap, nose to the sky
        return *_leaping(s.parts, s.anchors, LEAP_DEG), s.line
    return s.parts, s.anchors, s.line


LEAP_DEG = 30.0  # a leaping swimmer's nose-up tilt


def _leaping(
    parts: list[Part], anchors: dict[str, Anchor], deg: float
) -> tuple[list[Part], dict[str, Anchor]]:
    """The parts and anchors tilted nose up by deg about the y axis, the tail's fluke turned
    back level where it meets the tail: the swimmer stands on its flat fluke (levelling
    sets it on a base whole, not a tilted plate whose tip the base cuts), mm."""
    model = Model(parts, anchors).transform(_about_y(deg, np.zeros(3)))
    tails = [p.mesh for p in model.parts if p.name == "tail"]
    if not tails:
        return model.parts, model.anchors
    tail = np.asarray(tails[0].vertices)
    end = tail[int(np.argmin(tail[:, 0]))]  # the tail's far end, behind the body
    out = []
    for p in model.parts:
        if p.name == "tail fin":
            fin = np.asarray(p.mesh.vertices)
            pivot = fin[int(np.argmin(np.sum((fin - end) ** 2, axis=1)))]
            mesh = p.mesh.copy().apply_transform(_about_y(-deg, pivot))
            p = replace(p, mesh=mesh)
        out.append(p)
    return out, model.anchors


def _about_y(deg: float, pivot: np.ndarray) -> np.ndarray:
    """A rotation turning +X towards +Z by deg about the y axis through a pivot (4x4)."""
    t = np.radians(deg)
    matrix = np.eye(4)
    matrix[:3, :3] = [[np.cos(t), 0.0, -np.sin(t)], [0.0, 1.0, 0.0], [np.sin(t), 0.0, np.cos(t)]]
    matrix[:3, 3] = pivot - matrix[:3, :3] @ pivot
    return matrix


def _extras_before_face(s: Sketch) -> None:
    """Extras the face is drawn on (face patches, muzzle patch) go first."""
    first = tuple(e for e in s.a.extras if e in ("face_white", "face_light", "muzzle_patch"))
    rest = tuple(e for e in s.a.extras if e not in first)
    if first:
        object.__setattr__(s, "a", _with_extras(s.a, first))
        _extras(s)
    object.__setattr__(s, "a", _with_extras(s.a, rest))


def _with_extras(a: Anatomy, extras: tuple[str, ...]) -> Anatomy:
    """The anatomy with another extras list."""
    from dataclasses import replace

    return replace(a, extras=extras)


def _anchors(s: Sketch) -> None:
    """head_top, face, neck, back, hand and base anchors from the built skeleton."""
    b, h = s.body, s.head
    assert b is not None and h is not None
    s.anchors["head_top"] = Anchor(h.c + Z * h.r[2], Z.copy(), float(h.r[1]))
    s.anchors["head_centre"] = Anchor(h.c.copy(), Z.copy(), float(h.r[1]))
    p, n = h.at(X)
    s.anchors["face"] = Anchor(p, n, float(h.r[1]))
    if b is h:  # octopus: the neck is the mantle's lower rim
        s.anchors["neck"] = Anchor(h.c - Z * 0.45 * h.r[2], Z.copy(), float(0.85 * h.r[1]))
    elif s.neck is not None:  # the middle of the neck
        chest, top, r = s.neck
        s.anchors["neck"] = Anchor((chest + top) / 2, unit(top - chest), 1.15 * r)
    else:
        axis = h.c - b.c
        best, best_r = b.c, np.inf
        for t in np.linspace(0.2, 0.95, 30):
            q = b.c + t * axis
            r = max(_section(b, q), _section(h, q))
            if 0 < r < best_r:
                best, best_r = q, r
        s.anchors["neck"] = Anchor(best, unit(axis), float(best_r))
    p, n = b.at((-1.0, 0.0, 0.3))
    s.anchors["back"] = Anchor(p, n, float(b.r[1]))
    hand = s.hand if s.hand is not None else b.at((1.0, 0.3, 0.0))[0]
    s.anchors["hand"] = Anchor(hand, X.copy(), float(0.3 * b.r[1]))
    s.anchors["base"] = Anchor(np.zeros(3), -Z, float(0.8 * b.r[1]))


def _section(e: Ellipsoid, q: np.ndarray) -> float:
    """The half width (y) of an ellipsoid at a point's x and z (0 outside), mm."""
    d = 1.0 - ((q[0] - e.c[0]) / e.r[0]) ** 2 - ((q[2] - e.c[2]) / e.r[2]) ** 2
    return float(e.r[1] * np.sqrt(d)) if d > 0 else 0.0

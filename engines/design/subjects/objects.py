"""Object subjects (food, plants, shapes, characters), each with a cute face; nominal mm for an
object about 100 mm tall, levelled and scaled by engines.design.subjects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import trimesh

from engines.design.kit.parts import Anchor, Part
from engines.design.shapes import cylinder, difference, sphere
from engines.design.subjects.face import (
    FaceLayout,
    add_cheeks,
    add_eyes,
    add_mouth,
    add_tears,
)
from engines.design.subjects.geom import (
    Ellipsoid,
    blob,
    disc_on,
    frame,
    heart_outline,
    plate,
    puffy,
    ray_wedge,
    rounded,
    star_outline,
    tube,
    unit,
)
from engines.design.subjects.style import Look

RGB = tuple[int, int, int]
X, Y, Z = np.eye(3)
SIDE = {1: "l", -1: "r"}  # a pair's part names by the side (+Y: left) they stand on
DARK: RGB = (40, 32, 35)
BASE: dict[str, RGB] = {"eyes": DARK, "mouth": (80, 40, 45), "blush": (250, 140, 160)}

OBJECT_COLOURS: dict[str, dict[str, RGB]] = {
    "strawberry": {"body": (225, 45, 60), "accent": (80, 170, 70), "pattern": (255, 225, 120)},
    "avocado": {"body": (60, 120, 50), "belly": (215, 230, 130), "accent": (140, 90, 50)},
    "cactus": {"body": (95, 175, 95), "accent": (205, 110, 75), "pattern": (250, 150, 190)},
    "mushroom": {"body": (220, 55, 55), "belly": (250, 240, 220), "pattern": (255, 255, 255)},
    "heart": {"body": (240, 80, 110)},
    "star": {"body": (255, 210, 60)},
    "cloud": {"body": (246, 248, 252), "blush": (250, 170, 190)},
    "ghost": {"body": (246, 246, 250)},
    "robot": {"body": (170, 190, 210), "accent": (240, 90, 80), "pattern": (90, 200, 230)},
    "pumpkin": {"body": (245, 140, 40), "accent": (90, 140, 60), "pattern": (210, 110, 30)},
    "peach": {"body": (255, 180, 150), "accent": (90, 165, 80), "pattern": (245, 140, 130)},
    "banana": {"body": (255, 220, 80), "accent": (120, 90, 50), "pattern": (70, 50, 35)},
    "cupcake": {"body": (150, 200, 240), "belly": (255, 170, 200), "accent": (220, 40, 60),
                "pattern": (255, 255, 255)},
    "donut": {"body": (225, 170, 105), "belly": (250, 150, 190), "pattern": (120, 200, 240)},
    "moon": {"body": (255, 225, 110)},
    "sun": {"body": (255, 205, 50), "accent": (250, 140, 40)},
}  # fmt: skip


@dataclass
class Thing:
    """An object being built: parts, the surface its face goes on, the face's layout, and the
    main surface its other anchors come from."""

    colours: dict[str, RGB]
    parts: list[Part] = field(default_factory=list)
    face: Ellipsoid | None = None
    main: Ellipsoid | None = None
    layout: FaceLayout = field(default_factory=FaceLayout)
    top: np.ndarray | None = None
    limbs: Ellipsoid | None = None  # where arms and legs join (default: the main surface)
    face_on: bool = False  # a flat object stands up, its top facing the viewer (a charm)

    def add(self, name: str, mesh: trimesh.Trimesh, role: str, part_role: str = "body") -> None:
        """Add a part coloured by a colour role."""
        self.parts.append(Part(name, mesh, self.colours[role], part_role))


def _strawberry(t: Thing, lk: Look) -> None:
    """A red berry tapering to a round point, yellow seeds, a green leaf cap."""
    body = Ellipsoid.of((0, 0, 48), (38 * lk.chub, 38 * lk.chub, 44))
    mesh = body.mesh(3)
    v = mesh.vertices.copy()
    below = np.clip((body.c[2] - 0.2 * body.r[2] - v[:, 2]) / (0.8 * body.r[2]), 0, 1)
    v[:, :2] *= (1 - 0.5 * below**1.3)[:, None]
    mesh = trimesh.Trimesh(v, mesh.faces, process=False)
    t.add("body", mesh, "body")
    t.face = t.main = body
    t.layout = FaceLayout(eye_elevation_deg=12.0, mouth_elevation_deg=-6.0, eye_azimuth_deg=24)
    if lk.details:
        for az, el in [(a, e) for e in (-12, 25) for a in range(-170, 190, 40)] + [
            (a, 8) for a in range(-150, 190, 60) if abs(a) > 60
        ]:
            if abs(az) < 55 and e_in_face(el):
                continue
            p, n = body.angles(az, el)
            t.add("seed", blob(p, (1.6, 2.4, 1.3), frame(n), 1), "pattern", "detail")
    top = body.c + Z * body.r[2]
    leaf = star_outline(30, 6, 0.4)
    t.add("leaf cap", plate(leaf, 3.0, top - Z * 2.5, X, Y), "accent")
    t.add("stem", tube([top - Z * 3, top + Z * 9 + X * 2], 3.2), "accent")
    t.top = top


def e_in_face(el: float) -> bool:
    """Whether an elevation (degrees) is in the band the face takes."""
    return -25 <= el <= 30


def _avocado(t: Thing, lk: Look) -> None:
    """A half avocado seen from its cut side: dark skin, pale flesh, a brown pit."""
    low = Ellipsoid.of((0, 0, 34), (16, 33 * lk.chub, 34))
    up = Ellipsoid.of((0, 0, 68), (14, 23 * lk.chub, 26))
    t.add("skin", low.mesh(3), "body")
    t.add("skin top", up.mesh(3), "body")
    flesh_low = Ellipsoid.of((5, 0, 35), (15, 29 * lk.chub, 30))
    flesh_up = Ellipsoid.of((5, 0, 68), (13, 20 * lk.chub, 22))
    t.add("flesh", flesh_low.mesh(3), "belly")
    t.add("flesh top", flesh_up.mesh(3), "belly")
    pit = Ellipsoid.of((14, 0, 32), (11, 15, 15))
    t.add("pit", pit.mesh(2), "accent")
    t.face = t.main = flesh_low
    t.layout = FaceLayout(
        eye_azimuth_deg=40,
        eye_elevation_deg=45,
        mouth_elevation_deg=30,
        eye_mm=3.6,
        mouth_point=np.array([19, 0, 56.0]),
        mouth_surface=flesh_up,
    )
    t.top = up.c + Z * up.r[2]


def _cactus(t: Thing, lk: Look) -> None:
    """A green column with two arms in a terracotta pot, a pink flower on top."""
    w = 20 * lk.chub
    pot = Ellipsoid.of((0, 0, 12), (30, 30, 16), 0.45)
    t.add("pot", pot.mesh(3), "accent")
    col = Ellipsoid.of((0, 0, 55), (w, w, 42), 0.85)
    t.add("body", col.mesh(3), "body")
    arm = 0.45 * w * lk.limbs**0.3
    for sg, z0, z1 in ((1, 50, 72), (-1, 42, 62)):
        pts = [(0, sg * 0.6 * w, z0), (0, sg * (w + 10), z0 - 2), (0, sg * (w + 13), z1)]
        t.add("branch", tube(np.array(pts, float), arm, 12), "body")
    if lk.details:
        t.add("flower", blob((0, 0, 97), (7, 7, 5)), "pattern")
    t.face = t.main = col
    t.layout = FaceLayout(
        eye_elevation_deg=10, mouth_elevation_deg=-5, eye_azimuth_deg=32, eye_mm=3.2
    )
    t.top = col.c + Z * col.r[2]


def _mushroom(t: Thing, lk: Look) -> None:
    """A fat cream stem with the face, under a red cap with white spots."""
    stem = Ellipsoid.of((0, 0, 28), (24 * lk.chub, 24 * lk.chub, 30))
    t.add("stem", stem.mesh(3), "belly")
    cap = Ellipsoid.of((0, 0, 62), (44 * lk.head, 44 * lk.head, 30 * lk.head))
    t.add("cap", cap.mesh(3), "body")
    t.add("cap rim", blob((0, 0, 56), (42 * lk.head, 42 * lk.head, 10)), "belly")
    if lk.details:
        for az, el in ((0, 45), (60, 35), (-60, 35), (130, 40), (-130, 40), (180, 50), (0, 80)):
            p, n = cap.angles(az, el)
            t.add("spot", disc_on(p, n, 7, 2.2), "pattern", "detail")
    t.face = t.limbs = stem
    t.main = cap
    t.layout = FaceLayout(
        eye_elevation_deg=-2, mouth_elevation_deg=-20, eye_azimuth_deg=30, eye_mm=3.4
    )
    t.top = cap.c + Z * cap.r[2]


def _heart(t: Thing, lk: Look) -> None:
    """A puffy heart standing on its point: two round lobes over a pointed tip, domed front
    and back (thickest in the middle), the face on its front."""
    outline = heart_outline(88 * lk.chub, 160) * (1.0, 1.0 / lk.chub)
    thick = 17.0 * lk.chub
    body, reach = puffy(outline, thick, (0, 0, 50), Y, Z, taper=0.8)
    t.add("body", body, "body")
    t.face = Ellipsoid.of((0, 0, 50), (thick, reach, reach))
    t.main = Ellipsoid.of((0, 0, 50), (thick, 30 * lk.chub, 30))
    t.layout = FaceLayout(eye_elevation_deg=8, mouth_elevation_deg=-10, eye_azimuth_deg=35)
    t.top = np.array([0, 0, float(body.bounds[1][2])])


def _star(t: Thing, lk: Look) -> None:
    """A puffy five-pointed star standing on two points: thickest in the middle, thinning and
    rounding to each tip, the face drawn on its front."""
    outline = rounded(star_outline(50, 5, 0.5), 5.0)
    thick = 15.0 * lk.chub
    body, reach = puffy(outline, thick, (0, 0, 50), Y, Z, taper=1.0)
    t.add("body", body, "body")
    # a little inside the front: the cheeks, out where the front rounds off, still touch it
    t.face = Ellipsoid.of((0, 0, 50), (0.9 * thick, reach, reach))
    t.main = Ellipsoid.of((0, 0, 50), (thick, 27, 27))
    t.layout = FaceLayout(eye_elevation_deg=10, mouth_elevation_deg=-12, eye_azimuth_deg=36)
    t.top = np.array([0, 0, float(body.bounds[1][2])])


def _cloud(t: Thing, lk: Look) -> None:
    """A fluffy cloud of overlapping puffs, the face on the middle puff."""
    main = Ellipsoid.of((0, 0, 34), (26 * lk.chub, 30, 30))
    t.add("body", main.mesh(3), "body")
    for y, z, r in (
        (32, 24, 22),
        (-32, 24, 22),
        (18, 50, 20),
        (-18, 50, 20),
        (50, 14, 14),
        (-50, 14, 14),
    ):
        t.add("puff", blob((-4, y * lk.chub, z), (r * 0.95, r, r), None, 2), "body")
    t.face = t.main = main
    t.layout = FaceLayout(eye_elevation_deg=2, mouth_elevation_deg=-16, eye_azimuth_deg=24)
    t.top = np.array([0, 0, 70.0])


def _ghost(t: Thing, lk: Look) -> None:
    """A white ghost: a dome over a wavy hem (shape knob 'hem' 1: a wisp tail curling to one
    side), little arms held out (knob 'raise' 1: raised, "boo!")."""
    main = Ellipsoid.of((0, 0, 52), (30 * lk.chub, 32 * lk.chub, 44))
    t.add("body", main.mesh(3), "body")
    if lk.shape_knob("hem") == 1:
        wisp = [(0, 0, 24), (0, 6, 12), (0, 22, 4), (0, 40, 6), (0, 50, 14)]
        t.add("tail", tube(wisp, [24, 17, 11, 7, 4], 16), "body")
    else:
        for k in range(8):
            a = 2 * np.pi * (k + 0.5) / 8
            t.add("hem", blob((26 * np.cos(a), 28 * np.sin(a), 12), (11, 11, 12)), "body")
    raised = lk.shape_knob("raise") == 1
    for sg in (1, -1):
        tip = (8, sg * 46, 80) if raised else (10, sg * 40, 40)
        t.add(f"arm_{SIDE[sg]}", tube([(0, sg * 26, 54), tip], 7), "body")
    t.face = t.main = main
    t.layout = FaceLayout(eye_elevation_deg=18, mouth_elevation_deg=2, eye_azimuth_deg=24)
    t.top = main.c + Z * main.r[2]


def _robot(t: Thing, lk: Look) -> None:
    """A boxy robot: square head with an antenna, box body, tube arms and legs."""
    body = Ellipsoid.of((0, 0, 36), (18, 24 * lk.chub, 18), 0.3)
    t.add("body", body.mesh(3), "body")
    hz = 20 * lk.head
    head = Ellipsoid.of((0, 0, 54 + 0.85 * hz), (22 * lk.head, 28 * lk.head, hz), 0.3)
    t.add("head", head.mesh(3), "body")
    top = head.c + Z * head.r[2]
    t.add("antenna", tube([top - Z * 2, top + Z * 10], 2.2), "body")
    t.add("antenna ball", blob(top + Z * 12, (5, 5, 5)), "accent")
    for sg in (1, -1):
        t.add("leg", tube([(0, sg * 11, 22), (0, sg * 12, 5)], 6), "body")
        t.add("foot", blob((3, sg * 12, 4), (10, 8, 5), None, 2, 0.5), "accent")
        t.add(f"arm_{SIDE[sg]}", tube([(0, sg * 20, 44), (8, sg * 32, 30)], 5), "body")
    if lk.details:
        t.add("panel", disc_on(body.at(X)[0], X, 8, 2.2), "pattern", "detail")
    front = head.at(X)[0]
    t.face = Ellipsoid.of(front - X * 200, (200, 200, 200))
    t.main = head
    t.layout = FaceLayout(
        eye_elevation_deg=1.8, mouth_elevation_deg=-2.2, eye_azimuth_deg=3.2, eye_mm=4.5
    )
    t.top = top


def _pumpkin(t: Thing, lk: Look) -> None:
    """A squat orange pumpkin with grooves, a green stem and a leaf."""
    main = Ellipsoid.of((0, 0, 34), (44 * lk.chub, 46 * lk.chub, 34))
    t.add("body", main.mesh(3), "body")
    if lk.details:
        for az in (55, 95, 135, 180, -135, -95, -55):
            pts = np.array([main.angles(az, el)[0] for el in np.linspace(-60, 70, 10)])
            t.add("groove", tube(pts, 2.2), "pattern", "detail")
    top = main.c + Z * main.r[2]
    t.add("stem", tube([top - Z * 4, top + Z * 8, top + Z * 12 + X * 5], 4.5), "accent")
    t.add("leaf", blob(top + (-8, 8, -1), (10, 6, 2.4), frame((0.2, 0.3, 1))), "accent")
    t.face = t.main = main
    t.layout = FaceLayout(eye_elevation_deg=10, mouth_elevation_deg=-15, eye_azimuth_deg=24)
    t.top = top


def _peach(t: Thing, lk: Look) -> None:
    """A round peach with a crease, a leaf and a stem."""
    main = Ellipsoid.of((0, 0, 42), (40 * lk.chub, 42 * lk.chub, 42))
    t.add("body", main.mesh(3), "body")
    if lk.details:
        pts = np.array([main.angles(-70, el)[0] for el in np.linspace(-30, 88, 10)])
        t.add("crease", tube(pts, 2.2), "pattern", "detail")
    top = main.c + Z * main.r[2]
    t.add("stem", tube([top - Z * 4, top + Z * 6], 3), "accent")
    t.add("leaf", blob(top + (6, 10, 4), (14, 7, 2.2), frame((0.1, -0.4, 1))), "accent")
    t.face = t.main = main
    t.layout = FaceLayout(eye_elevation_deg=6, mouth_elevation_deg=-14, eye_azimuth_deg=24)
    t.top = top


def _banana(t: Thing, lk: Look) -> None:
    """A standing banana whose crescent bends sideways (the front view shows the classic curve,
    not a straight cob): a brown stem on top, a dark tip below."""
    ctrl = np.array([(0, -22, 10), (0, 5, 36), (0, 6, 64), (0, -20, 92)], float)
    from engines.design.subjects.creature import smooth

    pts = smooth(list(ctrl), 16)
    r = 13 * lk.chub * np.sin(np.linspace(0.35, np.pi - 0.35, 16)) + 4
    t.add("body", tube(pts, r, 16), "body")
    up = unit(pts[-1] - pts[-3])
    stem = smooth([pts[-1] - up * 4, pts[-1] + up * 4, pts[-1] + up * 8 + Y * 3], 6)
    t.add("tip", tube(stem, np.linspace(3.8, 3.0, 6)), "accent")  # the stem
    t.add("end", blob(pts[0] + unit(pts[0] - pts[2]) * 2, (5, 5, 5)), "pattern")  # the dark tip
    mid = pts[7]
    rr = float(r[7])
    t.face = Ellipsoid.of(mid, (rr, rr, 60))
    t.main = Ellipsoid.of(mid, (rr, rr, 38))
    t.layout = FaceLayout(
        eye_elevation_deg=6, mouth_elevation_deg=-2, eye_azimuth_deg=32, eye_mm=3.0
    )
    t.top = pts[-1] + Z * 4


def _cupcake(t: Thing, lk: Look) -> None:
    """A ribbed wrapper with the face, swirled frosting, a cherry on top."""
    cup = Ellipsoid.of((0, 0, 22), (30 * lk.chub, 30 * lk.chub, 22), 0.55)
    t.add("wrapper", cup.mesh(3), "body")
    icing = [
        Ellipsoid.of((0, 0, z), (r * lk.chub, r * lk.chub, 11))
        for z, r in ((46, 36), (60, 28), (72, 19))
    ]
    for e in icing:
        t.add("frosting", e.mesh(3), "belly")
    t.add("cherry", blob((0, 0, 86), (8, 8, 8)), "accent")
    if lk.details:
        for az in range(70, 300, 36):
            pts = np.array([cup.angles(az, el)[0] for el in np.linspace(-45, 45, 6)])
            t.add("rib", tube(pts, 1.8), "pattern", "detail")
        for k in range(9):
            a = 2 * np.pi * k / 9
            p, n = icing[k % 2].angles(np.degrees(a), 30 + 8 * np.sin(3 * a))
            q = p - n * 0.6
            t.add(
                "sprinkle",
                tube([q, q + unit(np.cross(n, (np.sin(a), 0.5, 0.2))) * 4], 1.3),
                "accent",
                "detail",
            )
    t.face = t.main = cup
    t.layout = FaceLayout(eye_elevation_deg=8, mouth_elevation_deg=-14, eye_azimuth_deg=26)
    t.top = np.array([0, 0, 94.0])


def _donut(t: Thing, lk: Look) -> None:
    """A donut lying flat: dough ring, pink icing on top with sprinkles, face at the front.
    Shown face-on (a charm, an ornament) it stands on its edge, the icing, the hole and the
    face on the ring's lower icing facing the viewer (+X)."""
    R, r = 30 * lk.chub, 17.0
    dough = trimesh.creation.torus(R, r, major_sections=40, minor_sections=16)
    dough.apply_translation((0, 0, r))
    t.add("dough", dough, "body")
    icing = trimesh.creation.torus(R, r * 1.06, major_sections=40, minor_sections=16)
    icing.apply_translation((0, 0, r))
    from engines.design.subjects.geom import trim_below

    top = trim_below(icing, r + 0.35 * r)
    if top is not None:
        t.add("icing", top, "belly")
    if lk.details:
        for k in range(12):
            a = 2 * np.pi * (k + 0.3) / 12
            if abs((np.degrees(a) + 180) % 360 - 180) < (45 if t.face_on else 25):
                continue
            ring = R + (4 if k % 2 else -4)
            p = np.array([ring * np.cos(a), ring * np.sin(a), 2 * r + 0.6])
            t.add(
                "sprinkle",
                tube([p, p + (2 * np.sin(a), 4 * np.cos(a), 0)], 1.3),
                "pattern",
                "detail",
            )
    if not t.face_on:
        t.face = Ellipsoid.of((R, 0, r), (r, np.sqrt(r * (R + r)), r))
        t.main = Ellipsoid.of((0, 0, r), (R + r, R + r, r))
        t.layout = FaceLayout(
            eye_elevation_deg=0, mouth_elevation_deg=-25, eye_azimuth_deg=28, eye_mm=2.8
        )
        t.top = np.array([0, 0, 2 * r])
        return
    # stand it up: its top turns to the front (+Z -> +X), its front (+X) to the bottom
    up = trimesh.transformations.rotation_matrix(np.pi / 2, Y, (0, 0, 0))
    for part in t.parts:
        part.mesh.apply_transform(up)
    t.face = Ellipsoid.of((r, 0, -R), (1.06 * r, np.sqrt(r * (R + r)), 0.8 * r))
    t.main = Ellipsoid.of((r, 0, 0), (r, R + r, R + r))
    t.layout = FaceLayout(
        eye_elevation_deg=15, mouth_elevation_deg=-12, eye_azimuth_deg=30, eye_mm=3.3
    )
    t.top = np.array([r, 0, R + r])


def _moon(t: Thing, lk: Look) -> None:
    """A crescent moon standing on its lower horn, the face on its thick side."""
    big = sphere((0, 0, 50), 48, 4)
    cut = cylinder((-60, 22, 50), (60, 22, 50), 41, 64)
    crescent = difference(big, cut)
    crescent.apply_scale((0.42 * lk.chub, 1.0, 1.0))
    t.add("body", crescent, "body")
    t.face = Ellipsoid.of((0, 0, 50), (20.2 * lk.chub, 48, 48))
    t.main = t.face
    t.layout = FaceLayout(
        centre_azimuth_deg=-62,
        eye_azimuth_deg=9,
        eye_elevation_deg=6,
        mouth_elevation_deg=-8,
        eye_mm=3.6,
        mouth_width_mm=9,
    )
    t.top = np.array([0, -10, 98.0])


def _sun(t: Thing, lk: Look) -> None:
    """A round sun with rays all around its face: flat rounded triangles, as a drawn or
    plush sun has them, standing out of its rim in the face's plane."""
    r = 34 * lk.chub
    main = Ellipsoid.of((0, 0, 50), (22, r, r))
    t.add("body", main.mesh(3), "body")
    for k in range(10):
        a = 2 * np.pi * (k + 0.5) / 10
        d = np.array([0.0, np.cos(a), np.sin(a)])
        side = np.array([0.0, -np.sin(a), np.cos(a)])
        base = [main.c + d * (r - 7) + side * s for s in (-7.0, 7.0)]
        t.add("ray", ray_wedge(base, main.c + d * (r + 17), 10.0, 4.0), "accent")
    t.face = t.main = main
    t.layout = FaceLayout(eye_elevation_deg=10, mouth_elevation_deg=-14, eye_azimuth_deg=30)
    t.top = main.c + Z * 34


BUILDERS: dict[str, Callable[[Thing, Look], None]] = {
    "strawberry": _strawberry, "avocado": _avocado, "cactus": _cactus, "mushroom": _mushroom,
    "heart": _heart, "star": _star, "cloud": _cloud, "ghost": _ghost, "robot": _robot,
    "pumpkin": _pumpkin, "peach": _peach, "banana": _banana, "cupcake": _cupcake,
    "donut": _donut, "moon": _moon, "sun": _sun,
}  # fmt: skip


def object_colours(name: str, override: dict[str, RGB] | None = None) -> dict[str, RGB]:
    """The object's colour roles (body, belly, accent, pattern, eyes, mouth, blush)."""
    table = {**BASE, **OBJECT_COLOURS[name], **(override or {})}
    for role in ("belly", "accent", "pattern"):
        table.setdefault(role, table["body"])
    return table


def _limbs(t: Thing, pose: str, anchors: dict[str, Anchor]) -> None:
    """Little arms and feet for a pose: waving raises the right arm, sitting puts two feet in
    front, lying leans the object back; standing keeps the object as it is."""
    m = t.limbs or t.main
    assert m is not None
    colour = t.colours["belly" if t.limbs is not None else "body"]
    size = float(min(m.r[1], m.r[2]))
    r = max(0.12 * size, 2.6)
    body = [p.mesh for p in t.parts if p.role == "body"]
    verts = np.vstack([b.vertices for b in body])
    normals = np.vstack([b.vertex_normals for b in body])

    def snap(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The nearest body corner to a point and its normal."""
        i = int(np.argmin(np.sum((verts - q) ** 2, axis=1)))
        return verts[i], normals[i]

    if pose == "waving":
        for side, sg in (("l", 1.0), ("r", -1.0)):
            root, n = snap(m.at((0.1, sg, -0.1))[0])
            if sg < 0:
                tip = root + np.array([0.15, -0.35, 0.6]) * size
            else:
                tip = root + np.array([0.35, 0.3, -0.25]) * size
            t.parts.append(Part(f"arm_{side}", tube([root - n * r, tip], r), colour))
            if sg > 0:
                anchors["hand"] = Anchor(tip, X.copy(), 0.3 * float(m.r[1]))
    elif pose == "sitting":
        low = min(float(p.mesh.bounds[0][2]) for p in t.parts)
        for side, sg in (("l", 1.0), ("r", -1.0)):
            c = np.array([m.c[0] + 0.75 * m.r[0], m.c[1] + sg * 0.4 * m.r[1], low + 1.2 * r])
            root = snap(m.project(c))[0]
            foot = blob(c + X * 0.5 * r, (2.2 * r, 1.4 * r, 1.2 * r))
            t.parts.append(Part(f"foot_{side}", foot, colour))
            t.parts.append(Part(f"leg_{side}", tube([root, c], r), colour))
    elif pose == "lying":
        lean = trimesh.transformations.rotation_matrix(np.radians(-18.0), Y, (0, 0, 0))
        for part in t.parts:
            part.mesh.apply_transform(lean)
        for k, a in list(anchors.items()):
            anchors[k] = a.moved(lean)


def build_object(
    name: str,
    look: Look,
    pose: str,
    expression: str,
    colours: dict[str, RGB],
    line_mm: float | None = None,
    face_on: bool = False,
) -> tuple[list[Part], dict[str, Anchor], float]:
    """The object's parts (with a face for the expression), anchors and thinnest line radius
    at nominal size; `line_mm` forces the line radius; `face_on` stands a flat object (a
    donut) up so its top faces the front, as a charm or an ornament shows it."""
    table = object_colours(name, colours)
    t = Thing(table, face_on=face_on)
    BUILDERS[name](t, look)
    assert t.face is not None and t.main is not None and t.top is not None
    top_z = max(p.mesh.bounds[1][2] for p in t.parts)
    line = line_mm or 0.0115 * top_z * 1.1
    lay = replace(t.layout, line_mm=line, eye_mm=max(t.layout.eye_mm * look.eyes, 2.2 * line))
    style = look.style
    eyes, anchors = add_eyes(t.face, lay, style, expression, table["eyes"])
    t.parts += eyes
    mouth, anchors["mouth"] = add_mouth(t.face, lay, expression, table["mouth"])
    t.parts += mouth
    cheeks, more = add_cheeks(t.face, lay, table["blush"] if look.blush else None)
    t.parts += cheeks
    anchors.update(more)
    if expression == "crying":
        t.parts += add_tears(anchors, line, [p for p in t.parts if p.role == "body"])
    m = t.main
    size = float(m.r[1])
    anchors["head_top"] = Anchor(np.asarray(t.top, float), Z.copy(), size)
    centre = np.array([m.c[0], m.c[1], min(m.c[2], float(t.top[2]) - 0.5 * size)])
    anchors["head_centre"] = Anchor(centre, Z.copy(), size)
    p, n = t.face.at(
        (
            np.cos(np.radians(lay.centre_azimuth_deg)),
            np.sin(np.radians(lay.centre_azimuth_deg)),
            0.0,
        )
    )
    anchors["face"] = Anchor(p, n, size)
    low = m.c[2] - 0.55 * m.r[2]
    ring = m.r[1] * np.sqrt(max(1 - 0.55**2, 0.05))
    anchors["neck"] = Anchor(np.array([m.c[0], m.c[1], low]), Z.copy(), float(ring))
    p, n = m.at((-1.0, 0.0, 0.2))
    anchors["back"] = Anchor(p, n, size)
    p, n = m.at((0.5, 0.85, -0.2))
    anchors["hand"] = Anchor(p, n, 0.3 * size)
    anchors["base"] = Anchor(np.zeros(3), -Z, size)
    for side, sg in (("l", 1.0), ("r", -1.0)):
        p, n = m.at((0.0, sg * 0.6, 0.8))
        anchors[f"ear_{side}"] = Anchor(p, n, 0.3 * size)
    _limbs(t, pose, anchors)
    return t.parts, anchors, line

"""Faces every subject shares: eyes, mouth, nose, cheeks by style and expression, placed on an
ellipsoid surface (the head, or an object's front); lengths mm."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engines.design.kit.parts import Anchor, Part
from engines.design.subjects.geom import Ellipsoid, blob, disc_on, frame, tube, unit

RGB = tuple[int, int, int]
WHITE: RGB = (250, 250, 250)
TEAR: RGB = (120, 190, 245)


@dataclass(frozen=True)
class FaceLayout:
    """Where the face sits on its surface: eye spacing and height (degrees), eye size and the
    thinnest line (mm), and an optional surface the mouth sits on (a muzzle)."""

    centre_azimuth_deg: float = 0.0  # where the face looks (0: +X)
    eye_azimuth_deg: float = 28.0
    eye_elevation_deg: float = 8.0
    eye_mm: float = 4.0
    line_mm: float = 1.1  # radius of line marks (>= 1 mm at 100 mm height)
    mouth_elevation_deg: float = -14.0
    mouth_surface: Ellipsoid | None = None
    mouth_point: np.ndarray | None = None  # where the mouth goes on mouth_surface
    mouth_width_mm: float = 0.0  # 0: from eye spacing


def _arc(width: float, depth: float, n: int = 9) -> np.ndarray:
    """A (n, 2) arc from -width/2 to width/2, its middle `depth` below its ends (mm)."""
    u = np.linspace(-0.5, 0.5, n) * width
    return np.column_stack([u, depth * (1 - (2 * u / width) ** 2) * -1])


def add_eyes(
    surface: Ellipsoid,
    layout: FaceLayout,
    style: str,
    expression: str,
    eye_colour: RGB,
) -> tuple[list[Part], dict[str, Anchor]]:
    """Both eyes (and brows for an angry face) and the eye anchors."""
    parts: list[Part] = []
    anchors: dict[str, Anchor] = {}
    for side, sign in (("l", 1.0), ("r", -1.0)):
        az = layout.centre_azimuth_deg + sign * layout.eye_azimuth_deg
        more, anchor = one_eye(surface, az, layout, side, style, expression, eye_colour)
        parts += more
        anchors[f"eye_{side}"] = anchor
    return parts, anchors


def one_eye(
    surface: Ellipsoid,
    azimuth_deg: float,
    layout: FaceLayout,
    side: str,
    style: str,
    expression: str,
    colour: RGB,
) -> tuple[list[Part], Anchor]:
    """One eye at an azimuth on the surface, and its anchor."""
    p, n = surface.angles(azimuth_deg, layout.eye_elevation_deg)
    sign = 1.0 if side == "l" else -1.0
    e, line = layout.eye_mm, layout.line_mm
    parts = _eye(surface, p, n, sign, e, line, style, expression, colour, side)
    return parts, Anchor(p, n, e)


def _eye(s, p, n, sign, e, line, style, expression, colour, side) -> list[Part]:
    """One eye's parts for a style and expression."""
    f = frame(n)
    name = f"eye_{side}"
    if expression in ("sleepy", "crying"):
        depth = 0.45 * e if expression == "sleepy" else -0.45 * e
        pts = s.curve(p, _arc(2.4 * e, depth))
        return [Part(name, tube(pts, line), colour, "detail")]
    out: list[Part] = []
    if style == "cartoon" or expression == "surprised":
        big = 1.6 * e if style == "cartoon" else 1.3 * e
        out.append(Part(f"{name} white", disc_on(p, n, big, line * 1.6), WHITE, "detail"))
        q = p + n * line * 1.4 + f[:, 0] * (-sign) * 0.15 * big
        out.append(Part(name, disc_on(q, n, big * 0.6, line * 1.4), colour, "detail"))
        h = q + n * line * 1.2 + f[:, 1] * 0.25 * big + f[:, 0] * 0.2 * big
        out.append(
            Part(f"{name} shine", disc_on(h, n, max(big * 0.22, 1.1 * line), line), WHITE, "detail")
        )
    else:
        tall = 1.25 if style != "minimal" else 1.0
        out.append(Part(name, blob(p, (e, e * tall, line * 1.6), f, 2), colour, "detail"))
        if style in ("kawaii", "chibi"):
            h = p + n * line * 1.2 + f[:, 1] * 0.35 * e - f[:, 0] * sign * 0.3 * e
            shine = disc_on(h, n, max(0.38 * e, 1.1 * line), line)
            out.append(Part(f"{name} shine", shine, WHITE, "detail"))
    if expression == "angry":  # a brow slanting down towards the nose
        c = s.project(p + f[:, 1] * 1.9 * e)
        a = s.project(c + f[:, 0] * sign * 1.3 * e + f[:, 1] * 0.7 * e)
        b = s.project(c - f[:, 0] * sign * 1.1 * e - f[:, 1] * 0.5 * e)
        out.append(Part(f"brow_{side}", tube([a, c, b], line * 1.1), colour, "detail"))
    return out


def add_mouth(
    surface: Ellipsoid, layout: FaceLayout, expression: str, colour: RGB
) -> tuple[list[Part], Anchor]:
    """The mouth for an expression and its anchor."""
    s = layout.mouth_surface or surface
    if layout.mouth_point is not None:
        p, n = s.at(layout.mouth_point - s.c)
    else:
        p, n = s.angles(layout.centre_azimuth_deg, layout.mouth_elevation_deg)
    w = layout.mouth_width_mm or 2.2 * layout.eye_mm
    line = layout.line_mm
    if expression == "surprised":
        mesh = blob(p, (0.3 * w, 0.42 * w, line * 1.6), frame(n), 2)
    elif expression in ("crying", "angry"):
        mesh = tube(s.curve(p, _arc(w, -0.3 * w)), line)
    elif expression in ("neutral", "sleepy"):
        mesh = tube(s.curve(p, _arc(0.7 * w, 0.05 * w, 5)), line)
    else:  # happy: a "w" of two small smiles (each gently curved, so the tubes stay clean)
        left = s.curve(p, _arc(0.5 * w, 0.16 * w, 7) + (0.25 * w, 0.0))
        right = s.curve(p, _arc(0.5 * w, 0.16 * w, 7) - (0.25 * w, 0.0))
        return [
            Part("mouth", tube(left, line), colour, "detail"),
            Part("mouth right", tube(right, line), colour, "detail"),
        ], Anchor(p, n, w / 2)
    return [Part("mouth", mesh, colour, "detail")], Anchor(p, n, w / 2)


def add_cheeks(
    surface: Ellipsoid, layout: FaceLayout, blush: RGB | None
) -> tuple[list[Part], dict[str, Anchor]]:
    """Cheek anchors (below and outside the eyes) and, when a blush colour is given, blush."""
    parts: list[Part] = []
    anchors: dict[str, Anchor] = {}
    for side, sign in (("l", 1.0), ("r", -1.0)):
        az = layout.centre_azimuth_deg + sign * 1.5 * layout.eye_azimuth_deg
        p, n = surface.angles(az, layout.eye_elevation_deg - 0.57 * layout.eye_azimuth_deg)
        anchors[f"cheek_{side}"] = Anchor(p, n, layout.eye_mm * 1.2)
        if blush is not None:
            r = layout.eye_mm * 1.15
            mesh = blob(p, (r * 1.3, r * 0.8, layout.line_mm * 1.4), frame(n), 2)
            parts.append(Part(f"blush_{side}", mesh, blush, "detail"))
    return parts, anchors


def add_tears(anchors: dict[str, Anchor], line_mm: float, surface: list[Part]) -> list[Part]:
    """Tear drops running down from under each eye, snapped onto the surface parts' corners
    (so they lie on the real face whatever its shape) and growing towards the bottom."""
    v = np.vstack([p.mesh.vertices for p in surface])
    normals = np.vstack([p.mesh.vertex_normals for p in surface])
    out = []
    for side in ("l", "r"):
        a = anchors[f"eye_{side}"]
        f = frame(a.normal)
        pts = []
        for k in (1.4, 2.2, 3.0):
            q = a.point - f[:, 1] * k * a.size_mm
            i = int(np.argmin(np.sum((v - q) ** 2, axis=1)))
            pts.append(v[i] + normals[i] * 0.25 * line_mm)
        mesh = tube(pts, [line_mm, line_mm * 1.25, line_mm * 1.7])
        out.append(Part(f"tear_{side}", mesh, TEAR, "feature"))
    return out


def facing(point: np.ndarray, normal: np.ndarray, size: float) -> Anchor:
    """An anchor with a normalised normal."""
    return Anchor(np.asarray(point, dtype=float), unit(normal), float(size))

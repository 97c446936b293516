"""Geometry helpers the subjects and features share: oriented ellipsoids, swept tubes, placed
plates and ellipsoid surfaces (all lengths mm, Z up, +X the front)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import trimesh
from manifold3d import Manifold

from engines.design.shapes import _manifold, _unit_sphere, prism, volume_mm3

Vec = Sequence[float] | np.ndarray
Points = Sequence[Sequence[float] | np.ndarray] | np.ndarray
Radii = float | Sequence[float] | np.ndarray


def unit(v: Vec) -> np.ndarray:
    """The vector scaled to length 1 (zero stays zero)."""
    a = np.asarray(v, dtype=float)
    n = float(np.linalg.norm(a))
    return a / n if n > 1e-12 else a


def frame(normal: Vec, up: Vec = (0.0, 0.0, 1.0)) -> np.ndarray:
    """3x3 rotation whose columns are (side, up', normal): z maps to `normal`, y towards `up`."""
    z = unit(normal)
    x = np.cross(up, z)
    if np.linalg.norm(x) < 1e-6:
        x = np.cross((1.0, 0.0, 0.0), z)
    x = unit(x)
    return np.column_stack([x, np.cross(z, x), z])


_COARSE: ContextVar[bool] = ContextVar("coarse", default=False)
COARSE_SUBDIV, COARSE_SECTIONS, COARSE_RINGS = 1, 6, 5  # a low-poly primitive's resolution


@contextmanager
def coarse(on: bool = True) -> Iterator[None]:
    """Within it, blob(), tube() and cone() build at low resolution: few, large flat facets
    (the low-poly style), still closed."""
    token = _COARSE.set(on)
    try:
        yield
    finally:
        _COARSE.reset(token)


def blob(
    center: Vec,
    radii: Vec,
    rotation: np.ndarray | None = None,
    subdiv: int = 2,
    boxy: float = 1.0,
) -> trimesh.Trimesh:
    """Ellipsoid with semi-axes `radii` along the columns of `rotation`; boxy < 1 squares it
    towards a rounded box (superellipsoid exponent), mm."""
    vertices, faces = _unit_sphere(min(subdiv, COARSE_SUBDIV) if _COARSE.get() else subdiv)
    if boxy != 1.0:
        vertices = np.sign(vertices) * np.abs(vertices) ** boxy
    r = np.eye(3) if rotation is None else np.asarray(rotation, dtype=float)
    v = (vertices * np.asarray(radii, dtype=float)) @ r.T + np.asarray(center, dtype=float)
    return trimesh.Trimesh(v, faces, process=False)


CONE_TAPER = (1.0, 0.55, 0.14)  # radius at the base, the middle and the tip, of the base's


@lru_cache(maxsize=16)
def _cone_template(sections: int, cap: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A cone (tube() through base, middle and tip, radii CONE_TAPER, rounded ends) as
    (axial share of the length, axial share of the base radius, (x, y) in base radii) per
    corner, and its faces: cone() places it anywhere with a few array operations."""
    along_r = 1000.0  # a length so long the radius's share of each corner's height separates
    mesh = tube([(0.0, 0.0, 0.0), (0.0, 0.0, along_r / 2), (0.0, 0.0, along_r)],
                list(CONE_TAPER), sections, cap)  # fmt: skip
    v = np.asarray(mesh.vertices)
    body = np.clip(v[:, 2], 0.0, along_r) / along_r  # where on the axis: 0 base .. 1 tip
    return body, v[:, 2] - body * along_r, v[:, :2], np.asarray(mesh.faces)  # type: ignore[return-value]


def cone(base: Vec, tip: Vec, radius: float, sections: int = 12, cap: int = 3) -> trimesh.Trimesh:
    """A tapered tube from base to tip with rounded ends, as tube() makes it (base radius
    `radius`, CONE_TAPER), from a cached template: a few array operations, not a sweep, mm."""
    if _COARSE.get():
        sections, cap = min(sections, COARSE_SECTIONS), 1
    body, cap_z, xy, faces = _cone_template(sections, cap)  # type: ignore[misc]
    a, b = np.asarray(base, dtype=float), np.asarray(tip, dtype=float)
    axis = b - a
    length = float(np.linalg.norm(axis))
    if length < 1e-6:
        return tube([a, b], radius, sections, cap)
    rot = frame(axis / length)  # columns: side, up', axis
    local = np.column_stack([xy * radius, body * length + cap_z * radius])
    return trimesh.Trimesh(local @ rot.T + a, faces, process=False)


def ray_wedge(base: Points, tip: Vec, thick: float, tip_thick: float) -> trimesh.Trimesh:
    """A flat, rounded triangle (a drawn sun's ray): the hull of balls `thick` across at the
    base points and `tip_thick` across at the tip; convex, so one closed solid, mm."""
    ball, _ = _unit_sphere(1 if _COARSE.get() else 2)
    pts = [np.asarray(b, dtype=float) + ball * thick / 2 for b in base]
    pts.append(np.asarray(tip, dtype=float) + ball * tip_thick / 2)
    hull = trimesh.convex.convex_hull(np.vstack(pts))
    if volume_mm3(hull) < 0:
        hull.invert()
    # small facets, as the other parts have (a preview paints far faces first by depth)
    v, f = trimesh.remesh.subdivide_to_size(hull.vertices, hull.faces, max(thick, tip_thick))
    return trimesh.Trimesh(v, f)


def disc_on(
    point: Vec, normal: Vec, radius: float, thick: float, up: Vec = (0, 0, 1), sub: int = 2
) -> trimesh.Trimesh:
    """A flattened ellipsoid lying on a surface at `point` (half sunk), mm."""
    return blob(point, (radius, radius, thick), frame(normal, up), sub)


def tube(points: Points, radius: Radii, sections: int = 10, cap: int = 3) -> trimesh.Trimesh:
    """A closed tube swept along a polyline with rounded ends; radius per point or one, mm."""
    p = np.asarray(points, dtype=float)
    r = np.broadcast_to(np.asarray(radius, dtype=float), (len(p),)).copy()
    keep = np.r_[True, np.linalg.norm(np.diff(p, axis=0), axis=1) > 1e-4]
    p, r = p[keep], r[keep]
    if _COARSE.get():  # few rings: a polyline of flat-sided segments
        sections, cap = min(sections, COARSE_SECTIONS), 1
        if len(p) > COARSE_RINGS:
            pick = np.unique(np.linspace(0, len(p) - 1, COARSE_RINGS).round().astype(int))
            p, r = p[pick], r[pick]
    if len(p) == 1:  # a single point: a short upright stub
        p, r = np.vstack([p, p + (0.0, 0.0, 1e-2 + r[0] * 0.1)]), np.r_[r, r]
    n = len(p)
    t = np.gradient(p, axis=0)
    t = t / np.maximum(np.linalg.norm(t, axis=1, keepdims=True), 1e-12)
    normal = unit(np.cross(t[0], (0.0, 0.0, 1.0) if abs(t[0][2]) < 0.9 else (1.0, 0.0, 0.0)))
    ang = np.linspace(0, 2 * np.pi, sections, endpoint=False)
    centres, radii, frames = [], [], []
    for i in range(n):
        normal = unit(normal - np.dot(normal, t[i]) * t[i])
        frames.append((normal, np.cross(t[i], normal)))
        centres.append(p[i])
        radii.append(r[i])
    rings = []
    for j in range(cap, 0, -1):  # start cap
        phi = j / (cap + 1) * np.pi / 2
        rings.append((p[0] - t[0] * r[0] * np.sin(phi), r[0] * np.cos(phi), frames[0]))
    rings += list(zip(centres, radii, frames, strict=True))
    for j in range(1, cap + 1):
        phi = j / (cap + 1) * np.pi / 2
        rings.append((p[-1] + t[-1] * r[-1] * np.sin(phi), r[-1] * np.cos(phi), frames[-1]))
    cs = np.array([c for c, _, _ in rings])
    rs = np.array([rr for _, rr, _ in rings])
    f0 = np.array([f[0] for _, _, f in rings])
    f1 = np.array([f[1] for _, _, f in rings])
    ring = np.cos(ang)[None, :, None] * f0[:, None, :] + np.sin(ang)[None, :, None] * f1[:, None, :]
    verts = (cs[:, None, :] + rs[:, None, None] * ring).reshape(-1, 3)
    m, s = len(rings), sections
    verts = np.vstack([verts, p[0] - t[0] * r[0], p[-1] + t[-1] * r[-1]])
    row, col = np.meshgrid(np.arange(m - 1), np.arange(s), indexing="ij")
    a, b = (row * s + col).ravel(), (row * s + (col + 1) % s).ravel()
    k1 = np.arange(s)
    faces = np.vstack(
        [
            np.column_stack([a, b, b + s]),
            np.column_stack([a, b + s, a + s]),
            np.column_stack([np.full(s, m * s), (k1 + 1) % s, k1]),
            np.column_stack([np.full(s, m * s + 1), (m - 1) * s + k1, (m - 1) * s + (k1 + 1) % s]),
        ]
    )
    mesh = trimesh.Trimesh(verts, faces, process=False)
    if volume_mm3(mesh) < 0:
        mesh.invert()
    return mesh


def plate(outline: np.ndarray, thick: float, origin: Vec, u: Vec, v: Vec) -> trimesh.Trimesh:
    """A prism of a simple 2D outline (concave is fine) placed with its outline axes along u
    and v, centred through its thickness on `origin`, mm."""
    mesh = _extruded(np.asarray(outline, dtype=float), thick)
    uu, vv = unit(u), unit(v)
    w = unit(np.cross(uu, vv))
    matrix = np.eye(4)
    matrix[:3, :3] = np.column_stack([uu, vv, w])
    matrix[:3, 3] = origin
    return mesh.apply_transform(matrix)


def _extruded(outline: np.ndarray, thick: float) -> trimesh.Trimesh:
    """The outline extruded from -thick/2 to thick/2 along Z, properly triangulated."""
    from shapely.geometry import Polygon

    polygon = Polygon(outline)
    if not polygon.is_valid:  # fall back on a fan about the centroid
        return prism(outline, -thick / 2.0, thick / 2.0)
    mesh = trimesh.creation.extrude_polygon(polygon, thick)
    mesh.apply_translation((0.0, 0.0, -thick / 2.0))
    return trimesh.Trimesh(mesh.vertices, mesh.faces, process=False)


def heart_outline(size: float, n: int = 40) -> np.ndarray:
    """Heart outline about its centre, `size` wide, point down (x right, y up), mm."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    x = 16 * np.sin(t) ** 3
    y = 13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t)
    xy = np.column_stack([x, y + 2.5]) * (size / 34.0)
    return xy


def star_outline(size: float, points: int = 5, inner: float = 0.45) -> np.ndarray:
    """Star outline, `size` tip-to-centre radius, one tip up, mm."""
    k = np.arange(points * 2)
    a = np.pi / 2 + k * np.pi / points
    r = np.where(k % 2 == 0, size, size * inner)
    return np.column_stack([r * np.cos(a), r * np.sin(a)])


RIM = 5  # a puffy shape's rim exponent: its front stays domed until near the outline


def puffy(
    outline: np.ndarray,
    thick: float,
    origin: Vec,
    u: Vec,
    v: Vec,
    taper: float = 0.85,
    rings: int = 18,
    points: int = 180,
) -> tuple[trimesh.Trimesh, float]:
    """A pillowy solid of a 2D outline star-shaped about (0, 0) (a puffy star or heart): its
    front (along u x v) and back bulge `thick` at the centre, thinning towards the far points
    (to sqrt(1 - taper) of it at the farthest) and rounding to the outline; placed like
    `plate`. Near the centre its front is the ellipsoid of radii (thick, R, R) about `origin`,
    R the returned radius, so a face laid out on that ellipsoid sits on it, mm."""
    xy = _resampled(np.asarray(outline, dtype=float), points)
    reach = float(np.max(np.linalg.norm(xy, axis=1)))
    s = np.linspace(0.0, 1.0, rings + 1)[1:]  # ring k at s[k] of the way to the outline
    flat = s[:, None, None] * xy[None, :, :]  # rings x points x 2
    d = np.linalg.norm(flat, axis=2) / reach
    x = thick * np.sqrt(np.clip(1.0 - taper * d**2, 0.0, 1.0)) * np.sqrt(1.0 - s[:, None] ** RIM)
    n = len(xy)
    front = np.concatenate([flat, x[..., None]], axis=2)[:-1].reshape(-1, 3)
    back = (front * (1.0, 1.0, -1.0)).reshape(-1, 3)
    rim = np.column_stack([xy, np.zeros(n)])
    verts = np.vstack([[(0, 0, thick), (0, 0, -thick)], front, back, rim])
    inner = rings - 1  # rings of each side apart from the shared rim

    def ring(side: int, k: int) -> np.ndarray:
        """Vertex ids of ring k (0 innermost; k == inner is the rim) of a side (0 front)."""
        if k == inner:
            return 2 + 2 * inner * n + np.arange(n)
        return 2 + side * inner * n + k * n + np.arange(n)

    faces = []
    for side in (0, 1):
        first = ring(side, 0)
        faces += [(side, a, b) for a, b in zip(first, np.roll(first, -1), strict=True)]
        for k in range(inner):
            a, b = ring(side, k), ring(side, k + 1)
            a1, b1 = np.roll(a, -1), np.roll(b, -1)
            faces += list(zip(a, b, b1, strict=True)) + list(zip(a, b1, a1, strict=True))
    f = np.asarray(faces, dtype=np.int64)
    back_faces = np.zeros(len(f), dtype=bool)
    back_faces[len(f) // 2 :] = True
    f[back_faces] = f[back_faces][:, ::-1]  # the back's mirror image faces the other way
    mesh = trimesh.Trimesh(verts, f, process=False)
    if volume_mm3(mesh) < 0:
        mesh.invert()
    uu, vv = unit(u), unit(v)
    matrix = np.eye(4)
    matrix[:3, :3] = np.column_stack([uu, vv, unit(np.cross(uu, vv))])
    matrix[:3, 3] = origin
    return mesh.apply_transform(matrix), reach / np.sqrt(taper)


def _resampled(outline: np.ndarray, points: int) -> np.ndarray:
    """The closed outline resampled to evenly spaced points, counter-clockwise."""
    if _signed_area(outline) < 0:
        outline = outline[::-1]
    closed = np.vstack([outline, outline[:1]])
    step = np.linalg.norm(np.diff(closed, axis=0), axis=1)
    at = np.concatenate([[0.0], np.cumsum(step)])
    t = np.linspace(0.0, at[-1], points, endpoint=False)
    return np.column_stack([np.interp(t, at, closed[:, 0]), np.interp(t, at, closed[:, 1])])


def _signed_area(xy: np.ndarray) -> float:
    """Signed area of a closed polygon (positive: counter-clockwise)."""
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def rounded(outline: np.ndarray, radius: float) -> np.ndarray:
    """The outline with its convex corners (a star's tips) rounded to `radius`, mm."""
    from manifold3d import CrossSection, JoinType

    section = CrossSection([np.asarray(outline, dtype=float)])
    section = section.offset(-radius, JoinType.Round).offset(radius, JoinType.Round, 2, 48)
    return np.asarray(max(section.to_polygons(), key=len), dtype=float)


def trim_below(mesh: trimesh.Trimesh, z: float) -> trimesh.Trimesh | None:
    """The mesh cut flat at height z (what is below removed); None when nothing is left."""
    cut = _manifold(mesh).trim_by_plane((0.0, 0.0, 1.0), z)
    if cut.is_empty() or cut.volume() < 1e-6:
        return None
    return _to_trimesh(cut)


def _to_trimesh(solid: Manifold) -> trimesh.Trimesh:
    """A manifold3d solid as a trimesh mesh."""
    out = solid.to_mesh()
    vertices = np.asarray(out.vert_properties, dtype=np.float64)[:, :3]
    return trimesh.Trimesh(vertices, np.asarray(out.tri_verts, dtype=np.int64), process=False)


@dataclass(frozen=True)
class Ellipsoid:
    """An axis-aligned ellipsoid (or, with boxy < 1, a superellipsoid: a rounded box) surface
    that faces, eyes and patches are placed on, mm."""

    c: np.ndarray
    r: np.ndarray
    boxy: float = 1.0

    @classmethod
    def of(cls, c: Vec, r: Vec, boxy: float = 1.0) -> Ellipsoid:
        """From plain sequences."""
        return cls(np.asarray(c, dtype=float), np.asarray(r, dtype=float), boxy)

    def at(self, direction: Vec) -> tuple[np.ndarray, np.ndarray]:
        """Surface point along a direction from the centre, and the outward normal there."""
        d = unit(direction)
        q = 2.0 / self.boxy
        t = np.sum(np.abs(d / self.r) ** q) ** (-1.0 / q)
        p = self.c + t * d
        u = (p - self.c) / self.r
        grad = np.sign(u) * np.abs(u) ** (q - 1.0) / self.r
        return p, unit(grad)

    def angles(self, azimuth_deg: float, elevation_deg: float) -> tuple[np.ndarray, np.ndarray]:
        """Surface point at an azimuth (from +X towards +Y) and elevation, and its normal."""
        az, el = np.radians(azimuth_deg), np.radians(elevation_deg)
        return self.at((np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)))

    def project(self, point: Vec) -> np.ndarray:
        """The surface point on the ray from the centre through `point`."""
        return self.at(np.asarray(point, dtype=float) - self.c)[0]

    def mesh(self, subdiv: int = 3) -> trimesh.Trimesh:
        """The ellipsoid as a mesh."""
        return blob(self.c, self.r, None, subdiv, self.boxy)

    def curve(self, at: Vec, uv: np.ndarray, up: Vec = (0, 0, 1)) -> np.ndarray:
        """Points of a 2D curve (u right, v up in the tangent plane at `at`) on the surface."""
        _, n = self.at(np.asarray(at, dtype=float) - self.c)
        f = frame(n, up)
        pts = np.asarray(at, dtype=float) + uv[:, :1] * f[:, 0] + uv[:, 1:2] * f[:, 1]
        return np.array([self.project(q) for q in pts])


def nudged(mesh: trimesh.Trimesh, seed: int) -> trimesh.Trimesh:
    """The mesh turned by a few thousandths of a degree about its centre (< 0.005 mm at
    100 mm): parts built from the same tessellation then never share exact corners or planes,
    which is what leaves zero-area triangles in their union."""
    rng = np.random.default_rng(seed)
    axis = rng.normal(size=3)
    v = np.asarray(mesh.vertices)
    centre = v.mean(axis=0)
    turn = trimesh.transformations.rotation_matrix(4e-5 * (1 + seed % 7), axis)[:3, :3]
    return trimesh.Trimesh((v - centre) @ turn.T + centre, mesh.faces, process=False)

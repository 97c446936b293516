"""Geometric hazard screens on a design's solid (mm): sharp points and edges (sent to the lab
tests of 16 CFR 1500.48/49), slender cords and loops, and holes that can trap a finger
(ASTM F963 4.18.2). Screens, not the tests: each hit names the part and its dimensions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh

from engines.compliance.errors import ComplianceError

CONE_DEFECT = np.pi  # total curvature of a cone tip of 30 degrees half-angle: 2 pi (1 - sin 30)
_PIXEL_MM = 0.25  # silhouette raster step for the hole screen
_HOLE_VIEWS = np.array(
    [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, -1, 0], [1, 0, 1], [1, 0, -1],
     [0, 1, 1], [0, 1, -1], [1, 1, 1], [1, 1, -1], [1, -1, 1], [-1, 1, 1]], dtype=float,
)  # fmt: skip


@dataclass(frozen=True)
class Solid:
    """The design as one closed mesh (mm) and, per face, the index of its part name."""

    mesh: trimesh.Trimesh
    owner: np.ndarray  # (faces,) index into names
    names: tuple[str, ...]

    def part_of(self, faces: np.ndarray) -> str:
        """The part owning most of the given faces."""
        counts = np.bincount(self.owner[faces], minlength=len(self.names))
        return self.names[int(np.argmax(counts))]


@dataclass(frozen=True)
class Hit:
    """One screen result: the part, what was measured (mm or degrees) and where."""

    part: str
    measure: float
    point: tuple[float, float, float]
    extra: float = 0.0  # a second measure (an edge's length, a hole's wall)


def solid_of(meshes: list[trimesh.Trimesh], names: list[str]) -> Solid:
    """One closed mesh from part surfaces that together close it (a GLB's nodes), mm."""
    if not meshes:
        raise ComplianceError("no part surfaces to join")
    owner = np.concatenate([np.full(len(m.faces), i, np.int64) for i, m in enumerate(meshes)])
    joined = trimesh.util.concatenate(meshes)
    assert isinstance(joined, trimesh.Trimesh)
    joined.merge_vertices()
    return Solid(joined, owner, tuple(names))


def sharp_points(solid: Solid, max_tip_radius_mm: float, rigid: np.ndarray) -> list[Hit]:
    """Tips whose curvature within `max_tip_radius_mm` is that of a cone sharper than 60
    degrees (2 pi (1 - sin 30)); `rigid` (faces,) says which faces are hard material."""
    mesh = solid.mesh
    defects = np.asarray(mesh.vertex_defects)
    hard = np.zeros(len(mesh.vertices), bool)
    hard[np.unique(mesh.faces[rigid])] = True
    seeds = np.flatnonzero(hard & (defects > 0.05))
    if not len(seeds):
        return []
    from scipy.spatial import cKDTree

    tree = cKDTree(mesh.vertices)
    near = tree.query_ball_point(mesh.vertices[seeds], max_tip_radius_mm)
    total = np.array([defects[n].sum() for n in near])
    tips = seeds[total >= CONE_DEFECT]
    return _one_per_part(solid, tips, total[total >= CONE_DEFECT], mesh.vertices)


def _one_per_part(solid: Solid, vertices: np.ndarray, measure: np.ndarray, xyz) -> list[Hit]:
    """The strongest hit per part (its vertex, measure)."""
    if not len(vertices):
        return []
    faces_of = solid.mesh.vertex_faces[vertices]
    best: dict[str, Hit] = {}
    for v, m, faces in zip(vertices, measure, faces_of, strict=True):
        part = solid.part_of(faces[faces >= 0])
        if part not in best or m > best[part].measure:
            best[part] = Hit(part, float(m), tuple(float(c) for c in xyz[v]))  # type: ignore[arg-type]
    return list(best.values())


def sharp_edges(solid: Solid, min_edge_angle_deg: float, rigid: np.ndarray) -> list[Hit]:
    """Convex edges of hard faces whose faces meet at less than `min_edge_angle_deg`
    (a knife edge), at least 1 mm of them per part; measure: the sharpest angle (degrees)."""
    mesh = solid.mesh
    pairs = mesh.face_adjacency
    inside = np.degrees(np.pi - mesh.face_adjacency_angles)
    keep = mesh.face_adjacency_convex & (inside < min_edge_angle_deg) & rigid[pairs].all(axis=1)
    if not keep.any():
        return []
    edges = mesh.face_adjacency_edges[keep]
    length = np.linalg.norm(np.diff(mesh.vertices[edges], axis=1)[:, 0], axis=1)
    owner = solid.owner[pairs[keep, 0]]
    out = []
    for index in np.unique(owner):
        mine = owner == index
        if length[mine].sum() < 1.0:
            continue
        k = np.flatnonzero(mine)[np.argmin(inside[keep][mine])]
        point = mesh.vertices[edges[k]].mean(axis=0)
        out.append(
            Hit(solid.names[index], float(inside[keep][k]), tuple(point), float(length[mine].sum()))
        )  # type: ignore[arg-type]
    return out


def through_holes(solid: Solid, rigid: np.ndarray) -> list[Hit]:
    """Openings straight through the hard part of the solid, seen along 13 directions: for
    each, the widest rod (mm) that passes (inscribed circle of the see-through region)."""
    mesh = solid.mesh
    hard = mesh.faces[rigid]
    if not len(hard) or _genus(mesh) <= 0:
        return []
    from scipy import ndimage

    hits: dict[str, Hit] = {}
    for view in _HOLE_VIEWS / np.linalg.norm(_HOLE_VIEWS, axis=1, keepdims=True):
        u, w = _plane(view)
        uv = mesh.vertices @ np.column_stack([u, w])
        cover, origin = _raster(uv[hard])
        gaps, count = ndimage.label(~cover)
        border = np.unique(np.concatenate([gaps[0], gaps[-1], gaps[:, 0], gaps[:, -1]]))
        depth = ndimage.distance_transform_edt(~cover) * _PIXEL_MM
        for label in range(1, count + 1):
            if label in border:
                continue
            region = gaps == label
            radius = float(depth[region].max())
            iy, ix = np.unravel_index(np.argmax(np.where(region, depth, 0)), region.shape)
            centre = origin + (np.array([ix, iy]) + 0.5) * _PIXEL_MM
            near = np.linalg.norm(uv[mesh.faces].mean(axis=1) - centre, axis=1)
            ring = np.flatnonzero(rigid & (near <= radius + 4 * _PIXEL_MM + 1.0))
            part = solid.part_of(ring) if len(ring) else solid.names[0]
            point = (
                tuple(float(c) for c in mesh.vertices[mesh.faces[ring[0]]].mean(axis=0))
                if len(ring)
                else (0.0, 0.0, 0.0)
            )
            diameter = 2 * radius
            if part not in hits or diameter > hits[part].measure:
                hits[part] = Hit(part, diameter, point)  # type: ignore[arg-type]
    return list(hits.values())


def _genus(mesh: trimesh.Trimesh) -> int:
    """Handles of a closed mesh summed over its pieces ((2 pieces - Euler number) / 2)."""
    return (2 * int(mesh.body_count) - int(mesh.euler_number)) // 2


def _plane(view: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors spanning the plane across a view direction."""
    helper = np.array([0.0, 0.0, 1.0]) if abs(view[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    u = np.cross(view, helper)
    u /= np.linalg.norm(u)
    return u, np.cross(view, u)


def _raster(triangles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(cover, origin): which pixels the 2-D triangles (n, 3, 2) cover, with a one-pixel
    border all round, and the plane point of pixel (0, 0)'s corner (mm)."""
    from PIL import Image, ImageDraw

    lo = triangles.reshape(-1, 2).min(axis=0) - 2 * _PIXEL_MM
    hi = triangles.reshape(-1, 2).max(axis=0) + 2 * _PIXEL_MM
    size = np.ceil((hi - lo) / _PIXEL_MM).astype(int)
    if size.prod() > 4_000_000:  # a product over 500 mm: coarser would miss finger holes
        raise ComplianceError(
            f"the product is too big for the hole screen ({(hi - lo).round()} mm)"
        )
    image = Image.new("1", (int(size[0]), int(size[1])), 0)
    draw = ImageDraw.Draw(image)
    pixels = (triangles - lo) / _PIXEL_MM
    for tri in pixels:
        draw.polygon([tuple(p) for p in tri], fill=1, outline=1)
    return np.asarray(image, dtype=bool), lo


def slender(vertices: np.ndarray, faces: np.ndarray | None) -> tuple[float, float]:
    """(length, thickness) of a part, mm: a closed tube's from its area and volume (length
    A^2 / 4 pi V, thickness 4 V / A, right for curved cords), else its principal extents."""
    pts = np.asarray(vertices, float)
    centred = pts - pts.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    ext = np.sort(np.ptp(centred @ axes.T, axis=0))[::-1]
    if faces is not None and len(faces):
        mesh = trimesh.Trimesh(pts, faces, process=False)
        if mesh.is_watertight and abs(mesh.volume) > 1e-6:
            area, volume = float(mesh.area), abs(float(mesh.volume))
            return max(area * area / (4 * np.pi * volume), float(ext[0])), 4 * volume / area
    return float(ext[0]), float(ext[1])

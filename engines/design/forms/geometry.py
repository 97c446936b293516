"""Product bodies the forms are made of: vessels, rings, bands, lens frames (all mm)."""

from __future__ import annotations

import numpy as np
import trimesh
from manifold3d import CrossSection, Manifold, Mesh

from engines.design.shapes import _manifold, _one_solid, volume_mm3


def mesh_of(solid: Manifold) -> trimesh.Trimesh:
    """The trimesh of a manifold3d solid (watertight; may hold several bodies)."""
    out = solid.to_mesh()
    vertices = np.asarray(out.vert_properties, dtype=np.float64)[:, :3]
    return trimesh.Trimesh(vertices, np.asarray(out.tri_verts, dtype=np.int64), process=False)


def one_body(solid: Manifold) -> trimesh.Trimesh:
    """The trimesh of a manifold3d solid that must be one watertight body, mm."""
    return _one_solid(solid)


def revolved(profile_rz: np.ndarray, sections: int = 64) -> trimesh.Trimesh:
    """Solid of revolution about Z of a closed (radius, height) outline, mm."""
    return mesh_of(Manifold.revolve(CrossSection([np.asarray(profile_rz, float)]), sections))


def vessel(
    r_bottom: float, r_top: float, height: float, wall: float, floor: float
) -> trimesh.Trimesh:
    """An open-topped cup: tapered wall `wall` mm thick, flat floor `floor` mm thick, mm."""
    lip = min(wall * 0.35, 1.0)
    profile = [
        (0.0, 0.0),
        (r_bottom - 1.0, 0.0),
        (r_bottom, 1.0),
        (r_top, height - lip),
        (r_top - lip, height),
        (r_top - wall + lip, height),
        (r_top - wall, height - lip),
        (r_bottom - wall, floor + 1.0),
        (r_bottom - wall - 1.0, floor),
        (0.0, floor),
    ]
    return revolved(np.array(profile))


def ring(centre: np.ndarray, hole_r: float, wire: float, normal: np.ndarray) -> trimesh.Trimesh:
    """A closed torus ring whose hole (radius `hole_r`) faces `normal`, wire `wire` thick, mm."""
    major = hole_r + wire / 2.0
    torus = trimesh.creation.torus(major, wire / 2.0, major_sections=40, minor_sections=14)
    rotation = trimesh.geometry.align_vectors([0, 0, 1], np.asarray(normal, float))
    torus.apply_transform(rotation)
    torus.apply_translation(centre)
    return torus


def extruded(outline_xy: list[np.ndarray], thickness: float) -> Manifold:
    """Extrusion along Z (0..thickness) of closed outlines (holes wound clockwise), mm."""
    return Manifold.extrude(CrossSection([np.asarray(o, float) for o in outline_xy]), thickness)


def swept_band(path_yz: np.ndarray, thickness: float, width: float) -> trimesh.Trimesh:
    """A band of rectangular section (thickness across the path, width along X) swept
    along an open path in the YZ plane, mm."""
    tangent = np.gradient(path_yz, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    n = len(path_yz)
    corners = []
    for sx, sn in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
        yz = path_yz + normal * sn * thickness / 2.0
        corners.append(np.column_stack([np.full(n, sx * width / 2.0), yz]))
    vertices = np.vstack(corners)  # ring k, point i -> k * n + i
    faces = []
    for k in range(4):
        a, b = k * n, ((k + 1) % 4) * n
        for i in range(n - 1):
            faces += [[a + i, a + i + 1, b + i + 1], [a + i, b + i + 1, b + i]]
    for i, flip in ((0, False), (n - 1, True)):
        cap = [[i, n + i, 2 * n + i], [i, 2 * n + i, 3 * n + i]]
        faces += [f[::-1] for f in cap] if flip else cap
    mesh = trimesh.Trimesh(vertices, np.array(faces), process=True)
    if volume_mm3(mesh) < 0:
        mesh.invert()
    return mesh


def lens_outline(shape: str, radius: float, points: int = 72) -> np.ndarray:
    """A lens outline (counter-clockwise, centred on 0) of about `radius`: heart, star or round."""
    t = np.linspace(0.0, 2.0 * np.pi, points, endpoint=False)
    if shape == "heart":
        x = 16.0 * np.sin(t) ** 3
        y = 13.0 * np.cos(t) - 5.0 * np.cos(2 * t) - 2.0 * np.cos(3 * t) - np.cos(4 * t)
        xy = np.column_stack([x, y + 2.5]) * (radius / 16.0)
    elif shape == "star":
        k = np.arange(10)
        r = np.where(k % 2 == 0, radius * 1.12, radius * 0.55)
        a = np.pi / 2 + k * np.pi / 5
        xy = np.column_stack([r * np.cos(a), r * np.sin(a)])
    else:
        xy = np.column_stack([radius * np.cos(t), radius * 0.9 * np.sin(t)])
    if polygon_area(xy) < 0:
        xy = xy[::-1]
    return xy


def polygon_area(xy: np.ndarray) -> float:
    """Signed area of a closed polygon (positive = counter-clockwise), mm2."""
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def cut_below(mesh: trimesh.Trimesh, z: float) -> trimesh.Trimesh | None:
    """The part of a solid above the plane z (None when nothing is left), mm."""
    kept = _manifold(mesh).trim_by_plane((0.0, 0.0, 1.0), z)
    return None if kept.is_empty() or kept.volume() < 1e-3 else mesh_of(kept)


def cut_behind(mesh: trimesh.Trimesh, x: float) -> trimesh.Trimesh | None:
    """The part of a solid in front of the plane x (None when nothing is left), mm."""
    kept = _manifold(mesh).trim_by_plane((1.0, 0.0, 0.0), x)
    return None if kept.is_empty() or kept.volume() < 1e-3 else mesh_of(kept)


def touching(a: trimesh.Trimesh, b: trimesh.Trimesh) -> bool:
    """Whether two solids overlap (their boxes first, then their intersection), mm. Their
    solids are made apart from the cached ones (shapes._manifold): a cached solid is carried
    through later transforms, and its corners would then differ from the moved mesh's."""
    (alo, ahi), (blo, bhi) = a.bounds, b.bounds
    if (alo > bhi).any() or (blo > ahi).any():
        return False
    return not (_uncached(a) ^ _uncached(b)).is_empty()


def _uncached(mesh: trimesh.Trimesh) -> Manifold:
    """A mesh's solid, not kept in its metadata."""
    vertices = np.asarray(mesh.vertices, dtype=np.float32)
    return Manifold(
        mesh=Mesh(vert_properties=vertices, tri_verts=np.asarray(mesh.faces, np.uint32))
    )


def minus(mesh: trimesh.Trimesh, cutter: trimesh.Trimesh) -> trimesh.Trimesh | None:
    """A solid with another cut away (None when nothing is left), mm."""
    kept = _manifold(mesh) - _manifold(cutter)
    return None if kept.is_empty() or kept.volume() < 1e-3 else mesh_of(kept)


def cylinder_z(base: np.ndarray, radius: float, height: float, centred: bool) -> trimesh.Trimesh:
    """A Z-axis cylinder standing on `base` (or centred on it), mm."""
    z0 = float(base[2]) - (height / 2 if centred else 0.0)
    a, b = np.array([base[0], base[1], z0]), np.array([base[0], base[1], z0 + height])
    return trimesh.creation.cylinder(radius=radius, segment=np.array([a, b]), sections=48)

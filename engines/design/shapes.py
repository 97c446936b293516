"""Low-poly mesh primitives (all lengths mm) and the manifold union that joins them."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import trimesh
from manifold3d import Error, Manifold, Mesh, OpType
from trimesh import creation
from trimesh.geometry import align_vectors

from engines.design.base import DesignError

Vec = Sequence[float] | np.ndarray


def _frozen(mesh: trimesh.Trimesh) -> tuple[np.ndarray, np.ndarray]:
    """Read-only copies of a mesh's vertices and faces, safe to share between meshes."""
    vertices, faces = np.array(mesh.vertices), np.array(mesh.faces)
    vertices.flags.writeable = faces.flags.writeable = False
    return vertices, faces


def _mesh(vertices: np.ndarray, faces: np.ndarray) -> trimesh.Trimesh:
    """A mesh from arrays that are already clean (no merging or validation), mm."""
    return trimesh.Trimesh(vertices, faces, process=False)


def _placed(mesh: trimesh.Trimesh, start: Vec, direction: Vec) -> trimesh.Trimesh:
    """Rotate a +Z-aligned mesh onto `direction` and move its origin to `start`, mm."""
    d = np.asarray(direction, dtype=float)
    rotation = align_vectors([0.0, 0.0, 1.0], d / np.linalg.norm(d))[:3, :3]
    return _mesh(mesh.vertices @ rotation.T + np.asarray(start, dtype=float), mesh.faces)


@lru_cache(maxsize=8)
def _unit_sphere(subdiv: int) -> tuple[np.ndarray, np.ndarray]:
    """Vertices and faces of a unit icosphere (cached)."""
    return _frozen(creation.icosphere(subdivisions=subdiv))


@lru_cache(maxsize=8)
def _unit_capsule(count: int) -> tuple[np.ndarray, np.ndarray]:
    """Vertices and faces of a capsule of radius 1 whose hemisphere centres sit at z = ±1."""
    return _frozen(creation.capsule(height=2.0, radius=1.0, count=[count, count]))


@lru_cache(maxsize=8)
def _unit_cone(sections: int) -> tuple[np.ndarray, np.ndarray]:
    """Vertices and faces of a cone of radius 1 and height 1, base disc on z = 0 (cached)."""
    return _frozen(creation.cone(radius=1.0, height=1.0, sections=sections))


def ellipsoid(center: Vec, radii: Vec, subdiv: int = 3) -> trimesh.Trimesh:
    """Axis-aligned ellipsoid with semi-axes `radii`, mm."""
    vertices, faces = _unit_sphere(subdiv)
    return _mesh(vertices * np.asarray(radii, dtype=float) + np.asarray(center, dtype=float), faces)


def sphere(center: Vec, radius: float, subdiv: int = 2) -> trimesh.Trimesh:
    """Sphere of `radius`, mm."""
    return ellipsoid(center, (radius, radius, radius), subdiv)


def capsule(a: Vec, b: Vec, radius: float, count: int = 12) -> trimesh.Trimesh:
    """Capsule whose spine runs from a to b, mm."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    length = max(float(np.linalg.norm(b - a)), 1e-3)
    vertices, faces = _unit_capsule(count)
    side = np.sign(vertices[:, 2:])
    vertices = np.hstack([vertices[:, :2], vertices[:, 2:] - side]) * radius
    vertices[:, 2:] += side * length / 2.0
    return _placed(_mesh(vertices, faces), (a + b) / 2.0, b - a if length > 1e-3 else (0, 0, 1))


def cylinder(a: Vec, b: Vec, radius: float, sections: int = 32) -> trimesh.Trimesh:
    """Solid cylinder from a to b, mm."""
    segment = np.array([a, b], dtype=float)
    return creation.cylinder(radius=radius, segment=segment, sections=sections)


def cone(base: Vec, tip: Vec, radius: float, sections: int = 16) -> trimesh.Trimesh:
    """Cone with its base disc centred at `base` and its apex at `tip`, mm."""
    axis = np.asarray(tip, dtype=float) - np.asarray(base, dtype=float)
    vertices, faces = _unit_cone(sections)
    scaled = vertices * np.array([radius, radius, float(np.linalg.norm(axis))])
    return _placed(_mesh(scaled, faces), base, axis)


def box(extents: Vec, center: Vec, tilt_y_deg: float = 0.0) -> trimesh.Trimesh:
    """Box of `extents`, tilted about the Y axis, centred at `center`, mm."""
    mesh = creation.box(extents=extents)
    mesh.apply_transform(trimesh.transformations.rotation_matrix(np.radians(tilt_y_deg), [0, 1, 0]))
    mesh.apply_translation(center)
    return mesh


def torus(center: Vec, major: float, minor: float, normal: Vec = (0, 1, 0)) -> trimesh.Trimesh:
    """Ring of radius `major` and wire radius `minor`, its hole facing `normal`, mm."""
    mesh = creation.torus(major, minor, major_sections=24, minor_sections=10)
    return _placed(mesh, center, normal)


def volume_mm3(mesh: trimesh.Trimesh) -> float:
    """Signed volume of a closed mesh (negative when its faces point inwards), mm3: the sum
    of v0 . (v1 x v2) / 6 over its faces, without trimesh's full mass properties (10x slower,
    and recomputed for every moved copy of a part)."""
    tri = np.asarray(mesh.vertices).view(np.ndarray)[np.asarray(mesh.faces)]
    return float(np.einsum("ij,ij->", tri[:, 0], np.cross(tri[:, 1], tri[:, 2]))) / 6.0


def revolve(profile_rz: np.ndarray, sections: int = 48) -> trimesh.Trimesh:
    """Solid of revolution about Z of a closed (radius, height) outline, mm."""
    closed = np.vstack([profile_rz, profile_rz[:1]])
    mesh = creation.revolve(closed, sections=sections)
    if volume_mm3(mesh) < 0:
        mesh.invert()
    return mesh


def prism(outline_xy: np.ndarray, z0: float, z1: float) -> trimesh.Trimesh:
    """Extrusion along Z of a polygon that is star-shaped about its centroid, mm."""
    n = len(outline_xy)
    centre = outline_xy.mean(axis=0)
    ring = np.vstack([np.column_stack([outline_xy, np.full(n, z)]) for z in (z0, z1)])
    hubs = np.array([[*centre, z0], [*centre, z1]])
    i, j = np.arange(n), (np.arange(n) + 1) % n
    bottom = np.column_stack([np.full(n, 2 * n), j, i])
    top = np.column_stack([np.full(n, 2 * n + 1), i + n, j + n])
    sides = np.vstack([np.column_stack([i, j, j + n]), np.column_stack([i, j + n, i + n])])
    mesh = trimesh.Trimesh(np.vstack([ring, hubs]), np.vstack([bottom, top, sides]))
    if volume_mm3(mesh) < 0:
        mesh.invert()
    return mesh


def union(parts: Sequence[trimesh.Trimesh]) -> trimesh.Trimesh:
    """One watertight solid from overlapping watertight parts (manifold3d), mm."""
    return _one_solid(Manifold.batch_boolean([_manifold(p) for p in parts], OpType.Add))


def difference(a: trimesh.Trimesh, b: trimesh.Trimesh) -> trimesh.Trimesh:
    """Solid a with solid b cut away (manifold3d), mm."""
    return _one_solid(_manifold(a) - _manifold(b))


def _manifold(mesh: trimesh.Trimesh) -> Manifold:
    """The manifold3d solid of a watertight mesh (float32 corners, as trimesh's engine does);
    kept in the mesh's metadata with the arrays it was made of, so a part tested in
    attached() and then joined is converted once (a mesh edited in place gets new arrays)."""
    vertices, faces = mesh.vertices, mesh.faces
    known = mesh.metadata.get(_SOLID_KEY)
    if known is not None and known[0] is vertices and known[1] is faces:
        return known[2]
    solid = Manifold(
        mesh=Mesh(
            vert_properties=np.asarray(vertices, dtype=np.float32),
            tri_verts=np.asarray(faces, np.uint32),
        )
    )
    mesh.metadata[_SOLID_KEY] = (vertices, faces, solid)
    return solid


_SOLID_KEY = "_manifold3d"


def forget_solid(mesh: trimesh.Trimesh) -> None:
    """Drop the mesh's cached manifold3d solid (it does not pickle: before the mesh is sent to
    another process)."""
    mesh.metadata.pop(_SOLID_KEY, None)


def carry_solid(old: trimesh.Trimesh, new: trimesh.Trimesh, matrix: np.ndarray) -> None:
    """Give `new` (old under the 4x4 affine `matrix`) old's cached solid, transformed (cheap
    in manifold3d), when old has one."""
    known = old.metadata.get(_SOLID_KEY)
    if known is not None and known[0] is old.vertices and known[1] is old.faces:
        solid = known[2].transform(np.asarray(matrix, dtype=float)[:3, :4])
        new.metadata[_SOLID_KEY] = (new.vertices, new.faces, solid)


def _one_solid(solid: Manifold) -> trimesh.Trimesh:
    """The boolean result as one watertight body, numerical slivers dropped; else DesignError."""
    if solid.status() != Error.NoError:
        raise DesignError(f"the parts of this design do not join into one solid ({solid.status()})")
    bodies = solid.decompose()
    if len(bodies) > 1:  # slivers appear where parts only graze each other
        bodies = sorted(bodies, key=lambda b: -b.volume())
        if bodies[1].volume() > 1e-4 * bodies[0].volume():
            raise DesignError("the parts of this design do not touch: it would fall apart")
        solid = bodies[0]
    out = solid.to_mesh()
    vertices = np.asarray(out.vert_properties, dtype=np.float64)[:, :3]
    mesh = trimesh.Trimesh(vertices, np.asarray(out.tri_verts, dtype=np.int64), process=False)
    if solid.volume() <= 0:  # a manifold3d result without error status is closed and manifold
        raise DesignError("the parts of this design do not join into one watertight solid")
    return mesh

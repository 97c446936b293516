"""Vectorised ray / segment casting against triangles with a k-d tree broad phase (mm)."""

from __future__ import annotations

import numpy as np
import trimesh
from scipy.spatial import cKDTree

MAX_PAIRS = 4_000_000  # ray-triangle candidate pairs evaluated at once
_EPS = 1e-9


def candidate_pairs(
    mesh: trimesh.Trimesh, origins: np.ndarray, reach_mm: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray]:
    """(ray, face) pairs whose face may lie within reach_mm of the ray origin."""
    tri = np.asarray(mesh.triangles)
    centres = tri.mean(axis=1)
    face_radius = np.linalg.norm(tri - centres[:, None, :], axis=2).max(axis=1)
    reach = np.broadcast_to(np.asarray(reach_mm, dtype=np.float64), (len(origins),))
    bound = float(reach.max(initial=0.0) + face_radius.max(initial=0.0))
    pairs = cKDTree(origins).sparse_distance_matrix(cKDTree(centres), bound, output_type="ndarray")
    ray, face = pairs["i"].astype(np.int64), pairs["j"].astype(np.int64)
    near = pairs["v"] <= reach[ray] + face_radius[face]
    return ray[near], face[near]


def first_hit_mm(
    mesh: trimesh.Trimesh,
    origins: np.ndarray,
    directions: np.ndarray,
    max_mm: np.ndarray | float,
    skip_faces: np.ndarray | None = None,
) -> np.ndarray:
    """Distance (mm) along unit directions to the first triangle within max_mm; inf if none."""
    limit = np.broadcast_to(np.asarray(max_mm, dtype=np.float64), (len(origins),))
    ray, face = candidate_pairs(mesh, origins, limit)
    if skip_faces is not None:
        keep = face != skip_faces[ray]
        ray, face = ray[keep], face[keep]
    out = np.full(len(origins), np.inf)
    tri = np.asarray(mesh.triangles)
    for start in range(0, len(ray), MAX_PAIRS):
        r, f = ray[start : start + MAX_PAIRS], face[start : start + MAX_PAIRS]
        t = _moller_trumbore(origins[r], directions[r], tri[f])
        ok = (t > _EPS) & (t <= limit[r])
        np.minimum.at(out, r[ok], t[ok])
    return out


def _moller_trumbore(origin: np.ndarray, direction: np.ndarray, tri: np.ndarray) -> np.ndarray:
    """Ray parameter t of each ray-triangle pair, nan where they miss."""
    e1, e2 = tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]
    p = np.cross(direction, e2)
    det = np.einsum("ij,ij->i", e1, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = 1.0 / det
        s = origin - tri[:, 0]
        u = np.einsum("ij,ij->i", s, p) * inv
        q = np.cross(s, e1)
        v = np.einsum("ij,ij->i", direction, q) * inv
        t = np.einsum("ij,ij->i", e2, q) * inv
        hit = (np.abs(det) > _EPS) & (u >= 0) & (v >= 0) & (u + v <= 1)
    return np.where(hit, t, np.nan)


def self_intersecting_edges(mesh: trimesh.Trimesh, max_faces: int = 20_000) -> int | None:
    """Edges that pierce a triangle they do not touch (self-intersection); None if too big."""
    if len(mesh.faces) > max_faces or len(mesh.faces) == 0:
        return None
    edges = np.asarray(mesh.edges_unique)
    vertices = np.asarray(mesh.vertices)
    start, vector = vertices[edges[:, 0]], vertices[edges[:, 1]] - vertices[edges[:, 0]]
    length = np.linalg.norm(vector, axis=1)
    usable = length > _EPS
    start, vector, length, edges = start[usable], vector[usable], length[usable], edges[usable]
    ray, face = candidate_pairs(mesh, start + vector / 2, length / 2)
    corners = np.asarray(mesh.faces)[face]
    touches = (corners == edges[ray, :1]).any(axis=1) | (corners == edges[ray, 1:]).any(axis=1)
    ray, face = ray[~touches], face[~touches]
    if len(ray) == 0:
        return 0
    unit = vector / length[:, None]
    t = _moller_trumbore(start[ray], unit[ray], np.asarray(mesh.triangles)[face])
    crossing = (t > 1e-6 * length[ray]) & (t < length[ray] * (1 - 1e-6))
    return int(len(np.unique(ray[crossing])))

"""Vectorised ray / segment casting against triangles with a uniform-grid broad phase (mm)."""

from __future__ import annotations

import numpy as np
import trimesh

MAX_PAIRS = 4_000_000  # ray-triangle candidate pairs evaluated at once
_EPS = 1e-9


def candidate_pairs(
    mesh: trimesh.Trimesh, origins: np.ndarray, reach_mm: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray]:
    """(ray, face) pairs whose face may lie within reach_mm of the ray origin."""
    tri = np.asarray(mesh.triangles)
    reach = np.broadcast_to(np.asarray(reach_mm, dtype=np.float64), (len(origins),))
    ray, face = overlapping_boxes(
        origins - reach[:, None], origins + reach[:, None], tri.min(axis=1), tri.max(axis=1)
    )
    centres = tri.mean(axis=1)
    face_radius = np.linalg.norm(tri - centres[:, None, :], axis=2).max(axis=1)
    near = np.linalg.norm(origins[ray] - centres[face], axis=1) <= reach[ray] + face_radius[face]
    return ray[near], face[near]


def overlapping_boxes(
    a_lo: np.ndarray, a_hi: np.ndarray, b_lo: np.ndarray, b_hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j) whose axis-aligned boxes a[i] and b[j] overlap (mm).

    A hierarchical grid: each box lives on the level whose cells are half its size,
    so it covers at most 3 × 3 × 3 cells there. A pair is compared once, on the grid of its
    larger box, and reported only from the cell holding the corner max(lo_a, lo_b); the cost
    follows the number of nearby pairs, not all pairs.
    """
    if len(a_lo) == 0 or len(b_lo) == 0:
        return _EMPTY_PAIR, _EMPTY_PAIR
    origin = np.minimum(a_lo.min(axis=0), b_lo.min(axis=0))
    span = float((np.maximum(a_hi.max(axis=0), b_hi.max(axis=0)) - origin).max())
    base = max(span / 1024.0, 1e-9)
    a_level, b_level = _levels(a_hi - a_lo, base), _levels(b_hi - b_lo, base)
    found_a, found_b = [], []
    for level in np.union1d(a_level, b_level):
        cell = base * 2.0**level
        for a_sel, b_sel in (
            (a_level == level, b_level <= level),
            (a_level < level, b_level == level),
        ):
            i, j = _grid_join(
                a_lo, a_hi, np.flatnonzero(a_sel), b_lo, b_hi, np.flatnonzero(b_sel), origin, cell
            )
            found_a.append(i)
            found_b.append(j)
    return np.concatenate(found_a), np.concatenate(found_b)


_EMPTY_PAIR = np.zeros(0, dtype=np.int64)
CELLS_PER_BOX = 2  # a box spans up to this many cells (plus one) per axis on its level


def _levels(size: np.ndarray, base: float) -> np.ndarray:
    """Grid level of each box: it spans at most CELLS_PER_BOX cells of base × 2^level (mm)."""
    biggest = np.maximum(size.max(axis=1), base)
    return np.maximum(np.ceil(np.log2(biggest / (CELLS_PER_BOX * base)) - 1e-9), 0).astype(np.int64)


def _grid_join(
    a_lo: np.ndarray,
    a_hi: np.ndarray,
    a_idx: np.ndarray,
    b_lo: np.ndarray,
    b_hi: np.ndarray,
    b_idx: np.ndarray,
    origin: np.ndarray,
    cell: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Overlapping (a, b) among the given boxes, each reported once, on a grid of cell mm."""
    if len(a_idx) == 0 or len(b_idx) == 0:
        return _EMPTY_PAIR, _EMPTY_PAIR
    a_key, a_box = _cell_entries(a_lo[a_idx], a_hi[a_idx], origin, cell)
    b_key, b_box = _cell_entries(b_lo[b_idx], b_hi[b_idx], origin, cell)
    order = np.argsort(b_key, kind="stable")
    b_key, b_box = b_key[order], b_box[order]
    first = np.searchsorted(b_key, a_key, side="left")
    count = np.searchsorted(b_key, a_key, side="right") - first
    i = a_idx[np.repeat(a_box, count)]
    offsets = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    j = b_idx[b_box[np.repeat(first, count) + offsets]]
    shared = np.repeat(a_key, count)
    overlap = (a_lo[i] <= b_hi[j]).all(axis=1) & (b_lo[j] <= a_hi[i]).all(axis=1)
    i, j, shared = i[overlap], j[overlap], shared[overlap]
    corner = _key(np.floor((np.maximum(a_lo[i], b_lo[j]) - origin) / cell).astype(np.int64))
    once = corner == shared
    return i[once], j[once]


def _key(index: np.ndarray) -> np.ndarray:
    """One integer per grid cell index (x, y, z)."""
    return (index[:, 2] * 2_097_152 + index[:, 1]) * 2_097_152 + index[:, 0]


def _cell_entries(
    lo: np.ndarray, hi: np.ndarray, origin: np.ndarray, cell: float
) -> tuple[np.ndarray, np.ndarray]:
    """(cell key, box index) for every grid cell each box covers."""
    first = np.floor((lo - origin) / cell).astype(np.int64)
    size = np.floor((hi - origin) / cell).astype(np.int64) - first + 1
    per_box = size.prod(axis=1)
    total = int(per_box.sum())
    box = np.repeat(np.arange(len(lo)), per_box)
    k = np.arange(total) - np.repeat(np.cumsum(per_box) - per_box, per_box)
    sx, sy = size[box, 0], size[box, 1]
    index = np.column_stack(
        [first[box, 0] + k % sx, first[box, 1] + (k // sx) % sy, first[box, 2] + k // (sx * sy)]
    )
    return _key(index), box


def first_hit_mm(
    mesh: trimesh.Trimesh,
    origins: np.ndarray,
    directions: np.ndarray,
    max_mm: np.ndarray | float,
    skip_faces: np.ndarray | None = None,
    facing: np.ndarray | None = None,
    min_opposition: float = 0.9,
) -> np.ndarray:
    """Distance (mm) along unit directions to the first triangle within max_mm; inf if none.

    With facing (one unit normal per ray), only triangles whose normal opposes it (dot at
    most -min_opposition, the far side of a wall) count, not the sides of a wedge-shaped
    edge.
    """
    limit = np.broadcast_to(np.asarray(max_mm, dtype=np.float64), (len(origins),))
    ray, face = candidate_pairs(mesh, origins, limit)
    if skip_faces is not None:
        keep = face != skip_faces[ray]
        ray, face = ray[keep], face[keep]
    if facing is not None:
        normals = np.asarray(mesh.face_normals)
        keep = np.einsum("ij,ij->i", normals[face], facing[ray]) <= -min_opposition
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


def self_intersecting_edges(mesh: trimesh.Trimesh, max_faces: int = 300_000) -> int | None:
    """Edges that pierce a triangle they do not touch (self-intersection); None if too big."""
    if len(mesh.faces) > max_faces or len(mesh.faces) == 0:
        return None
    edges = np.asarray(mesh.edges_unique)
    vertices = np.asarray(mesh.vertices)
    start, vector = vertices[edges[:, 0]], vertices[edges[:, 1]] - vertices[edges[:, 0]]
    length = np.linalg.norm(vector, axis=1)
    usable = length > _EPS
    start, vector, length, edges = start[usable], vector[usable], length[usable], edges[usable]
    tri = np.asarray(mesh.triangles)
    end = start + vector
    ray, face = overlapping_boxes(
        np.minimum(start, end), np.maximum(start, end), tri.min(axis=1), tri.max(axis=1)
    )
    corners = np.asarray(mesh.faces)[face]
    touches = (corners == edges[ray, :1]).any(axis=1) | (corners == edges[ray, 1:]).any(axis=1)
    ray, face = ray[~touches], face[~touches]
    if len(ray) == 0:
        return 0
    unit = vector / length[:, None]
    t = _moller_trumbore(start[ray], unit[ray], tri[face])
    crossing = (t > 1e-6 * length[ray]) & (t < length[ray] * (1 - 1e-6))
    return int(len(np.unique(ray[crossing])))

"""Diagnose and repair triangle meshes into closed, outward-facing solids (mm).

The default repair uses only our own code, trimesh and manifold3d (MIT/Apache-2.0). pymeshfix
(AGPL-3.0) is a last resort only when the caller asks for it (`gpl_repair=True`; the worker
setting TRENDFORGE_MESH_REPAIR=pymeshfix with the `trendforge[gpl-repair]` extra installed);
it is imported then and never otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np
import trimesh
from scipy import sparse
from scipy.sparse import csgraph

from .errors import UnprintableMesh
from .rays import self_intersecting_edges


@dataclass(frozen=True)
class MeshHealth:
    """Topology of a mesh: defect counts, shells, volume (mm³); None means not checked."""

    boundary_edges: int
    nonmanifold_edges: int
    shells: int
    winding_consistent: bool
    volume_mm3: float
    inconsistent_edges: int = 0
    degenerate_faces: int = 0
    duplicate_faces: int = 0
    self_intersecting_edges: int | None = None

    @property
    def watertight(self) -> bool:
        """True when every edge is shared by exactly two triangles."""
        return self.boundary_edges == 0 and self.nonmanifold_edges == 0

    def summary(self) -> str:
        """One line of counts for a finding."""
        crossing = (
            "unchecked" if self.self_intersecting_edges is None else self.self_intersecting_edges
        )
        return (
            f"{self.boundary_edges} open edges, {self.nonmanifold_edges} non-manifold edges, "
            f"{self.inconsistent_edges} inconsistently wound edges, "
            f"{self.degenerate_faces} degenerate and {self.duplicate_faces} duplicate faces, "
            f"{self.shells} shell(s), {crossing} self-intersecting edges"
        )

    def counts(self) -> dict[str, int | None]:
        """The defect counts by name, for reports and tests."""
        return {
            "boundary_edges": self.boundary_edges,
            "nonmanifold_edges": self.nonmanifold_edges,
            "inconsistent_edges": self.inconsistent_edges,
            "degenerate_faces": self.degenerate_faces,
            "duplicate_faces": self.duplicate_faces,
            "shells": self.shells,
            "self_intersecting_edges": self.self_intersecting_edges,
        }


@dataclass
class RepairResult:
    """A repaired mesh with the actions taken and its health before and after."""

    mesh: trimesh.Trimesh
    actions: list[str]
    before: MeshHealth
    after: MeshHealth
    cavities: int


def mesh_health(mesh: trimesh.Trimesh, intersections: bool = True) -> MeshHealth:
    """Count open, non-manifold, mis-wound and self-intersecting edges, bad faces, shells."""
    faces = np.asarray(mesh.faces)
    directed = _directed_edges(faces)
    undirected = _edge_keys(np.sort(directed, axis=1), len(mesh.vertices))
    uses = _run_counts(undirected)
    directed_keys = _edge_keys(directed, len(mesh.vertices))
    repeated = len(directed_keys) - len(_run_counts(directed_keys))
    unique_rows = len(trimesh.grouping.unique_rows(np.sort(faces, axis=1))[0]) if len(faces) else 0
    return MeshHealth(
        boundary_edges=int((uses == 1).sum()),
        nonmanifold_edges=int((uses > 2).sum()),
        shells=int(_shell_labels(mesh).max(initial=-1) + 1),
        winding_consistent=repeated == 0,
        volume_mm3=float(_face_signed_volumes(mesh).sum()),
        inconsistent_edges=int(repeated),
        degenerate_faces=int((~mesh.nondegenerate_faces()).sum()) if len(faces) else 0,
        duplicate_faces=int(len(faces) - unique_rows),
        self_intersecting_edges=self_intersecting_edges(mesh) if intersections else None,
    )


def repair_mesh(mesh: trimesh.Trimesh, gpl_repair: bool = False) -> RepairResult:
    """Merge, clean, re-wind, close and unite a mesh; UnprintableMesh if it stays open (with
    `gpl_repair`, pymeshfix gets a last try first)."""
    before = mesh_health(mesh)
    welded = bool(mesh.metadata.get("welded"))
    mesh = trimesh.Trimesh(vertices=mesh.vertices, faces=mesh.faces, process=False)
    actions: list[str] = []
    if not welded:  # load_mesh already welded STL corners
        _note(actions, _merge_duplicate_vertices(mesh), "merged {} duplicate vertices")
    _note(actions, _drop_faces(mesh, mesh.nondegenerate_faces()), "removed {} degenerate faces")
    _note(actions, _drop_faces(mesh, mesh.unique_faces()), "removed {} duplicate faces")
    if len(mesh.faces) == 0:
        raise UnprintableMesh("every triangle of the mesh is degenerate (zero area)")
    mesh, separated = _split_nonmanifold(mesh)
    _note(actions, separated, "separated {} non-manifold edge(s) between shells")
    original = mesh.faces.copy()
    _fix_winding(mesh)
    mesh, holes = _fill_holes(mesh)
    cavities = _fix_inversion(mesh)
    flipped = int((mesh.faces[: len(original)] != original).any(axis=1).sum())
    _note(actions, flipped, "flipped {} faces so normals point outward")
    _note(actions, holes, "filled {} hole(s)")
    mesh, sheets = _drop_sheets(mesh)
    _note(actions, sheets, "removed {} loose sheet(s) enclosing no volume")
    mesh, united = _unite_overlapping_shells(mesh)
    actions.extend(united)
    after = mesh_health(mesh, intersections=False)
    if not after.watertight and gpl_repair:
        mesh, fixed = close_with_pymeshfix(mesh, after)
        actions.append(fixed)
        after = mesh_health(mesh, intersections=False)
    _require_solid(after)
    after = replace(after, self_intersecting_edges=_checked_intersections(mesh, before))
    return RepairResult(mesh, actions, before, after, cavities)


def _checked_intersections(mesh: trimesh.Trimesh, before: MeshHealth) -> int | None:
    """Self-intersecting edges after repair, re-checked only when some were found before."""
    if not before.self_intersecting_edges:
        return before.self_intersecting_edges
    return self_intersecting_edges(mesh)


def _split_nonmanifold(mesh: trimesh.Trimesh) -> tuple[trimesh.Trimesh, int]:
    """Give every shell its own vertices so shells meeting at an edge no longer share it."""
    before = _nonmanifold_count(mesh)
    if before == 0:
        return mesh, 0
    labels = _shell_labels(mesh)
    order = np.argsort(labels, kind="stable")
    faces = np.asarray(mesh.faces)[order]
    keys = labels[order][:, None].astype(np.int64) * len(mesh.vertices) + faces
    unique, inverse = np.unique(keys.ravel(), return_inverse=True)
    vertices = np.asarray(mesh.vertices)[unique % len(mesh.vertices)]
    split = trimesh.Trimesh(vertices=vertices, faces=inverse.reshape(-1, 3), process=False)
    return split, before - _nonmanifold_count(split)


def _nonmanifold_count(mesh: trimesh.Trimesh) -> int:
    """Edges shared by more than two triangles."""
    undirected = _edge_keys(
        np.sort(_directed_edges(np.asarray(mesh.faces)), axis=1), len(mesh.vertices)
    )
    return int((_run_counts(undirected) > 2).sum())


def _run_counts(keys: np.ndarray) -> np.ndarray:
    """How often each distinct key occurs (sort-based; faster than np.unique here)."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    ordered = np.sort(keys)
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    return np.diff(np.append(starts, len(ordered)))


def _drop_sheets(mesh: trimesh.Trimesh) -> tuple[trimesh.Trimesh, int]:
    """Remove closed shells that enclose (almost) no volume, such as filled single triangles."""
    labels = _shell_labels(mesh)
    volume = np.abs(np.bincount(labels, _face_signed_volumes(mesh)))
    if len(volume) < 2:
        return mesh, 0
    flat = volume <= 1e-9 * max(float(volume.max()), 1e-12)
    if not flat.any() or flat.all():
        return mesh, 0
    keep = ~flat[labels]
    kept = trimesh.Trimesh(vertices=mesh.vertices, faces=mesh.faces[keep], process=False)
    kept.remove_unreferenced_vertices()
    return kept, int(flat.sum())


def close_with_pymeshfix(mesh: trimesh.Trimesh, health: MeshHealth) -> tuple[trimesh.Trimesh, str]:
    """Close what trimesh could not (pymeshfix, AGPL-3.0, the optional gpl-repair extra: joins,
    fills, removes bad pieces)."""
    try:
        import pymeshfix
    except ImportError as err:
        raise UnprintableMesh(
            "the pymeshfix repair was asked for but is not installed: "
            "pip install 'trendforge[gpl-repair]'"
        ) from err

    fix = pymeshfix.MeshFix(np.asarray(mesh.vertices), np.asarray(mesh.faces))
    fix.repair(joincomp=True, remove_smallest_components=False)
    fixed = trimesh.Trimesh(vertices=fix.points, faces=fix.faces, process=False)
    if len(fixed.faces) == 0:
        raise UnprintableMesh(f"pymeshfix could not close the mesh ({health.summary()})")
    _fix_inversion(fixed)
    note = (
        f"pymeshfix closed {health.boundary_edges} open and "
        f"{health.nonmanifold_edges} non-manifold edges trimesh could not"
    )
    return fixed, note


def _note(actions: list[str], count: int, template: str) -> None:
    """Append a repair action when it changed something."""
    if count:
        actions.append(template.format(count))


def _directed_edges(faces: np.ndarray) -> np.ndarray:
    """Directed edges (3F, 2) of faces in winding order."""
    return faces[:, [0, 1, 1, 2, 2, 0]].reshape(-1, 2)


def _edge_keys(edges: np.ndarray, vertex_count: int) -> np.ndarray:
    """One int64 per vertex pair."""
    return edges[:, 0].astype(np.int64) * max(vertex_count, 1) + edges[:, 1]


def _shell_labels(mesh: trimesh.Trimesh) -> np.ndarray:
    """Label of the edge-connected shell of every face."""
    if len(mesh.faces) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.asarray(
        trimesh.graph.connected_component_labels(mesh.face_adjacency, node_count=len(mesh.faces))
    )


def _face_signed_volumes(mesh: trimesh.Trimesh) -> np.ndarray:
    """Signed volume of the tetrahedron origin-face for every face (mm³)."""
    tri = np.asarray(mesh.vertices)[np.asarray(mesh.faces)]
    return np.einsum("ij,ij->i", tri[:, 0], np.cross(tri[:, 1], tri[:, 2])) / 6.0


def _merge_duplicate_vertices(mesh: trimesh.Trimesh) -> int:
    """Weld vertices at identical positions; number removed."""
    mesh.remove_unreferenced_vertices()
    count = len(mesh.vertices)
    mesh.merge_vertices()
    return count - len(mesh.vertices)


def _drop_faces(mesh: trimesh.Trimesh, keep: np.ndarray) -> int:
    """Keep only the masked faces; number dropped."""
    dropped = int((~keep).sum())
    if dropped:
        mesh.update_faces(keep)
        mesh.remove_unreferenced_vertices()
    return dropped


def _fix_winding(mesh: trimesh.Trimesh) -> None:
    """Flip faces so each shared edge is walked in opposite directions by its two faces."""
    pairs = np.asarray(mesh.face_adjacency)
    if len(pairs) == 0 or mesh.is_winding_consistent:
        return
    faces = mesh.faces.copy()
    edges = np.asarray(mesh.face_adjacency_edges)
    odd = _walks_forward(faces[pairs[:, 0]], edges) == _walks_forward(faces[pairs[:, 1]], edges)
    flip = _parity_labels(len(faces), pairs, odd)
    faces[flip] = faces[flip][:, ::-1]
    mesh.faces = faces


def _walks_forward(rows: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Whether each face row traverses its edge (a, b) as a -> b."""
    pos = np.argmax(rows == edges[:, :1], axis=1)
    return rows[np.arange(len(rows)), (pos + 1) % 3] == edges[:, 1]


def _parity_labels(n: int, pairs: np.ndarray, odd: np.ndarray) -> np.ndarray:
    """Boolean per node so that label[a] ^ label[b] == odd along a spanning forest."""
    labels = trimesh.graph.connected_component_labels(pairs, node_count=n)
    roots = np.unique(labels, return_index=True)[1]
    rows = np.concatenate([pairs[:, 0], np.full(len(roots), n)])
    cols = np.concatenate([pairs[:, 1], roots])
    graph = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n + 1, n + 1)).tocsr()
    _, parent = csgraph.breadth_first_order(graph, n, directed=False, return_predecessors=True)
    parent[n] = n
    keys = np.sort(pairs, axis=1) @ np.array([n + 1, 1])
    order = np.argsort(keys)
    child = np.arange(n)
    tree_keys = np.sort(np.column_stack([child, parent[:n]]), axis=1) @ np.array([n + 1, 1])
    hit = order[np.clip(np.searchsorted(keys[order], tree_keys), 0, len(keys) - 1)]
    parity = np.append((keys[hit] == tree_keys) & odd[hit], False)
    while not (parent == n).all():  # pointer jumping: parity of the path to the root
        parity = parity ^ parity[parent]
        parent = parent[parent]
    return parity[:n]


def _boundary_loops(faces: np.ndarray, vertex_count: int) -> list[list[int]]:
    """Closed loops of open edges, each in the winding direction of its faces."""
    directed = _directed_edges(faces)
    keys = _edge_keys(np.sort(directed, axis=1), vertex_count)
    _, inverse, uses = np.unique(keys, return_inverse=True, return_counts=True)
    following: defaultdict[int, list[int]] = defaultdict(list)
    for a, b in directed[uses[inverse] == 1].tolist():
        following[a].append(b)
    loops: list[list[int]] = []
    for start in list(following):
        while following[start]:
            loop, current = [start], following[start].pop()
            while current != start and following.get(current):
                loop.append(current)
                current = following[current].pop()
            if current == start:
                loops.extend(part for part in _simple_loops(loop) if len(part) >= 3)
    return loops


def _simple_loops(loop: list[int]) -> list[list[int]]:
    """Split a loop that passes a vertex twice (a pinch) into loops that do not."""
    out: list[list[int]] = []
    stack: list[int] = []
    position: dict[int, int] = {}
    for vertex in loop:
        if vertex in position:
            cut = position[vertex]
            out.append(stack[cut:])
            for dropped in stack[cut + 1 :]:
                del position[dropped]
            stack = stack[: cut + 1]
        else:
            position[vertex] = len(stack)
            stack.append(vertex)
    return [*out, stack]


def _fill_holes(mesh: trimesh.Trimesh) -> tuple[trimesh.Trimesh, int]:
    """Close every open boundary loop with a triangle fan around its centroid."""
    loops = _boundary_loops(np.asarray(mesh.faces), len(mesh.vertices))
    if not loops:
        return mesh, 0
    vertices, faces = [np.asarray(mesh.vertices)], [np.asarray(mesh.faces)]
    next_vertex = len(mesh.vertices)
    for loop in loops:
        ring = np.asarray(loop)
        if len(ring) == 3:
            faces.append(ring[::-1][None, :])
            continue
        vertices.append(mesh.vertices[ring].mean(axis=0)[None, :])
        faces.append(np.column_stack([np.roll(ring, -1), ring, np.full(len(ring), next_vertex)]))
        next_vertex += 1
    filled = trimesh.Trimesh(vertices=np.vstack(vertices), faces=np.vstack(faces), process=False)
    return filled, len(loops)


def _fix_inversion(mesh: trimesh.Trimesh) -> int:
    """Flip inside-out shells unless they are cavities; number of cavities kept."""
    labels = _shell_labels(mesh)
    volume = np.bincount(labels, _face_signed_volumes(mesh))
    contained = _contained_shells(mesh, labels, volume)
    flip_shell = (volume < 0) & ~contained
    if flip_shell.any():
        faces = mesh.faces.copy()
        flip = flip_shell[labels]
        faces[flip] = faces[flip][:, ::-1]
        mesh.faces = faces
    return int(((volume < 0) & contained).sum())


def _contained_shells(
    mesh: trimesh.Trimesh, labels: np.ndarray, volume: np.ndarray, max_shells: int = 2000
) -> np.ndarray:
    """Shells whose bounds lie inside a larger positive shell's bounds (cavity candidates)."""
    if len(volume) > max_shells:  # pairwise test is quadratic; treat none as cavities
        return np.zeros(len(volume), dtype=bool)
    lo, hi = _shell_bounds(mesh, labels, len(volume))
    return (
        (lo[None, :, :] <= lo[:, None, :]).all(-1)
        & (hi[:, None, :] <= hi[None, :, :]).all(-1)
        & (volume[None, :] > np.abs(volume)[:, None])
    ).any(axis=1)


def _shell_bounds(
    mesh: trimesh.Trimesh, labels: np.ndarray, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Axis-aligned bounds (mm) of every shell, as (count, 3) lows and highs."""
    tri = np.asarray(mesh.vertices)[np.asarray(mesh.faces)]
    order = np.argsort(labels, kind="stable")
    starts = np.searchsorted(labels[order], np.arange(count))
    lo = np.minimum.reduceat(tri.min(axis=1)[order], starts)
    hi = np.maximum.reduceat(tri.max(axis=1)[order], starts)
    return lo, hi


def _unite_overlapping_shells(mesh: trimesh.Trimesh) -> tuple[trimesh.Trimesh, list[str]]:
    """Boolean-union shells whose bounding boxes overlap (manifold3d)."""
    labels = _shell_labels(mesh)
    volume = np.bincount(labels, _face_signed_volumes(mesh))
    if len(volume) < 2 or (volume <= 0).any():
        return mesh, []
    lo, hi = _shell_bounds(mesh, labels, len(volume))
    overlap = ((lo[:, None, :] < hi[None, :, :]) & (lo[None, :, :] < hi[:, None, :])).all(-1)
    if not np.triu(overlap, k=1).any():
        return mesh, []
    parts = mesh.split(only_watertight=False)
    if not all(p.is_watertight for p in parts):
        return mesh, []
    united = trimesh.boolean.union(parts, engine="manifold")
    if united.volume >= volume.sum() * (1 - 1e-9):
        return mesh, []
    shells = int(_shell_labels(united).max(initial=-1) + 1)
    return united, [f"united {len(volume)} overlapping shells into {shells} solid(s)"]


def _require_solid(health: MeshHealth) -> None:
    """Raise UnprintableMesh unless the mesh is a closed, consistent, positive solid."""
    if health.boundary_edges:
        raise UnprintableMesh(
            f"mesh is still open after repair: {health.boundary_edges} boundary edges remain"
        )
    if health.nonmanifold_edges:
        raise UnprintableMesh(
            f"mesh has {health.nonmanifold_edges} non-manifold edges "
            "(shared by more than two triangles) that cannot be repaired automatically"
        )
    if not health.winding_consistent:
        raise UnprintableMesh("triangle winding cannot be made consistent (non-orientable surface)")
    if not health.volume_mm3 > 0:
        raise UnprintableMesh(
            f"mesh encloses no volume ({health.volume_mm3:.3g} mm³): it is a surface, not a solid"
        )

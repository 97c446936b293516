"""Planar slicing and a geometric print estimate (mm, s, g)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import trimesh
from scipy import sparse
from scipy.ndimage import minimum_filter1d
from scipy.sparse import csgraph

from .profiles import Material, PrinterProfile


@dataclass(frozen=True)
class LayerStack:
    """Per-layer cross-sections: slice heights (mm), area (mm²), perimeter (mm), islands."""

    z_mm: np.ndarray
    area_mm2: np.ndarray
    perimeter_mm: np.ndarray
    islands: np.ndarray
    layer_height_mm: float


@dataclass(frozen=True)
class PrintSettings:
    """Slicer-like knobs for the estimate: speeds (mm/s), times (s), counts."""

    walls: int = 2
    solid_layers: int = 4
    line_width_factor: float = 1.125
    perimeter_speed_mm_s: float = 45.0
    infill_speed_mm_s: float = 80.0
    solid_speed_mm_s: float = 40.0
    layer_change_s: float = 1.0
    island_travel_s: float = 0.5
    min_layer_time_s: float = 4.0
    start_s: float = 120.0


@dataclass(frozen=True)
class PrintEstimate:
    """Estimated print time (s) and filament length (m) and mass (g)."""

    layer_count: int
    print_time_s: float
    filament_mm3: float
    filament_m: float
    filament_g: float


def slice_layers(mesh: trimesh.Trimesh, layer_height_mm: float) -> LayerStack:
    """Cross-section area, perimeter and island count at the middle of every layer."""
    z = _layer_centres(mesh, layer_height_mm)
    face, layer = _face_layer_pairs(mesh, z)
    a, b, key_a, key_b = _segments(mesh, face, z[layer])
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    n = len(z)
    return LayerStack(
        z_mm=z,
        area_mm2=0.5 * np.bincount(layer, cross, minlength=n),
        perimeter_mm=np.bincount(layer, np.linalg.norm(b - a, axis=1), minlength=n),
        islands=_islands(layer, cross, key_a, key_b, n, len(mesh.vertices)),
        layer_height_mm=layer_height_mm,
    )


def _layer_centres(mesh: trimesh.Trimesh, layer_height_mm: float) -> np.ndarray:
    """Mid-layer slice heights (mm) from the bottom of the mesh."""
    bottom, top = mesh.bounds[:, 2]
    height = top - bottom
    count = max(1, math.ceil(height / layer_height_mm - 1e-9))
    centres = (np.arange(count) + 0.5) * layer_height_mm
    return bottom + np.minimum(centres, height * (1 - 1e-9))


def _face_layer_pairs(mesh: trimesh.Trimesh, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (face, layer) where the layer plane crosses the face: zmin < z <= zmax."""
    face_z = np.asarray(mesh.vertices)[np.asarray(mesh.faces), 2]
    first = np.searchsorted(z, face_z.min(axis=1), side="right")
    stop = np.searchsorted(z, face_z.max(axis=1), side="right")
    counts = stop - first
    face = np.repeat(np.arange(len(counts)), counts)
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    return face, np.arange(counts.sum()) - offsets + first[face]


def _segments(
    mesh: trimesh.Trimesh, face: np.ndarray, plane_z: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Section segments a -> b (mm, xy) oriented with material on the left, plus endpoint keys."""
    corners = np.asarray(mesh.faces)[face]
    above = np.asarray(mesh.vertices)[corners, 2] >= plane_z[:, None]
    lone_is_above = above.sum(axis=1) == 1
    lone = np.argmax(above == lone_is_above[:, None], axis=1)
    rows = np.arange(len(face))
    v0, v1, v2 = (corners[rows, (lone + k) % 3] for k in range(3))
    a, key_a = _edge_point(mesh, v0, v1, plane_z)
    b, key_b = _edge_point(mesh, v0, v2, plane_z)
    normal = np.asarray(mesh.face_normals)[face]
    backwards = np.einsum("ij,ij->i", b - a, np.column_stack([-normal[:, 1], normal[:, 0]])) < 0
    a[backwards], b[backwards] = b[backwards], a[backwards].copy()
    key_a[backwards], key_b[backwards] = key_b[backwards], key_a[backwards].copy()
    return a, b, key_a, key_b


def _edge_point(
    mesh: trimesh.Trimesh, start: np.ndarray, end: np.ndarray, plane_z: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Where edges start -> end cross the planes (xy, mm) and a key naming that point."""
    p, q = np.asarray(mesh.vertices)[start], np.asarray(mesh.vertices)[end]
    t = (plane_z - p[:, 2]) / (q[:, 2] - p[:, 2])
    point = p[:, :2] + t[:, None] * (q[:, :2] - p[:, :2])
    low, high = np.minimum(start, end), np.maximum(start, end)
    low = np.where(t >= 1, end, np.where(t <= 0, start, low))
    high = np.where(t >= 1, end, np.where(t <= 0, start, high))
    return point, np.column_stack([low, high])


def _islands(
    layer: np.ndarray,
    cross: np.ndarray,
    key_a: np.ndarray,
    key_b: np.ndarray,
    layer_count: int,
    vertex_count: int,
) -> np.ndarray:
    """Outer section loops (positive area) per layer, from segment connectivity."""
    if len(layer) == 0:
        return np.zeros(layer_count, dtype=np.int64)
    ends = np.vstack([key_a, key_b]).astype(np.int64)
    keys = (np.tile(layer, 2) * vertex_count + ends[:, 0]) * vertex_count + ends[:, 1]
    _, node = np.unique(keys, return_inverse=True)
    node = node.reshape(-1)
    half = len(layer)
    graph = sparse.coo_matrix(
        (np.ones(half), (node[:half], node[half:])), shape=(node.max() + 1,) * 2
    )
    count, label = csgraph.connected_components(graph, directed=False)
    loop = label[node[:half]]
    loop_area = np.bincount(loop, cross, minlength=count)
    loop_layer = np.zeros(count, dtype=np.int64)
    loop_layer[loop] = layer
    return np.bincount(loop_layer[loop_area > 1e-9], minlength=layer_count)


def estimate_print(
    layers: LayerStack,
    printer: PrinterProfile,
    material: Material,
    infill_fraction: float,
    settings: PrintSettings | None = None,
) -> PrintEstimate:
    """Print time (s) and filament (mm³, m, g) from walls, solid skins and sparse infill."""
    s = settings or PrintSettings()
    width = printer.nozzle_mm * s.line_width_factor
    area = np.maximum(layers.area_mm2, 0.0)
    wall_path = s.walls * layers.perimeter_mm
    fill_area = np.maximum(area - wall_path * width, 0.0)
    covered = minimum_filter1d(area, 2 * s.solid_layers + 1, mode="constant", cval=0.0)
    solid_area = np.minimum(fill_area, area - covered)
    solid_path = solid_area / width
    infill_path = (fill_area - solid_area) * infill_fraction / width
    layer_time = (
        wall_path / s.perimeter_speed_mm_s
        + solid_path / s.solid_speed_mm_s
        + infill_path / s.infill_speed_mm_s
        + s.layer_change_s
        + s.island_travel_s * layers.islands
    )
    volume = float((wall_path + solid_path + infill_path).sum() * width * layers.layer_height_mm)
    length_m = volume / (math.pi * (material.filament_diameter_mm / 2) ** 2) / 1000.0
    return PrintEstimate(
        layer_count=len(layers.z_mm),
        print_time_s=float(s.start_s + np.maximum(layer_time, s.min_layer_time_s).sum()),
        filament_mm3=volume,
        filament_m=length_m,
        filament_g=volume / 1000.0 * material.density_g_cm3,
    )

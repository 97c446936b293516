"""Planar slicing and a geometric print estimate (mm, s, g)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

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
    small_islands: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    loops: np.ndarray | None = None  # outer and hole loops per layer (None: same as islands)


@dataclass(frozen=True)
class PrintSettings:
    """Slicer-like knobs for the estimate: speeds (mm/s), times (s), counts.

    Speeds and overheads are effective values fitted to PrusaSlicer 2.5 (default print
    profile, 0.2 mm layers, 15% infill) by `python -m bench.printprep.calibrate`; the
    per-mesh errors are in calibration.json beside this file.
    """

    walls: int = 3  # PrusaSlicer default perimeters
    solid_layers: int = 3  # PrusaSlicer default top/bottom solid layers
    line_width_factor: float = 1.125  # 0.45 mm lines from a 0.4 mm nozzle
    perimeter_speed_mm_s: float = 42.545
    solid_speed_mm_s: float = 29.24
    top_speed_mm_s: float = 10.413
    infill_speed_mm_s: float = 83.379
    layer_change_s: float = 1.45
    island_travel_s: float = 1.013
    loop_s: float = 0.821
    min_layer_time_s: float = 5.0  # PrusaSlicer slowdown_below_layer_time
    start_s: float = 0.0
    flow_factor: float = 1.018


@dataclass(frozen=True)
class PrintEstimate:
    """Estimated print time (s) and filament length (m) and mass (g)."""

    layer_count: int
    print_time_s: float
    filament_mm3: float
    filament_m: float
    filament_g: float


def slice_layers(
    mesh: trimesh.Trimesh, layer_height_mm: float, small_area_mm2: float = 0.64
) -> LayerStack:
    """Cross-section area (mm²), perimeter (mm) and islands (small ones apart) per layer."""
    z = _layer_centres(mesh, layer_height_mm)
    face, layer = _face_layer_pairs(mesh, z)
    a, b, key_a, key_b = _segments(mesh, face, z[layer])
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    n = len(z)
    islands, small, loops = _islands(
        layer, cross, key_a, key_b, n, len(mesh.vertices), small_area_mm2
    )
    return LayerStack(
        z_mm=z,
        area_mm2=0.5 * np.bincount(layer, cross, minlength=n),
        perimeter_mm=np.bincount(layer, np.linalg.norm(b - a, axis=1), minlength=n),
        islands=islands,
        layer_height_mm=layer_height_mm,
        small_islands=small,
        loops=loops,
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
    small_area_mm2: float = 0.64,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Outer loops (positive area), those under small_area_mm2, and all loops, per layer."""
    if len(layer) == 0:
        empty = np.zeros(layer_count, dtype=np.int64)
        return empty, empty.copy(), empty.copy()
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
    outer = loop_area > 1e-9
    small = outer & (loop_area < 2.0 * small_area_mm2)  # cross is twice the area
    return (
        np.bincount(loop_layer[outer], minlength=layer_count),
        np.bincount(loop_layer[small], minlength=layer_count),
        np.bincount(loop_layer[np.abs(loop_area) > 1e-9], minlength=layer_count),
    )


@dataclass(frozen=True)
class LayerPaths:
    """Extrusion path lengths per layer (mm): walls, top skin, solid, sparse infill; loops."""

    wall_mm: np.ndarray
    top_mm: np.ndarray
    solid_mm: np.ndarray
    infill_mm: np.ndarray
    islands: np.ndarray
    loops: np.ndarray
    line_width_mm: float
    layer_height_mm: float


def layer_paths(
    layers: LayerStack, printer: PrinterProfile, infill_fraction: float, s: PrintSettings
) -> LayerPaths:
    """Walls around every loop, solid skin near top/bottom, sparse infill elsewhere (mm)."""
    width = printer.nozzle_mm * s.line_width_factor
    area = np.maximum(layers.area_mm2, 0.0)
    wall_path = np.minimum(s.walls * layers.perimeter_mm, area / width)  # thin parts: all wall
    fill_area = np.maximum(area - wall_path * width, 0.0)
    covered = minimum_filter1d(area, 2 * s.solid_layers + 1, mode="constant", cval=0.0)
    solid_area = np.clip(fill_area - covered, 0.0, None)  # skin the walls do not already cover
    above = np.append(area[1:], 0.0)
    top_area = np.clip(fill_area - above, 0.0, solid_area)  # exposed top skin, printed slowest
    return LayerPaths(
        wall_mm=wall_path,
        top_mm=top_area / width,
        solid_mm=(solid_area - top_area) / width,
        infill_mm=(fill_area - solid_area) * infill_fraction / width,
        islands=layers.islands,
        loops=layers.islands if layers.loops is None else layers.loops,
        line_width_mm=width,
        layer_height_mm=layers.layer_height_mm,
    )


def print_time_s(paths: LayerPaths, s: PrintSettings) -> float:
    """Seconds: start, per-layer motion at calibrated speeds, layer change, travel, cooling floor."""
    layer_time = (
        paths.wall_mm / s.perimeter_speed_mm_s
        + paths.top_mm / s.top_speed_mm_s
        + paths.solid_mm / s.solid_speed_mm_s
        + paths.infill_mm / s.infill_speed_mm_s
        + s.layer_change_s
        + s.island_travel_s * paths.islands
        + s.loop_s * paths.loops
    )
    return float(s.start_s + np.maximum(layer_time, s.min_layer_time_s).sum())


def estimate_print(
    layers: LayerStack,
    printer: PrinterProfile,
    material: Material,
    infill_fraction: float,
    settings: PrintSettings | None = None,
) -> PrintEstimate:
    """Print time (s) and filament (mm³, m, g) from walls, solid skins and sparse infill."""
    s = settings or PrintSettings()
    paths = layer_paths(layers, printer, infill_fraction, s)
    extruded = paths.wall_mm + paths.top_mm + paths.solid_mm + paths.infill_mm
    volume = float(extruded.sum() * paths.line_width_mm * paths.layer_height_mm) * s.flow_factor
    length_m = volume / (math.pi * (material.filament_diameter_mm / 2) ** 2) / 1000.0
    return PrintEstimate(
        layer_count=len(layers.z_mm),
        print_time_s=print_time_s(paths, s),
        filament_mm3=volume,
        filament_m=length_m,
        filament_g=volume / 1000.0 * material.density_g_cm3,
    )

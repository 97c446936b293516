"""Planar slicing and a print estimate that follows PrusaSlicer's physics (mm, s, g).

The estimate walks the layers as PrusaSlicer prints them: perimeters around every outer
and hole loop (external, inner and small-perimeter speeds), solid skins near the top and
bottom, sparse infill lines, travel between islands, a slower and wider first layer,
trapezoidal acceleration with jerk-limited corners, and cooling slowdown (a layer under the
minimum layer time is slowed towards the minimum print speed). Settings come from
`profiles.SLICER_PROFILE`, the same values `run_prusa_slicer` passes to the slicer; a few
constants are fitted to PrusaSlicer's own estimates (see calibration.json).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import trimesh
from scipy import sparse
from scipy.ndimage import minimum_filter1d
from scipy.sparse import csgraph

from .profiles import SLICER_PROFILE, Material, PrinterProfile, SlicerProfile

_EMPTY_I = np.zeros(0, dtype=np.int64)
_EMPTY_F = np.zeros(0, dtype=np.float64)


@dataclass(frozen=True)
class LayerStack:
    """Per-layer cross-sections: slice heights (mm), area (mm²), perimeter (mm), islands.

    Per loop (outer or hole): its layer, length (mm) and signed area (mm², holes negative).
    Per section segment: its loop, length (mm) and the turn at its end (largest per-axis
    change of the unit direction, 0 straight on, 2 reversing), which sets the corner speed.
    """

    z_mm: np.ndarray
    area_mm2: np.ndarray
    perimeter_mm: np.ndarray
    islands: np.ndarray
    layer_height_mm: float
    small_islands: np.ndarray = field(default_factory=lambda: _EMPTY_I)
    loops: np.ndarray | None = None  # outer and hole loops per layer (None: same as islands)
    first_layer_mm: float | None = None  # thickness of layer 0 when it differs (mm)
    bbox_mm2: np.ndarray | None = None  # per layer: area of the xy bounding box (mm²)
    bbox_perimeter_mm: np.ndarray | None = None
    loop_layer: np.ndarray = field(default_factory=lambda: _EMPTY_I)
    loop_length_mm: np.ndarray = field(default_factory=lambda: _EMPTY_F)
    loop_area_mm2: np.ndarray = field(default_factory=lambda: _EMPTY_F)
    segment_loop: np.ndarray = field(default_factory=lambda: _EMPTY_I)
    segment_mm: np.ndarray = field(default_factory=lambda: _EMPTY_F)
    segment_turn: np.ndarray = field(default_factory=lambda: _EMPTY_F)


@dataclass(frozen=True)
class PrintSettings:
    """The slicer profile plus constants fitted to PrusaSlicer's estimate (s, mm/s², ratios).

    Fitted by `python -m bench.printprep.calibrate` on the generated calibration set;
    the per-mesh errors are in calibration.json beside this file.
    """

    profile: SlicerProfile = SLICER_PROFILE
    acceleration_mm_s2: float = 4520.3725
    layer_change_s: float = 0.8231
    island_travel_s: float = 0.1879
    loop_travel_s: float = 0.8548
    travel_factor: float = 3.0
    infill_length_factor: float = 1.3092
    start_s: float = 0.0
    flow_factor: float = 1.0312


@dataclass(frozen=True)
class PrintEstimate:
    """Estimated print time (s) and filament length (m) and mass (g)."""

    layer_count: int
    print_time_s: float
    filament_mm3: float
    filament_m: float
    filament_g: float


def slice_layers(
    mesh: trimesh.Trimesh,
    layer_height_mm: float,
    small_area_mm2: float = 0.64,
    first_layer_mm: float | None = None,
) -> LayerStack:
    """Cross-sections per layer (mm, mm²): islands, loops, segments and their corners."""
    z = _layer_centres(mesh, layer_height_mm, first_layer_mm)
    face, layer = _face_layer_pairs(mesh, z)
    a, b, key_a, key_b = _segments(mesh, face, z[layer])
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    n = len(z)
    loops = _loops(layer, cross, key_a, key_b, n, len(mesh.vertices), small_area_mm2)
    seg_mm = np.linalg.norm(b - a, axis=1)
    bbox, bbox_perimeter = _layer_bbox(layer, a, n)
    return LayerStack(
        z_mm=z,
        area_mm2=0.5 * np.bincount(layer, cross, minlength=n),
        perimeter_mm=np.bincount(layer, seg_mm, minlength=n),
        islands=loops.islands,
        layer_height_mm=layer_height_mm,
        small_islands=loops.small,
        loops=loops.all,
        first_layer_mm=first_layer_mm,
        bbox_mm2=bbox,
        bbox_perimeter_mm=bbox_perimeter,
        loop_layer=loops.layer,
        loop_length_mm=np.bincount(loops.segment_loop, seg_mm, minlength=len(loops.layer)),
        loop_area_mm2=loops.area_mm2,
        segment_loop=loops.segment_loop,
        segment_mm=seg_mm,
        segment_turn=_turns(a, b, loops.next_segment),
    )


def _layer_centres(
    mesh: trimesh.Trimesh, layer_height_mm: float, first_layer_mm: float | None = None
) -> np.ndarray:
    """Mid-layer slice heights (mm) from the bottom of the mesh, first layer as given."""
    bottom, top = mesh.bounds[:, 2]
    height = top - bottom
    first = layer_height_mm if first_layer_mm is None else min(first_layer_mm, height)
    count = max(0, math.ceil((height - first) / layer_height_mm - 1e-9))
    centres = np.concatenate([[first / 2], first + (np.arange(count) + 0.5) * layer_height_mm])
    return bottom + np.minimum(centres, height * (1 - 1e-9))


def _layer_bbox(layer: np.ndarray, points: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Area (mm²) and perimeter (mm) of each layer's xy bounding box."""
    lo = np.full((n, 2), np.inf)
    hi = np.full((n, 2), -np.inf)
    np.minimum.at(lo, layer, points)
    np.maximum.at(hi, layer, points)
    size = np.where(np.isfinite(hi - lo), hi - lo, 0.0)
    return size[:, 0] * size[:, 1], 2 * (size[:, 0] + size[:, 1])


def _turns(a: np.ndarray, b: np.ndarray, next_segment: np.ndarray) -> np.ndarray:
    """Largest per-axis change of the unit direction from each segment to the next one."""
    if len(a) == 0:
        return _EMPTY_F
    step = b - a
    length = np.linalg.norm(step, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = np.where(length > 1e-9, step / length, np.nan)
    turn = np.abs(unit[next_segment] - unit).max(axis=1)
    return np.where(np.isfinite(turn) & (next_segment >= 0), turn, 0.0)


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


@dataclass(frozen=True)
class _Loops:
    """Loops of all layers: per layer counts; per loop layer and area; per segment loop/next."""

    islands: np.ndarray
    small: np.ndarray
    all: np.ndarray
    layer: np.ndarray
    area_mm2: np.ndarray
    segment_loop: np.ndarray
    next_segment: np.ndarray


def _loops(
    layer: np.ndarray,
    cross: np.ndarray,
    key_a: np.ndarray,
    key_b: np.ndarray,
    layer_count: int,
    vertex_count: int,
    small_area_mm2: float = 0.64,
) -> _Loops:
    """Chain segments into loops: outer (positive area), small outer, all; next segment."""
    empty = np.zeros(layer_count, dtype=np.int64)
    if len(layer) == 0:
        return _Loops(empty, empty.copy(), empty.copy(), _EMPTY_I, _EMPTY_F, _EMPTY_I, _EMPTY_I)
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
    starting = np.full(node.max() + 1, -1, dtype=np.int64)
    starting[node[:half]] = np.arange(half)
    loop_area = np.bincount(loop, cross, minlength=count)
    loop_layer = np.zeros(count, dtype=np.int64)
    loop_layer[loop] = layer
    outer = loop_area > 1e-9
    small = outer & (loop_area < 2.0 * small_area_mm2)  # cross is twice the area
    real = np.abs(loop_area) > 1e-9
    return _Loops(
        islands=np.bincount(loop_layer[outer], minlength=layer_count),
        small=np.bincount(loop_layer[small], minlength=layer_count),
        all=np.bincount(loop_layer[real], minlength=layer_count),
        layer=loop_layer,
        area_mm2=np.where(real, 0.5 * loop_area, 0.0),
        segment_loop=loop,
        next_segment=starting[node[half:]],
    )


def segment_time_s(
    length_mm: np.ndarray, speed_mm_s: np.ndarray | float, end_mm_s: np.ndarray, accel: float
) -> np.ndarray:
    """Seconds for moves that start and end at end_mm_s and cruise at speed (trapezoid)."""
    v = np.broadcast_to(np.asarray(speed_mm_s, dtype=np.float64), np.shape(length_mm))
    v0 = np.minimum(end_mm_s, v)
    ramp_mm = (v**2 - v0**2) / accel
    cruise = length_mm / v + (v - v0) ** 2 / (accel * v)
    peak = np.sqrt(v0**2 + accel * length_mm)
    return np.where(length_mm >= ramp_mm, cruise, 2 * (peak - v0) / accel)


def spacing_mm(width_mm: float, height_mm: float) -> float:
    """Centre distance (mm) of neighbouring extrusions, PrusaSlicer's rounded-rectangle flow."""
    return width_mm - height_mm * (1 - math.pi / 4)


@dataclass(frozen=True)
class LayerTimes:
    """Per layer: extrusion time (s), fixed time (s), extruded length (mm), volume (mm³)."""

    extrude_s: np.ndarray
    fixed_s: np.ndarray
    extruded_mm: np.ndarray
    volume_mm3: np.ndarray


def _loop_times(layers: LayerStack, speed_mm_s: np.ndarray, s: PrintSettings) -> np.ndarray:
    """Seconds to trace each loop once at its speed, with acceleration and corner slowdowns."""
    n_loops = len(layers.loop_length_mm)
    if len(layers.segment_mm) == 0:
        return np.zeros(n_loops)
    v = speed_mm_s[layers.segment_loop]
    turn = np.maximum(layers.segment_turn, 1e-9)
    corner = np.minimum(v, s.profile.jerk_mm_s / turn)
    t = segment_time_s(layers.segment_mm, v, corner, s.acceleration_mm_s2)
    return np.bincount(layers.segment_loop, t, minlength=n_loops)


def layer_times(
    layers: LayerStack, printer: PrinterProfile, infill_fraction: float, s: PrintSettings
) -> LayerTimes:
    """Walls around every loop, skins, infill lines, travel and layer change, per layer."""
    p = s.profile
    n = len(layers.z_mm)
    first = np.arange(n) == 0
    h = np.full(n, layers.layer_height_mm)
    if layers.first_layer_mm is not None and n:
        h[0] = layers.first_layer_mm
    width = np.full(n, printer.nozzle_mm * p.width_share)
    width[first] = h[first] * p.first_layer_width_share
    space = np.array([spacing_mm(w, hh) for w, hh in zip(width, h, strict=True)])
    area = np.maximum(layers.area_mm2, 0.0)

    wall_mm, wall_s = _walls(layers, space, first, s)
    cap = np.minimum(1.0, area / np.maximum(wall_mm * space, 1e-12))  # thin parts: all wall
    wall_mm, wall_s = wall_mm * cap, wall_s * cap
    fill_area = np.maximum(area - wall_mm * space, 0.0)
    solid_n = max(p.top_solid_layers, p.bottom_solid_layers)
    covered = minimum_filter1d(area, 2 * solid_n + 1, mode="constant", cval=0.0)
    covered = np.minimum(covered, fill_area)  # sparse where layers above and below overlap
    islands = np.maximum(layers.islands, 1)
    small_fill = fill_area / islands < p.solid_infill_below_area_mm2
    covered = np.where(small_fill, 0.0, covered)
    solid_area = fill_area - covered
    next_area = np.append(area[1:], 0.0)
    top_area = np.clip(fill_area - next_area, 0.0, solid_area)
    top_area[first] = 0.0
    top_space = spacing_mm(printer.nozzle_mm * p.top_width_share, layers.layer_height_mm)
    chord = math.pi * area / np.maximum(layers.perimeter_mm, 1e-9)  # Cauchy mean chord (mm)

    def lines_s(length_mm: np.ndarray, speed: np.ndarray | float) -> np.ndarray:
        lines = length_mm / np.maximum(chord, 1e-3)
        turn_mm_s = p.jerk_mm_s / math.sqrt(2.0)  # 45° lines reversing
        one = segment_time_s(chord, speed, np.full(n, turn_mm_s), s.acceleration_mm_s2)
        return lines * one

    first_speed = np.where(first, p.first_layer_speed_mm_s, np.nan)
    top_mm = top_area / top_space
    solid_mm = (solid_area - top_area) / space
    infill_mm = covered * infill_fraction / space  # the pattern's volume is set by density
    path_mm = infill_mm * s.infill_length_factor  # its path (anchors, crossings) is longer
    skin_s = lines_s(top_mm, np.where(first, first_speed, p.top_solid_infill_speed_mm_s))
    skin_s += lines_s(solid_mm, np.where(first, first_speed, p.solid_infill_speed_mm_s))
    infill_s = lines_s(path_mm, np.where(first, first_speed, p.infill_speed_mm_s))
    skirt_mm = np.where(first, _skirt_mm(layers, n, p), 0.0)
    skirt_s = skirt_mm / p.first_layer_speed_mm_s

    bbox = layers.bbox_mm2 if layers.bbox_mm2 is not None else area
    travel_mm = s.travel_factor * np.sqrt(np.maximum(layers.islands - 1, 0) * bbox)
    loops = layers.islands if layers.loops is None else layers.loops
    fixed = (
        s.layer_change_s
        + s.island_travel_s * layers.islands
        + s.loop_travel_s * np.maximum(loops - layers.islands, 0)
        + travel_mm / p.travel_speed_mm_s
    )
    extruded = wall_mm + top_mm + solid_mm + path_mm + skirt_mm
    volume = (wall_mm + solid_mm + infill_mm + skirt_mm) * space * h + top_mm * top_space * h
    return LayerTimes(
        extrude_s=wall_s + skin_s + infill_s + skirt_s,
        fixed_s=np.where(area > 0, fixed, 0.0),
        extruded_mm=extruded,
        volume_mm3=volume,
    )


def _walls(
    layers: LayerStack, space: np.ndarray, first: np.ndarray, s: PrintSettings
) -> tuple[np.ndarray, np.ndarray]:
    """Per layer: perimeter path length (mm) and time (s), each loop offset per perimeter."""
    p = s.profile
    n = len(layers.z_mm)
    if len(layers.loop_length_mm) == 0:  # no loop detail: plain loops at perimeter speed
        mm = p.perimeters * layers.perimeter_mm
        return mm, mm / p.perimeter_speed_mm_s
    lay = layers.loop_layer
    length, loop_area = layers.loop_length_mm, layers.loop_area_mm2
    sign = np.sign(loop_area)
    mm, secs = np.zeros(n), np.zeros(n)
    for k in range(p.perimeters):
        offset = space[lay] * (k + 0.5)
        along = np.maximum(length - 2 * math.pi * sign * offset, 0.0)
        inside = np.abs(loop_area) - length * offset + math.pi * offset**2
        along = np.where((sign > 0) & (inside <= 0), 0.0, along)
        speed = np.full(
            len(length), p.external_perimeter_speed_mm_s if k == 0 else p.perimeter_speed_mm_s
        )
        speed = np.where(along < p.small_perimeter_length_mm, p.small_perimeter_speed_mm_s, speed)
        speed = np.where(first[lay], p.first_layer_speed_mm_s, speed)
        traced = _loop_times(layers, speed, s) * along / np.maximum(length, 1e-9)
        mm += np.bincount(lay, along, minlength=n)
        secs += np.bincount(lay, traced, minlength=n)
    return mm, secs


def _skirt_mm(layers: LayerStack, n: int, p: SlicerProfile) -> float:
    """One skirt loop around the first layer at the skirt distance (mm)."""
    if n == 0:
        return 0.0
    around = layers.bbox_perimeter_mm[0] if layers.bbox_perimeter_mm is not None else 0.0
    return float(around) + 2 * math.pi * p.skirt_distance_mm


def cooled_time_s(times: LayerTimes, s: PrintSettings) -> np.ndarray:
    """Per-layer seconds after cooling slowdown: short layers stretched towards min speed."""
    p = s.profile
    floor = p.slowdown_below_layer_time_s - times.fixed_s
    slowest = times.extruded_mm / p.min_print_speed_mm_s
    stretched = np.maximum(times.extrude_s, np.minimum(floor, slowest))
    return times.fixed_s + stretched


def print_time_s(times: LayerTimes, s: PrintSettings) -> float:
    """Seconds for the whole print: start, then every layer after cooling slowdown."""
    return float(s.start_s + cooled_time_s(times, s).sum())


def estimate_print(
    layers: LayerStack,
    printer: PrinterProfile,
    material: Material,
    infill_fraction: float,
    settings: PrintSettings | None = None,
) -> PrintEstimate:
    """Print time (s) and filament (mm³, m, g) from walls, solid skins and sparse infill."""
    s = settings or PrintSettings()
    times = layer_times(layers, printer, infill_fraction, s)
    volume = float(times.volume_mm3.sum()) * s.flow_factor
    length_m = volume / (math.pi * (material.filament_diameter_mm / 2) ** 2) / 1000.0
    return PrintEstimate(
        layer_count=len(layers.z_mm),
        print_time_s=print_time_s(times, s),
        filament_mm3=volume,
        filament_m=length_m,
        filament_g=volume / 1000.0 * material.density_g_cm3,
    )

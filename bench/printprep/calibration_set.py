"""A varied, generated calibration set for the print-time estimate (mm).

Every mesh is built here from primitives (nothing downloaded): small parts that print in
under 30 s, gears and perforated plates with hundreds of loops, thin walls, tall thin
parts, hollow parts, big flat trays, multi-object plates, and the bumpy spheres of the
benchmark for scale. `calibration_set()` returns them by name.
"""

from __future__ import annotations

import math

import numpy as np
import trimesh
from shapely.geometry import Point, Polygon
from shapely.ops import unary_union

from .meshes import FIXTURES, calibration_meshes, dense_sphere


def _box(x: float, y: float, z: float) -> trimesh.Trimesh:
    """A box resting on z = 0 (mm)."""
    return trimesh.creation.box((x, y, z)).apply_translation([0, 0, z / 2])


def _extrude(shape: Polygon, height: float) -> trimesh.Trimesh:
    """A planar outline (mm) extruded upwards by height (mm)."""
    return trimesh.creation.extrude_polygon(shape, height)


def _gear(teeth: int, module_mm: float, height: float, bore_mm: float = 0.0) -> trimesh.Trimesh:
    """A spur-gear-like outline: trapezoid teeth on a root circle, optional bore (mm)."""
    pitch_r = teeth * module_mm / 2
    root_r, tip_r = pitch_r - 1.25 * module_mm, pitch_r + module_mm
    points = []
    for k in range(teeth):
        a = 2 * math.pi * k / teeth
        step = 2 * math.pi / teeth
        for frac, r in ((0.0, root_r), (0.2, root_r), (0.35, tip_r), (0.65, tip_r), (0.8, root_r)):
            points.append((r * math.cos(a + frac * step), r * math.sin(a + frac * step)))
    shape = Polygon(points)
    if bore_mm:
        shape = shape.difference(Point(0, 0).buffer(bore_mm / 2, 32))
    return _extrude(shape, height)


def _cycloid_gear(lobes: int, radius: float, height: float) -> trimesh.Trimesh:
    """A cycloidal-drive disc: radius (mm) with lobes, a bore and six pin holes."""
    t = np.linspace(0, 2 * math.pi, lobes * 24, endpoint=False)
    r = radius - 1.5 + 1.5 * np.cos(lobes * t)
    shape = Polygon(np.column_stack([r * np.cos(t), r * np.sin(t)]))
    holes = [Point(0, 0).buffer(radius * 0.22, 32)]
    holes += [
        Point(0.6 * radius * math.cos(a), 0.6 * radius * math.sin(a)).buffer(radius * 0.1, 24)
        for a in np.linspace(0, 2 * math.pi, 6, endpoint=False)
    ]
    return _extrude(shape.difference(unary_union(holes)), height)


def _perforated(x: float, y: float, z: float, n: int, hole_r: float) -> trimesh.Trimesh:
    """An x × y × z plate (mm) with an n × n grid of round holes."""
    px, py = np.linspace(-x / 2, x / 2, n + 2)[1:-1], np.linspace(-y / 2, y / 2, n + 2)[1:-1]
    holes = unary_union([Point(a, b).buffer(hole_r, 12) for a in px for b in py])
    plate = Polygon([(-x / 2, -y / 2), (x / 2, -y / 2), (x / 2, y / 2), (-x / 2, y / 2)])
    return _extrude(plate.difference(holes), z)


def _tray(x: float, y: float, z: float, wall: float, floor: float) -> trimesh.Trimesh:
    """An open tray: outer x × y × z (mm), walls and floor thick as given."""
    outer = _box(x, y, z)
    pocket = _box(x - 2 * wall, y - 2 * wall, z).apply_translation([0, 0, floor])
    return trimesh.boolean.difference([outer, pocket], engine="manifold")


def _shell_box(x: float, y: float, z: float, wall: float) -> trimesh.Trimesh:
    """A closed box with a sealed internal cavity (hollow part), walls thick as given (mm)."""
    inner = _box(x - 2 * wall, y - 2 * wall, z - 2 * wall).apply_translation([0, 0, wall])
    return trimesh.boolean.difference([_box(x, y, z), inner], engine="manifold")


def _grid(mesh: trimesh.Trimesh, nx: int, ny: int, pitch_mm: float) -> trimesh.Trimesh:
    """nx × ny copies of mesh, pitch_mm apart (a multi-object plate)."""
    return trimesh.util.concatenate(
        [
            mesh.copy().apply_translation([i * pitch_mm, j * pitch_mm, 0])
            for i in range(nx)
            for j in range(ny)
        ]
    )


def _pyramid(base: float, height: float) -> trimesh.Trimesh:
    """A square pyramid (mm) resting on its base."""
    return trimesh.creation.cone(base / math.sqrt(2), height, sections=4)


def calibration_set() -> dict[str, trimesh.Trimesh]:
    """The calibration meshes by name (mm), at least 40 of them (47)."""
    cyl = trimesh.creation.cylinder
    meshes: dict[str, trimesh.Trimesh] = {
        # small parts (under 30 s to a few minutes)
        "small:cube5": _box(5, 5, 5),
        "small:cube8": _box(8, 8, 8),
        "small:pin_r2_h6": cyl(2, 6, sections=32),
        "small:washer": trimesh.creation.annulus(2.5, 6, 1.6, sections=48),
        "small:pyramid10": _pyramid(10, 8),
        "small:tab_12x6x2": _box(12, 6, 2),
        # gears and perforated plates (hundreds of loops)
        "gear:20t_m1.5": _gear(20, 1.5, 8, bore_mm=5),
        "gear:40t_m1": _gear(40, 1.0, 6, bore_mm=8),
        "gear:72t_m1": _gear(72, 1.0, 5, bore_mm=10),
        "gear:cycloid47": _cycloid_gear(11, 23.5, 8),
        "plate:perf_8x8": _perforated(70, 70, 3, 8, 2.5),
        "plate:perf_15x15": _perforated(90, 90, 2.4, 15, 1.5),
        # thin walls
        "thin:vase_wall1": trimesh.creation.annulus(19, 20, 40, sections=96),
        "thin:box_wall1.2": _tray(40, 30, 30, 1.2, 1.2),
        "thin:fin_1x40x25": _box(1.0, 40, 25),
        # tall thin parts
        "tall:tower10x10x120": _box(10, 10, 120),
        "tall:rod_r3_h100": cyl(3, 100, sections=48),
        "tall:tower6x6x60": _box(6, 6, 60),
        # hollow parts
        "hollow:shell_box40": _shell_box(40, 40, 40, 2),
        "hollow:tube_r25_r22_h50": trimesh.creation.annulus(22, 25, 50, sections=96),
        "hollow:cup": _tray(50, 50, 40, 2, 2),
        # big flat trays
        "tray:200x150x15": _tray(200, 150, 15, 2, 2),
        "tray:180x180x10": _tray(180, 180, 10, 2, 1.6),
        "tray:plate220x180x2": _box(220, 180, 2),
        # multi-object plates
        "multi:9_pyramids45": _grid(_pyramid(45, 30), 3, 3, 50),
        "multi:4_cubes20": _grid(_box(20, 20, 20), 2, 2, 30),
        "multi:16_pins": _grid(cyl(2.5, 12, sections=32), 4, 4, 12),
        "multi:6_cylinders": _grid(cyl(8, 25, sections=64), 3, 2, 25),
        # bumpy spheres of the benchmark
        "sphere:10k": dense_sphere(10_000),
        "sphere:100k": dense_sphere(100_000),
    }
    meshes.update(calibration_meshes())
    meshes["fixture:cube_hole.stl"] = trimesh.load(FIXTURES / "cube_hole.stl", force="mesh")
    return meshes

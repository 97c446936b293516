"""Deterministic benchmark and calibration meshes (mm)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import trimesh

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "engines" / "fixtures" / "printprep"


def _box(x: float, y: float, z: float) -> trimesh.Trimesh:
    """A box resting on z = 0 (mm)."""
    return trimesh.creation.box((x, y, z)).apply_translation([0, 0, z / 2])


def _tube(outer: float, inner: float, height: float) -> trimesh.Trimesh:
    """A hollow cylinder (mm)."""
    return trimesh.creation.annulus(inner, outer, height, sections=96)


def _bracket() -> trimesh.Trimesh:
    """An L bracket of two 5 mm arms (mm)."""
    foot = _box(40, 20, 5)
    post = _box(5, 20, 40).apply_translation([-17.5, 0, 0])
    return trimesh.boolean.union([foot, post], engine="manifold")


def _pegboard() -> trimesh.Trimesh:
    """A plate with a 4 x 4 grid of 4 mm pegs (many islands per layer)."""
    pegs = [
        trimesh.creation.cylinder(2.0, 20, sections=32).apply_translation([x, y, 12])
        for x in (-15, -5, 5, 15)
        for y in (-15, -5, 5, 15)
    ]
    return trimesh.boolean.union([_box(40, 40, 3), *pegs], engine="manifold")


def _comb() -> trimesh.Trimesh:
    """A 3 mm base with eight 2 mm ribs, 15 mm tall (thin walls, many islands)."""
    ribs = [_box(2, 30, 15).apply_translation([x, 0, 3]) for x in range(-28, 29, 8)]
    return trimesh.boolean.union([_box(60, 30, 3), *ribs], engine="manifold")


def calibration_meshes() -> dict[str, trimesh.Trimesh]:
    """Our own calibration set: primitives, shapes with holes and islands, committed fixtures."""
    meshes = {
        "cube20": _box(20, 20, 20),
        "cube40": _box(40, 40, 40),
        "plate80x60x4": _box(80, 60, 4),
        "tower15x15x80": _box(15, 15, 80),
        "cylinder_r15_h40": trimesh.creation.cylinder(15, 40, sections=96),
        "tube_r20_r17_h30": _tube(20, 17, 30),
        "sphere_r20": trimesh.creation.icosphere(subdivisions=4, radius=20),
        "cone_r25_h40": trimesh.creation.cone(25, 40, sections=96),
        "torus_r25_r6": trimesh.creation.torus(25, 6, major_sections=96, minor_sections=32),
        "l_bracket": _bracket(),
        "pegboard": _pegboard(),
        "tower_pair": trimesh.util.concatenate(
            [
                _box(10, 10, 40).apply_translation([-15, 0, 0]),
                _box(10, 10, 40).apply_translation([15, 0, 0]),
            ]
        ),
        "comb": _comb(),
    }
    for name in ("thin_wall.stl", "overlapping_shells.stl", "inch_part.stl"):
        meshes[f"fixture:{name}"] = trimesh.load(FIXTURES / name, force="mesh")
    return meshes


def dense_sphere(triangles: int) -> trimesh.Trimesh:
    """A bumpy 80 mm sphere with about the given triangle count (uv sphere)."""
    count = int(np.sqrt(triangles / 4))
    mesh = trimesh.creation.uv_sphere(radius=40.0, count=(count, count))
    direction = mesh.vertices / np.linalg.norm(mesh.vertices, axis=1, keepdims=True)
    bump = 1.5 * np.sin(5 * direction[:, 0]) * np.cos(4 * direction[:, 1])
    mesh.vertices = mesh.vertices + direction * bump[:, None]
    return mesh

"""A trend's optional reference mesh: loaded safely, measured (mm), and turned into shape priors.

The mesh is read with the print-prep loader (size, triangle, NaN and zip-bomb limits) and its unit
guessed the same way print prep does. Its shape is summarised by a rotation-about-Z invariant
descriptor: proportions (longer footprint side, shorter footprint side, height, over the longest
side), a D2 shape distribution (histogram of distances between random surface points) and the
ratio of surface area to convex-hull area (high for hollow shapes like cups). The descriptor
scores each variant's likeness to the reference (bench.design's baseline also draws family
priors from it).
STL, OBJ, PLY and 3MF are read +Z up; GLB is +Y up by the glTF specification.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import trimesh

from engines.design.base import DesignError
from engines.printprep.errors import UnprintableMesh
from engines.printprep.fit import UNIT_MM, detect_unit
from engines.printprep.meshio import load_mesh

MAX_REFERENCE_BYTES = 50_000_000  # a reference only guides the design: stricter than print prep
MAX_REFERENCE_TRIANGLES = 500_000
D2_BINS, D2_SAMPLES, D2_SEED = 16, 512, 7  # D2 uses all pairs across two halves
FLAT_SHARE = 1e-3  # a reference whose thinnest side is under this share of its longest is a sheet
W_PROPORTIONS, W_D2, W_HULL = 0.4, 0.4, 0.2  # shares of the cues in shape similarity


@dataclass(frozen=True)
class ShapeDescriptor:
    """Rotation-about-Z invariant summary of a solid's shape (scale-free)."""

    proportions: np.ndarray  # (3,) longer footprint side, shorter footprint side, height / longest
    d2: np.ndarray  # (D2_BINS,) distance histogram over [0, longest side], sums to 1
    hull_area_ratio: float = 1.0  # surface area / convex hull area: > 1 for hollow or spiky shapes


@dataclass(frozen=True)
class ReferenceShape:
    """A loaded reference mesh: its name, longest side (mm), unit read and shape descriptor."""

    name: str
    size_mm: float
    unit: str
    triangles: int
    shape: ShapeDescriptor
    mesh: trimesh.Trimesh  # in mm, +Z up, standing centred on z = 0


def _refuse(name: str, reason: str) -> DesignError:
    """The error for a reference mesh we cannot use."""
    return DesignError(f"the reference mesh {name} cannot be used: {reason}")


def load_reference(path: str | Path) -> ReferenceShape:
    """Load, unit-convert (mm) and describe a reference mesh; DesignError with the reason if bad."""
    p = Path(path)
    if not p.is_file():
        raise _refuse(p.name, "the file is missing")
    try:
        mesh = load_mesh(p, max_bytes=MAX_REFERENCE_BYTES, max_triangles=MAX_REFERENCE_TRIANGLES)
    except UnprintableMesh as err:
        raise _refuse(p.name, str(err)) from err
    if p.suffix.lower() == ".glb":  # glTF is +Y up: turn it to +Z up
        mesh.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, [1, 0, 0]))
    extents = np.asarray(mesh.extents, dtype=float)
    if not extents.max() > 0 or extents.min() < FLAT_SHARE * extents.max():
        raise _refuse(p.name, "it is flat or a single point (a surface, not an object)")
    unit = detect_unit(float(extents.max()), p.suffix.lower(), mesh.metadata.get("unit"), "auto")
    mesh.apply_scale(UNIT_MM[unit])
    lo, hi = mesh.bounds
    mesh.apply_translation([-(lo[0] + hi[0]) / 2, -(lo[1] + hi[1]) / 2, -lo[2]])
    return ReferenceShape(
        name=p.name,
        size_mm=float(mesh.extents.max()),
        unit=unit,
        triangles=len(mesh.faces),
        shape=describe_shape(mesh),
        mesh=mesh,
    )


def proportions(extents: np.ndarray) -> np.ndarray:
    """(longer footprint side, shorter footprint side, height) over the longest side."""
    x, y, z = (float(e) for e in extents)
    return np.array([max(x, y), min(x, y), z]) / max(x, y, z, 1e-12)


def describe_shape(mesh: trimesh.Trimesh) -> ShapeDescriptor:
    """Proportions and the D2 distribution of a mesh (seeded, so deterministic)."""
    points = trimesh.sample.sample_surface(mesh, D2_SAMPLES, seed=D2_SEED)[0]
    half = D2_SAMPLES // 2
    dist = np.linalg.norm(points[:half, None] - points[None, half : 2 * half], axis=2).ravel()
    longest = max(float(np.asarray(mesh.extents).max()), 1e-12)
    hist = np.histogram(np.clip(dist / longest, 0.0, 1.0), bins=D2_BINS, range=(0.0, 1.0))[0]
    ratio = float(mesh.area) / max(float(mesh.convex_hull.area), 1e-12)
    return ShapeDescriptor(proportions(np.asarray(mesh.extents)), hist / max(hist.sum(), 1), ratio)


def similarity(a: ShapeDescriptor, b: ShapeDescriptor) -> float:
    """0..1 likeness of two shapes: proportions (L1), D2 distributions (total variation) and
    hull area ratios (log)."""
    prop = min(float(np.abs(a.proportions - b.proportions).sum()), 1.0)
    tv = 0.5 * float(np.abs(a.d2 - b.d2).sum())
    hull = min(abs(float(np.log(a.hull_area_ratio / b.hull_area_ratio))), 1.0)
    return 1.0 - W_PROPORTIONS * prop - W_D2 * tv - W_HULL * hull


def similarities(reference: ReferenceShape, meshes: list[trimesh.Trimesh]) -> np.ndarray:
    """0..1 likeness of each mesh to the reference."""
    return np.array([similarity(describe_shape(m), reference.shape) for m in meshes])

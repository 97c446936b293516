"""Units, scaling and build-volume fit: detect inches/metres, propose a scale or a split (mm)."""

from __future__ import annotations

import math

import numpy as np
import trimesh
from trimesh.intersections import slice_mesh_plane

from .checks import Finding, finding
from .errors import UnprintableMesh
from .profiles import PrinterProfile

UNIT_MM = {"mm": 1.0, "cm": 10.0, "m": 1000.0, "inch": 25.4}
_DECLARED = {"millimeter": "mm", "centimeter": "cm", "meter": "m", "inch": "inch"}
METRES_BELOW = 0.5  # a longest side under this many units reads as metres
INCHES_BELOW = 12.0  # ... under this many units (and not metres) reads as inches
MAX_SPLIT_PARTS = 27


def detect_unit(longest: float, suffix: str, declared: str | None, requested: str) -> str:
    """Unit of the file's numbers: requested, a 3MF's declared one, or guessed from size."""
    if requested != "auto":
        if requested not in UNIT_MM:
            raise ValueError(f"unknown unit {requested!r}; use auto or {', '.join(UNIT_MM)}")
        return requested
    if declared is not None:
        return "mm"  # a 3MF's own unit was applied when loading
    if suffix == ".glb" and longest < 5.0:
        return "m"  # glTF is metres by specification
    if longest < METRES_BELOW:
        return "m"
    return "inch" if longest < INCHES_BELOW else "mm"


def unit_findings(longest: float, unit: str, declared: str | None, requested: str) -> list[Finding]:
    """Say which unit was read and how, as a finding."""
    if declared is not None and requested == "auto":
        return [finding("units", "info", f"3MF declares unit {declared!r}; converted to mm")]
    if unit == "mm":
        return []
    how = "as requested" if requested != "auto" else "guessed from size; pass units='mm' if wrong"
    mm = longest * UNIT_MM[unit]
    return [
        finding(
            "units",
            "warning" if requested == "auto" else "info",
            f"longest side {longest:.4g} read as {unit} ({mm:.1f} mm), {how}",
        )
    ]


def grid_counts(extents_mm: np.ndarray, build_mm: tuple[float, float, float]) -> np.ndarray:
    """Pieces along x, y, z so each piece fits the build volume (largest side to largest axis)."""
    order = np.argsort(extents_mm)[::-1]
    room = np.sort(np.asarray(build_mm))[::-1] * 0.999
    counts = np.ones(3, dtype=np.int64)
    counts[order] = np.ceil(extents_mm[order] / room).astype(np.int64)
    return counts


def split_to_fit(mesh: trimesh.Trimesh, printer: PrinterProfile) -> list[trimesh.Trimesh]:
    """Planar, capped cuts into the fewest grid pieces that each fit the build volume."""
    counts = grid_counts(np.asarray(mesh.extents), printer.build_volume_mm)
    if int(counts.prod()) > MAX_SPLIT_PARTS:
        raise UnprintableMesh(f"part would need {int(counts.prod())} pieces to fit; scale it")
    pieces = [mesh]
    lo, hi = mesh.bounds
    for axis in range(3):
        cuts = np.linspace(lo[axis], hi[axis], counts[axis] + 1)[1:-1]
        pieces = [p for piece in pieces for p in _slabs(piece, axis, cuts)]
    return [p for p in pieces if len(p.faces) and p.volume > 1e-9]


def _slabs(mesh: trimesh.Trimesh, axis: int, cuts: np.ndarray) -> list[trimesh.Trimesh]:
    """The mesh cut by planes normal to axis at the given coordinates (mm), caps closed."""
    if len(cuts) == 0:
        return [mesh]
    normal = np.eye(3)[axis]
    edges = [-math.inf, *cuts.tolist(), math.inf]
    out = []
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        piece = mesh
        if math.isfinite(low):
            piece = slice_mesh_plane(piece, normal, normal * low, cap=True)
        if math.isfinite(high) and len(piece.faces):
            piece = slice_mesh_plane(piece, -normal, normal * high, cap=True)
        out.append(piece)
    return out


def split_proposal(mesh: trimesh.Trimesh, printer: PrinterProfile) -> str:
    """Plain words: into how many planar pieces the part would split to fit."""
    counts = grid_counts(np.asarray(mesh.extents), printer.build_volume_mm)
    grid = " × ".join(str(int(c)) for c in counts)
    return f"split it into {int(counts.prod())} pieces ({grid} planar cuts along x, y, z; allow_split=True)"

"""Units, scaling and build-volume fit: detect inches/metres, propose a scale or a split (mm)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import trimesh
from trimesh.intersections import slice_mesh_plane

from .checks import Finding, Severity, finding
from .errors import UnprintableMesh
from .profiles import PrinterProfile

UNIT_MM = {"mm": 1.0, "cm": 10.0, "m": 1000.0, "inch": 25.4}
_DECLARED = {"millimeter": "mm", "centimeter": "cm", "meter": "m", "inch": "inch"}
METRES_BELOW = 0.5  # a longest side under this many units reads as metres
INCHES_BELOW = 12.0  # ... under this many units (and not metres) reads as inches
MAX_SPLIT_PARTS = 27


DEFAULT_BED_MM = (250.0, 210.0, 220.0)  # judge "fits as mm" on a Prusa MK4 bed if none given
ABSURD_BED_MULTIPLE = 20.0  # longer than this many bed lengths: refused, not split
UNIT_WORDS = {"mm": "millimetres", "cm": "centimetres", "m": "metres", "inch": "inches"}


@dataclass(frozen=True)
class UnitChoice:
    """The unit a file's numbers are read in, whether it was guessed, and why in plain words."""

    unit: str
    guessed: bool
    reason: str


def detect_unit(
    longest: float,
    suffix: str,
    declared: str | None,
    requested: str,
    extents: tuple[float, float, float] | None = None,
    build_mm: tuple[float, float, float] | None = None,
) -> str:
    """Unit of the file's numbers: requested, declared, or guessed (mm preferred with extents).

    Without extents (the design engine's reference meshes) the guess goes by the longest
    side alone: under 0.5 units metres, under 12 units inches.
    """
    if extents is not None or requested != "auto" or declared is not None:
        return choose_unit(extents or (longest,) * 3, suffix, declared, requested, build_mm).unit
    if suffix == ".glb" and longest < 5.0:
        return "m"
    if longest < METRES_BELOW:
        return "m"
    return "inch" if longest < INCHES_BELOW else "mm"


def choose_unit(
    extents: tuple[float, float, float],
    suffix: str,
    declared: str | None,
    requested: str,
    build_mm: tuple[float, float, float] | None = None,
) -> UnitChoice:
    """Read the numbers as requested, as a 3MF declares, or guess; prefer mm when it fits.

    A part read as mm is kept in mm when it fits the bed and is not sub-millimetre (as
    PrusaSlicer reads plain STL/OBJ). Otherwise tiny numbers read as metres (under 0.5
    units) or inches (under 12 units); every guess says so and how to undo it.
    """
    size = np.sort(np.asarray(extents, dtype=float))[::-1]
    longest, thinnest = float(size[0]), float(size[-1])
    if requested != "auto":
        if requested not in UNIT_MM:
            raise ValueError(f"unknown unit {requested!r}; use auto or {', '.join(UNIT_MM)}")
        return UnitChoice(requested, False, f"read as {UNIT_WORDS[requested]}, as chosen")
    if declared is not None:
        return UnitChoice("mm", False, f"the 3MF declares {declared}; converted to mm")
    if suffix == ".glb" and longest < 5.0:
        return UnitChoice("m", True, _guess_words("m", longest, "glTF files are in metres"))
    bed = build_mm or DEFAULT_BED_MM
    if longest >= INCHES_BELOW or (thinnest >= 1.0 and _fits(size, bed)):
        why = "it fits the bed as mm" if longest < INCHES_BELOW else "that is the usual unit"
        return UnitChoice("mm", True, _guess_words("mm", longest, why))
    unit = "m" if longest < METRES_BELOW else "inch"
    why = "as mm it would be sub-millimetre" if thinnest < 1.0 else "as mm it would not fit"
    return UnitChoice(unit, True, _guess_words(unit, longest, why))


def _fits(size_desc: np.ndarray, bed: tuple[float, float, float]) -> bool:
    """Whether sorted extents (mm) fit the sorted build volume in some axis-aligned pose."""
    return bool((size_desc <= np.sort(np.asarray(bed))[::-1] + 1e-9).all())


def _guess_words(unit: str, longest: float, why: str) -> str:
    """'read as inches because it is 11.4 units long (...); choose mm if that is wrong'."""
    other = "mm" if unit != "mm" else "inch, cm or m"
    return (
        f"read as {UNIT_WORDS[unit]} because it is {longest:.4g} units long ({why}); "
        f"choose units={other} if that is wrong"
    )


def unit_findings(choice: UnitChoice, longest: float) -> list[Finding]:
    """Say which unit was read and how, as a finding (a warning when guessed other than mm)."""
    mm = longest * UNIT_MM[choice.unit]
    severity: Severity = "warning" if choice.guessed and choice.unit != "mm" else "info"
    return [finding("units", severity, f"{choice.reason}: longest side {mm:.1f} mm")]


def unit_refusal(
    choice: UnitChoice, longest: float, build_mm: tuple[float, float, float]
) -> str | None:
    """Why a part is refused for its size in this unit (sub-millimetre or absurdly large)."""
    mm = longest * UNIT_MM[choice.unit]
    alternatives = ", ".join(
        f"{u} ({longest * f:.1f} mm)"
        for u, f in UNIT_MM.items()
        if u != choice.unit and 1.0 <= longest * f <= max(build_mm)
    )
    advice = f"choose units {alternatives}" if alternatives else "rescale the file"
    if mm < 1.0:
        return (
            f"the part is only {mm:.3g} mm long ({choice.reason}): sub-millimetre, nothing "
            f"a nozzle can print; {advice}, or set a target size"
        )
    if mm > ABSURD_BED_MULTIPLE * max(build_mm):
        return (
            f"the part is {mm / 1000:.1f} m long ({choice.reason}), far beyond any bed; "
            f"{advice}, or set a target size"
        )
    return None


def sizing_refusal(
    extents: tuple[float, float, float],
    suffix: str,
    declared: str | None,
    units: str,
    scale: float | None,
    target_size_mm: float | None,
    build_mm: tuple[float, float, float],
) -> tuple[UnitChoice, str | None]:
    """How a file's numbers are read, and why it is refused for its size once read and scaled
    by `scale` (never when a target size sets it)."""
    choice = choose_unit(extents, suffix, declared, units, build_mm)
    if target_size_mm is not None:
        return choice, None
    return choice, unit_refusal(choice, max(extents) * (scale or 1.0), build_mm)


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

"""Several objects on one or more build plates: bodies of a mesh, and a shelf layout (mm)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh

from .profiles import PrinterProfile

GAP_MM = 5.0  # space between objects on a plate (PrusaSlicer's arrange default is 6 mm)


@dataclass(frozen=True)
class Plate:
    """One build plate: the objects on it (already moved into place) and their indices."""

    objects: list[int]
    mesh: trimesh.Trimesh


def bodies(mesh: trimesh.Trimesh) -> list[trimesh.Trimesh]:
    """Separate solid bodies of the mesh; the mesh itself if it has one, or closed cavities."""
    parts = mesh.split(only_watertight=False)
    if len(parts) <= 1 or any(float(p.volume) <= 0 for p in parts):
        return [mesh]  # one body, or a cavity shell that must stay inside its body
    return sorted(parts, key=lambda p: -float(p.volume))


def arrange(placed: list[trimesh.Trimesh], printer: PrinterProfile) -> list[Plate]:
    """Shelf-pack objects already on the bed (z = 0) onto as few plates as fit, in order."""
    bx, by, _ = printer.build_volume_mm
    order = sorted(range(len(placed)), key=lambda i: -float(placed[i].extents[1]))
    plates: list[list[tuple[int, float, float]]] = [[]]
    x = y = shelf = 0.0
    for i in order:
        w, d = (float(e) for e in placed[i].extents[:2])
        if x > 0 and x + w > bx + 1e-9:  # next shelf
            x, y, shelf = 0.0, y + shelf + GAP_MM, 0.0
        if y > 0 and y + d > by + 1e-9:  # next plate
            plates.append([])
            x = y = shelf = 0.0
        plates[-1].append((i, x, y))
        x += w + GAP_MM
        shelf = max(shelf, d)
    return [_plate(entries, placed, printer) for entries in plates if entries]


def _plate(
    entries: list[tuple[int, float, float]], placed: list[trimesh.Trimesh], printer: PrinterProfile
) -> Plate:
    """Move each object to its corner (x, y) and centre the group on the bed."""
    moved = []
    for i, x, y in entries:
        lo = placed[i].bounds[0]
        moved.append(placed[i].copy().apply_translation([x - lo[0], y - lo[1], -lo[2]]))
    group = moved[0] if len(moved) == 1 else trimesh.util.concatenate(moved)
    assert isinstance(group, trimesh.Trimesh)
    lo, hi = group.bounds
    bx, by, _ = printer.build_volume_mm
    group.apply_translation([bx / 2 - (lo[0] + hi[0]) / 2, by / 2 - (lo[1] + hi[1]) / 2, 0.0])
    return Plate([i for i, _, _ in entries], group)


def plate_extents_fit(plate: Plate, printer: PrinterProfile) -> bool:
    """Whether a plate's objects lie within the bed (mm)."""
    ext = np.asarray(plate.mesh.extents)
    return bool((ext <= np.asarray(printer.build_volume_mm) + 1e-6).all())

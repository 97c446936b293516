"""Printability findings: overhangs, bed contact, thin features, mesh notes (mm, mm²)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import trimesh
from scipy.spatial import ConvexHull

from .orient import BED_TOLERANCE_MM
from .repair import RepairResult

Severity = Literal["info", "warning", "error"]
SMALL_BED_CONTACT_SHARE = 0.05
OVERHANG_WARNING_SHARE = 0.05
DENSE_MESH_TRIANGLES = 1_000_000


def finding(name: str, severity: Severity, message: str) -> dict[str, str]:
    """One finding as the contracts' Finding expects it."""
    return {"name": name, "severity": severity, "message": message}


def mesh_findings(repair: RepairResult) -> list[dict[str, str]]:
    """Notes on what repair saw: health before/after, separate parts, cavities, density."""
    out = [
        finding(
            "mesh_health",
            "info",
            f"before repair: {repair.before.summary()}; after: {repair.after.summary()}",
        )
    ]
    if repair.after.shells - repair.cavities > 1:
        parts = repair.after.shells - repair.cavities
        out.append(finding("separate_parts", "info", f"{parts} separate parts print together"))
    if repair.cavities:
        out.append(finding("cavities", "info", f"{repair.cavities} closed internal cavities kept"))
    if len(repair.mesh.faces) > DENSE_MESH_TRIANGLES:
        out.append(
            finding("dense_mesh", "warning", f"{len(repair.mesh.faces):,} triangles slow slicing")
        )
    return out


def overhang_finding(support_mm2: float, before_mm2: float, surface_mm2: float) -> dict[str, str]:
    """How much overhang beyond 45° needs support, and what orientation saved."""
    if support_mm2 <= 0.0:
        saved = f" (orientation removed {before_mm2:.0f} mm²)" if before_mm2 > 0 else ""
        return finding("overhang", "info", f"no overhang beyond 45°; needs no support{saved}")
    share = support_mm2 / max(surface_mm2, 1e-12)
    return finding(
        "overhang",
        "warning" if share > OVERHANG_WARNING_SHARE else "info",
        f"{support_mm2:.0f} mm² of overhang beyond 45° needs support "
        f"({share:.0%} of the surface; {before_mm2:.0f} mm² as modelled)",
    )


def bed_contact_findings(placed: trimesh.Trimesh) -> list[dict[str, str]]:
    """Warn when less than 5% of the footprint touches the bed."""
    vertices = np.asarray(placed.vertices)
    face_top = vertices[np.asarray(placed.faces), 2].max(axis=1)
    contact = float(np.asarray(placed.area_faces)[face_top <= BED_TOLERANCE_MM].sum())
    footprint = _footprint_mm2(vertices[:, :2])
    if footprint <= 0 or contact / footprint >= SMALL_BED_CONTACT_SHARE:
        return []
    return [
        finding(
            "bed_contact",
            "warning",
            f"only {contact:.1f} mm² touches the bed ({contact / footprint:.1%} of the "
            f"{footprint:.0f} mm² footprint); add a brim or a flat base",
        )
    ]


def _footprint_mm2(xy: np.ndarray) -> float:
    """Area of the convex hull of points on the bed (mm²)."""
    try:
        return float(ConvexHull(xy).volume)
    except Exception:  # collinear points: no area
        return 0.0


def thin_findings(
    dims_mm: tuple[float, float, float], volume_mm3: float, area_mm2: float, nozzle_mm: float
) -> list[dict[str, str]]:
    """Error under two nozzle widths overall; warning when the mean wall (2V/A) is that thin."""
    limit = 2 * nozzle_mm
    thinnest = min(dims_mm)
    if thinnest < limit:
        return [
            finding(
                "thin_feature",
                "error",
                f"the part is only {thinnest:.2f} mm thick, under two nozzle widths "
                f"({limit:.2f} mm); the slicer will drop or merge it",
            )
        ]
    mean_wall = 2 * volume_mm3 / max(area_mm2, 1e-12)
    if mean_wall < limit:
        return [
            finding(
                "thin_walls",
                "warning",
                f"walls average {mean_wall:.2f} mm (2·volume/surface), under two nozzle "
                f"widths ({limit:.2f} mm); thin parts may not print",
            )
        ]
    return []


def scale_findings(
    longest_before_mm: float, scale: float, target_size_mm: float | None
) -> list[dict[str, str]]:
    """Say how the part was scaled, or warn when an unscaled part looks like wrong units."""
    if target_size_mm is not None:
        return [
            finding(
                "scale",
                "info",
                f"scaled by {scale:.4g} so the longest side is {target_size_mm:.1f} mm "
                f"(was {longest_before_mm:.3g})",
            )
        ]
    if longest_before_mm < 5.0:
        return [
            finding(
                "units",
                "warning",
                f"longest side is only {longest_before_mm:.3g} mm; "
                "was the file exported in inches or metres? Pass target_size_mm to scale it",
            )
        ]
    return []

"""Printability findings: overhangs, bed contact, thin features, mesh notes (mm, mm²)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import trimesh
from scipy.spatial import ConvexHull

from .orient import BED_TOLERANCE_MM
from .profiles import PrinterProfile
from .rays import first_hit_mm
from .repair import RepairResult

Severity = Literal["info", "warning", "error"]
Finding = dict[str, str]
WALL_SAMPLES = 1500
THIN_SHARE = 0.01  # share of the surface that must be thin before a wall finding
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
    out += _defect_findings(repair)
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
                "tiny_part",
                "warning",
                f"longest side is only {longest_before_mm:.3g} mm; "
                "pass units or target_size_mm if the file is in other units",
            )
        ]
    return []


_DEFECTS = {
    "boundary_edges": ("holes", "open (hole) edges"),
    "nonmanifold_edges": ("non_manifold", "non-manifold edges"),
    "inconsistent_edges": ("winding", "inconsistently wound edges"),
    "degenerate_faces": ("degenerate_faces", "degenerate (zero-area) faces"),
    "duplicate_faces": ("duplicate_faces", "duplicate faces"),
    "self_intersecting_edges": ("self_intersection", "self-intersecting edges"),
}


def _defect_findings(repair: RepairResult) -> list[Finding]:
    """One warning per defect kind found before repair, with the count after."""
    before, after = repair.before.counts(), repair.after.counts()
    out = []
    for key, (name, words) in _DEFECTS.items():
        if before[key]:
            left = after[key]
            tail = "repaired" if left == 0 else f"{left if left is not None else '?'} remain"
            out.append(finding(name, "warning", f"{before[key]} {words} before repair; {tail}"))
    if before["shells"] and after["shells"] and before["shells"] > after["shells"]:
        out.append(
            finding(
                "shells",
                "info",
                f"{before['shells']} shells before repair, {after['shells']} after",
            )
        )
    return out


def wall_thickness_mm(
    mesh: trimesh.Trimesh, reach_mm: float, samples: int = WALL_SAMPLES
) -> tuple[np.ndarray, np.ndarray]:
    """Local wall thickness (mm, inf beyond reach) by inward rays from area-sampled points.

    Only the far side of a wall counts (a face turned against the start), so the acute
    rim of a cone or pyramid is not mistaken for a thin wall.
    """
    points, face = trimesh.sample.sample_surface(mesh, samples, seed=0)
    normals = np.asarray(mesh.face_normals)[face]
    start = points - normals * 1e-6
    hit = first_hit_mm(mesh, start, -normals, reach_mm, skip_faces=face, facing=normals)
    return hit, face


def wall_findings(mesh: trimesh.Trimesh, nozzle_mm: float) -> tuple[list[Finding], float]:
    """Error where walls are thinner than the nozzle, warning under two lines; (findings, min mm)."""
    thickness, _ = wall_thickness_mm(mesh, 2.0 * nozzle_mm)
    finite = thickness[np.isfinite(thickness)]
    thinnest = float(finite.min()) if len(finite) else float("inf")
    too_thin = float((thickness < nozzle_mm).mean())
    thin = float((thickness < 2.0 * nozzle_mm).mean())
    if too_thin >= THIN_SHARE:
        return [
            finding(
                "thin_wall",
                "error",
                f"{too_thin:.0%} of the surface has walls thinner than the {nozzle_mm:.2f} mm "
                f"nozzle (thinnest {thinnest:.2f} mm, by ray casting); they will not print",
            )
        ], thinnest
    if thin >= THIN_SHARE:
        return [
            finding(
                "thin_wall",
                "warning",
                f"{thin:.0%} of the surface has walls under two extrusion widths "
                f"({2 * nozzle_mm:.2f} mm; thinnest {thinnest:.2f} mm); they print weak",
            )
        ], thinnest
    return [], thinnest


def small_feature_findings(
    small_islands: np.ndarray, nozzle_mm: float, min_layers: int = 3
) -> list[Finding]:
    """Warn about features under two nozzle widths across that run at least min_layers tall."""
    runs = _runs(small_islands > 0)
    tall = runs[runs >= min_layers]
    if len(tall) == 0:
        return []
    return [
        finding(
            "small_feature",
            "warning",
            f"{len(tall)} feature(s) under {2 * nozzle_mm:.1f} mm across over up to "
            f"{int(tall.max())} layers (pins, tips, text); they may not print cleanly",
        )
    ]


def _runs(mask: np.ndarray) -> np.ndarray:
    """Lengths of consecutive True runs."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)


def verdict(
    findings: list[Finding],
    dims_mm: tuple[float, float, float],
    min_wall_mm: float,
    printer: PrinterProfile,
) -> tuple[str, str] | None:
    """(reason, fix) when an error finding says the part will not print; None if it will."""
    errors = [f for f in findings if f["severity"] == "error"]
    if not errors:
        return None
    reason = "; ".join(f["message"] for f in errors)
    limit_mm = 2 * printer.nozzle_mm
    thinnest = min(min(dims_mm), min_wall_mm)
    scale = limit_mm / max(thinnest, 1e-9)
    fits = all(
        d * scale <= b
        for d, b in zip(sorted(dims_mm), sorted(printer.build_volume_mm), strict=True)
    )
    scaled = (
        f"scale it by {scale:.2f} so its thinnest part is {limit_mm:.1f} mm (two nozzle widths)"
        if fits
        else f"scaling by {scale:.2f} would not fit the bed"
    )
    return reason, f"thicken features to at least {limit_mm:.1f} mm in the model, or {scaled}"

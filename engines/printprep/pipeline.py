"""prepare(): a mesh file in, a repaired, oriented, estimated and exported prototype out."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import trimesh

from . import checks
from .meshio import load_mesh, stl_bytes, threemf_bytes, write_atomic
from .orient import choose_pose, place_on_bed
from .profiles import PrinterProfile, material_profile, printer_profile
from .repair import repair_mesh
from .slicer import run_prusa_slicer
from .slicing import estimate_print, slice_layers


@dataclass
class PrintPrepReport:
    """Everything a prototype run learned: size (mm), volume (cm³), time (s), filament (m, g)."""

    dims_mm: tuple[float, float, float]
    volume_cm3: float
    triangles: int
    repaired: list[str]
    findings: list[dict[str, str]]
    support_area_mm2: float
    support_area_before_mm2: float
    layer_count: int
    print_time_s: float
    filament_m: float
    filament_g: float
    stl_path: str
    threemf_path: str
    gcode_path: str | None = None
    slicer_print_time_s: float | None = None


def prepare(
    mesh_path: str | Path,
    out_dir: str | Path,
    *,
    target_size_mm: float | None = None,
    printer: str = "prusa_mk4",
    material: str = "PLA",
    layer_height_mm: float = 0.2,
    infill_fraction: float = 0.15,
    stem: str = "prototype",
    progress: Callable[[str], None] | None = None,
) -> PrintPrepReport:
    """Repair, scale, orient, estimate (s, m, g) and export one mesh; UnprintableMesh if hopeless."""
    machine, filament = printer_profile(printer), material_profile(material)
    _check_settings(machine, target_size_mm, layer_height_mm, infill_fraction, stem)
    stage = progress or (lambda _name: None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    stage("repair")
    repair = repair_mesh(load_mesh(mesh_path))
    findings = checks.mesh_findings(repair)
    mesh, scale_notes = _scaled(repair.mesh, target_size_mm)
    findings += scale_notes

    stage("orient")
    pose, as_modelled = choose_pose(mesh, machine)
    placed = place_on_bed(mesh, pose, machine)
    dims_mm = _dims_mm(placed)
    findings.append(checks.overhang_finding(pose.support_mm2, as_modelled.support_mm2, placed.area))
    findings += checks.bed_contact_findings(placed)
    findings += checks.thin_findings(dims_mm, placed.volume, placed.area, machine.nozzle_mm)

    stage("slice")
    estimate = estimate_print(
        slice_layers(placed, layer_height_mm), machine, filament, infill_fraction
    )

    stage("export")
    stl, threemf = out / f"{stem}.stl", out / f"{stem}.3mf"
    write_atomic(stl, stl_bytes(placed))
    write_atomic(threemf, threemf_bytes(placed))
    run = run_prusa_slicer(
        stl, out / f"{stem}.gcode", machine, filament, layer_height_mm, infill_fraction
    )
    findings.append(checks.finding("slicer", run.severity, run.note))

    return PrintPrepReport(
        dims_mm=dims_mm,
        volume_cm3=float(placed.volume) / 1000.0,
        triangles=len(placed.faces),
        repaired=repair.actions,
        findings=findings,
        support_area_mm2=pose.support_mm2,
        support_area_before_mm2=as_modelled.support_mm2,
        layer_count=estimate.layer_count,
        print_time_s=estimate.print_time_s,
        filament_m=estimate.filament_m,
        filament_g=estimate.filament_g,
        stl_path=str(stl),
        threemf_path=str(threemf),
        gcode_path=run.gcode_path,
        slicer_print_time_s=run.print_time_s,
    )


_STEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def _check_settings(
    printer: PrinterProfile,
    target_size_mm: float | None,
    layer_height_mm: float,
    infill_fraction: float,
    stem: str,
) -> None:
    """ValueError for settings no printer could use (mm, fraction, file stem)."""
    if target_size_mm is not None and not target_size_mm > 0:
        raise ValueError(f"target_size_mm must be positive, got {target_size_mm}")
    if not 0 < layer_height_mm <= printer.nozzle_mm:
        raise ValueError(
            f"layer_height_mm must be in (0, {printer.nozzle_mm}] for a "
            f"{printer.nozzle_mm} mm nozzle, got {layer_height_mm}"
        )
    if not 0 <= infill_fraction <= 1:
        raise ValueError(f"infill_fraction must be within [0, 1], got {infill_fraction}")
    if not _STEM.match(stem):
        raise ValueError(f"stem must be a plain file name (letters, digits, . _ -), got {stem!r}")


def _scaled(
    mesh: trimesh.Trimesh, target_size_mm: float | None
) -> tuple[trimesh.Trimesh, list[dict[str, str]]]:
    """Scale so the longest side is target_size_mm (mm), with a finding saying so."""
    longest = float(max(mesh.extents))
    scale = target_size_mm / longest if target_size_mm is not None else 1.0
    if scale != 1.0:
        mesh = mesh.copy()
        mesh.apply_scale(scale)
    return mesh, checks.scale_findings(longest, scale, target_size_mm)


def _dims_mm(mesh: trimesh.Trimesh) -> tuple[float, float, float]:
    """Bounding box size x, y, z (mm), rounded to 0.1 µm to hide rotation noise."""
    x, y, z = (round(float(e), 4) for e in mesh.extents)
    return x, y, z

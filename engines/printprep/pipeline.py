"""prepare(): a mesh file in, a repaired, oriented, estimated and exported prototype out."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import trimesh

from . import checks
from .errors import UnprintableMesh
from .fit import (
    UNIT_MM,
    UnitChoice,
    choose_unit,
    split_proposal,
    split_to_fit,
    unit_findings,
    unit_refusal,
)
from .meshio import load_mesh, stl_bytes, threemf_bytes, write_atomic
from .orient import (
    Pose,
    axis_rotations,
    choose_pose,
    fit_scale,
    place_on_bed,
    score_pose,
    too_big_reason,
)
from .plates import Plate, arrange, bodies
from .previews import repair_previews
from .profiles import (
    SLICER_PROFILE,
    Material,
    PrinterProfile,
    material_profile,
    printer_profile,
    target_size,
)
from .repair import repair_mesh
from .slicer import SlicerRun, run_prusa_slicer
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
    health_before: dict[str, int | None] = field(default_factory=dict)
    health_after: dict[str, int | None] = field(default_factory=dict)
    unit: str = "mm"
    unit_note: str = ""  # how the unit was read ("read as inches because ...")
    scale: float = 1.0
    min_wall_mm: float | None = None
    part_paths: list[str] = field(default_factory=list)
    timings_s: dict[str, float] = field(default_factory=dict)
    plate_paths: list[str] = field(default_factory=list)  # one STL per plate when several
    plate_count: int = 1
    status: str = "ready"  # "unprintable": times and filament are 0, not an estimate
    reason: str | None = None  # why it will not print (status "unprintable")
    fix: str | None = None  # what would make it print
    before_preview_path: str | None = None  # the file as given, defects in red
    after_preview_path: str | None = None  # repaired, added faces in green


class QueueProgress:
    """A picklable progress callback that puts stage names on a (multiprocessing) queue."""

    def __init__(self, queue: Any) -> None:
        self.queue = queue

    def __call__(self, stage: str) -> None:
        """Forward one stage name."""
        self.queue.put(stage)


def prepare(
    mesh_path: str | Path,
    out_dir: str | Path,
    *,
    target_size_mm: float | str | None = None,
    printer: str = "prusa_mk4",
    material: str = "PLA",
    layer_height_mm: float = 0.2,
    infill_fraction: float = 0.15,
    stem: str = "prototype",
    progress: Callable[[str], None] | None = None,
    units: str = "auto",
    max_bytes: int = 100_000_000,
    max_triangles: int = 2_000_000,
    allow_split: bool = False,
    use_slicer: bool = True,
    gpl_repair: bool = False,
    scale: float | None = None,
    previews: bool = False,
) -> PrintPrepReport:
    """Repair, scale, orient, check, estimate (s, m, g) and export a mesh; UnprintableMesh if hopeless.

    Plain arguments and a plain dataclass result, so it runs in a ProcessPoolExecutor
    (pass `QueueProgress(queue)` or None as progress there). `gpl_repair` lets pymeshfix (the
    optional GPL extra) close what the default repair cannot. `scale` multiplies the part after
    its units are read (a target size wins over it); `previews` writes <stem>-before.png (the
    file as given, defects in red) and <stem>-after.png (repaired, new faces in green).
    """
    machine, filament = printer_profile(printer), material_profile(material)
    size_mm = target_size(target_size_mm)
    _check_settings(machine, size_mm, layer_height_mm, infill_fraction, stem)
    stage = progress or (lambda _name: None)
    clock = _Clock()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    stage("repair")
    loaded = load_mesh(mesh_path, max_bytes=max_bytes, max_triangles=max_triangles)
    repair = repair_mesh(loaded, gpl_repair=gpl_repair)
    findings = checks.mesh_findings(repair)
    mesh, choice, factor, notes = _scaled(
        repair.mesh,
        size_mm,
        Path(mesh_path).suffix.lower(),
        loaded.metadata.get("unit"),
        units,
        machine.build_volume_mm,
        scale,
    )
    findings += notes
    shots = repair_previews(loaded, repair, out, stem) if previews else (None, None)
    clock.lap("repair")

    stage("orient")
    with _stating(choice):
        pieces, split = _pieces(mesh, machine, allow_split)
    if split:
        findings.append(
            checks.finding("split", "warning", f"split into {len(pieces)} pieces to fit")
        )
    with _stating(choice):
        oriented = [_orient(piece, machine) for piece in pieces]
    plates = (
        arrange([p for p, _, _ in oriented], machine)
        if len(oriented) > 1
        else [Plate([0], oriented[0][0])]
    )
    if len(oriented) > 1 and not split:
        findings.append(
            checks.finding(
                "plates",
                "info",
                f"{len(oriented)} separate objects arranged on {len(plates)} plate(s), "
                "each laid out to fit the bed",
            )
        )
    placed = plates[0].mesh
    pose = _summed([pz for _, pz, _ in oriented])
    as_modelled = _summed([m for _, _, m in oriented])
    findings.append(checks.overhang_finding(pose.support_mm2, as_modelled.support_mm2, placed.area))
    findings += checks.bed_contact_findings(placed)
    dims_mm = _dims_mm(placed)
    findings += checks.thin_findings(dims_mm, placed.volume, placed.area, machine.nozzle_mm)
    walls, min_wall_mm = checks.wall_findings(placed, machine.nozzle_mm)
    findings += walls
    clock.lap("orient")

    stage("slice")
    small_mm2 = (2 * machine.nozzle_mm) ** 2
    first_mm = SLICER_PROFILE.first_layer_height_mm
    stacks = [slice_layers(p, layer_height_mm, small_mm2, first_mm) for p, _, _ in oriented]
    estimates = [estimate_print(st, machine, filament, infill_fraction) for st in stacks]
    findings += checks.small_feature_findings(stacks[0].small_islands, machine.nozzle_mm)
    clock.lap("slice")

    stage("export")
    meta = _metadata(stem, machine, filament.name, layer_height_mm, infill_fraction)
    stl, threemf = out / f"{stem}.stl", out / f"{stem}.3mf"
    write_atomic(stl, stl_bytes(placed))
    write_atomic(threemf, threemf_bytes(placed, meta))
    part_paths = _export_parts([p for p, _, _ in oriented], out, stem) if split else []
    plate_paths = _export_plates(plates, out, stem) if len(plates) > 1 else []
    clock.lap("export")
    verdict = checks.verdict(findings, dims_mm, min_wall_mm, machine)
    if verdict is not None:
        run = SlicerRun(None, None, "not sliced: the findings say the part will not print")
        estimates = [
            replace(e, print_time_s=0.0, filament_mm3=0.0, filament_m=0.0, filament_g=0.0)
            for e in estimates
        ]
    elif use_slicer:
        run = _slice_plates(
            [Path(p) for p in plate_paths] or [stl], out, stem, machine, filament,
            layer_height_mm, infill_fraction,
        )  # fmt: skip
    else:
        run = SlicerRun(None, None, "external slicer not requested; times are geometric estimates")
    findings.append(checks.finding("slicer", run.severity, run.note))

    return PrintPrepReport(
        dims_mm=dims_mm,
        volume_cm3=float(sum(p.volume for p, _, _ in oriented)) / 1000.0,
        triangles=len(placed.faces),
        repaired=repair.actions,
        findings=findings,
        support_area_mm2=float(sum(pz.support_mm2 for _, pz, _ in oriented)),
        support_area_before_mm2=float(sum(m.support_mm2 for _, _, m in oriented)),
        layer_count=max(e.layer_count for e in estimates),
        print_time_s=float(sum(e.print_time_s for e in estimates)),
        filament_m=float(sum(e.filament_m for e in estimates)),
        filament_g=float(sum(e.filament_g for e in estimates)),
        stl_path=str(stl),
        threemf_path=str(threemf),
        gcode_path=run.gcode_path,
        slicer_print_time_s=run.print_time_s,
        health_before=repair.before.counts(),
        health_after=repair.after.counts(),
        unit=choice.unit,
        unit_note=choice.reason,
        scale=factor,
        min_wall_mm=min_wall_mm if math.isfinite(min_wall_mm) else None,
        part_paths=part_paths,
        plate_paths=plate_paths,
        plate_count=len(plates),
        timings_s=clock.laps,
        status="ready" if verdict is None else "unprintable",
        reason=None if verdict is None else verdict[0],
        fix=None if verdict is None else verdict[1],
        before_preview_path=shots[0],
        after_preview_path=shots[1],
    )


@contextmanager
def _stating(choice: UnitChoice) -> Iterator[None]:
    """Re-raise UnprintableMesh with how the unit was read, when it was a guess."""
    try:
        yield
    except UnprintableMesh as err:
        if not choice.guessed:
            raise
        raise UnprintableMesh(f"{err.reason} ({choice.reason})") from err


class _Clock:
    """Wall-clock seconds per stage."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        """Record seconds since the previous lap under name."""
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 4)
        self._last = now


def _pieces(
    mesh: trimesh.Trimesh, machine: PrinterProfile, allow_split: bool
) -> tuple[list[trimesh.Trimesh], bool]:
    """(pieces, whether any was cut): the mesh, its separate objects, or cut pieces that fit."""
    if _fits_upright(mesh, machine):
        return [mesh], False
    objects = bodies(mesh)
    out: list[trimesh.Trimesh] = []
    advice, split = [], False
    for k, body in enumerate(objects, start=1):
        if _fits_upright(body, machine):
            out.append(body)
        elif allow_split:
            out += split_to_fit(body, machine)
            split = True
        else:
            poses = [score_pose(body, r) for r in axis_rotations()]
            name = f"object {k} of {len(objects)}: " if len(objects) > 1 else ""
            advice.append(
                f"{name}{too_big_reason(poses, machine)}: {split_proposal(body, machine)}"
            )
    if advice:
        raise UnprintableMesh("; ".join(advice))
    return out, split


def _fits_upright(mesh: trimesh.Trimesh, machine: PrinterProfile) -> bool:
    """Whether the mesh fits the build volume with some bounding-box side down."""
    x, y, z = (float(e) for e in mesh.extents)
    upright = [(x, y, z), (x, z, y), (y, z, x)]  # each axis up once
    return any(fit_scale(e, machine.build_volume_mm) >= 1 - 1e-9 for e in upright)


def _summed(poses: list[Pose]) -> Pose:
    """One pose standing for several objects: support and contact areas (mm²) added."""
    if len(poses) == 1:
        return poses[0]
    return replace(
        poses[0],
        support_mm2=sum(p.support_mm2 for p in poses),
        bed_contact_mm2=sum(p.bed_contact_mm2 for p in poses),
    )


def _export_plates(plates: list[Plate], out: Path, stem: str) -> list[str]:
    """One binary STL per build plate, objects in place."""
    paths = []
    for k, plate in enumerate(plates, start=1):
        path = out / f"{stem}-plate{k}.stl"
        write_atomic(path, stl_bytes(plate.mesh))
        paths.append(str(path))
    return paths


def _slice_plates(
    stls: list[Path],
    out: Path,
    stem: str,
    machine: PrinterProfile,
    filament: Material,
    layer_height_mm: float,
    infill_fraction: float,
) -> SlicerRun:
    """PrusaSlicer on each plate in turn (one process at a time); times (s) added up."""
    runs = []
    for k, stl in enumerate(stls, start=1):
        gcode = out / (f"{stem}.gcode" if len(stls) == 1 else f"{stem}-plate{k}.gcode")
        run = run_prusa_slicer(stl, gcode, machine, filament, layer_height_mm, infill_fraction)
        if run.print_time_s is None:
            return run
        runs.append(run)
    if len(runs) == 1:
        return runs[0]
    total = sum(r.print_time_s or 0.0 for r in runs)
    return SlicerRun(runs[0].gcode_path, total, f"sliced {len(runs)} plates with prusa-slicer")


def _orient(mesh: trimesh.Trimesh, machine: PrinterProfile) -> tuple[trimesh.Trimesh, Pose, Pose]:
    """(placed mesh, chosen pose, as-modelled pose) for one piece."""
    pose, as_modelled = choose_pose(mesh, machine)
    return place_on_bed(mesh, pose, machine), pose, as_modelled


def _export_parts(parts: list[trimesh.Trimesh], out: Path, stem: str) -> list[str]:
    """One binary STL per split piece, in its print orientation."""
    paths = []
    for i, part in enumerate(parts, start=1):
        path = out / f"{stem}-part{i}.stl"
        write_atomic(path, stl_bytes(part))
        paths.append(str(path))
    return paths


def _metadata(
    stem: str, machine: PrinterProfile, material: str, layer_height_mm: float, infill: float
) -> dict[str, str]:
    """3MF metadata naming the part and the intended print settings."""
    return {
        "Title": stem,
        "Designer": "TrendForge",
        "Description": (
            f"{machine.title or machine.name}, {material}, layer {layer_height_mm:g} mm, "
            f"infill {infill:.0%}"
        ),
    }


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
    mesh: trimesh.Trimesh,
    target_size_mm: float | None,
    suffix: str,
    declared: str | None,
    units: str,
    build_mm: tuple[float, float, float],
    factor: float | None = None,
) -> tuple[trimesh.Trimesh, UnitChoice, float, list[dict[str, str]]]:
    """Convert to mm (unit read or guessed), then scale the longest side to target_size_mm, or
    else by the merchant's factor."""
    extents = tuple(float(e) for e in mesh.extents)
    longest = max(extents)
    choice = choose_unit((extents[0], extents[1], extents[2]), suffix, declared, units, build_mm)
    notes = unit_findings(choice, longest)
    if target_size_mm is None:
        refusal = unit_refusal(choice, longest * (factor or 1.0), build_mm)
        if refusal is not None:
            raise UnprintableMesh(refusal)
    longest_mm = longest * UNIT_MM[choice.unit]
    scale = UNIT_MM[choice.unit] * (factor or 1.0)
    if target_size_mm is not None:
        scale = target_size_mm / longest
        notes += checks.scale_findings(longest_mm, scale, target_size_mm)
    else:
        notes += checks.scale_findings(longest_mm * (factor or 1.0), scale, None)
    if target_size_mm is None and factor is not None and factor != 1.0:
        message = (
            f"scaled by {factor:.4g} as chosen: longest side {longest_mm * factor:.1f} mm "
            f"(was {longest_mm:.1f} mm)"
        )
        notes.append(checks.finding("scale", "info", message))
    if scale != 1.0:
        mesh = mesh.copy()
        mesh.apply_scale(scale)
    return mesh, choice, scale, notes


def _dims_mm(mesh: trimesh.Trimesh) -> tuple[float, float, float]:
    """Bounding box size x, y, z (mm), rounded to 0.1 µm to hide rotation noise."""
    x, y, z = (round(float(e), 4) for e in mesh.extents)
    return x, y, z

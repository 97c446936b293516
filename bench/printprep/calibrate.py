"""Fit the print-time estimate to PrusaSlicer on the generated calibration set.

`nice -n 10 .venv/bin/python -m bench.printprep.calibrate [--reslice] [--no-fit]` (needs
`prusa-slicer` on PATH for meshes not yet in the table) prepares every mesh of
`calibration_set()`, slices the exported STL with PrusaSlicer (one process at a time),
fits a few physical constants of `PrintSettings` and writes the table to
`engines/printprep/calibration.json`. Errors count prints under 5 min against 5 min.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import trimesh
from scipy.optimize import least_squares

from engines.printprep import MATERIALS, PRINTERS, prepare
from engines.printprep.profiles import SLICER_PROFILE
from engines.printprep.slicer import gcode_filament_mm, run_prusa_slicer
from engines.printprep.slicing import (
    LayerStack,
    PrintSettings,
    estimate_print,
    layer_times,
    print_time_s,
    slice_layers,
)

from .calibration_set import calibration_set

TABLE = Path(__file__).resolve().parents[2] / "engines" / "printprep" / "calibration.json"
FITTED = (
    "acceleration_mm_s2",
    "layer_change_s",
    "island_travel_s",
    "loop_travel_s",
    "travel_factor",
    "infill_length_factor",
    "start_s",
)
LOW = (300.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0)
HIGH = (20000.0, 5.0, 5.0, 2.0, 3.0, 2.0, 120.0)
PRINTER, MATERIAL, LAYER_MM, INFILL = "prusa_mk4", "PLA", 0.2, 0.15
FLOOR_S = 300.0  # prints under 5 min are counted against 5 min
FOLDS = 4


def error_pct(ours_s: float, slicer_s: float) -> float:
    """Signed error (%) of our time against the slicer's, short prints against 5 min."""
    return 100.0 * (ours_s - slicer_s) / max(slicer_s, FLOOR_S)


def measure(
    name: str, mesh: trimesh.Trimesh, work: Path, cached: dict | None
) -> tuple[dict, LayerStack]:
    """Prepare one mesh (timed) and slice its STL with PrusaSlicer unless cached (timed)."""
    stem = name.replace(":", "_").replace(".", "_")
    src = work / f"src_{stem}.stl"
    mesh.export(src)
    units = "auto" if "inch" in name else "mm"
    started = time.perf_counter()
    report = prepare(src, work, stem=stem, printer=PRINTER, material=MATERIAL,
                     layer_height_mm=LAYER_MM, infill_fraction=INFILL, units=units,
                     use_slicer=False)  # fmt: skip
    prepare_s = time.perf_counter() - started
    placed = trimesh.load(report.stl_path, force="mesh")
    row = {"mesh": name, "triangles": len(placed.faces), "prepare_s": round(prepare_s, 3)}
    if cached and cached.get("triangles") == row["triangles"]:
        keep = ("prusaslicer_s", "prusaslicer_filament_m", "slice_s")
        row.update({k: cached[k] for k in keep})
    else:
        started = time.perf_counter()
        run = run_prusa_slicer(
            Path(report.stl_path), work / f"{stem}.gcode", PRINTERS[PRINTER], MATERIALS[MATERIAL],
            LAYER_MM, INFILL,
        )  # fmt: skip
        if run.print_time_s is None or run.gcode_path is None:
            raise SystemExit(f"prusa-slicer gave no time for {name}: {run.note}")
        row["slice_s"] = round(time.perf_counter() - started, 3)
        row["prusaslicer_s"] = run.print_time_s
        filament_mm = gcode_filament_mm(Path(run.gcode_path)) or 0.0
        row["prusaslicer_filament_m"] = round(filament_mm / 1000.0, 4)
    first_mm = SLICER_PROFILE.first_layer_height_mm
    return row, slice_layers(placed, LAYER_MM, (2 * PRINTERS[PRINTER].nozzle_mm) ** 2, first_mm)


def _settings(base: PrintSettings, x: np.ndarray) -> PrintSettings:
    """base with the fitted constants set to x."""
    return dataclasses.replace(base, **dict(zip(FITTED, x.tolist(), strict=True)))


def fit(rows: list[dict], stacks: list[LayerStack], base: PrintSettings) -> PrintSettings:
    """Least squares on the floored relative error of the fitted constants."""
    printer = PRINTERS[PRINTER]
    target = np.array([r["prusaslicer_s"] for r in rows])

    def residual(x: np.ndarray) -> np.ndarray:
        s = _settings(base, x)
        ours = np.array([print_time_s(layer_times(st, printer, INFILL, s), s) for st in stacks])
        return (ours - target) / np.maximum(target, FLOOR_S)

    start = np.clip([getattr(base, k) for k in FITTED], LOW, HIGH)
    return _settings(base, least_squares(residual, start, bounds=(LOW, HIGH)).x)


def held_out_errors(rows: list[dict], stacks: list[LayerStack], base: PrintSettings) -> list[float]:
    """Error (%) of each mesh under constants fitted without its fold (k-fold)."""
    out = [0.0] * len(rows)
    printer, material = PRINTERS[PRINTER], MATERIALS[MATERIAL]
    for fold in range(FOLDS):
        train = [i for i in range(len(rows)) if i % FOLDS != fold]
        s = fit([rows[i] for i in train], [stacks[i] for i in train], base)
        for i in range(fold, len(rows), FOLDS):
            ours = estimate_print(stacks[i], printer, material, INFILL, s).print_time_s
            out[i] = error_pct(ours, rows[i]["prusaslicer_s"])
    return out


def main(argv: list[str]) -> None:
    """Measure, fit (unless --no-fit), print the figures and write the table."""
    old = json.loads(TABLE.read_text()) if TABLE.exists() else {}
    cache = {} if "--reslice" in argv else {r["mesh"]: r for r in old.get("table", [])}
    rows, stacks = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name, mesh in calibration_set().items():
            row, stack = measure(name, mesh, Path(tmp), cache.get(name))
            rows.append(row)
            stacks.append(stack)
            print(f"{name:32s} prusa {row['prusaslicer_s']:8.0f} s", flush=True)
    base = PrintSettings()
    fitted = base if "--no-fit" in argv else fit(rows, stacks, base)
    held = held_out_errors(rows, stacks, base) if "--no-fit" not in argv else [None] * len(rows)
    printer, material = PRINTERS[PRINTER], MATERIALS[MATERIAL]
    estimates = [estimate_print(st, printer, material, INFILL) for st in stacks]
    flow = float(
        np.median(
            [
                r["prusaslicer_filament_m"] / e.filament_m
                for r, e in zip(rows, estimates, strict=True)
            ]
        )
        * base.flow_factor
    )
    fitted = dataclasses.replace(fitted, flow_factor=round(flow, 4))
    table = []
    for row, stack, held_pct in zip(rows, stacks, held, strict=True):
        est = estimate_print(stack, printer, material, INFILL, fitted)
        table.append(
            {
                **row,
                "ours_s": round(est.print_time_s, 1),
                "time_error_pct": round(error_pct(est.print_time_s, row["prusaslicer_s"]), 1),
                "held_out_time_error_pct": None if held_pct is None else round(held_pct, 1),
                "ours_filament_m": round(est.filament_m, 4),
            }
        )
    constants = {k: round(getattr(fitted, k), 4) for k in (*FITTED, "flow_factor")}
    errors = np.abs([r["time_error_pct"] for r in table])
    prep, slicing = sum(r["prepare_s"] for r in table), sum(r["slice_s"] for r in table)
    summary = {
        "meshes": len(table),
        "mean_abs_time_error_pct": round(float(errors.mean()), 1),
        "worst_abs_time_error_pct": round(float(errors.max()), 1),
        "prepare_over_slice_time": round(prep / slicing, 3),
    }
    if held[0] is not None:
        held_abs = np.abs(np.array(held, dtype=float))
        summary["held_out_mean_abs_time_error_pct"] = round(float(held_abs.mean()), 1)
        summary["held_out_worst_abs_time_error_pct"] = round(float(held_abs.max()), 1)
    data = {
        "slicer": "PrusaSlicer 2.5.0 (Debian prusa-slicer), profiles.SLICER_PROFILE",
        "settings": {
            "printer": PRINTER,
            "material": MATERIAL,
            "layer_height_mm": LAYER_MM,
            "infill_fraction": INFILL,
            "floor_s": FLOOR_S,
        },  # fmt: skip
        "constants": constants,
        "summary": summary,
        "table": table,
    }
    TABLE.write_text(json.dumps(data, indent=1) + "\n")
    for r in table:
        print(
            f"{r['mesh']:32s} prusa {r['prusaslicer_s']:8.0f} s  ours {r['ours_s']:8.0f} s  "
            f"{r['time_error_pct']:+6.1f}%  held-out {r['held_out_time_error_pct']}"
        )
    print("constants:", json.dumps(constants))
    print("summary:", json.dumps(summary))


if __name__ == "__main__":
    main(sys.argv[1:])

"""Fit the print-time estimator to PrusaSlicer on our calibration meshes.

`.venv/bin/python -m bench.printprep.calibrate` (needs `prusa-slicer` on PATH) prints the
fitted constants to paste into `PrintSettings` and writes `engines/printprep/calibration.json`.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import trimesh
from scipy.optimize import least_squares

from engines.printprep import MATERIALS, PRINTERS, prepare
from engines.printprep.slicer import gcode_filament_mm
from engines.printprep.slicing import (
    LayerPaths,
    PrintSettings,
    layer_paths,
    print_time_s,
    slice_layers,
)

from .meshes import calibration_meshes

TABLE = Path(__file__).resolve().parents[2] / "engines" / "printprep" / "calibration.json"
FITTED = (
    "perimeter_speed_mm_s",
    "solid_speed_mm_s",
    "top_speed_mm_s",
    "infill_speed_mm_s",
    "layer_change_s",
    "island_travel_s",
    "loop_s",
    "start_s",
)
PRINTER, MATERIAL, LAYER_MM, INFILL = "prusa_mk4", "PLA", 0.2, 0.15


def sliced(name: str, mesh: trimesh.Trimesh, work: Path) -> dict:
    """Prepare one mesh with prusa-slicer; our layer paths and the slicer's figures."""
    src = work / f"{name.replace(':', '_')}.stl"
    mesh.export(src)
    started = time.perf_counter()
    report = prepare(src, work, stem=src.stem, printer=PRINTER, material=MATERIAL,
                     layer_height_mm=LAYER_MM, infill_fraction=INFILL)  # fmt: skip
    total_s = time.perf_counter() - started
    if report.slicer_print_time_s is None or report.gcode_path is None:
        raise SystemExit(f"prusa-slicer gave no time for {name}")
    placed = trimesh.load(report.stl_path, force="mesh")
    return {
        "name": name,
        "mesh": placed,
        "prusa_s": report.slicer_print_time_s,
        "prusa_filament_m": (gcode_filament_mm(Path(report.gcode_path)) or 0.0) / 1000.0,
        "ours_filament_m": report.filament_m,
        "prepare_s": total_s,
    }


def fit(rows: list[dict]) -> PrintSettings:
    """Least-squares fit (relative error) of speeds and overheads to the slicer's times."""
    base = PrintSettings()
    printer = PRINTERS[PRINTER]
    paths = [layer_paths(slice_layers(r["mesh"], LAYER_MM), printer, INFILL, base) for r in rows]
    target = np.array([r["prusa_s"] for r in rows])

    def settings(x: np.ndarray) -> PrintSettings:
        return dataclasses.replace(base, **dict(zip(FITTED, x.tolist(), strict=True)))

    def residual(x: np.ndarray) -> np.ndarray:
        return np.array([print_time_s(p, settings(x)) for p in paths]) / target - 1.0

    start = np.array([getattr(base, k) for k in FITTED])
    low = [5.0, 5.0, 5.0, 5.0, 0.0, 0.0, 0.0, 0.0]
    high = [300.0, 300.0, 300.0, 300.0, 30.0, 30.0, 30.0, 600.0]
    return settings(least_squares(residual, start, bounds=(low, high)).x)


def leave_one_out_error_pct(rows: list[dict], i: int) -> float:
    """Time error (%) on mesh i of constants fitted without it."""
    s = fit(rows[:i] + rows[i + 1 :])
    paths = layer_paths(slice_layers(rows[i]["mesh"], LAYER_MM), PRINTERS[PRINTER], INFILL, s)
    return 100 * (print_time_s(paths, s) / rows[i]["prusa_s"] - 1)


def flow_factor(rows: list[dict], s: PrintSettings) -> float:
    """Ratio of the slicer's filament to our geometric paths (median over meshes)."""
    printer, material = PRINTERS[PRINTER], MATERIALS[MATERIAL]
    area = np.pi * (material.filament_diameter_mm / 2) ** 2
    ours = []
    for r in rows:
        p: LayerPaths = layer_paths(slice_layers(r["mesh"], LAYER_MM), printer, INFILL, s)
        mm3 = float(
            (p.wall_mm + p.top_mm + p.solid_mm + p.infill_mm).sum() * p.line_width_mm * LAYER_MM
        )
        ours.append(mm3 / area / 1000.0)
    return float(np.median([r["prusa_filament_m"] / o for r, o in zip(rows, ours, strict=True)]))


def main() -> None:
    """Slice, fit, print the table and write it as data."""
    if shutil.which("prusa-slicer") is None:
        raise SystemExit("prusa-slicer is not installed: apt-get install -y prusa-slicer")
    with tempfile.TemporaryDirectory() as tmp:
        rows = [sliced(n, m, Path(tmp)) for n, m in calibration_meshes().items()]
    fitted = fit(rows)
    held_out = [leave_one_out_error_pct(rows, i) for i in range(len(rows))]
    fitted = dataclasses.replace(fitted, flow_factor=round(flow_factor(rows, fitted), 4))
    printer, material = PRINTERS[PRINTER], MATERIALS[MATERIAL]
    table = []
    for r in rows:
        p = layer_paths(slice_layers(r["mesh"], LAYER_MM), printer, INFILL, fitted)
        ours = print_time_s(p, fitted)
        extruded = float((p.wall_mm + p.top_mm + p.solid_mm + p.infill_mm).sum())
        ours_m = extruded * p.line_width_mm * LAYER_MM * fitted.flow_factor
        ours_m /= np.pi * (material.filament_diameter_mm / 2) ** 2 * 1000.0
        table.append(
            {
                "mesh": r["name"],
                "triangles": len(r["mesh"].faces),
                "prusaslicer_s": round(r["prusa_s"], 1),
                "ours_s": round(ours, 1),
                "time_error_pct": round(100 * (ours / r["prusa_s"] - 1), 1),
                "held_out_time_error_pct": round(held_out[len(table)], 1),
                "prusaslicer_filament_m": round(r["prusa_filament_m"], 3),
                "ours_filament_m": round(ours_m, 3),
                "filament_error_pct": round(
                    100 * (ours_m / max(r["prusa_filament_m"], 1e-9) - 1), 1
                ),
            }
        )
    constants = {k: round(getattr(fitted, k), 3) for k in (*FITTED, "flow_factor")}
    data = {
        "slicer": "PrusaSlicer 2.5.0 (Debian prusa-slicer), default print profile",
        "settings": {
            "printer": PRINTER,
            "material": MATERIAL,
            "layer_height_mm": LAYER_MM,
            "infill_fraction": INFILL,
        },  # fmt: skip
        "constants": constants,
        "table": table,
    }
    TABLE.write_text(json.dumps(data, indent=1) + "\n")
    print("constants for PrintSettings:", json.dumps(constants))
    for row in table:
        print(json.dumps(row))
    errors = np.abs([row["time_error_pct"] for row in table])
    print(f"time error: mean {errors.mean():.1f}%, max {errors.max():.1f}%")
    loo = np.abs(held_out)
    print(f"held-out (leave-one-out) time error: mean {loo.mean():.1f}%, max {loo.max():.1f}%")


if __name__ == "__main__":
    main()

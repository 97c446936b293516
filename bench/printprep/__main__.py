"""`nice -n 10 .venv/bin/python -m bench.printprep [--calibration] [sizes...]`.

Default: prepare time for bumpy spheres of 10k/100k/1M triangles (target: 10k under 2 s).
`--calibration`: on the 47 generated meshes of `calibration_set()`, prepare each one
(timed), slice the exported STL with PrusaSlicer (timed, one process at a time) and print
the mean and worst |error| of our estimate against PrusaSlicer's (prints under 5 min
counted against 5 min; target mean <= 10 %, worst <= 25 %) and the prepare / slice time
ratio, all measured in this run. Where `prusa-slicer` is on PATH the sphere lines also
show its estimate. A benchmark prints figures; it asserts nothing.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from engines.printprep import MATERIALS, PRINTERS, prepare
from engines.printprep.slicer import run_prusa_slicer

from .calibrate import error_pct
from .calibration_set import calibration_set
from .meshes import dense_sphere

SIZES = (10_000, 100_000, 1_000_000)


def bench_one(triangles: int, work: Path, with_slicer: bool) -> None:
    """Prepare one bumpy sphere and, when possible, slice it with PrusaSlicer."""
    source = work / f"sphere{triangles}.stl"
    mesh = dense_sphere(triangles)
    mesh.export(source)
    started = time.perf_counter()
    report = prepare(source, work / "out", stem=f"s{triangles}", use_slicer=False)
    prep_s = time.perf_counter() - started
    stages = " ".join(f"{k}={v:.2f}s" for k, v in report.timings_s.items())
    line = (
        f"{len(mesh.faces):>9,} triangles  prepare {prep_s:7.2f} s ({stages})  "
        f"estimate {report.print_time_s / 60:7.1f} min  {report.filament_g:6.1f} g"
    )
    if with_slicer:
        started = time.perf_counter()
        run = run_prusa_slicer(
            Path(report.stl_path), work / f"s{triangles}.gcode", PRINTERS["prusa_mk4"],
            MATERIALS["PLA"], 0.2, 0.15,
        )  # fmt: skip
        slice_s = time.perf_counter() - started
        if run.print_time_s:
            error = 100 * (report.print_time_s / run.print_time_s - 1)
            line += (
                f"  | prusa-slicer {run.print_time_s / 60:7.1f} min (ours {error:+5.1f}%)"
                f"  slicing {slice_s:7.2f} s  prepare/slice {prep_s / slice_s:5.2f}"
            )
        else:
            line += f"  | prusa-slicer: {run.note}"
    print(line, flush=True)


def bench_calibration(work: Path) -> None:
    """Errors against PrusaSlicer and prepare/slice time ratio on the calibration set."""
    errors, prepare_s, slice_s = [], 0.0, 0.0
    for name, mesh in calibration_set().items():
        source = work / "part.stl"
        mesh.export(source)
        units = "auto" if "inch" in name else "mm"
        started = time.perf_counter()
        report = prepare(source, work / "out", stem="part", units=units, use_slicer=False)
        prep = time.perf_counter() - started
        started = time.perf_counter()
        run = run_prusa_slicer(
            Path(report.stl_path), work / "part.gcode", PRINTERS["prusa_mk4"], MATERIALS["PLA"],
            0.2, 0.15,
        )  # fmt: skip
        sliced = time.perf_counter() - started
        if run.print_time_s is None:
            print(f"{name:32s} prusa-slicer: {run.note}", flush=True)
            continue
        if report.status != "ready":
            print(f"{name:32s} {report.status} (no estimate): {report.reason}", flush=True)
            continue
        error = error_pct(report.print_time_s, run.print_time_s)
        errors.append(abs(error))
        prepare_s, slice_s = prepare_s + prep, slice_s + sliced
        print(
            f"{name:32s} {len(mesh.faces):>7,} tri  ours {report.print_time_s:8.0f} s  "
            f"prusa-slicer {run.print_time_s:8.0f} s  {error:+6.1f}%  "
            f"prepare {prep:6.2f} s  slice {sliced:6.2f} s",
            flush=True,
        )
    print(
        f"{len(errors)} meshes: mean |error| {np.mean(errors):.1f}%, worst {np.max(errors):.1f}% "
        f"(prints under 5 min against 5 min); prepare/slice time {prepare_s / slice_s:.3f} "
        f"({prepare_s:.1f} s / {slice_s:.1f} s)"
    )


def main(argv: list[str]) -> None:
    """Run the sizes given (triangle counts) or the default three; or the calibration set."""
    if "--calibration" in argv:
        if shutil.which("prusa-slicer") is None:
            raise SystemExit("--calibration needs prusa-slicer on PATH")
        with tempfile.TemporaryDirectory() as tmp:
            bench_calibration(Path(tmp))
        return
    sizes = [int(a) for a in argv] or list(SIZES)
    with_slicer = shutil.which("prusa-slicer") is not None
    if not with_slicer:
        print("prusa-slicer not on PATH: preparation times only")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            bench_one(n, Path(tmp), with_slicer)


if __name__ == "__main__":
    main(sys.argv[1:] if __package__ == "bench.printprep" and len(sys.argv) > 1 else [])

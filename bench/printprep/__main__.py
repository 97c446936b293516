"""`.venv/bin/python -m bench.printprep [sizes...]`: prepare time for 10k/100k/1M triangles.

Where `prusa-slicer` is on PATH it also slices the same oriented mesh and prints its time
estimate beside ours (target ±15%) and our preparation time over its slicing time (target ≤ 1).
A benchmark prints figures; it asserts nothing.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from engines.printprep import MATERIALS, PRINTERS, prepare
from engines.printprep.slicer import run_prusa_slicer

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


def main(argv: list[str]) -> None:
    """Run the sizes given (triangle counts) or the default three."""
    sizes = [int(a) for a in argv] or list(SIZES)
    with_slicer = shutil.which("prusa-slicer") is not None
    if not with_slicer:
        print("prusa-slicer not on PATH: preparation times only")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            bench_one(n, Path(tmp), with_slicer)


if __name__ == "__main__":
    main(sys.argv[1:] if __package__ == "bench.printprep" and len(sys.argv) > 1 else [])

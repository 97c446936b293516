"""Optional headless PrusaSlicer run for a real G-code and print time (s)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .profiles import SLICER_PROFILE, Material, PrinterProfile

_TIME_LINE = re.compile(r";\s*estimated printing time \(normal mode\)\s*=\s*(.+)$")
_TIME_PART = re.compile(r"(\d+)\s*([dhms])")
_UNIT_S = {"d": 86400, "h": 3600, "m": 60, "s": 1}


@dataclass(frozen=True)
class SlicerRun:
    """Outcome of the external slicer: G-code path and time (s), or why there is none."""

    gcode_path: str | None
    print_time_s: float | None
    note: str
    severity: Literal["info", "warning"] = "info"


def parse_duration_s(text: str) -> float | None:
    """Seconds in a PrusaSlicer duration such as '1d 2h 3m 4s'; None if none found."""
    parts = _TIME_PART.findall(text)
    return float(sum(int(n) * _UNIT_S[u] for n, u in parts)) if parts else None


def gcode_filament_mm(gcode: Path) -> float | None:
    """The '; filament used [mm] = ...' comment of a G-code (mm of filament)."""
    with gcode.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.startswith("; filament used [mm] ="):
                return float(line.split("=", 1)[1].split(",")[0])
    return None


def gcode_print_time_s(gcode: Path) -> float | None:
    """The '; estimated printing time (normal mode) = ...' comment of a G-code, in seconds."""
    with gcode.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            match = _TIME_LINE.match(line.strip())
            if match:
                return parse_duration_s(match.group(1))
    return None


def run_prusa_slicer(
    stl: Path,
    gcode: Path,
    printer: PrinterProfile,
    material: Material,
    layer_height_mm: float,
    infill_fraction: float,
    timeout_s: float = 600.0,
) -> SlicerRun:
    """Slice with `prusa-slicer` when it is on PATH; never raises for a missing or failed run."""
    exe = shutil.which("prusa-slicer")
    if exe is None:
        return SlicerRun(None, None, "prusa-slicer is not installed; times are geometric estimates")
    bx, by, bz = printer.build_volume_mm
    command = [
        exe,
        "--export-gcode",
        "--layer-height", f"{layer_height_mm:g}",
        "--fill-density", f"{infill_fraction * 100:.0f}%",
        "--nozzle-diameter", f"{printer.nozzle_mm:g}",
        "--filament-diameter", f"{material.filament_diameter_mm:g}",
        "--filament-density", f"{material.density_g_cm3:g}",
        "--bed-shape", f"0x0,{bx:g}x0,{bx:g}x{by:g},0x{by:g}",
        "--max-print-height", f"{bz:g}",
        *SLICER_PROFILE.cli_args(),
        "-o", str(gcode),
        str(stl),
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return SlicerRun(None, None, f"prusa-slicer did not finish: {exc}", "warning")
    if done.returncode != 0 or not gcode.is_file():
        tail = (done.stderr or done.stdout).strip()[-300:]
        note = f"prusa-slicer failed (exit {done.returncode}): {tail}"
        return SlicerRun(None, None, note, "warning")
    seconds = gcode_print_time_s(gcode)
    note = "sliced with prusa-slicer" + ("" if seconds else "; no print time in the G-code")
    return SlicerRun(str(gcode), seconds, note)

"""The factory's own lines from CSV, validated with per-line errors (the header is line 1).

`parse_line` is the one rule for a line, whatever brings it: a CSV row, or the cells of the
lines page's form (api/routes/line_pages.py), so the page refuses exactly what an import does.

Columns: line_id, process, rate_units_per_day, and optionally site, shift_hours, days_off
(weekdays 0..6 separated by spaces or semicolons), ramp_days, ramp_start_fraction,
changeover_days, active (true/false). A line must be able to make something: a rate above zero,
some working hours and at least one working weekday.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

REQUIRED = ("line_id", "process", "rate_units_per_day")
OPTIONAL = (
    "site", "shift_hours", "days_off", "ramp_days", "ramp_start_fraction", "changeover_days",
    "active",
)  # fmt: skip
COLUMNS = REQUIRED + OPTIONAL
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_PROCESS = re.compile(r"^[a-z0-9_]{1,64}$")
MAX_ROWS = 10_000


@dataclass
class ParsedLines:
    """Valid lines (FactoryLine fields), errors as {line, message}, data rows read."""

    lines: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, int | str]] = field(default_factory=list)
    rows: int = 0


def _number(row: Mapping[str, str], key: str, default: float, lo: float, hi: float) -> float:
    """A number within [lo, hi] (the default when the cell is empty); ValueError naming it."""
    raw = (row.get(key) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{key} must be a number, got {raw!r}") from None
    if not lo <= value <= hi:
        raise ValueError(f"{key} must be between {lo:g} and {hi:g}, got {raw}")
    return value


def _days_off(raw: str) -> list[int]:
    """Weekdays 0..6 from '5 6' or '5;6'."""
    out = []
    for part in re.split(r"[ ;]+", raw.strip()):
        if not part:
            continue
        if not part.isdigit() or not 0 <= int(part) <= 6:
            raise ValueError(f"days_off are weekdays 0..6, got {part!r}")
        out.append(int(part))
    if len(set(out)) >= 7:
        raise ValueError("days_off leaves no working day: the line could never make anything")
    return sorted(set(out))


def parse_line(row: Mapping[str, str]) -> dict[str, Any]:
    """One validated line's FactoryLine fields from its cells (an empty cell: the default);
    ValueError naming the bad cell."""
    line_id = (row.get("line_id") or "").strip()
    if not _ID.match(line_id):
        raise ValueError(f"line_id must be 1-64 letters, digits, '_', '.' or '-', got {line_id!r}")
    process = (row.get("process") or "").strip()
    if not _PROCESS.match(process):
        raise ValueError(f"process must be a lower-case name like plush_sewing, got {process!r}")
    rate = _number(row, "rate_units_per_day", 0.0, 0.0, 1_000_000)
    if rate <= 0:
        raise ValueError("rate_units_per_day must be above 0: a line that makes nothing")
    shift = _number(row, "shift_hours", 8.0, 0.0, 24.0)
    if shift <= 0:
        raise ValueError("shift_hours must be above 0: a calendar with no working time")
    active = (row.get("active") or "true").strip().lower()
    if active not in ("true", "false", "1", "0", "yes", "no"):
        raise ValueError(f"active must be true or false, got {active!r}")
    return {
        "line_id": line_id,
        "process": process,
        "rate_units_per_day": rate,
        "site": (row.get("site") or "own factory").strip()[:128] or "own factory",
        "shift_hours": shift,
        "days_off": _days_off(row.get("days_off") or ""),
        "ramp_days": int(_number(row, "ramp_days", 3, 0, 60)),
        "ramp_start_fraction": _number(row, "ramp_start_fraction", 0.4, 0.01, 1.0),
        "changeover_days": _number(row, "changeover_days", 0.5, 0.0, 30.0),
        "active": active in ("true", "1", "yes"),
    }


def line_cells(line: Mapping[str, Any]) -> dict[str, str]:
    """A line's fields as the cells `parse_line` reads back to the same fields: what the
    page's form shows, and what an edit of some cells merges into."""
    cells = {}
    for key in COLUMNS:
        value = line[key]
        if key == "days_off":
            cells[key] = " ".join(str(d) for d in value)
        elif key == "active":
            cells[key] = "true" if value else "false"
        elif isinstance(value, float):
            cells[key] = f"{value:.12g}"
        else:
            cells[key] = str(value)
    return cells


def parse_lines_csv(text: str) -> ParsedLines:
    """Every row validated; a file with any error imports nothing (the caller's rule)."""
    out = ParsedLines()
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        out.errors.append({"line": 1, "message": f"missing columns: {', '.join(missing)}"})
        return out
    unknown = sorted(set(reader.fieldnames or []) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        out.errors.append({"line": 1, "message": f"unknown columns: {', '.join(unknown)}"})
        return out
    seen: dict[str, int] = {}
    for number, row in enumerate(reader, start=2):
        out.rows += 1
        if out.rows > MAX_ROWS:
            out.errors.append({"line": number, "message": f"more than {MAX_ROWS:,} lines"})
            break
        try:
            line = parse_line(row)
        except ValueError as err:
            out.errors.append({"line": number, "message": str(err)})
            continue
        if line["line_id"] in seen:
            message = f"line_id {line['line_id']} repeats line {seen[line['line_id']]}"
            out.errors.append({"line": number, "message": message})
            continue
        seen[line["line_id"]] = number
        out.lines.append(line)
    if out.rows == 0 and not out.errors:
        out.errors.append({"line": 2, "message": "no lines in the file"})
    return out

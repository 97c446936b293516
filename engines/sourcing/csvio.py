"""Supplier CSV import: one row per supplier capability, validated with per-line errors."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from engines.sourcing.network import SupplierRecord

COLUMNS = (
    "code",
    "name",
    "town",
    "lat",
    "lon",
    "lead_time_days",
    "moq_units",
    "quality",
    "process",
    "capacity_units_per_day",
    "unit_cost_usd",
)
_PROCESS = re.compile(r"^[a-z0-9_]{1,64}$")
_SUPPLIER_FIELDS = ("name", "town", "lat", "lon", "lead_time_days", "moq_units", "quality")


@dataclass(frozen=True)
class CsvRowError:
    """A problem on one line of the file (1-based, the header is line 1)."""

    line: int
    message: str


@dataclass
class ParsedSuppliers:
    """Valid suppliers merged by code, errors per line, and how many data rows were read."""

    suppliers: list[SupplierRecord] = field(default_factory=list)
    errors: list[CsvRowError] = field(default_factory=list)
    rows: int = 0


def _number(row: dict[str, str], key: str, lo: float, hi: float, integer: bool = False) -> float:
    """A numeric cell within [lo, hi]; ValueError naming the column otherwise."""
    raw = (row.get(key) or "").strip()
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        kind = "an integer" if integer else "a number"
        raise ValueError(f"{key} must be {kind}, got {raw!r}") from None
    if not lo <= value <= hi:
        raise ValueError(f"{key} must be between {lo:g} and {hi:g}, got {raw}")
    return value


def _parse_row(row: dict[str, str]) -> SupplierRecord:
    """One validated row as a single-capability SupplierRecord."""
    text = {k: (row.get(k) or "").strip() for k in ("code", "name", "town", "process")}
    for key in ("code", "name", "town", "process"):
        if not text[key]:
            raise ValueError(f"{key} is empty")
    if len(text["code"]) > 64 or len(text["name"]) > 200 or len(text["town"]) > 64:
        raise ValueError("code/town must be at most 64 characters, name at most 200")
    if not _PROCESS.match(text["process"]):
        raise ValueError(f"process must be lower_snake_case, got {text['process']!r}")
    return SupplierRecord(
        code=text["code"],
        name=text["name"],
        town=text["town"],
        lat=_number(row, "lat", -90, 90),
        lon=_number(row, "lon", -180, 180),
        lead_time_days=_number(row, "lead_time_days", 0, 365),
        moq_units=int(_number(row, "moq_units", 0, 10_000_000, integer=True)),
        quality=_number(row, "quality", 0, 1),
        capabilities={
            text["process"]: (
                int(_number(row, "capacity_units_per_day", 1, 100_000_000, integer=True)),
                _number(row, "unit_cost_usd", 0, 100_000),
            )
        },
    )


def _merge(into: SupplierRecord, rec: SupplierRecord) -> str | None:
    """Add rec's capability to the same supplier; the problem when the rows disagree."""
    differ = [f for f in _SUPPLIER_FIELDS if getattr(into, f) != getattr(rec, f)]
    if differ:
        return f"supplier {rec.code} repeats with different {', '.join(differ)}"
    process = next(iter(rec.capabilities))
    if process in into.capabilities:
        return f"supplier {rec.code} lists process {process} twice"
    into.capabilities.update(rec.capabilities)
    return None


def parse_supplier_csv(text: str) -> ParsedSuppliers:
    """Parse supplier CSV text (header + one row per capability); errors carry their line."""
    out = ParsedSuppliers()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        out.errors.append(CsvRowError(1, f"missing columns: {', '.join(missing)}"))
        return out
    by_code: dict[str, SupplierRecord] = {}
    for row in reader:
        out.rows += 1
        line = reader.line_num
        try:
            rec = _parse_row(row)
        except ValueError as err:
            out.errors.append(CsvRowError(line, str(err)))
            continue
        problem = _merge(by_code[rec.code], rec) if rec.code in by_code else None
        by_code.setdefault(rec.code, rec)
        if problem:
            out.errors.append(CsvRowError(line, problem))
    if out.rows == 0:
        out.errors.append(CsvRowError(1, "no data rows"))
    out.suppliers = list(by_code.values())
    return out

"""Downloads for spreadsheets: a plan's daily quantities and its lots per line, and the
factory's bookings per line and day, as CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from models.tables import ProductionPlan

DAILY_COLUMNS = ("line_id", "owner", "process", "rate_units_per_day", "day", "units")
LOT_COLUMNS = ("line_id", "owner", "process", "lot", "units", "start_day", "end_day")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe.

    Line ids and owners come from supplier imports, so `=HYPERLINK(...)` must stay text.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
    """CSV text (CRLF rows, as spreadsheets expect) with every cell spreadsheet-safe."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(header)
    w.writerows([spreadsheet_safe(c) for c in row] for row in rows)
    return out.getvalue()


def daily_csv(plan: ProductionPlan) -> str:
    """Units the finishing lines ship per factory day: lines in plan order, days rising."""
    info = {str(ln.get("line_id")): ln for ln in plan.lines}
    rank = {line_id: k for k, line_id in enumerate(info)}
    rows = []
    for d in plan.daily:
        ln = info.get(str(d["line_id"]), {})
        rows.append(
            (
                str(d["line_id"]),
                ln.get("owner", ""),
                ln.get("process", ""),
                ln.get("rate_units_per_day", ""),
                int(d["day"]),
                int(d["units"]),
            )
        )
    rows.sort(key=lambda r: (rank.get(r[0], len(rank)), r[0], r[4]))
    return _table(DAILY_COLUMNS, rows)


def lots_csv(plan: ProductionPlan) -> str:
    """Every lot on every line of every stage, in run order: a work list per line.

    Start and end are factory days with the fraction of the day (2.25 = a quarter into day 2);
    units stay empty for plans stored before lots carried them.
    """
    owner = {str(ln.get("line_id")): ln.get("owner", "") for ln in plan.lines}
    rows = [
        (str(line), owner.get(str(line), ""), str(stage), int(lot), units[0] if units else "", a, b)
        for line, lot, stage, a, b, *units in plan.gantt or []
    ]
    rows.sort(key=lambda r: (r[0], r[5], r[3]))
    return _table(LOT_COLUMNS, rows)


BOOKING_COLUMNS = ("line_id", "process", "date", "hours", "status", "trend_id", "idea",
                   "workflow_id", "revision")  # fmt: skip


def bookings_csv(rows: list[tuple[Any, ...]]) -> str:
    """Every own line × day booked (services.factory.booking_days), as CSV."""
    return _table(BOOKING_COLUMNS, rows)

"""A plan's Gantt bars and daily units carried onto the own-line time a portfolio replan moved
its lots to, so the revision the pipeline adopts says where and when each unit is made.

The replaced time (old spans) and the new time (new spans), each in order of start then line,
are laid end to end; a moment of the old time maps to the same share of the new time (a lot on
a slower line takes longer, its units stay the same). Time outside the old spans stays put."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Span = tuple[str, float, float]  # line, start day, end day (days of the plan)


@dataclass(frozen=True)
class Piece:
    """Part of an interval after the move: line, [start, end) days, share of the interval."""

    line_id: str
    start_day: float
    end_day: float
    share: float


def _laid(spans: Sequence[Span]) -> list[tuple[Span, float]]:
    """Spans in order with where each begins on the end-to-end timeline."""
    out, at = [], 0.0
    for span in sorted(spans, key=lambda s: (s[1], s[0])):
        out.append((span, at))
        at += span[2] - span[1]
    return out


def pieces(
    line_id: str, a: float, b: float, old: Sequence[Span], new: Sequence[Span]
) -> list[Piece]:
    """Where [a, b) on `line_id` is after the move (shares add up to 1)."""
    if b <= a:
        return [Piece(line_id, a, b, 1.0)]
    old_laid, new_laid = _laid(old), _laid(new)
    total_old = sum(s[2] - s[1] for s in old)
    total_new = sum(s[2] - s[1] for s in new)
    scale = total_new / total_old if total_old > 0 else 1.0
    out: list[Piece] = []
    covered: list[tuple[float, float]] = []
    for (line, s, e), at in old_laid:
        lo, hi = max(a, s), min(b, e)
        if line != line_id or hi <= lo:
            continue
        covered.append((lo, hi))
        c1, c2 = (at + lo - s) * scale, (at + hi - s) * scale
        for (nline, ns, ne), nat in new_laid:
            x, y = max(c1, nat), min(c2, nat + ne - ns)
            if y > x or (c1 == c2 and nat <= c1 < nat + ne - ns):
                share = (hi - lo) * ((y - x) / (c2 - c1) if c2 > c1 else 1.0) / (b - a)
                out.append(Piece(nline, ns + x - nat, ns + y - nat, share))
    at = a  # the parts outside the replaced time stay where they were
    for lo, hi in [*sorted(covered), (b, b)]:
        if lo > at:
            out.append(Piece(line_id, at, lo, (lo - at) / (b - a)))
        at = max(at, hi)
    return out


def _split(units: int, parts: Sequence[Piece]) -> list[int]:
    """Units split by share, rounded so that they add up."""
    out, cum, given = [], 0.0, 0
    for p in parts:
        cum += p.share
        upto = round(units * min(cum, 1.0))
        out.append(upto - given)
        given = upto
    out[-1] += units - given
    return out


def move_gantt(
    gantt: Sequence[Sequence[Any]], old: Sequence[Span], new: Sequence[Span]
) -> list[list[Any]]:
    """Gantt rows [line, lot, stage, start, end(, units)] after the move."""
    lines = {s[0] for s in old}
    out: list[list[Any]] = []
    for row in gantt:
        if str(row[0]) not in lines:
            out.append(list(row))
            continue
        parts = pieces(str(row[0]), float(row[3]), float(row[4]), old, new)
        units = _split(int(row[5]), parts) if len(row) > 5 else [None] * len(parts)
        for p, u in zip(parts, units, strict=True):
            bar = [p.line_id, row[1], row[2], round(p.start_day, 4), round(p.end_day, 4)]
            out.append(bar + ([u] if u is not None else []))
    return out


def move_daily(
    daily: Sequence[tuple[str, int, int]], old: Sequence[Span], new: Sequence[Span]
) -> list[tuple[str, int, int]]:
    """Daily units (line, day, units) after the move: a day's units go to the day each share
    of it starts on; days of one line merged."""
    lines = {s[0] for s in old}
    days: dict[tuple[str, int], int] = {}
    for line, day, units in daily:
        parts = pieces(line, day, day + 1, old, new) if line in lines else []
        if not parts:
            days[(line, day)] = days.get((line, day), 0) + units
            continue
        for p, u in zip(parts, _split(units, parts), strict=True):
            key = (p.line_id, math.floor(p.start_day + 1e-9))
            days[key] = days.get(key, 0) + u
    return sorted(
        ((line, day, u) for (line, day), u in days.items() if u), key=lambda r: (r[1], r[0])
    )


def move_lines(
    lines: Sequence[dict[str, Any]],
    gantt: Sequence[Sequence[Any]],
    touched: set[str],
    known: dict[str, tuple[str, str, float]],
) -> list[dict[str, Any]]:
    """The plan's line summaries after the move: each touched line (one the move took time
    from or gave time to) summed again from its moved Gantt bars, dropped when it has none;
    `known`: line → (owner, process, units/day) for a line new to the plan."""
    bars: dict[str, list[Sequence[Any]]] = {}
    for row in gantt:
        bars.setdefault(str(row[0]), []).append(row)
    out = [dict(ln) for ln in lines if ln["line_id"] not in touched]
    was = {ln["line_id"]: ln for ln in lines}
    for line_id in sorted(touched):
        rows = bars.get(line_id, [])
        if not rows or (line_id not in was and line_id not in known):
            continue
        owner, process, rate = known.get(line_id) or (
            was[line_id]["owner"],
            was[line_id]["process"],
            was[line_id]["rate_units_per_day"],
        )
        start = math.floor(min(float(r[3]) for r in rows))
        end = max(start, math.ceil(max(float(r[4]) for r in rows)) - 1)
        units = sum(int(r[5]) for r in rows if len(r) > 5)
        out.append({
            "line_id": line_id, "owner": owner, "process": process,
            "rate_units_per_day": rate, "start_day": start, "end_day": end, "units": units,
            "utilisation": round(units / ((end - start + 1) * rate), 4) if rate > 0 else 0.0,
        })  # fmt: skip
    return out

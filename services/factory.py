"""The factory's own lines and the time plans book on them (issue 21's first slice).

Every plan books the own-line time its schedule uses. A proposed plan holds its bookings until
they expire; approval makes them firm; rejection, cancellation, a replacing revision or the end
of production releases them. A new plan is scheduled around every other pipeline's held and
firm bookings, and its own are written in one serialised transaction that first checks no
booking written since overlaps them (PostgreSQL: an advisory lock; SQLite: BEGIN IMMEDIATE),
so two planners, threads or processes, never book the same line-hour.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.db import as_utc, session_scope
from models.tables import FactoryLine, LineBooking, Trend, utcnow
from services.locks import serialise

BOOKING_HOLD = timedelta(days=7)  # a proposed plan's hold on its lines, until approved
BOOK_LOCK_KEY = 7_442_019  # PostgreSQL advisory lock of the booking transaction
DEFAULT_LINES_PER_PROCESS = 2
DEFAULT_RATE_UNITS_PER_DAY = 2500.0
DAY = timedelta(days=1)


def default_lines() -> list[FactoryLine]:
    """The factory every new database starts with: two own lines per process at 2,500/day."""
    from engines.sourcing import PROCESSES

    return [
        FactoryLine(
            line_id=f"OWN-{process}-{k}",
            process=process,
            rate_units_per_day=DEFAULT_RATE_UNITS_PER_DAY,
        )
        for process in PROCESSES
        for k in range(1, DEFAULT_LINES_PER_PROCESS + 1)
    ]


def ensure_factory(engine: Engine) -> int:
    """Seed the default own lines when the factory has none; how many were written."""
    with Session(engine) as s:
        if s.exec(select(func.count()).select_from(FactoryLine)).one():
            return 0
        s.add_all(default_lines())
        try:
            s.commit()
        except IntegrityError:  # another worker seeded first
            s.rollback()
            return 0
    return len(default_lines())


def own_lines(engine: Engine, process: str) -> list[FactoryLine]:
    """The factory's active own lines of a process, in line order."""
    ensure_factory(engine)
    with Session(engine) as s:
        return list(
            s.exec(
                select(FactoryLine)
                .where(FactoryLine.process == process, col(FactoryLine.active).is_(True))
                .order_by(col(FactoryLine.line_id))
            )
        )


def _holding(q: Any, now: datetime) -> Any:
    """Bookings that hold their line now: firm, or held and not expired."""
    return q.where(
        or_(
            col(LineBooking.status) == "firm",
            (col(LineBooking.status) == "held") & (col(LineBooking.expires_at) > now),
        )
    )


@dataclass(frozen=True)
class Hold:
    """Another pipeline's booking on a line as [start, end) days from a plan's day 0; started:
    its time began before now (the lots on it run and stay put)."""

    line_id: str
    trend_id: int
    workflow_id: str
    status: str
    start_day: float
    end_day: float
    started: bool
    booking_id: int


def holds_on(
    engine: Engine, line_ids: Iterable[str], workflow_id: str, day0: datetime
) -> dict[str, list[Hold]]:
    """Per line, the bookings other pipelines hold now, as days from `day0` (past cut off)."""
    ids = list(line_ids)
    out: dict[str, list[Hold]] = {i: [] for i in ids}
    if not ids:
        return out
    now = utcnow()
    with Session(engine) as s:
        q = select(LineBooking).where(
            col(LineBooking.line_id).in_(ids), LineBooking.workflow_id != workflow_id
        )
        for b in s.exec(_holding(q, now)):
            a = (as_utc(b.start_at) - day0) / DAY
            z = (as_utc(b.end_at) - day0) / DAY
            if z > 0:
                started = as_utc(b.start_at) <= now
                assert b.id is not None
                hold = Hold(b.line_id, b.trend_id, b.workflow_id, b.status, max(a, 0.0), z,
                            started, b.id)  # fmt: skip
                out[b.line_id].append(hold)
    return {k: sorted(v, key=lambda h: h.start_day) for k, v in out.items()}


def holding_bookings(s: Session, now: datetime, line_id: str | None = None) -> list[LineBooking]:
    """Every booking that holds its line now (of one line, or all), earliest first."""
    q = select(LineBooking)
    if line_id is not None:
        q = q.where(LineBooking.line_id == line_id)
    return list(s.exec(_holding(q, now).order_by(col(LineBooking.start_at))))


def blocked_days(
    engine: Engine, line_ids: Iterable[str], workflow_id: str, day0: datetime
) -> dict[str, list[tuple[float, float]]]:
    """Per line, the time other pipelines hold as [start, end) days from `day0` (past cut off)."""
    held = holds_on(engine, line_ids, workflow_id, day0)
    return {k: [(h.start_day, h.end_day) for h in v] for k, v in held.items()}


def idea_priorities(engine: Engine, trend_ids: Iterable[int]) -> dict[int, float]:
    """Each idea's priority now (higher first): the planner's override, then how soon it is due
    and its order value (target price × volume); engines.scheduling.portfolio."""
    from engines.scheduling.portfolio import priority_score

    ids = set(trend_ids)
    if not ids:
        return {}
    now = utcnow()
    with Session(engine) as s:
        rows = s.exec(select(Trend).where(col(Trend.id).in_(ids)))
        return {
            t.id: priority_score(
                (as_utc(t.created_at) + t.due_in_days * DAY - now) / DAY,
                (t.target_price or 0.0) * t.expected_volume,
                t.priority_override,
            )
            for t in rows
            if t.id is not None
        }


@dataclass(frozen=True)
class Interval:
    """Time a plan uses one own line: [start, end) days from its day 0."""

    line_id: str
    start_day: float
    end_day: float


def used_intervals(gantt: Sequence[Sequence[Any]], own: set[str]) -> list[Interval]:
    """The plan's time on own lines from its Gantt rows, overlapping bars merged per line."""
    spans: dict[str, list[tuple[float, float]]] = {}
    for row in gantt:
        line, a, b = str(row[0]), float(row[3]), float(row[4])
        if line in own and b > a:
            spans.setdefault(line, []).append((a, b))
    out: list[Interval] = []
    for line, parts in sorted(spans.items()):
        parts.sort()
        start, end = parts[0]
        for a, b in parts[1:]:
            if a > end:
                out.append(Interval(line, start, end))
                start = a
            end = max(end, b)
        out.append(Interval(line, start, end))
    return out


def serialise_bookings(s: Session) -> None:
    """Make this transaction the only one booking until it commits, across processes."""
    serialise(s, BOOK_LOCK_KEY)


def conflicts(
    s: Session, intervals: Sequence[Interval], workflow_id: str, day0: datetime
) -> list[LineBooking]:
    """Other pipelines' holding bookings that overlap any of the intervals."""
    now = utcnow()
    found: list[LineBooking] = []
    for iv in intervals:
        start, end = day0 + iv.start_day * DAY, day0 + iv.end_day * DAY
        q = select(LineBooking).where(
            LineBooking.line_id == iv.line_id,
            LineBooking.workflow_id != workflow_id,
            col(LineBooking.start_at) < end,
            col(LineBooking.end_at) > start,
        )
        found += list(s.exec(_holding(q, now)))
    return found


def write_bookings(
    s: Session,
    intervals: Sequence[Interval],
    *,
    workflow_id: str,
    trend_id: int,
    revision: int,
    day0: datetime,
) -> None:
    """Hold the intervals for this plan revision (replacing what an earlier attempt held)."""
    for old in s.exec(
        select(LineBooking).where(
            LineBooking.workflow_id == workflow_id,
            LineBooking.revision == revision,
            LineBooking.status == "held",
        )
    ):
        s.delete(old)
    s.flush()
    expires = utcnow() + BOOKING_HOLD
    s.add_all(
        LineBooking(
            line_id=iv.line_id,
            workflow_id=workflow_id,
            trend_id=trend_id,
            revision=revision,
            start_at=day0 + iv.start_day * DAY,
            end_at=day0 + iv.end_day * DAY,
            expires_at=expires,
        )  # fmt: skip
        for iv in intervals
    )


def confirm_bookings(s: Session, workflow_id: str, revision: int) -> list[str]:
    """Approval (in a serialised transaction): this revision's bookings become firm, earlier
    revisions' are released. A booking whose time another pipeline took while its hold had
    expired is released instead, never double booked; what was lost, in words."""
    now = utcnow()
    lost: list[str] = []
    for b in s.exec(
        select(LineBooking).where(
            LineBooking.workflow_id == workflow_id, col(LineBooking.status) != "released"
        )
    ):
        if b.revision != revision:
            b.status, b.reason, b.released_at = "released", "replaced by an approved replan", now
        else:
            start = as_utc(b.start_at)
            iv = Interval(b.line_id, 0.0, (as_utc(b.end_at) - start) / DAY)
            taken = conflicts(s, [iv], workflow_id, start)
            if taken:
                why = f"taken by {taken[0].workflow_id} while this hold had expired"
                b.status, b.reason, b.released_at = "released", why[:500], now
                lost.append(
                    f"{b.line_id} {start:%Y-%m-%d %H:%M}–{as_utc(b.end_at):%Y-%m-%d %H:%M} {why}"
                )
            else:
                b.status, b.expires_at = "firm", None
        s.add(b)
    return lost


def release_held(s: Session, workflow_id: str, reason: str, revision: int | None = None) -> int:
    """Release a pipeline's holding bookings (one revision's, or all) in the caller's
    transaction; how many."""
    q = select(LineBooking).where(
        LineBooking.workflow_id == workflow_id, col(LineBooking.status) != "released"
    )
    if revision is not None:
        q = q.where(LineBooking.revision == revision)
    rows = list(s.exec(q))
    now = utcnow()
    for b in rows:
        b.status, b.reason, b.released_at = "released", reason[:500], now
        s.add(b)
    return len(rows)


def release_bookings(engine: Engine, workflow_id: str, reason: str) -> int:
    """Compensation: release every holding booking of a pipeline; how many."""
    with session_scope(engine) as s:
        return release_held(s, workflow_id, reason)


@dataclass
class LinesImport:
    """Outcome of a lines import: rows read, lines created and updated, per-line errors."""

    rows: int
    created: int = 0
    updated: int = 0
    errors: list[dict[str, int | str]] | None = None


def import_lines_csv(engine: Engine, text: str) -> LinesImport:
    """Upsert the factory's own lines by line_id from CSV, all or nothing."""
    from engines.scheduling.factory_csv import parse_lines_csv

    parsed = parse_lines_csv(text)
    if parsed.errors:
        return LinesImport(rows=parsed.rows, errors=parsed.errors)
    report = LinesImport(rows=parsed.rows)
    with session_scope(engine) as s:
        ids = [line["line_id"] for line in parsed.lines]
        known = {
            r.line_id: r
            for r in s.exec(select(FactoryLine).where(col(FactoryLine.line_id).in_(ids)))
        }
        for line in parsed.lines:
            row = known.get(line["line_id"])
            if row is None:
                report.created += 1
            else:
                report.updated += 1
            s.add(_filled(row or FactoryLine(**line), line))
    return report


def _filled(row: FactoryLine, fields: dict[str, Any]) -> FactoryLine:
    """The row with validated fields (engines.scheduling.factory_csv.parse_line) set."""
    for key, value in fields.items():
        setattr(row, key, value)
    return row


def _line(s: Session, line_id: str) -> FactoryLine | None:
    return s.exec(select(FactoryLine).where(FactoryLine.line_id == line_id)).first()


def add_line(engine: Engine, cells: Mapping[str, str]) -> FactoryLine:
    """A new own line from a form's cells, by the CSV's rules; ValueError with the reason (a
    bad cell, or a line_id taken) and nothing stored."""
    from engines.scheduling.factory_csv import parse_line

    fields = parse_line(cells)
    taken = ValueError(f"line {fields['line_id']} exists already: change it in its row")
    with session_scope(engine) as s:
        if _line(s, fields["line_id"]) is not None:
            raise taken
        row = FactoryLine(**fields)
        s.add(row)
        try:
            s.flush()
        except IntegrityError:  # added by someone else since the check
            raise taken from None
    return row


def edit_line(engine: Engine, line_id: str, cells: Mapping[str, str]) -> FactoryLine:
    """The line with some cells changed (the others as stored), by the CSV's rules: LookupError
    when there is no such line, ValueError with the reason and nothing stored when a cell is
    bad. Plans made from now on use it; bookings already held stay."""
    from engines.scheduling.factory_csv import line_cells, parse_line

    with session_scope(engine) as s:
        row = _line(s, line_id)
        if row is None:
            raise LookupError(f"line {line_id} does not exist")
        fields = parse_line({**line_cells(row.model_dump()), **cells, "line_id": line_id})
        s.add(_filled(row, fields))
    return row


@dataclass(frozen=True)
class LineLoad:
    """What plans hold of one line over the next days: booked days (firm or tentative), ideas."""

    booked_days: float
    ideas: int


def line_loads(engine: Engine, days: int) -> dict[str, LineLoad]:
    """Per line, the days of the next `days` that plans hold (lines nobody holds: absent)."""
    now = utcnow()
    end = now + days * DAY
    booked: dict[str, float] = {}
    ideas: dict[str, set[int]] = {}
    with Session(engine) as s:
        for b in holding_bookings(s, now):
            a, z = max(as_utc(b.start_at), now), min(as_utc(b.end_at), end)
            if z > a:
                booked[b.line_id] = booked.get(b.line_id, 0.0) + (z - a) / DAY
                ideas.setdefault(b.line_id, set()).add(b.trend_id)
    return {k: LineLoad(v, len(ideas[k])) for k, v in booked.items()}


def lines_with_bookings(engine: Engine) -> list[tuple[FactoryLine, list[LineBooking]]]:
    """Every own line with the bookings that hold it now, earliest first."""
    ensure_factory(engine)
    now = utcnow()
    with Session(engine) as s:
        lines = list(
            s.exec(select(FactoryLine).order_by(col(FactoryLine.process), col(FactoryLine.line_id)))
        )
        held: dict[str, list[LineBooking]] = {}
        for b in s.exec(_holding(select(LineBooking), now).order_by(col(LineBooking.start_at))):
            held.setdefault(b.line_id, []).append(b)
    return [(line, held.get(line.line_id, [])) for line in lines]


def plan_conflicts(engine: Engine, workflow_id: str, revision: int) -> dict[str, Any]:
    """What approving a plan revision would collide with: every other pipeline's holding booking
    (tentative or firm) overlapping the time the plan books (a plan whose hold expired may have
    lost it), and how many of its own holds have expired."""
    now = utcnow()
    out: list[dict[str, Any]] = []
    expired = 0
    with Session(engine) as s:
        mine = s.exec(
            select(LineBooking).where(
                LineBooking.workflow_id == workflow_id,
                LineBooking.revision == revision,
                col(LineBooking.status) != "released",
            )
        )
        for b in mine:
            if b.status == "held" and b.expires_at is not None and as_utc(b.expires_at) <= now:
                expired += 1
            iv = [Interval(b.line_id, 0.0, (as_utc(b.end_at) - as_utc(b.start_at)) / DAY)]
            for o in conflicts(s, iv, workflow_id, as_utc(b.start_at)):
                a = max(as_utc(b.start_at), as_utc(o.start_at))
                z = min(as_utc(b.end_at), as_utc(o.end_at))
                out.append({
                    "line_id": b.line_id, "start_at": a, "end_at": z,
                    "days": booked_dates(a, z), "trend_id": o.trend_id,
                    "workflow_id": o.workflow_id,
                    "status": "tentative" if o.status == "held" else o.status,
                })  # fmt: skip
    out.sort(key=lambda c: (c["line_id"], c["start_at"]))
    return {"conflicts": out, "expired_holds": expired}


def booked_dates(start: datetime, end: datetime) -> list[str]:
    """The UTC dates [start, end) touches, ISO."""
    day, last, out = start.date(), (end - timedelta(microseconds=1)).date(), []
    while day <= last:
        out.append(day.isoformat())
        day += DAY
    return out


def booking_days(engine: Engine) -> list[tuple[Any, ...]]:
    """Every line × day booked now: line, process, date, hours, firm | tentative, the idea."""
    now = utcnow()
    rows: list[tuple[Any, ...]] = []
    with Session(engine) as s:
        process = {ln.line_id: ln.process for ln in s.exec(select(FactoryLine))}
        held = holding_bookings(s, now)
        texts = {
            t.id: t.text[:80]
            for t in s.exec(select(Trend).where(col(Trend.id).in_({b.trend_id for b in held})))
        }
    for b in held:
        a, z = as_utc(b.start_at), as_utc(b.end_at)
        for iso in booked_dates(a, z):
            day = datetime.fromisoformat(iso).replace(tzinfo=a.tzinfo)
            hours = (min(z, day + DAY) - max(a, day)) / timedelta(hours=1)
            status = "tentative" if b.status == "held" else b.status
            rows.append((b.line_id, process.get(b.line_id, ""), iso, round(hours, 2), status,
                         b.trend_id, texts.get(b.trend_id, ""), b.workflow_id, b.revision))  # fmt: skip
    rows.sort(key=lambda r: (r[0], r[2], r[7]))
    return rows

"""The supplier network in the database: upsert by code (CSV import), seed the reference network."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from engines.sourcing.csvio import parse_supplier_csv
from models.db import session_scope
from models.tables import Supplier, SupplierCapability, SupplierReservation

SUPPLIER_FIELDS = ("name", "town", "lat", "lon", "lead_time_days", "moq_units", "quality")


class SupplierRow(Protocol):
    """A supplier to store: the fields of Supplier plus process → (units/day, unit cost USD)."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def town(self) -> str: ...
    @property
    def lat(self) -> float: ...
    @property
    def lon(self) -> float: ...
    @property
    def lead_time_days(self) -> float: ...
    @property
    def moq_units(self) -> int: ...
    @property
    def quality(self) -> float: ...
    @property
    def capabilities(self) -> Mapping[str, tuple[int, float]]: ...


@dataclass
class ImportReport:
    """Outcome of a supplier import: rows read, suppliers created/updated, per-line errors."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    capabilities: int = 0
    errors: list[dict[str, int | str]] = field(default_factory=list)


def upsert_suppliers(engine: Engine, suppliers: Sequence[SupplierRow], rows: int) -> ImportReport:
    """Insert or update suppliers and their capabilities by code, in one transaction."""
    report = ImportReport(rows=rows)
    with session_scope(engine) as s:
        codes = [r.code for r in suppliers]
        existing = {
            sup.code: sup for sup in s.exec(select(Supplier).where(col(Supplier.code).in_(codes)))
        }
        for rec in suppliers:
            sup = existing.get(rec.code) or Supplier(
                code=rec.code, name=rec.name, town="", lat=0, lon=0
            )
            report.created += rec.code not in existing
            report.updated += rec.code in existing
            for name in SUPPLIER_FIELDS:
                setattr(sup, name, getattr(rec, name))
            s.add(sup)
            s.flush()
            assert sup.id is not None
            report.capabilities += _upsert_capabilities(s, sup.id, rec.capabilities)
    return report


def _upsert_capabilities(
    s: Session, supplier_id: int, caps: Mapping[str, tuple[int, float]]
) -> int:
    """Insert or update one supplier's capabilities (units/day, USD); how many were written."""
    have = {
        c.process: c
        for c in s.exec(
            select(SupplierCapability).where(SupplierCapability.supplier_id == supplier_id)
        )
    }
    for process, (units, usd) in caps.items():
        cap = have.get(process) or SupplierCapability(
            supplier_id=supplier_id, process=process, capacity_units_per_day=0, unit_cost_usd=0
        )
        cap.capacity_units_per_day, cap.unit_cost_usd = int(units), float(usd)
        s.add(cap)
    return len(caps)


def reservations_of(s: Session, trend_id: int) -> list[tuple[SupplierReservation, Supplier]]:
    """An idea's reservations (held or released) with their suppliers, oldest first."""
    rows = s.exec(
        select(SupplierReservation, Supplier)
        .join(Supplier, col(Supplier.id) == SupplierReservation.supplier_id)
        .where(SupplierReservation.trend_id == trend_id)
        .order_by(col(SupplierReservation.id))
    )
    return list(rows)


def import_supplier_csv(engine: Engine, text: str) -> ImportReport:
    """Validate supplier CSV text, then upsert every supplier by code (all or nothing)."""
    parsed = parse_supplier_csv(text)
    if parsed.errors:
        errors: list[dict[str, int | str]] = [
            {"line": e.line, "message": e.message} for e in parsed.errors
        ]
        return ImportReport(rows=parsed.rows, errors=errors)
    return upsert_suppliers(engine, parsed.suppliers, parsed.rows)


def seed_suppliers(engine: Engine, count: int, seed: int) -> int:
    """Load the seeded Yiwu reference network when the supplier table is empty; rows added."""
    from engines.sourcing import generate_yiwu_network

    with Session(engine) as s:
        if s.exec(select(func.count()).select_from(Supplier)).one() > 0:
            return 0
    records = generate_yiwu_network(count, seed=seed)
    try:
        upsert_suppliers(engine, records, len(records))
    except IntegrityError:
        return 0  # another worker seeded it at the same moment
    return len(records)

"""Sourcing stage: match suppliers against the capacity left in the database, hold it, and
release it again (compensation)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.common import domain_errors
from activities.mappers import assignment, supplier_record
from models.contracts import ReleaseRequest, SourcingRequest, SourcingResult
from models.db import session_scope
from models.names import Act
from models.tables import (
    SourcingMatch,
    Supplier,
    SupplierCapability,
    SupplierReservation,
    utcnow,
)
from services.locks import serialise

if TYPE_CHECKING:
    from engines.sourcing import RoadGraph

RESERVATION_HOLD = timedelta(days=7)
RESERVE_LOCK_KEY = 7_233_001  # PostgreSQL advisory lock serialising reservations


def _held(s: Session, exclude_workflow: str) -> dict[tuple[int, str], int]:
    """Units/day held by other pipelines' live reservations, per (supplier, process)."""
    rows = s.exec(
        select(
            SupplierReservation.supplier_id,
            SupplierReservation.process,
            func.sum(SupplierReservation.units_per_day),
        )
        .where(
            SupplierReservation.status == "held",
            SupplierReservation.workflow_id != exclude_workflow,
            SupplierReservation.expires_at > utcnow(),
        )
        .group_by(col(SupplierReservation.supplier_id), col(SupplierReservation.process))
    ).all()
    return {(sid, proc): int(units) for sid, proc, units in rows}


def capacity_left(
    engine: Engine, process: str, supplier_ids: list[int], exclude_workflow: str
) -> dict[int, int]:
    """Units/day of `process` each supplier has left now, beside other pipelines' holds."""
    with Session(engine) as s:
        held = _held(s, exclude_workflow)
        caps = s.exec(
            select(SupplierCapability).where(
                SupplierCapability.process == process,
                col(SupplierCapability.supplier_id).in_(supplier_ids),
            )
        )
        return {
            c.supplier_id: c.capacity_units_per_day - held.get((c.supplier_id, process), 0)
            for c in caps
        }


def _records(s: Session, processes: list[str], exclude_workflow: str) -> list[Any]:
    """Suppliers with capacity left for `processes`, as engine records."""
    held = _held(s, exclude_workflow)
    caps: dict[int, dict[str, tuple[int, float]]] = defaultdict(dict)
    for cap in s.exec(
        select(SupplierCapability).where(col(SupplierCapability.process).in_(processes))
    ):
        left = cap.capacity_units_per_day - held.get((cap.supplier_id, cap.process), 0)
        if left > 0:
            caps[cap.supplier_id][cap.process] = (left, cap.unit_cost_usd)
    if not caps:
        return []
    suppliers = s.exec(select(Supplier).where(col(Supplier.id).in_(list(caps)))).all()
    return [supplier_record(sup, caps[sup.id]) for sup in suppliers if sup.id is not None]


def match_and_reserve(
    engine: Engine, req: SourcingRequest, road: RoadGraph | None = None
) -> SourcingResult:
    """Match suppliers within the travel limit (road graph if given) and hold their capacity."""
    if not req.processes:
        raise ApplicationError("the product has no bill of processes to source", non_retryable=True)
    return _match_and_reserve(engine, req, road)


def _match_and_reserve(
    engine: Engine, req: SourcingRequest, road: RoadGraph | None
) -> SourcingResult:
    """Read free capacity, match and write the holds in one transaction (serialised)."""
    from engines.sourcing import Weights, match_suppliers

    with session_scope(engine) as s:
        serialise(s, RESERVE_LOCK_KEY)  # one matcher at a time: no double booking
        records = _records(s, req.processes, req.workflow_id)
        result = match_suppliers(
            req.processes,
            req.units_per_day,
            records,
            max_travel_minutes=req.max_travel_minutes,
            road=road,
            weights=Weights(**req.weights.model_dump()),
        )
        mine = {
            (r.supplier_id, r.process): r
            for r in s.exec(
                select(SupplierReservation).where(
                    SupplierReservation.workflow_id == req.workflow_id
                )
            )
        }
        assignments = []
        for a in result.assignments:
            assert a.supplier_id is not None  # the records come from supplier rows
            res = mine.pop((a.supplier_id, a.process), None) or SupplierReservation(
                workflow_id=req.workflow_id,
                trend_id=req.trend_id,
                supplier_id=a.supplier_id,
                process=a.process,
                units_per_day=0,
                expires_at=utcnow() + RESERVATION_HOLD,
            )
            res.units_per_day = a.units_per_day
            res.status = "held"
            s.add(res)
            s.flush()
            assignments.append(assignment(a, res.id))
        for stale in mine.values():  # an earlier attempt's choice this one did not repeat
            s.delete(stale)
        matched = SourcingResult(
            hub=result.hub,
            hub_lat=result.hub_lat,
            hub_lon=result.hub_lon,
            assignments=assignments,
            alternatives=[assignment(a, None) for a in result.alternatives],
            explanation=list(result.explanation),
            landed_unit_cost_usd=result.landed_unit_cost_usd,
        )
        _store_match(s, req, matched)
    return matched


def _store_match(s: Session, req: SourcingRequest, m: SourcingResult) -> None:
    """Keep the match (hub, explanation, alternatives) beside its reservations, one per pipeline."""
    row = s.exec(
        select(SourcingMatch).where(SourcingMatch.workflow_id == req.workflow_id)
    ).first() or SourcingMatch(
        workflow_id=req.workflow_id,
        trend_id=req.trend_id,
        hub=m.hub,
        hub_lat=m.hub_lat,
        hub_lon=m.hub_lon,
        landed_unit_cost_usd=m.landed_unit_cost_usd,
        units_per_day=req.units_per_day,
        max_travel_minutes=req.max_travel_minutes,
    )
    row.hub, row.hub_lat, row.hub_lon = m.hub, m.hub_lat, m.hub_lon
    row.landed_unit_cost_usd = m.landed_unit_cost_usd
    row.assignments = [a.model_dump() for a in m.assignments]
    row.alternatives = [a.model_dump() for a in m.alternatives]
    row.explanation = list(m.explanation)
    row.updated_at = utcnow()
    s.add(row)


def release(engine: Engine, workflow_id: str, reason: str) -> int:
    """Release every held reservation of a pipeline; the number released (0 on a repeat)."""
    with session_scope(engine) as s:
        rows = s.exec(
            select(SupplierReservation).where(
                SupplierReservation.workflow_id == workflow_id,
                SupplierReservation.status == "held",
            )
        ).all()
        for r in rows:
            r.status = "released"
            r.reason = reason[:500]
            r.released_at = utcnow()
            s.add(r)
    return len(rows)


class SourcingActivities:
    """Holds the database engine and the road graph (engines.sourcing.RoadGraph from an OSM
    extract, or None: straight-line travel times)."""

    def __init__(self, engine: Engine, road: RoadGraph | None = None) -> None:
        self.engine = engine
        self.road = road

    @activity.defn(name=Act.match_suppliers)
    @domain_errors
    def match_suppliers(self, req: SourcingRequest) -> SourcingResult:
        return match_and_reserve(self.engine, req, self.road)

    @activity.defn(name=Act.release_reservations)
    def release_reservations(self, req: ReleaseRequest) -> int:
        """Compensation: the pipeline's supplier capacity and its own-line bookings are freed;
        how many supplier reservations were released."""
        from services.factory import release_bookings

        release_bookings(self.engine, req.workflow_id, req.reason)
        return release(self.engine, req.workflow_id, req.reason)

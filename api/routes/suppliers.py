"""Suppliers: search the network, see one supplier, import a CSV, and see an idea's match and
its reservations."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func
from sqlmodel import Session, col, select

from api.deps import ActorDep, EngineDep, OwnedIdea, PlannerDep, SessionDep
from api.schemas import (
    Capability,
    Hub,
    ImportOut,
    MatchedReservation,
    MatchOut,
    ReservationOut,
    SupplierBrief,
    SupplierDetail,
    SupplierOut,
    SupplierPage,
)
from engines.sourcing.geo import ROAD_FACTOR, SPEED_KMH, km_to_degrees, travel_minutes
from models.tables import (
    SourcingMatch,
    Supplier,
    SupplierCapability,
    SupplierReservation,
    utcnow,
)
from services.suppliers import import_supplier_csv, reservations_of

router = APIRouter(tags=["suppliers"])

MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _caps(s: Session, ids: list[int]) -> dict[int, list[Capability]]:
    """Capabilities (process, units/day, USD) per supplier id."""
    out: dict[int, list[Capability]] = defaultdict(list)
    if ids:
        for c in s.exec(
            select(SupplierCapability).where(col(SupplierCapability.supplier_id).in_(ids))
        ):
            out[c.supplier_id].append(Capability.model_validate(c, from_attributes=True))
    return out


def _row(sup: Supplier, caps: list[Capability], minutes: float | None = None) -> SupplierOut:
    """A supplier with its capabilities, and its travel minutes when searched near a point."""
    near = round(minutes, 1) if minutes is not None else None
    return SupplierOut(**sup.model_dump(), capabilities=caps, travel_minutes=near)


def _search(
    s: Session, process: str | None, town: str | None, near: tuple[float, float, float] | None
) -> list[tuple[Supplier, float | None]]:
    """Suppliers matching the filters; near = (lat, lon, minutes) sorts by travel minutes."""
    q = select(Supplier)
    if town:
        q = q.where(func.lower(Supplier.town) == town.lower())
    if process:
        has = select(SupplierCapability.supplier_id).where(SupplierCapability.process == process)
        q = q.where(col(Supplier.id).in_(has))
    if near is None:
        return [(sup, None) for sup in s.exec(q.order_by(col(Supplier.id)))]
    lat, lon, minutes = near
    dlat, dlon = km_to_degrees(*np.full(2, minutes / 60.0 * SPEED_KMH / ROAD_FACTOR * 1.05))
    q = q.where(col(Supplier.lat).between(lat - dlat, lat + dlat))
    q = q.where(col(Supplier.lon).between(lon - dlon, lon + dlon))
    rows = list(s.exec(q))
    t = travel_minutes(lat, lon, np.array([r.lat for r in rows]), np.array([r.lon for r in rows]))
    order = np.argsort(t, kind="stable")
    return [(rows[i], float(t[i])) for i in order if t[i] <= minutes]


def _held(s: Session, supplier_id: int) -> dict[str, int]:
    """Units/day held by live reservations per process of one supplier."""
    rows = s.exec(
        select(SupplierReservation.process, func.sum(SupplierReservation.units_per_day))
        .where(
            SupplierReservation.supplier_id == supplier_id,
            SupplierReservation.status == "held",
            SupplierReservation.expires_at > utcnow(),
        )
        .group_by(SupplierReservation.process)
    ).all()
    return {p: int(u) for p, u in rows}


async def _csv_text(request: Request) -> str:
    """The CSV from a multipart `file` field or a text/csv body; 413 when too large."""
    if int(request.headers.get("content-length") or 0) > MAX_IMPORT_BYTES:
        raise HTTPException(413, f"CSV larger than {MAX_IMPORT_BYTES:,} bytes")
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise HTTPException(422, "multipart upload needs a 'file' field")
        raw = await upload.read(MAX_IMPORT_BYTES + 1)
    else:
        raw = await request.body()
    if len(raw) > MAX_IMPORT_BYTES:
        raise HTTPException(413, f"CSV larger than {MAX_IMPORT_BYTES:,} bytes")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise HTTPException(422, f"CSV is not UTF-8: {err}") from err


@router.get("/suppliers", response_model=SupplierPage, response_model_exclude_none=True)
def list_suppliers(
    who: ActorDep,
    s: SessionDep,
    process: str | None = None,
    town: str | None = None,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    minutes: Annotated[float, Query(gt=0, le=240)] = 30.0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Any:
    """Search by process, town, or near lat/lon within `minutes` of travel; paginated."""
    if (lat is None) != (lon is None):
        raise HTTPException(422, "give both lat and lon to search near a point")
    near = (lat, lon, minutes) if lat is not None and lon is not None else None
    found = _search(s, process, town, near)
    page = found[offset : offset + limit]
    caps = _caps(s, [sup.id for sup, _ in page if sup.id is not None])
    items = [_row(sup, caps[sup.id or 0], t) for sup, t in page]
    return SupplierPage(total=len(found), limit=limit, offset=offset, items=items)


@router.get(
    "/suppliers/{supplier_id:int}", response_model=SupplierDetail, response_model_exclude_none=True
)
def get_supplier(supplier_id: int, who: ActorDep, s: SessionDep) -> Any:
    """One supplier with its capabilities and the units/day currently held per process."""
    sup = s.get(Supplier, supplier_id)
    if sup is None:
        raise HTTPException(404, f"no supplier {supplier_id}")
    row = _row(sup, _caps(s, [supplier_id])[supplier_id])
    return SupplierDetail(**row.model_dump(), held=_held(s, supplier_id))


@router.post("/suppliers/import", response_model=ImportOut)
async def import_suppliers(request: Request, who: PlannerDep, engine: EngineDep) -> Any:
    """Upsert suppliers from CSV (multipart `file` or text/csv body); 422 lists bad lines."""
    report = await run_in_threadpool(import_supplier_csv, engine, await _csv_text(request))
    if report.errors:
        raise HTTPException(
            422,
            {
                "message": "CSV rejected, nothing imported",
                "rows": report.rows,
                "errors": report.errors,
            },
        )
    return ImportOut(
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        capabilities=report.capabilities,
    )


@router.get("/ideas/{trend_id}/sourcing", response_model=list[ReservationOut], tags=["planner"])
def sourcing(trend: OwnedIdea, s: SessionDep) -> Any:
    """The idea's supplier reservations (held or released)."""
    return s.exec(select(SupplierReservation).where(SupplierReservation.trend_id == trend.id)).all()


@router.get("/ideas/{trend_id}/match", response_model=MatchOut)
def idea_match(trend: OwnedIdea, s: SessionDep) -> Any:
    """The idea's reservations with supplier positions, the hub, and alternatives if stored."""
    assert trend.id is not None
    rows = reservations_of(s, trend.id)
    stored = s.exec(select(SourcingMatch).where(SourcingMatch.trend_id == trend.id)).first()
    reservations = [
        MatchedReservation(
            **r.model_dump(), supplier=SupplierBrief.model_validate(sup, from_attributes=True)
        )
        for r, sup in rows
    ]
    if stored is None:
        return MatchOut(
            trend_id=trend.id,
            hub=None,
            landed_unit_cost_usd=None,
            explanation=[],
            reservations=reservations,
            alternatives=[],
        )
    return MatchOut(
        trend_id=trend.id,
        hub=Hub(name=stored.hub, lat=stored.hub_lat, lon=stored.hub_lon),
        landed_unit_cost_usd=stored.landed_unit_cost_usd,
        explanation=stored.explanation,
        reservations=reservations,
        alternatives=stored.alternatives,
    )

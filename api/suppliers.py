"""Supplier routes: search the network, see one supplier, import CSV, see an idea's match."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.auth import Actor, actor, ensure_owner, idea_reader, require
from engines.sourcing.geo import ROAD_FACTOR, SPEED_KMH, km_to_degrees, travel_minutes
from models.tables import (
    SourcingMatch,
    Supplier,
    SupplierCapability,
    SupplierReservation,
    Trend,
    utcnow,
)
from services.suppliers import import_supplier_csv

MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _caps(s: Session, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Capabilities (process, units/day, USD) per supplier id."""
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if ids:
        for c in s.exec(
            select(SupplierCapability).where(col(SupplierCapability.supplier_id).in_(ids))
        ):
            out[c.supplier_id].append(
                {"process": c.process, "capacity_units_per_day": c.capacity_units_per_day,
                 "unit_cost_usd": c.unit_cost_usd}
            )  # fmt: skip
    return out


def _row(sup: Supplier, caps: list[dict[str, Any]], minutes: float | None = None) -> dict[str, Any]:
    """A supplier as JSON, with travel minutes when searched near a point."""
    out = sup.model_dump() | {"capabilities": caps}
    return out | ({"travel_minutes": round(minutes, 1)} if minutes is not None else {})


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


def suppliers_router(get_engine: Callable[[], Engine]) -> APIRouter:
    """Routes over the supplier network; `get_engine` returns the app's database engine."""
    router = APIRouter(tags=["suppliers"])

    @router.get("/suppliers")
    def list_suppliers(
        who: Annotated[Actor, Depends(actor)],
        process: str | None = None,
        town: str | None = None,
        lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
        lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
        minutes: Annotated[float, Query(gt=0, le=240)] = 30.0,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> dict[str, Any]:
        """Search by process, town, or near lat/lon within `minutes` of travel; paginated."""
        if (lat is None) != (lon is None):
            raise HTTPException(422, "give both lat and lon to search near a point")
        near = (lat, lon, minutes) if lat is not None and lon is not None else None
        with Session(get_engine()) as s:
            found = _search(s, process, town, near)
            page = found[offset : offset + limit]
            caps = _caps(s, [sup.id for sup, _ in page if sup.id is not None])
            items = [_row(sup, caps[sup.id or 0], t) for sup, t in page]
        return {"total": len(found), "limit": limit, "offset": offset, "items": items}

    @router.get("/suppliers/{supplier_id}")
    def get_supplier(supplier_id: int, who: Annotated[Actor, Depends(actor)]) -> dict[str, Any]:
        """One supplier with its capabilities and the units/day currently held per process."""
        with Session(get_engine()) as s:
            sup = s.get(Supplier, supplier_id)
            if sup is None:
                raise HTTPException(404, f"no supplier {supplier_id}")
            return _row(sup, _caps(s, [supplier_id])[supplier_id]) | {"held": _held(s, supplier_id)}

    @router.post("/suppliers/import")
    async def import_suppliers(
        request: Request, who: Annotated[Actor, Depends(require("planner"))]
    ) -> dict[str, Any]:
        """Upsert suppliers from CSV (multipart `file` or text/csv body); 422 lists bad lines."""
        report = await run_in_threadpool(
            import_supplier_csv, get_engine(), await _csv_text(request)
        )
        if report.errors:
            raise HTTPException(
                422,
                {
                    "message": "CSV rejected, nothing imported",
                    "rows": report.rows,
                    "errors": report.errors,
                },
            )
        return {"rows": report.rows, "created": report.created, "updated": report.updated,
                "capabilities": report.capabilities}  # fmt: skip

    @router.get("/ideas/{trend_id}/match")
    def idea_match(trend_id: int, who: Annotated[Actor, Depends(idea_reader)]) -> dict[str, Any]:
        """The idea's reservations with supplier positions, the hub, and alternatives if stored."""
        with Session(get_engine()) as s:
            trend = s.get(Trend, trend_id)
            if trend is None:
                raise HTTPException(404, f"no idea {trend_id}")
            ensure_owner(who, trend.merchant_id)
            rows = list(
                s.exec(
                    select(SupplierReservation, Supplier)
                    .join(Supplier, col(Supplier.id) == SupplierReservation.supplier_id)
                    .where(SupplierReservation.trend_id == trend_id)
                    .order_by(col(SupplierReservation.id))
                )
            )
            stored = s.exec(select(SourcingMatch).where(SourcingMatch.trend_id == trend_id)).first()
        hub = {"name": stored.hub, "lat": stored.hub_lat, "lon": stored.hub_lon} if stored else None
        return {
            "trend_id": trend_id,
            "hub": hub,
            "landed_unit_cost_usd": stored.landed_unit_cost_usd if stored else None,
            "explanation": stored.explanation if stored else [],
            "reservations": [
                r.model_dump()
                | {"supplier": {k: getattr(sup, k) for k in ("code", "name", "town", "lat", "lon")}}
                for r, sup in rows
            ],
            "alternatives": stored.alternatives if stored else [],
        }

    return router

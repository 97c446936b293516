"""Delivery projections from the Consignment table: trend → delivered per market and per mode,
and the share delivered within a week; the documents of one consignment."""

from __future__ import annotations

from datetime import datetime

import numpy as np
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from models.contracts import MilestoneName
from models.db import as_utc
from models.tables import Consignment, Milestone

WEEK_S = 7 * 86_400.0


class DeliveryGroup(BaseModel):
    """Delivered legs of one market or one mode: trend → delivered p50/p90 (s), share ≤ a week."""

    key: str
    legs: int
    delivered: int
    p50_s: float | None
    p90_s: float | None
    within_week: float | None  # share of the delivered legs


class DeliveryLeadTimes(BaseModel):
    by_market: list[DeliveryGroup]
    by_mode: list[DeliveryGroup]
    all: DeliveryGroup


def delivery_leadtimes(engine: Engine, trend_ids: list[int] | None = None) -> DeliveryLeadTimes:
    """Each leg's trend → delivered (s): its delivery less its idea's trend_seen, grouped."""
    with Session(engine) as s:
        q = select(Consignment)
        seen = select(Milestone.trend_id, Milestone.at).where(
            Milestone.name == MilestoneName.trend_seen.value
        )
        if trend_ids is not None:
            q = q.where(col(Consignment.trend_id).in_(trend_ids))
            seen = seen.where(col(Milestone.trend_id).in_(trend_ids))
        legs = s.exec(q).all()
        start: dict[int, datetime] = {tid: as_utc(at) for tid, at in s.exec(seen)}
    markets = np.array([leg.market for leg in legs], dtype=object)
    modes = np.array([leg.mode for leg in legs], dtype=object)
    lead = np.array([_lead_s(leg, start) for leg in legs], dtype=float)
    return DeliveryLeadTimes(
        by_market=_groups(markets, lead),
        by_mode=_groups(modes, lead),
        all=_group("all", lead),
    )


def _lead_s(leg: Consignment, start: dict[int, datetime]) -> float:
    """Trend seen → this leg delivered, s (NaN while it is not delivered)."""
    if leg.status != "delivered" or leg.delivered_at is None or leg.trend_id not in start:
        return float("nan")
    return (as_utc(leg.delivered_at) - start[leg.trend_id]).total_seconds()


def _groups(keys: np.ndarray, lead_s: np.ndarray) -> list[DeliveryGroup]:
    return [_group(str(k), lead_s[keys == k]) for k in sorted(set(keys.tolist()))]


def _group(key: str, lead_s: np.ndarray) -> DeliveryGroup:
    """Figures of the legs in `lead_s` (NaN: not delivered yet)."""
    done = lead_s[~np.isnan(lead_s)]
    n = int(done.size)
    return DeliveryGroup(
        key=key,
        legs=int(lead_s.size),
        delivered=n,
        p50_s=float(np.percentile(done, 50)) if n else None,
        p90_s=float(np.percentile(done, 90)) if n else None,
        within_week=float(np.mean(done <= WEEK_S)) if n else None,
    )


def consignments_version(engine: Engine) -> tuple[object, ...]:
    """What the delivery figures depend on, cheaply: legs and their latest tracking."""
    with Session(engine) as s:
        row = s.exec(
            select(func.count(), func.max(Consignment.id), func.max(Consignment.tracked_at))
        ).one()
    return tuple(row)

"""Lead-time projections from the Milestone table: per idea, per stage, p50/p90."""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from datetime import datetime

import numpy as np
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from models.contracts import STAGE_SPANS, TOTAL_FALLBACK_END, MilestoneName
from models.db import as_utc
from models.tables import Milestone, Trend


class IdeaLeadTime(BaseModel):
    trend_id: int
    text: str
    stage: str
    stages_s: dict[str, float]
    total_s: float | None


class StageStats(BaseModel):
    stage: str
    count: int
    p50_s: float | None
    p90_s: float | None
    mean_s: float | None


class LeadTimes(BaseModel):
    ideas: list[IdeaLeadTime]
    stages: list[StageStats]
    bottleneck: str | None


def compute_leadtimes(engine: Engine, trend_ids: list[int] | None = None) -> LeadTimes:
    """Stage durations (seconds) for every idea with milestones, and p50/p90 across ideas."""
    with Session(engine) as s:
        q = select(Trend)
        if trend_ids is not None:
            q = q.where(col(Trend.id).in_(trend_ids))
        trends = {t.id: t for t in s.exec(q.order_by(col(Trend.id))) if t.id is not None}
        stamps: dict[int, dict[str, datetime]] = defaultdict(dict)
        for m in s.exec(select(Milestone).where(col(Milestone.trend_id).in_(list(trends)))):
            stamps[m.trend_id][m.name] = as_utc(m.at)
    ideas = []
    per_stage: dict[str, list[float]] = defaultdict(list)
    for tid, trend in trends.items():
        marks = stamps.get(tid, {})
        durations: dict[str, float] = {}
        for stage, (start, end) in STAGE_SPANS.items():
            a, b = marks.get(start.value), marks.get(_end(stage, end, marks).value)
            if a is not None and b is not None:
                durations[stage] = max((b - a).total_seconds(), 0.0)
                per_stage[stage].append(durations[stage])
        ideas.append(
            IdeaLeadTime(
                trend_id=tid,
                text=trend.text,
                stage=trend.stage,
                stages_s={k: v for k, v in durations.items() if k != "total"},
                total_s=durations.get("total"),
            )
        )
    stats = []
    for stage in STAGE_SPANS:
        values = np.array(per_stage.get(stage, []), dtype=float)
        stats.append(
            StageStats(
                stage=stage,
                count=int(values.size),
                p50_s=float(np.percentile(values, 50)) if values.size else None,
                p90_s=float(np.percentile(values, 90)) if values.size else None,
                mean_s=float(values.mean()) if values.size else None,
            )
        )
    timed = [s for s in stats if s.stage != "total" and s.p50_s is not None]
    bottleneck = max(timed, key=lambda s: s.p50_s or 0.0).stage if timed else None
    return LeadTimes(ideas=ideas, stages=stats, bottleneck=bottleneck)


def _end(stage: str, end: MilestoneName, marks: dict[str, datetime]) -> MilestoneName:
    """Where a span ends: `total` of an idea without delivery legs ends at the factory gate."""
    if stage == "total" and MilestoneName.in_transit.value not in marks:
        return TOTAL_FALLBACK_END
    return end


_CACHE: weakref.WeakKeyDictionary[Engine, tuple[tuple[object, ...], LeadTimes]] = (
    weakref.WeakKeyDictionary()
)
_CACHE_LOCK = threading.Lock()


def leadtimes_version(engine: Engine) -> tuple[object, ...]:
    """What the projection depends on, cheaply: ideas (stage changes bump updated_at) and
    milestones (insert-only, one per idea and name)."""
    with Session(engine) as s:
        ideas = s.exec(select(func.count(), func.max(Trend.updated_at)).select_from(Trend)).one()
        marks = s.exec(select(func.count(), func.max(Milestone.id)).select_from(Milestone)).one()
    return (*ideas, *marks)


def cached_leadtimes(engine: Engine) -> LeadTimes:
    """compute_leadtimes over every idea, recomputed only when an idea or milestone changed
    (dashboards, /leadtimes and /metrics under load read the same answer)."""
    version = leadtimes_version(engine)
    hit = _CACHE.get(engine)
    if hit is not None and hit[0] == version:
        return hit[1]
    with _CACHE_LOCK:
        hit = _CACHE.get(engine)
        if hit is not None and hit[0] == version:
            return hit[1]
        fresh = compute_leadtimes(engine)
        _CACHE[engine] = (version, fresh)
        return fresh


def format_duration(seconds: float | None) -> str:
    """3.2s, 4m05s, 2h10m, 3d04h."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.1f}s"
    if seconds < 3600:
        return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h{int(seconds % 3600 // 60):02d}m"
    return f"{int(seconds // 86400)}d{int(seconds % 86400 // 3600):02d}h"

"""Lead-time projections from the Milestone table: per idea, per stage, p50/p90."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.contracts import STAGE_SPANS
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
            q = q.where(Trend.id.in_(trend_ids))  # type: ignore[union-attr]
        trends = {t.id: t for t in s.exec(q.order_by(Trend.id))}  # type: ignore[arg-type]
        stamps: dict[int, dict[str, object]] = defaultdict(dict)
        for m in s.exec(select(Milestone).where(Milestone.trend_id.in_(list(trends)))):  # type: ignore[attr-defined]
            stamps[m.trend_id][m.name] = as_utc(m.at)
    ideas = []
    per_stage: dict[str, list[float]] = defaultdict(list)
    for tid, trend in trends.items():
        marks = stamps.get(tid, {})
        durations: dict[str, float] = {}
        for stage, (start, end) in STAGE_SPANS.items():
            a, b = marks.get(start.value), marks.get(end.value)
            if a is not None and b is not None:
                durations[stage] = max((b - a).total_seconds(), 0.0)  # type: ignore[operator]
                per_stage[stage].append(durations[stage])
        assert tid is not None
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

"""Bookkeeping activities every stage uses: the idea's stage, its milestones, its notifications."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import select
from temporalio import activity

from activities.common import insert_once, row_or_fail
from models.contracts import MilestoneRecord, NotificationRecord, StageUpdate
from models.db import session_scope
from models.names import Act
from models.tables import Milestone, Notification, Trend, utcnow


class BookkeepingActivities:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name=Act.record_stage)
    def record_stage(self, update: StageUpdate) -> None:
        with session_scope(self.engine) as s:
            trend = row_or_fail(s, Trend, update.trend_id, "idea")
            trend.stage = update.stage.value
            trend.detail = update.detail[:2000]
            trend.updated_at = utcnow()
            s.add(trend)

    @activity.defn(name=Act.record_milestone)
    def record_milestone(self, m: MilestoneRecord) -> None:
        insert_once(
            self.engine,
            Milestone(trend_id=m.trend_id, name=m.name.value, at=m.at, detail=m.detail[:500]),
        )

    @activity.defn(name=Act.notify)
    def notify(self, n: NotificationRecord) -> None:
        message = n.message[:1000]
        with session_scope(self.engine) as s:
            seen = s.exec(
                select(Notification).where(
                    Notification.trend_id == n.trend_id,
                    Notification.kind == n.kind,
                    Notification.message == message,
                )
            ).first()
            if seen is None:
                s.add(Notification(trend_id=n.trend_id, kind=n.kind, message=message, at=n.at))
        activity.logger.info("idea %s %s: %s", n.trend_id, n.kind, n.message)

"""Production stage: the run's row, the factory's progress reports and the shipments."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from temporalio import activity

from activities.common import insert_once
from models.contracts import ProgressBatch, ProgressRecord, RunRecord, ShipmentRecord
from models.db import session_scope
from models.names import Act
from models.tables import ProductionRun, ProgressEvent, Shipment


class ProductionActivities:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name=Act.record_run)
    def record_run(self, r: RunRecord) -> None:
        with session_scope(self.engine) as s:
            run = self._run(s, r.workflow_id) or ProductionRun(
                workflow_id=r.workflow_id,
                trend_id=r.trend_id,
                plan_id=r.plan_id,
                quantity=r.quantity,
                started_at=r.at,
            )
            run.status = r.status
            run.produced = max(run.produced, r.produced)
            run.shipped = max(run.shipped, r.shipped)
            if r.status != "running":
                run.finished_at = r.at
            s.add(run)

    @activity.defn(name=Act.record_progress_batch)
    def record_progress_batch(self, batch: ProgressBatch) -> int:
        """Insert the reports of one run not yet stored, in one transaction (a retry inserts none
        twice), and set the run's produced count to the run's own; returns it."""
        records = batch.records
        last = records[-1]

        def event(p: ProgressRecord) -> ProgressEvent:
            r = p.report
            return ProgressEvent(
                trend_id=p.trend_id,
                line_id=r.line_id,
                day=r.day,
                units=r.units,
                scrap=r.scrap,
                at=p.at,
            )

        with Session(self.engine) as s:
            stored = set(
                s.exec(
                    select(ProgressEvent.line_id, ProgressEvent.day).where(
                        ProgressEvent.trend_id == last.trend_id
                    )
                ).all()
            )
            s.add_all([event(p) for p in records if (p.report.line_id, p.report.day) not in stored])
            try:
                s.commit()
            except IntegrityError:  # an attempt of this activity running beside us: row by row
                s.rollback()
                for p in records:
                    insert_once(self.engine, event(p))
        # the run says how many finished units it counts (upstream lines' work is not product)
        with session_scope(self.engine) as s:
            self._update_run(s, last.workflow_id, produced=last.produced_so_far)
        return last.produced_so_far

    @activity.defn(name=Act.record_shipment)
    def record_shipment(self, sh: ShipmentRecord) -> None:
        insert_once(
            self.engine,
            Shipment(trend_id=sh.trend_id, sequence=sh.sequence, units=sh.units, at=sh.at),
        )
        with session_scope(self.engine) as s:
            shipped = s.exec(
                select(func.coalesce(func.sum(Shipment.units), 0)).where(
                    Shipment.trend_id == sh.trend_id
                )
            ).one()
            self._update_run(s, sh.workflow_id, shipped=int(shipped))

    @staticmethod
    def _run(s: Session, workflow_id: str) -> ProductionRun | None:
        return s.exec(select(ProductionRun).where(ProductionRun.workflow_id == workflow_id)).first()

    def _update_run(self, s: Session, workflow_id: str, **totals: int) -> None:
        """Set the run's produced or shipped count (a run not recorded yet is left alone)."""
        run = self._run(s, workflow_id)
        if run is not None:
            for name, value in totals.items():
                setattr(run, name, value)
            s.add(run)

"""Delivery stage: each batch's legs to the idea's destinations, chosen and recorded once."""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.common import insert_once
from engines.logistics import (
    DENSITY_G_CM3,
    CustomsBook,
    DeliveryChoice,
    Demand,
    LaneBook,
    LogisticsError,
    Packing,
    PackingError,
    choose_mode,
    load_customs,
    load_lanes,
    pack,
    unit_from_dimensions,
    unit_from_mesh,
)
from models.contracts import (
    ConsignmentPlan,
    ConsignmentUpdate,
    DeliveryPlan,
    DeliveryRequest,
    ReshipRequest,
)
from models.db import as_utc, session_scope
from models.names import Act
from models.tables import Consignment, DesignVariant, Trend


def _refused(reason: str) -> ApplicationError:
    """A re-shipment that cannot be made, with the reason (not retried)."""
    return ApplicationError(reason, type="BadReship", non_retryable=True)


NO_DEADLINE_DAYS = 365  # a destination without a deadline gets the cheapest lane


def allocate(
    destinations: list[dict[str, Any]], sent: dict[str, int], units: int
) -> list[tuple[str, int, dt.date | None]]:
    """A batch's units to the destinations still owed units, earliest deadline first."""

    def key(d: dict[str, Any]) -> tuple[str, str]:
        return (d.get("deadline") or "9999-12-31", d["market"])

    out: list[tuple[str, int, dt.date | None]] = []
    for d in sorted(destinations, key=key):
        owed = int(d["units"]) - sent.get(d["market"], 0)
        take = min(owed, units)
        if take > 0:
            deadline = dt.date.fromisoformat(d["deadline"]) if d.get("deadline") else None
            out.append((d["market"], take, deadline))
            units -= take
    return out


def packing_facts(packing: Packing, units: int, value_usd: float, category: str) -> dict[str, Any]:
    """What a leg's packing list and invoice need: cartons, kg, CBM, sizes (mm), unit value."""
    packed = packing.consignment(units)
    carton = packing.carton
    return {
        "cartons": packed.cartons, "gross_kg": round(packed.gross_kg, 2),
        "cbm": round(packed.cbm, 4), "units_per_carton": carton.units,
        "carton_mm": [round(x) for x in carton.outer_mm],
        "carton_gross_kg": round(carton.gross_kg, 2),
        "unit_mm": [round(x, 1) for x in packing.unit.extents_mm],
        "unit_g": round(packing.unit.mass_g, 1), "material": packing.unit.material,
        "unit_value_usd": round(value_usd, 2), "category": category,
    }  # fmt: skip


MODE_SPEED = {"express": 0, "air": 1, "rail": 2, "sea": 3}  # lower is faster
RESHIP_LEG = 100  # a re-shipment's leg number: the leg it replaces + 100 (unique per leg)


class DeliveryActivities:
    def __init__(
        self,
        engine: Engine,
        files_dir: Path,
        lanes_path: Path | None = None,
        customs_path: Path | None = None,
    ) -> None:
        self.engine = engine
        self.files_dir = files_dir
        self._lanes_path = lanes_path
        self._customs_path = customs_path

    @cached_property
    def lanes(self) -> LaneBook:
        return load_lanes(self._lanes_path)

    @cached_property
    def customs(self) -> CustomsBook:
        return load_customs(self._customs_path)

    @activity.defn(name=Act.plan_delivery)
    def plan_delivery(self, req: DeliveryRequest) -> DeliveryPlan:
        """Choose each destination's lane(s) for one batch and record the legs (once per leg)."""
        with Session(self.engine) as s:
            trend = s.get(Trend, req.trend_id)
            if trend is None:
                raise ApplicationError(f"idea {req.trend_id} not found", non_retryable=True)
            if not self._recorded(s, req):
                rows = self._choose(s, trend, req)
                for row in rows:
                    insert_once(self.engine, row)  # a retry finds the rows it wrote
            return DeliveryPlan(consignments=[self._plan(c) for c in self._recorded(s, req)])

    def _recorded(self, s: Session, req: DeliveryRequest) -> list[Consignment]:
        """The legs already recorded for this batch."""
        q = select(Consignment).where(
            Consignment.trend_id == req.trend_id, Consignment.batch_sequence == req.batch_sequence
        )
        return list(s.exec(q.order_by(col(Consignment.market), col(Consignment.leg))).all())

    def _choose(self, s: Session, trend: Trend, req: DeliveryRequest) -> list[Consignment]:
        """New Consignment rows for the batch; non-retryable ApplicationError with the reason."""
        earlier = s.exec(
            select(Consignment.market, Consignment.units).where(
                Consignment.trend_id == req.trend_id,
                Consignment.batch_sequence < req.batch_sequence,
            )
        ).all()
        sent: dict[str, int] = {}
        for market, units in earlier:
            sent[market] = sent.get(market, 0) + units
        plan = allocate(trend.destinations, sent, req.units)
        if not plan:
            return []
        variant = (
            s.get(DesignVariant, trend.selected_variant_id) if trend.selected_variant_id else None
        )
        spec = trend.design_spec or {}
        try:
            packing = self._packing(variant, spec)
            category = self.customs.form_categories[spec.get("form", "")]
        except (LogisticsError, KeyError) as err:
            reason = getattr(err, "reason", f"no customs category for form {err}")
            raise ApplicationError(reason, type="PackingError", non_retryable=True) from err
        value = variant.unit_cost_usd if variant is not None else 0.0
        rows: list[Consignment] = []
        for market, units, deadline in plan:
            due = deadline or req.ready_date + dt.timedelta(days=NO_DEADLINE_DAYS)
            demand = Demand(
                market, units, req.ready_date, max(due, req.ready_date), value, category
            )
            try:
                choice = self._choose_mode(packing, demand)
            except LogisticsError as err:
                raise ApplicationError(
                    err.reason, type=type(err).__name__, non_retryable=True
                ) from err
            for i, leg in enumerate(choice.legs):
                facts = packing_facts(packing, leg.units, value, category)
                rows.append(
                    Consignment(
                        trend_id=req.trend_id, batch_sequence=req.batch_sequence, market=market,
                        leg=i, units=leg.units, mode=leg.mode, lane_id=leg.lane_id,
                        deadline=deadline, planned_departure=leg.ship_date,
                        eta_latest=leg.arrival_latest, freight_usd=leg.freight_usd,
                        duty_usd=leg.duty_usd, fees_usd=leg.customs_fees_usd,
                        export_mode=leg.export_mode, documents=leg.documents,
                        explanation=choice.explanation, packing=facts,
                    )
                )  # fmt: skip
        return rows

    def _choose_mode(self, packing: Packing, demand: Demand) -> DeliveryChoice:
        return choose_mode(packing, demand, self.lanes, self.customs)

    def _packing(self, variant: DesignVariant | None, spec: dict[str, Any]) -> Packing:
        """The product packed: from the variant's mesh file, else its recorded size and volume."""
        from engines.design.forms.rules import FORM_RULES

        form = spec.get("form", "")
        material = spec.get("material") or (FORM_RULES[form].material if form in FORM_RULES else "")
        if material not in DENSITY_G_CM3:
            material = "plastic"
        if variant is None:
            raise PackingError("no variant was picked: nothing to pack")
        path = Path(variant.mesh_path)
        path = path if path.is_absolute() else self.files_dir / path
        try:
            import trimesh

            mesh = trimesh.load(path, force="mesh")
            if not isinstance(mesh, trimesh.Trimesh):
                raise ValueError(f"{path} holds no single mesh")
            return pack(unit_from_mesh(mesh, material))
        except (OSError, ValueError):  # the file is gone: the size the design engine recorded
            dims = tuple(float(x) for x in variant.dims_mm)
            mass = variant.volume_cm3 * DENSITY_G_CM3[material]
            return pack(unit_from_dimensions((dims[0], dims[1], dims[2]), mass, material))

    @activity.defn(name=Act.plan_reship)
    def plan_reship(self, req: ReshipRequest) -> ConsignmentPlan:
        """A late or lost leg's units again, by the fastest lane of a faster mode (recorded once)."""
        with Session(self.engine) as s:
            old = s.get(Consignment, req.consignment_id)
            if old is None or old.trend_id != req.trend_id:
                raise _refused(
                    f"consignment {req.consignment_id} is not one of idea {req.trend_id}'s"
                )
            done = self._reshipment(s, old)
            if done is not None:  # a retry: the row it wrote
                return self._plan(done)
            if old.status not in ("late", "lost"):
                raise _refused(
                    f"consignment {old.id} is {old.status.replace('_', ' ')}: only a late or lost "
                    "leg is re-shipped"
                )
            trend = s.get(Trend, req.trend_id)
            assert trend is not None
            variant = (
                s.get(DesignVariant, trend.selected_variant_id)
                if trend.selected_variant_id
                else None
            )
            row = self._reship_row(old, trend.design_spec or {}, variant, req)
        insert_once(self.engine, row)
        with Session(self.engine) as s:
            made = self._reshipment(s, old)
            assert made is not None
            return self._plan(made)

    @staticmethod
    def _reshipment(s: Session, old: Consignment) -> Consignment | None:
        q = select(Consignment).where(
            Consignment.trend_id == old.trend_id, Consignment.batch_sequence == old.batch_sequence,
            Consignment.market == old.market, Consignment.leg == old.leg + RESHIP_LEG,
        )  # fmt: skip
        return s.exec(q).first()

    def _reship_row(
        self,
        old: Consignment,
        spec: dict[str, Any],
        variant: DesignVariant | None,
        req: ReshipRequest,
    ) -> Consignment:
        """The new leg: the lane of a faster mode that arrives first (then the cheaper)."""
        try:
            packing = self._packing(variant, spec)
            category = self.customs.form_categories[spec.get("form", "")]
            value = variant.unit_cost_usd if variant is not None else 0.0
            demand = Demand(old.market, old.units, req.ready_date, req.ready_date, value, category)
            lanes = self._choose_mode(packing, demand).alternatives  # every lane, all units
        except (LogisticsError, KeyError) as err:
            raise _refused(getattr(err, "reason", f"no customs category for form {err}")) from err
        faster = [q for q in lanes if MODE_SPEED[q.mode] < MODE_SPEED.get(old.mode, 9)]
        if not faster:
            raise _refused(f"no lane to {old.market} is faster than {old.mode}")
        q = min(faster, key=lambda q: (q.arrival_latest, q.landed_usd))
        why = f"re-ship of consignment {old.id} ({old.status}, {old.mode})" + (
            f": {req.reason}" if req.reason else ""
        )
        return Consignment(
            trend_id=old.trend_id, batch_sequence=old.batch_sequence, market=old.market,
            leg=old.leg + RESHIP_LEG, units=old.units, mode=q.mode, lane_id=q.lane_id,
            deadline=old.deadline, planned_departure=q.ship_date, eta_latest=q.arrival_latest,
            freight_usd=q.freight_usd, duty_usd=q.duty_usd, fees_usd=q.customs_fees_usd,
            export_mode=q.export_mode, documents=q.documents,
            explanation=[why, f"chosen: {q.summary()}"]
            + [f"alternative: {a.summary()}" for a in lanes if a is not q],
            packing=packing_facts(packing, old.units, value, category),
        )  # fmt: skip

    @activity.defn(name=Act.record_consignment)
    def record_consignment(self, u: ConsignmentUpdate) -> None:
        """Set a consignment's status (and when booked or delivered); delivered or lost stays."""
        with session_scope(self.engine) as s:
            row = s.get(Consignment, u.consignment_id)
            if row is None:
                raise ApplicationError(
                    f"consignment {u.consignment_id} not found", non_retryable=True
                )
            if row.status in ("delivered", "lost"):
                return
            if u.event is not None and (row.tracked_at is None or u.at >= as_utc(row.tracked_at)):
                place = f" · {u.event.location}" if u.event.location else ""
                row.location, row.tracked_at = f"{u.event.kind}{place}"[:240], u.at
            row.status = u.status
            if u.status == "booked" and row.booked_at is None:
                row.booked_at = u.at
            if u.status == "delivered":
                row.delivered_at = u.at
            s.add(row)

    @staticmethod
    def _plan(c: Consignment) -> ConsignmentPlan:
        assert c.id is not None
        return ConsignmentPlan(
            consignment_id=c.id, market=c.market, leg=c.leg, units=c.units, mode=c.mode,
            lane_id=c.lane_id, planned_departure=c.planned_departure, eta_latest=c.eta_latest,
            deadline=c.deadline, landed_usd=c.freight_usd + c.duty_usd + c.fees_usd,
            status=c.status, explanation=c.explanation,
        )  # fmt: skip

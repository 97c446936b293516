"""SQLModel tables: the durable projection of every pipeline, read by the API and dashboards.

Each table that an activity writes carries a uniqueness key built from the workflow id and
stage, so a retried activity finds its earlier row instead of writing a second one. The fields a
table shares with a contract or an API answer are defined once, in models.records.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.records import (
    ApiKeyBase,
    ConsignmentBase,
    NotificationBase,
    PlanBase,
    PrototypeBase,
    ReservationBase,
    RunBase,
    ShipmentBase,
    SupplierBase,
    Timestamp,
    TrendBase,
    UserBase,
    VariantBase,
    json_column,
    optional_stamp,
    stamp,
    utcnow,
)

__all__ = ["utcnow"]  # re-exported: rows are stamped with it


class Trend(TrendBase, table=True):
    """A viral product idea and where its pipeline is."""

    id: int | None = Field(default=None, primary_key=True)
    dedup_key: str = Field(index=True, unique=True, max_length=64)


class DesignVariant(VariantBase, table=True):
    __table_args__ = (UniqueConstraint("trend_id", "rank", name="uq_variant_trend_rank"),)

    id: int | None = Field(default=None, primary_key=True)
    trend_id: int = Field(foreign_key="trend.id", index=True)
    selected: bool = False
    created_at: Timestamp = stamp()


class Prototype(PrototypeBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    workflow_id: str = Field(unique=True, max_length=160)
    trend_id: int = Field(foreign_key="trend.id", index=True)
    support_area_mm2: float = 0.0
    created_at: Timestamp = stamp()


class Supplier(SupplierBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class SupplierCapability(SQLModel, table=True):
    """What one supplier can do, how much per day and at what price."""

    __table_args__ = (UniqueConstraint("supplier_id", "process", name="uq_capability"),)

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="supplier.id", index=True)
    process: str = Field(index=True, max_length=64)
    capacity_units_per_day: int
    unit_cost_usd: float


class SupplierReservation(ReservationBase, table=True):
    __table_args__ = (
        UniqueConstraint("workflow_id", "supplier_id", "process", name="uq_reservation"),
    )

    id: int | None = Field(default=None, primary_key=True)


class ProductionPlan(PlanBase, table=True):
    __table_args__ = (UniqueConstraint("workflow_id", "revision", name="uq_plan_revision"),)

    id: int | None = Field(default=None, primary_key=True)


class ProductionRun(RunBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class ProgressEvent(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("trend_id", "line_id", "day", name="uq_progress"),)

    id: int | None = Field(default=None, primary_key=True)
    trend_id: int = Field(foreign_key="trend.id", index=True)
    line_id: str = Field(max_length=64)
    day: int
    units: int
    scrap: int = 0
    at: Timestamp = stamp()


class Shipment(ShipmentBase, table=True):
    __table_args__ = (UniqueConstraint("trend_id", "sequence", name="uq_shipment"),)

    id: int | None = Field(default=None, primary_key=True)


class Consignment(ConsignmentBase, table=True):
    """A delivery leg; one row per (idea, batch, market, leg), so a retried booking finds it."""

    __table_args__ = (
        UniqueConstraint("trend_id", "batch_sequence", "market", "leg", name="uq_consignment"),
    )

    id: int | None = Field(default=None, primary_key=True)


class Milestone(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("trend_id", "name", name="uq_milestone"),)

    id: int | None = Field(default=None, primary_key=True)
    trend_id: int = Field(foreign_key="trend.id", index=True)
    name: str = Field(max_length=32)
    at: Timestamp = Field(sa_type=DateTime(timezone=True))  # type: ignore[call-overload]
    detail: str = Field(default="", max_length=500)


class Compliance(SQLModel, table=True):
    """One market's compliance gate for an idea: the check's findings and test plan, and what
    opened the gate (a stored lab report with its sha256, or a planner's waiver and reason)."""

    __table_args__ = (UniqueConstraint("trend_id", "market", name="uq_compliance_market"),)

    id: int | None = Field(default=None, primary_key=True)
    trend_id: int = Field(foreign_key="trend.id", index=True)
    market: str = Field(max_length=16)  # as asked: US, EU, CA ...
    rules_market: str = Field(max_length=16)  # whose rules apply: CA -> DEFAULT
    variant_id: int | None = Field(default=None, foreign_key="designvariant.id")
    age_grade: str = Field(max_length=16)
    rules_version: str = Field(max_length=32)
    passed: bool = False
    status: str = Field(default="blocked", max_length=16)  # blocked, awaiting, open
    findings: list[dict[str, Any]] = json_column()
    plan: dict[str, Any] = json_column(dict)
    lab_report_path: str | None = Field(default=None, max_length=500)
    lab_report_sha256: str | None = Field(default=None, max_length=64)
    waived_by: str | None = Field(default=None, max_length=64)
    waiver_reason: str | None = Field(default=None, max_length=1000)
    cleared_at: Timestamp | None = optional_stamp()
    updated_at: Timestamp = stamp()


class Notification(NotificationBase, table=True):
    """Reminders and escalations raised by the human waits."""

    id: int | None = Field(default=None, primary_key=True)


class TrendSignal(SQLModel, table=True):
    """A phrase seen by a trend feed or POST /signals, with its virality score."""

    id: int | None = Field(default=None, primary_key=True)
    phrase: str = Field(max_length=500)
    normalized: str = Field(index=True, max_length=500)
    score: float
    source: str = Field(default="api", max_length=64)
    trend_id: int | None = Field(default=None, foreign_key="trend.id")
    observed_at: Timestamp = stamp()


class PreferenceModel(SQLModel, table=True):
    """Merchant preferences learned from picks, per product family (engines.design.preference)."""

    id: int | None = Field(default=None, primary_key=True)
    family: str = Field(unique=True, max_length=64)
    weights: dict[str, float] = json_column(dict)
    updates: int = 0  # picks learned from; also the optimistic-lock version of the row
    applied_trends: list[int] = json_column()  # recent ideas
    updated_at: Timestamp = stamp()


class SourcingMatch(SQLModel, table=True):
    """The supplier match of one pipeline: hub, explanation and runner-up alternatives."""

    id: int | None = Field(default=None, primary_key=True)
    workflow_id: str = Field(unique=True, max_length=160)
    trend_id: int = Field(foreign_key="trend.id", index=True)
    hub: str = Field(max_length=64)
    hub_lat: float
    hub_lon: float
    landed_unit_cost_usd: float
    units_per_day: int
    max_travel_minutes: float
    assignments: list[dict[str, Any]] = json_column()
    alternatives: list[dict[str, Any]] = json_column()
    explanation: list[str] = json_column()
    updated_at: Timestamp = stamp()


class User(UserBase, table=True):
    """A person who logs in: merchant, planner, viewer or admin (api.auth hashes the password)."""

    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=255)


class RevokedSession(SQLModel, table=True):
    """A login token revoked before it expires (logout); kept until then."""

    __tablename__ = "revoked_session"

    jti: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))  # type: ignore[call-overload]


class ApiKey(ApiKeyBase, table=True):
    """A machine credential (trend feed, factory MES): only a hash of the key is stored."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(max_length=64)


class FactoryLine(SQLModel, table=True):
    """One of the factory's own production lines: what it makes, how fast, when it works."""

    id: int | None = Field(default=None, primary_key=True)
    line_id: str = Field(unique=True, max_length=64)
    site: str = Field(default="own factory", max_length=128)
    process: str = Field(index=True, max_length=64)
    rate_units_per_day: float  # nominal, at one shift
    shift_hours: float = 8.0
    days_off: list[int] = json_column()  # weekdays 0..6 the line does not work
    ramp_days: int = 3  # days from start to full rate
    ramp_start_fraction: float = 0.4  # share of the rate on the first day
    changeover_days: float = 0.5  # set-up before a new product
    active: bool = True
    created_at: Timestamp = stamp()


class LineBooking(SQLModel, table=True):
    """Time one plan holds on one of the factory's own lines: held (proposed, until it
    expires), firm (approved) or released (rejected, cancelled, replaced, expired, done)."""

    id: int | None = Field(default=None, primary_key=True)
    line_id: str = Field(index=True, max_length=64)
    workflow_id: str = Field(index=True, max_length=160)
    trend_id: int = Field(foreign_key="trend.id", index=True)
    revision: int = 0
    start_at: Timestamp = Field(sa_type=DateTime(timezone=True))  # type: ignore[call-overload]
    end_at: Timestamp = Field(sa_type=DateTime(timezone=True))  # type: ignore[call-overload]
    status: str = Field(default="held", index=True, max_length=16)
    expires_at: Timestamp | None = optional_stamp()  # a held booking's end
    reason: str = Field(default="", max_length=500)
    created_at: Timestamp = stamp()
    released_at: Timestamp | None = optional_stamp()

"""SQLModel tables: the durable projection of every pipeline, read by the API and dashboards.

Each table that an activity writes carries a uniqueness key built from the workflow id and
stage, so a retried activity finds its earlier row instead of writing a second one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), **kw)  # type: ignore[call-overload]


class Trend(SQLModel, table=True):
    """A viral product idea and where its pipeline is."""

    id: int | None = Field(default=None, primary_key=True)
    dedup_key: str = Field(index=True, unique=True, max_length=64)
    text: str = Field(max_length=2000)
    merchant_id: str = Field(index=True, max_length=128)
    target_size_mm: float | None = None
    market: str = Field(default="global", max_length=64)
    target_price: float | None = None
    expected_volume: int = 20_000
    due_in_days: int = 21
    reference_mesh_path: str | None = Field(default=None, max_length=1024)
    source: str = Field(default="merchant", max_length=32)
    stage: str = Field(default="received", index=True, max_length=32)
    detail: str = Field(default="", max_length=2000)
    workflow_id: str | None = Field(default=None, max_length=128)
    selected_variant_id: int | None = None
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class DesignVariant(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("trend_id", "rank", name="uq_variant_trend_rank"),)

    id: int | None = Field(default=None, primary_key=True)
    trend_id: int = Field(foreign_key="trend.id", index=True)
    rank: int
    family: str = Field(max_length=64)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    params: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON))
    score: float
    unit_cost_usd: float
    volume_cm3: float
    dims_mm: list[float] = Field(default_factory=list, sa_column=Column(JSON))
    processes: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    printable: bool = True
    mesh_path: str = Field(max_length=1024)
    preview_path: str | None = Field(default=None, max_length=1024)
    selected: bool = False
    created_at: datetime = _ts()


class Prototype(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    workflow_id: str = Field(unique=True, max_length=160)
    trend_id: int = Field(foreign_key="trend.id", index=True)
    variant_id: int = Field(foreign_key="designvariant.id")
    print_time_s: float
    filament_g: float
    filament_m: float
    layer_count: int
    volume_cm3: float
    dims_mm: list[float] = Field(default_factory=list, sa_column=Column(JSON))
    findings: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    repaired: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    support_area_mm2: float = 0.0
    triangles: int = 0
    stl_path: str = Field(max_length=1024)
    threemf_path: str = Field(max_length=1024)
    gcode_path: str | None = Field(default=None, max_length=1024)
    slicer_print_time_s: float | None = None
    created_at: datetime = _ts()


class Supplier(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=64)
    name: str = Field(max_length=200)
    town: str = Field(index=True, max_length=64)
    lat: float
    lon: float
    lead_time_days: float = 2.0
    moq_units: int = 100
    quality: float = Field(default=0.9, ge=0, le=1)


class SupplierCapability(SQLModel, table=True):
    """What one supplier can do, how much per day and at what price."""

    __table_args__ = (UniqueConstraint("supplier_id", "process", name="uq_capability"),)

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = Field(foreign_key="supplier.id", index=True)
    process: str = Field(index=True, max_length=64)
    capacity_units_per_day: int
    unit_cost_usd: float


class SupplierReservation(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("workflow_id", "supplier_id", "process", name="uq_reservation"),
    )

    id: int | None = Field(default=None, primary_key=True)
    workflow_id: str = Field(index=True, max_length=160)
    trend_id: int = Field(foreign_key="trend.id", index=True)
    supplier_id: int = Field(foreign_key="supplier.id", index=True)
    process: str = Field(max_length=64)
    units_per_day: int
    status: str = Field(default="held", index=True, max_length=16)  # held | released
    reason: str = Field(default="", max_length=500)
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))  # type: ignore[call-overload]
    created_at: datetime = _ts()
    released_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))  # type: ignore[call-overload]


class ProductionPlan(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("workflow_id", "revision", name="uq_plan_revision"),)

    id: int | None = Field(default=None, primary_key=True)
    workflow_id: str = Field(index=True, max_length=160)
    trend_id: int = Field(foreign_key="trend.id", index=True)
    revision: int = 0
    status: str = Field(default="pending", index=True, max_length=16)
    quantity: int
    due_day: int
    completion_day: int
    on_time: bool
    eta: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))  # type: ignore[call-overload]
    lines: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    daily: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    notes: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    constraints: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    gantt: list[list[Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=True)
    )  # [line_id, lot, stage, start_day, end_day, lot units]; plans before units had 5 items
    solver_status: str = Field(default="greedy", max_length=16)
    lower_bound: float | None = None
    gap: float | None = None
    reviewer: str | None = Field(default=None, max_length=128)
    review_reason: str = Field(default="", max_length=2000)
    created_at: datetime = _ts()
    reviewed_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))  # type: ignore[call-overload]


class ProductionRun(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    workflow_id: str = Field(unique=True, max_length=160)
    trend_id: int = Field(foreign_key="trend.id", index=True)
    plan_id: int = Field(foreign_key="productionplan.id")
    quantity: int
    produced: int = 0
    shipped: int = 0
    status: str = Field(default="running", max_length=16)
    started_at: datetime = _ts()
    finished_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))  # type: ignore[call-overload]


class ProgressEvent(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("trend_id", "line_id", "day", name="uq_progress"),)

    id: int | None = Field(default=None, primary_key=True)
    trend_id: int = Field(foreign_key="trend.id", index=True)
    line_id: str = Field(max_length=64)
    day: int
    units: int
    scrap: int = 0
    at: datetime = _ts()


class Shipment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("trend_id", "sequence", name="uq_shipment"),)

    id: int | None = Field(default=None, primary_key=True)
    trend_id: int = Field(foreign_key="trend.id", index=True)
    sequence: int
    units: int
    at: datetime = _ts()


class Milestone(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("trend_id", "name", name="uq_milestone"),)

    id: int | None = Field(default=None, primary_key=True)
    trend_id: int = Field(foreign_key="trend.id", index=True)
    name: str = Field(max_length=32)
    at: datetime = Field(sa_type=DateTime(timezone=True))  # type: ignore[call-overload]
    detail: str = Field(default="", max_length=500)


class Notification(SQLModel, table=True):
    """Reminders and escalations raised by the human waits."""

    id: int | None = Field(default=None, primary_key=True)
    trend_id: int = Field(foreign_key="trend.id", index=True)
    kind: str = Field(max_length=32)
    message: str = Field(max_length=1000)
    at: datetime = Field(sa_type=DateTime(timezone=True))  # type: ignore[call-overload]


class TrendSignal(SQLModel, table=True):
    """A phrase seen by a trend feed or POST /signals, with its virality score."""

    id: int | None = Field(default=None, primary_key=True)
    phrase: str = Field(max_length=500)
    normalized: str = Field(index=True, max_length=500)
    score: float
    source: str = Field(default="api", max_length=64)
    trend_id: int | None = Field(default=None, foreign_key="trend.id")
    observed_at: datetime = _ts()


class PreferenceModel(SQLModel, table=True):
    """Merchant preferences learned from picks, per product family (engines.design.preference)."""

    id: int | None = Field(default=None, primary_key=True)
    family: str = Field(unique=True, max_length=64)
    weights: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON))
    updates: int = 0  # picks learned from; also the optimistic-lock version of the row
    applied_trends: list[int] = Field(default_factory=list, sa_column=Column(JSON))  # recent ideas
    updated_at: datetime = _ts()


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
    assignments: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    alternatives: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    explanation: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    updated_at: datetime = _ts()


class User(SQLModel, table=True):
    """A person who logs in: merchant, planner, viewer or admin (api.auth hashes the password)."""

    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True, max_length=128)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=255)
    active: bool = True
    created_at: datetime = _ts()


class ApiKey(SQLModel, table=True):
    """A machine credential (trend feed, factory MES): only a hash of the key is stored."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128)
    prefix: str = Field(unique=True, index=True, max_length=16)
    key_hash: str = Field(max_length=64)
    role: str = Field(max_length=16)
    owner: str = Field(max_length=128)
    created_by: str = Field(max_length=128)
    created_at: datetime = _ts()
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))  # type: ignore[call-overload]

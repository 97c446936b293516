"""One definition per record: the fields a table row shares with its contract or API answer.

Each `…Base` is a SQLModel without a table. The table in models.tables adds its keys and
private columns; the contract in models.contracts or the answer in api.schemas adds what only
it carries. A row becomes either with `Model.model_validate(row, from_attributes=True)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import WithJsonSchema
from sqlalchemy import JSON, Column, DateTime
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


# A stored timestamp. It is UTC; PostgreSQL gives it back with its offset ("...Z" in JSON), SQLite
# without one, so the answers' schema says "string", not RFC 3339's "date-time".
Timestamp = Annotated[
    datetime,
    WithJsonSchema({"type": "string", "description": "ISO 8601, UTC"}, mode="serialization"),
]


def stamp(**kw: Any) -> Any:
    """A timestamp column set when the row is made."""
    return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), **kw)  # type: ignore[call-overload]


def optional_stamp() -> Any:
    """A timestamp column that stays empty until something happens."""
    return Field(default=None, sa_type=DateTime(timezone=True))  # type: ignore[call-overload]


def json_column(factory: Any = list, **kw: Any) -> Any:
    """A JSON column (list or dict)."""
    return Field(default_factory=factory, sa_column=Column(JSON, **kw))


class TrendBase(SQLModel):
    """A viral product idea and where its pipeline is (everything but the dedup key)."""

    text: str = Field(max_length=2000)
    merchant_id: str = Field(index=True, max_length=128)
    target_size_mm: float | None = None
    market: str = Field(default="global", max_length=64)
    target_price: float | None = None
    expected_volume: int = 20_000
    due_in_days: int = 21
    reference_mesh_path: str | None = Field(default=None, max_length=1024)
    source: str = Field(default="merchant", max_length=32)
    use_as: str = Field(default="reference", max_length=16)  # the upload: reference | design
    alternatives: bool = True  # with use_as=design: generated alternatives besides the model
    units: str = Field(default="auto", max_length=8)  # of the uploaded model's numbers
    scale: float | None = None  # applied to the own model after its units
    allow_split: bool = False
    printer: str | None = Field(default=None, max_length=32)  # None: the deployment's default
    stage: str = Field(default="received", index=True, max_length=32)
    detail: str = Field(default="", max_length=2000)
    workflow_id: str | None = Field(default=None, max_length=128)
    selected_variant_id: int | None = None
    design_spec: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    # [{"market": "US", "units": 5000, "deadline": "2027-01-15" | null}]: models.contracts.Destination
    destinations: list[dict[str, Any]] = json_column()
    # markets whose safety rules it meets (None: its destinations'), and the merchant's age grade
    compliance_markets: list[str] | None = Field(default=None, sa_column=Column(JSON))
    age_grade: str | None = Field(default=None, max_length=16)
    # the planner's priority override (steps, + first); None: from due date and order value
    priority_override: int | None = Field(default=None, ge=-100, le=100)
    created_at: Timestamp = stamp()
    updated_at: Timestamp = stamp()


class VariantBase(SQLModel):
    """One ranked design variant: looks, cost, printability and its files."""

    rank: int = Field(description="1 = best")
    family: str = Field(max_length=64)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    params: dict[str, float] = json_column(dict)
    score: float
    unit_cost_usd: float
    volume_cm3: float
    dims_mm: Sequence[float] = json_column()  # x, y, z
    processes: list[str] = json_column()
    printable: bool = True
    mesh_path: str = Field(max_length=1024)
    preview_path: str | None = Field(default=None, max_length=1024)
    labels: list[str] = json_column()  # what sets it apart: "chibi · sitting · pink"
    source: str = Field(default="parametric", max_length=64)  # the generator that made it
    findings: list[str] = json_column()  # why it would not print, if it would not


class PrototypeBase(SQLModel):
    """What print-prep made of a picked variant: size, time, filament, repairs, findings, files."""

    variant_id: int = Field(foreign_key="designvariant.id")
    print_time_s: float
    filament_g: float
    filament_m: float
    layer_count: int
    volume_cm3: float
    dims_mm: Sequence[float] = json_column()  # x, y, z
    findings: list[dict[str, Any]] = json_column()
    repaired: list[str] = json_column()
    triangles: int = 0
    stl_path: str = Field(max_length=1024)
    threemf_path: str = Field(max_length=1024)
    gcode_path: str | None = Field(default=None, max_length=1024)
    slicer_print_time_s: float | None = None  # PrusaSlicer's own estimate, shown when present
    status: str = Field(default="ready", max_length=16)  # ready | unprintable (no estimate)
    reason: str | None = Field(default=None, max_length=2000)  # why it will not print
    fix: str | None = Field(default=None, max_length=2000)  # what would make it print
    unit: str = Field(default="mm", max_length=8)  # how the file's numbers were read
    unit_note: str = Field(default="", max_length=500)  # "read as inches because ..."
    scale: float = 1.0  # applied after reading
    printer: str = Field(default="prusa_mk4", max_length=32)
    plate_count: int = 1
    plate_paths: list[str] = json_column()  # one STL per plate when several
    part_paths: list[str] = json_column()  # one STL per piece when split
    health_before: dict[str, Any] = json_column(dict)  # defect counts as uploaded
    health_after: dict[str, Any] = json_column(dict)  # ... after repair
    before_preview_path: str | None = Field(default=None, max_length=1024)
    after_preview_path: str | None = Field(default=None, max_length=1024)


class SupplierBase(SQLModel):
    """A supplier of the network: where it is, how fast and how good (capabilities apart)."""

    code: str = Field(unique=True, max_length=64)
    name: str = Field(max_length=200)
    town: str = Field(index=True, max_length=64)
    lat: float
    lon: float
    lead_time_days: float = 2.0
    moq_units: int = 100
    quality: float = Field(default=0.9, ge=0, le=1)


class ReservationBase(SQLModel):
    """Capacity (units/day) of one supplier's process held for one pipeline."""

    workflow_id: str = Field(index=True, max_length=160)
    trend_id: int = Field(foreign_key="trend.id", index=True)
    supplier_id: int = Field(foreign_key="supplier.id", index=True)
    process: str = Field(max_length=64)
    units_per_day: int
    status: str = Field(default="held", index=True, max_length=16)  # held | released
    reason: str = Field(default="", max_length=500)
    expires_at: Timestamp = Field(sa_type=DateTime(timezone=True))  # type: ignore[call-overload]
    created_at: Timestamp = stamp()
    released_at: Timestamp | None = optional_stamp()


class PlanBase(SQLModel):
    """A production plan of one revision: quantity, completion vs due day, lines, review."""

    workflow_id: str = Field(index=True, max_length=160)
    trend_id: int = Field(foreign_key="trend.id", index=True)
    revision: int = 0
    status: str = Field(default="pending", index=True, max_length=16)
    quantity: int
    due_day: int
    completion_day: int
    on_time: bool
    eta: Timestamp | None = optional_stamp()
    lines: list[dict[str, Any]] = json_column()
    daily: list[dict[str, Any]] = json_column()
    notes: list[str] = json_column()
    constraints: dict[str, Any] = json_column(dict)
    # [line_id, lot, stage, start_day, end_day, lot units]; plans before units had 5 items
    gantt: list[list[Any]] = json_column(nullable=True)
    # the bottleneck process's ramp: completion day on 2 … N lines, lines to recruit, binding
    ramp: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    solver_status: str = Field(default="greedy", max_length=16)
    lower_bound: float | None = None
    gap: float | None = None
    reviewer: str | None = Field(default=None, max_length=128)
    review_reason: str = Field(default="", max_length=2000)
    created_at: Timestamp = stamp()
    reviewed_at: Timestamp | None = optional_stamp()


class RunBase(SQLModel):
    """A production run: units made and shipped against the order."""

    workflow_id: str = Field(unique=True, max_length=160)
    trend_id: int = Field(foreign_key="trend.id", index=True)
    plan_id: int = Field(foreign_key="productionplan.id")
    quantity: int
    produced: int = 0
    shipped: int = 0
    status: str = Field(default="running", max_length=16)
    started_at: Timestamp = stamp()
    finished_at: Timestamp | None = optional_stamp()


class ShipmentBase(SQLModel):
    """A batch of finished units shipped."""

    trend_id: int = Field(foreign_key="trend.id", index=True)
    sequence: int
    units: int
    at: Timestamp = stamp()


class ConsignmentBase(SQLModel):
    """Units of one batch on one lane to one market: plan, cost (USD), documents and status."""

    trend_id: int = Field(foreign_key="trend.id", index=True)
    batch_sequence: int  # the Shipment (batch) it leaves with
    market: str = Field(max_length=8)
    leg: int = 0  # 0: the only or the fast leg of a split, 1: the rest
    units: int
    mode: str = Field(max_length=16)  # express | air | rail | sea
    lane_id: str = Field(max_length=64)
    status: str = Field(default="planned", index=True, max_length=16)
    deadline: date | None = None
    planned_departure: date
    eta_latest: date
    freight_usd: float = 0.0
    duty_usd: float = 0.0
    fees_usd: float = 0.0
    export_mode: str = Field(default="", max_length=8)
    documents: list[str] = json_column()
    explanation: list[str] = json_column()
    booked_at: Timestamp | None = optional_stamp()
    delivered_at: Timestamp | None = optional_stamp()
    created_at: Timestamp = stamp()
    # where the carrier last said it was: "departed · Ningbo-Zhoushan port", and when
    location: str = Field(default="", max_length=240)
    tracked_at: Timestamp | None = optional_stamp()
    # what the documents need: cartons, gross kg, CBM, carton size, unit value (USD), category
    packing: dict[str, Any] = json_column(dict)


class NotificationBase(SQLModel):
    """A reminder, escalation or slippage note raised by the pipeline."""

    trend_id: int = Field(foreign_key="trend.id", index=True)
    kind: str = Field(max_length=32)
    message: str = Field(max_length=1000)
    at: Timestamp = Field(sa_type=DateTime(timezone=True))  # type: ignore[call-overload]


class UserBase(SQLModel):
    """A person who logs in (the password hash is the table's alone)."""

    username: str = Field(unique=True, index=True, max_length=128)
    role: str = Field(max_length=16)
    active: bool = True
    created_at: Timestamp = stamp()
    # bumped by deactivation, a role change or a password reset: older sessions stop working
    session_epoch: int = 0


class ApiKeyBase(SQLModel):
    """A machine credential (the key's hash is the table's alone)."""

    name: str = Field(max_length=128)
    prefix: str = Field(unique=True, index=True, max_length=16)
    role: str = Field(max_length=16)
    owner: str = Field(max_length=128)
    # the merchant ids a machine key may post signals for and see the ideas of
    merchant_ids: list[str] = json_column()
    created_by: str = Field(max_length=128)
    created_at: Timestamp = stamp()
    revoked_at: Timestamp | None = optional_stamp()

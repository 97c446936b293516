"""The JSON answers of the API. Where an answer is a stored record it extends that record's base
in models.records (one definition per record); fields kept from clients say `exclude=True`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlmodel import Field

from models import records
from models.contracts import PipelineStatus, ProgressReport

# ---------------------------------------------------------------------------- ideas


class IdeaCreated(BaseModel):
    id: int
    workflow_id: str
    stage: str
    created: bool


class IdeaOut(records.TrendBase):
    id: int


class MilestoneOut(BaseModel):
    name: str
    at: records.Timestamp | None
    detail: str


class NotificationOut(records.NotificationBase):
    id: int


class RunOut(records.RunBase):
    id: int


class IdeaDetail(IdeaOut):
    milestones: list[MilestoneOut]
    notifications: list[NotificationOut]
    run: RunOut | None
    consignments: list[ConsignmentOut] = Field(default_factory=list, description="Delivery legs")
    live: PipelineStatus | None = Field(description="The workflow's own status (up to 3 s)")


class CancelOut(BaseModel):
    id: int
    cancelling: bool


# ---------------------------------------------------------------------------- variants, prototype


class VariantOut(records.VariantBase):
    id: int
    trend_id: int
    selected: bool
    created_at: records.Timestamp
    mesh_path: str = Field(default="", exclude=True)
    preview_path: str | None = Field(default=None, exclude=True)
    preview_url: str
    mesh_url: str
    model_url: str


class PrototypeOut(records.PrototypeBase):
    id: int
    workflow_id: str
    trend_id: int
    support_area_mm2: float
    created_at: records.Timestamp
    stl_path: str = Field(default="", exclude=True)
    threemf_path: str = Field(default="", exclude=True)
    gcode_path: str | None = Field(default=None, exclude=True)
    before_preview_path: str | None = Field(default=None, exclude=True)
    after_preview_path: str | None = Field(default=None, exclude=True)
    plate_paths: list[str] = Field(default_factory=list, exclude=True)
    part_paths: list[str] = Field(default_factory=list, exclude=True)
    downloads: dict[str, str] = Field(description="stl, 3mf and gcode links, those that exist")


# ---------------------------------------------------------------------------- suppliers


class ReservationOut(records.ReservationBase):
    id: int


class Capability(BaseModel):
    process: str
    capacity_units_per_day: int
    unit_cost_usd: float


class SupplierOut(records.SupplierBase):
    id: int
    capabilities: list[Capability]
    travel_minutes: float | None = Field(default=None, description="Only when searched near")


class SupplierPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[SupplierOut]


class SupplierDetail(SupplierOut):
    held: dict[str, int] = Field(description="Units/day held by live reservations per process")


class ImportOut(BaseModel):
    rows: int
    created: int
    updated: int
    capabilities: int


class SupplierBrief(BaseModel):
    code: str
    name: str
    town: str
    lat: float
    lon: float


class MatchedReservation(ReservationOut):
    supplier: SupplierBrief


class Hub(BaseModel):
    name: str
    lat: float
    lon: float


class MatchOut(BaseModel):
    trend_id: int
    hub: Hub | None
    landed_unit_cost_usd: float | None
    explanation: list[str]
    reservations: list[MatchedReservation]
    alternatives: list[dict[str, Any]]


# ---------------------------------------------------------------------------- plans, runs


class PlanOut(records.PlanBase):
    id: int


class PlanListItem(PlanOut):
    daily: list[dict[str, Any]] = Field(default_factory=list, exclude=True)


class ReviewOut(BaseModel):
    plan_id: int
    decision: str


class ShipmentOut(records.ShipmentBase):
    id: int


class RunDetail(RunOut):
    shipments: list[ShipmentOut]


class ProgressAccepted(BaseModel):
    run_id: int
    accepted: ProgressReport


class CarrierAccepted(BaseModel):
    consignment_id: int
    accepted: bool = Field(description="False: the consignment is closed; nothing changed")
    status: str


class ConsignmentOut(records.ConsignmentBase):
    id: int


class BatchAccepted(BaseModel):
    run_id: int
    accepted: int = Field(description="Reports in the batch")


# ---------------------------------------------------------------------------- signals, health


class SignalOut(BaseModel):
    phrase: str
    score: float
    viral: bool
    duplicate: bool | None = Field(default=None, description="Present when viral but known")
    idea_id: int | None = Field(default=None, description="Present when a pipeline started")


class Health(BaseModel):
    status: str


class QueueReadiness(BaseModel):
    """The workers polling one task queue, by the kind of task they take."""

    queue: str
    role: str = Field(description="what runs there: workflows and light activities, or CPU work")
    pollers: dict[str, int] = Field(description="live pollers per task kind (workflow, activity)")
    ready: bool


class Readiness(BaseModel):
    status: str = Field(description="ready, or not ready with the reason")
    queues: list[QueueReadiness]


# ---------------------------------------------------------------------------- auth


class TokenOut(BaseModel):
    access_token: str
    token_type: str
    expires_in: int
    role: str


class UserOut(records.UserBase):
    id: int


class ApiKeyOut(records.ApiKeyBase):
    id: int


class NewApiKeyOut(ApiKeyOut):
    key: str = Field(description="The clear key, in this answer only")


# ---------------------------------------------------------------------------- the factory


class BookingOut(BaseModel):
    """Time one pipeline holds on a line."""

    id: int
    workflow_id: str
    trend_id: int
    revision: int
    start_at: records.Timestamp
    end_at: records.Timestamp
    status: str
    expires_at: records.Timestamp | None


class FactoryLineOut(BaseModel):
    """One of the factory's own lines and the bookings that hold it now."""

    line_id: str
    site: str
    process: str
    rate_units_per_day: float
    shift_hours: float
    days_off: list[int]
    ramp_days: int
    ramp_start_fraction: float
    changeover_days: float
    active: bool
    bookings: list[BookingOut]


class LinesImportOut(BaseModel):
    rows: int
    created: int
    updated: int


class BookingConflict(BaseModel):
    """Time a plan books that another idea holds too: the overlap, its dates, who holds it."""

    line_id: str
    start_at: datetime
    end_at: datetime
    days: list[str]
    trend_id: int
    workflow_id: str
    status: str  # tentative | firm


class PlanConflictsOut(BaseModel):
    """What approving a plan would collide with, before it is approved: other ideas' holds on
    its booked time, its own expired holds, and what its ramp would take from other ideas."""

    plan_id: int
    status: str
    conflicts: list[BookingConflict]
    expired_holds: int = 0
    recruit: list[dict[str, Any]] = Field(default_factory=list)

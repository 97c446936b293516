"""Pydantic contracts passed between the API, workflows, activities and engines.

Every workflow and activity takes one model and returns one model, so fields can be
added with defaults without breaking running workflow histories.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from models.names import CPU_QUEUE, FEED_MERCHANT
from models.records import PrototypeBase, VariantBase


class Stage(StrEnum):
    """Where an idea is in the pipeline (also the `TrendStage` search attribute)."""

    received = "received"
    designing = "designing"
    awaiting_selection = "awaiting_selection"
    prototyping = "prototyping"
    checking_compliance = "checking_compliance"
    awaiting_compliance = "awaiting_compliance"  # a lab report or a planner's waiver per market
    sourcing = "sourcing"
    planning = "planning"
    awaiting_plan_review = "awaiting_plan_review"
    producing = "producing"
    shipped = "shipped"  # the last batch left the factory (the end when nothing is delivered)
    in_transit = "in_transit"  # shipped; waiting for the delivery legs to arrive
    delivered = "delivered"  # every delivery leg ended (delivered, or lost and reported)
    rejected = "rejected"
    cancelled = "cancelled"
    failed = "failed"


TERMINAL_STAGES = frozenset(
    {Stage.shipped, Stage.delivered, Stage.rejected, Stage.cancelled, Stage.failed}
)
# The stages an idea ends in when its goods left the factory (delivered: and arrived).
DONE_STAGES = frozenset({Stage.shipped, Stage.delivered})


class MilestoneName(StrEnum):
    """Lead-time milestones, in pipeline order."""

    trend_seen = "trend_seen"
    variants_ready = "variants_ready"
    variant_selected = "variant_selected"
    prototype_ready = "prototype_ready"
    compliance_cleared = "compliance_cleared"
    suppliers_reserved = "suppliers_reserved"
    plan_proposed = "plan_proposed"
    plan_approved = "plan_approved"
    first_batch = "first_batch"
    in_transit = "in_transit"  # the first delivery legs booked with a carrier
    shipped = "shipped"
    delivered = "delivered"  # the last delivery leg ended


MILESTONE_ORDER: tuple[MilestoneName, ...] = tuple(MilestoneName)
# Milestones only ideas with delivery legs have; the others end at `shipped`.
DELIVERY_MILESTONES = frozenset({MilestoneName.in_transit, MilestoneName.delivered})

# Stage durations for dashboards: name -> (from milestone, to milestone).
STAGE_SPANS: dict[str, tuple[MilestoneName, MilestoneName]] = {
    "design": (MilestoneName.trend_seen, MilestoneName.variants_ready),
    "selection": (MilestoneName.variants_ready, MilestoneName.variant_selected),
    "prototype": (MilestoneName.variant_selected, MilestoneName.prototype_ready),
    "compliance": (MilestoneName.prototype_ready, MilestoneName.compliance_cleared),
    "sourcing": (MilestoneName.compliance_cleared, MilestoneName.suppliers_reserved),
    "planning": (MilestoneName.suppliers_reserved, MilestoneName.plan_proposed),
    "approval": (MilestoneName.plan_proposed, MilestoneName.plan_approved),
    "production": (MilestoneName.plan_approved, MilestoneName.first_batch),
    "shipment": (MilestoneName.first_batch, MilestoneName.shipped),
    "transit": (MilestoneName.shipped, MilestoneName.delivered),
    "total": (MilestoneName.trend_seen, MilestoneName.delivered),
}
# Where "total" ends for an idea without delivery legs (nothing to deliver: the factory gate).
TOTAL_FALLBACK_END = MilestoneName.shipped
AgeGradeName = Literal["under_3", "3_to_13", "14_plus", "adult"]  # engines.compliance.GRADES


# --------------------------------------------------------------------------- intake


class Destination(BaseModel):
    """Where some of an idea's units go: a market of the lanes file, units, delivered by when."""

    market: str = Field(
        min_length=2, max_length=4, pattern=r"^[A-Z]{2,4}$", description="e.g. US, DE, GB, JP"
    )
    units: int = Field(gt=0, le=100_000_000)
    deadline: date | None = Field(
        default=None,
        description="Delivered at the merchant's warehouse by this day (UTC); none: cheapest lane",
    )


class IdeaInput(BaseModel):
    """A merchant's (or a trend feed's) viral product idea."""

    text: str = Field(min_length=1, max_length=2000, description="What is trending, in words")
    merchant_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.@-]+$")
    target_size_mm: float | None = Field(
        default=None, gt=0, le=2000, description="Longest side of the product, mm"
    )
    market: str = Field(default="global", max_length=64)
    target_price: float | None = Field(default=None, ge=0, le=1_000_000, description="Retail, USD")
    expected_volume: int = Field(default=20_000, gt=0, le=100_000_000, description="Units")
    due_in_days: int = Field(default=21, ge=1, le=365, description="Days from approval to ship")
    source: Literal["merchant", "trend-watch", "signal"] = "merchant"
    # an uploaded model: a reference the generated designs follow, or the design itself
    use_as: Literal["reference", "design"] = Field(
        default="reference", description="What an uploaded mesh is: a reference or the design"
    )
    alternatives: bool = Field(
        default=True, description="With use_as=design: also show generated alternatives"
    )
    # print settings of the prototype (units and scale apply to the merchant's own model)
    units: Literal["auto", "mm", "cm", "m", "inch"] = Field(
        default="auto", description="Units of an uploaded model's numbers; auto states its guess"
    )
    scale: float | None = Field(
        default=None, gt=0, le=1000, description="Multiply the own model's size (after units)"
    )
    allow_split: bool = Field(default=False, description="Split a part too big for the bed")
    printer: str | None = Field(
        default=None,
        max_length=32,
        pattern=r"^[a-z0-9_]+$",
        description="Prototype printer profile; default the deployment's",
    )
    destinations: list[Destination] = Field(
        default_factory=list,
        max_length=20,
        description="Markets with units and a deadline; none: the idea's market, all units",
    )
    compliance_markets: list[str] | None = Field(
        default=None,
        max_length=20,
        description="Markets whose safety rules it must meet (US, EU, UK, JP, DE, CA ...); "
        "none given: its destinations' markets; []: none",
    )
    age_grade: AgeGradeName | None = Field(
        default=None, description="Who it is for, when not as read from the words"
    )

    @model_validator(mode="after")
    def _destinations_fit(self) -> IdeaInput:
        markets = [d.market for d in self.destinations]
        if len(set(markets)) < len(markets):
            raise ValueError("destinations: each market at most once")
        wanted = sum(d.units for d in self.destinations)
        if wanted > self.expected_volume:
            raise ValueError(
                f"destinations ask for {wanted} units but the idea makes {self.expected_volume}"
            )
        return self

    @field_validator("compliance_markets")
    @classmethod
    def _market_codes(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return None
        codes = [m.strip().upper() for m in v]
        bad = [m for m in codes if not (m.isalpha() and 2 <= len(m) <= 7)]
        if bad:
            raise ValueError(f"compliance_markets: {bad[0]!r} is not a market code (US, EU, DE)")
        return list(dict.fromkeys(codes))

    @field_validator("text")
    @classmethod
    def _text_has_words(cls, v: str) -> str:
        v = " ".join(v.split())
        if not any(ch.isalnum() for ch in v):
            raise ValueError("text must describe the product in words")
        return v


class SourcingWeights(BaseModel):
    """What a unit of product pays, besides the supplier's price, in the supplier choice (USD)."""

    freight_usd_per_unit_minute: float = Field(default=0.0005, ge=0)
    lead_usd_per_unit_day: float = Field(default=0.004, ge=0)
    makespan_usd_per_unit_day: float = Field(default=0.01, ge=0)
    risk_usd_per_unit: float = Field(default=0.15, ge=0)


class PipelineConfig(BaseModel):
    """Knobs of one pipeline run; defaults suit a real deployment, the demo shortens them."""

    variant_count: int = Field(default=36, ge=1, le=200)
    seed: int = 0
    selection_reminder_s: float = Field(default=4 * 3600, gt=0)
    selection_timeout_s: float = Field(default=24 * 3600, gt=0)
    selection_fallback: Literal["auto_pick_top", "cancel"] = "auto_pick_top"
    review_reminder_s: float = Field(default=4 * 3600, gt=0)
    review_timeout_s: float = Field(default=24 * 3600, gt=0)
    review_fallback: Literal["escalate", "auto_approve"] = "escalate"
    max_replans: int = Field(default=3, ge=0, le=20)
    plan_time_limit_s: float = Field(default=5.0, ge=0, le=120, description="CP-SAT limit, s")
    printer: str = "prusa_mk4"
    material: Literal["PLA", "PETG"] = "PLA"
    layer_height_mm: float = Field(default=0.2, gt=0.04, le=0.6)
    infill_fraction: float = Field(default=0.15, ge=0.0, le=1.0)
    use_slicer: bool = Field(default=True, description="G-code via prusa-slicer when installed")
    max_travel_minutes: float = Field(default=30.0, gt=0, le=240)
    sourcing_weights: SourcingWeights = SourcingWeights()
    shipment_batch_units: int | None = Field(
        default=None, gt=0, description="Ship every N units; default a fifth of the order"
    )
    slippage_threshold: float = Field(default=0.15, gt=0, le=1, description="Fraction behind plan")
    use_search_attributes: bool = True
    cpu_task_queue: str = CPU_QUEUE
    delivery: bool = Field(
        default=True,
        description="Book each shipped batch's legs to the idea's destinations and end the "
        "pipeline when they are delivered (off: it ends at the factory gate)",
    )
    delivery_seconds_per_day: float = Field(default=86_400.0, gt=0, description="SLA clock")
    compliance_markets: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Markets it ships to (US, EU, UK, JP, CA ...); none: the compliance stage "
        "only records its milestone",
    )
    compliance_reminder_s: float = Field(default=3 * 24 * 3600, gt=0)
    compliance_by_destination: bool = Field(
        default=False,
        description="An idea that declares no compliance markets is checked for its "
        "destinations' markets (the API fills compliance_markets)",
    )


class TrendWorkflowInput(BaseModel):
    trend_id: int
    idea: IdeaInput
    config: PipelineConfig = PipelineConfig()
    merchant_tag: str = ""  # the merchant as Temporal's visible fields name it ("" = the id)


# --------------------------------------------------------------------------- design


class DesignRequest(BaseModel):
    workflow_id: str
    trend_id: int
    text: str
    target_size_mm: float | None = None
    target_price: float | None = None
    count: int = 36
    seed: int = 0
    printer: str = "prusa_mk4"  # whose bed a merchant's own model is checked against


class VariantSummary(VariantBase):
    """One ranked design variant as the merchant sees it (a DesignVariant row validates into it)."""

    variant_id: int = Field(validation_alias=AliasChoices("variant_id", "id"))
    dims_mm: tuple[float, float, float]


class DesignResult(BaseModel):
    family: str
    variants: list[VariantSummary]
    notes: list[str] = Field(default_factory=list)  # generators or designs skipped, and why


class SelectVariant(BaseModel):
    """Update payload: the merchant's pick, with who acted (the API fills both; the workflow's
    validator refuses a pick that names no actor, so a direct Temporal call cannot pick)."""

    variant_id: int
    merchant_id: str | None = None  # the idea's merchant, as the API read it
    auto: bool = False
    actor: str = ""  # the user who picked
    role: str = ""  # their role: merchant (the idea's own) or admin
    builds: dict[str, str] = Field(
        default_factory=dict,
        description="How pieces are made, for the compliance check: eyes/nose/<feature> -> "
        "hard, soft, surface (embroidered) or integral",
    )
    age_grade: AgeGradeName | None = None


# --------------------------------------------------------------------------- prototype


class PrototypeRequest(BaseModel):
    workflow_id: str
    trend_id: int
    variant_id: int
    mesh_path: str
    target_size_mm: float | None = None
    units: str = "mm"  # our own variants are in mm; a merchant's model: as chosen or "auto"
    scale: float | None = None
    allow_split: bool = False
    printer: str = "prusa_mk4"
    material: Literal["PLA", "PETG"] = "PLA"
    layer_height_mm: float = 0.2
    infill_fraction: float = 0.15
    use_slicer: bool = True
    cpu_task_queue: str = CPU_QUEUE


class Finding(BaseModel):
    name: str
    severity: Literal["info", "warning", "error"]
    message: str


class PrototypeResult(PrototypeBase):
    """The prepared prototype (a Prototype row validates into it)."""

    prototype_id: int = Field(validation_alias=AliasChoices("prototype_id", "id"))
    dims_mm: tuple[float, float, float]
    findings: list[Finding]  # type: ignore[assignment]
    orientation_support_area_mm2: float = Field(
        validation_alias=AliasChoices("orientation_support_area_mm2", "support_area_mm2")
    )


# --------------------------------------------------------------------------- sourcing


class SourcingRequest(BaseModel):
    workflow_id: str
    trend_id: int
    processes: list[str]
    units_per_day: int = Field(gt=0)
    max_travel_minutes: float = 30.0
    weights: SourcingWeights = SourcingWeights()


class SupplierAssignment(BaseModel):
    supplier_id: int
    supplier_code: str = ""
    supplier_name: str
    town: str
    process: str
    units_per_day: int
    unit_cost_usd: float
    travel_minutes: float
    lead_time_days: float
    reservation_id: int | None = None


class SourcingResult(BaseModel):
    hub: str
    hub_lat: float
    hub_lon: float
    assignments: list[SupplierAssignment]
    alternatives: list[SupplierAssignment] = []
    explanation: list[str] = []
    landed_unit_cost_usd: float


class ReleaseRequest(BaseModel):
    workflow_id: str
    reason: str


# --------------------------------------------------------------------------- planning


class PlanConstraints(BaseModel):
    """Planner's constraints for a replan."""

    exclude_lines: list[str] = []
    max_overtime_hours_per_day: float = Field(default=0.0, ge=0, le=12)
    max_lines: int | None = Field(default=None, ge=1)


class PlanRequest(BaseModel):
    workflow_id: str
    trend_id: int
    family: str
    quantity: int = Field(gt=0)
    due_in_days: int = Field(ge=1)
    sourcing: SourcingResult
    constraints: PlanConstraints = PlanConstraints()
    revision: int = 0
    start_date: datetime | None = None
    start_day: int = Field(default=0, ge=0, description="Factory day the plan starts on")
    produced_so_far: int = 0
    status: Literal["pending", "proposed"] = "pending"
    time_limit_s: float = Field(default=5.0, ge=0, le=120, description="CP-SAT limit; 0 = greedy")


class LineDay(BaseModel):
    line_id: str
    day: int
    units: int


class LinePlan(BaseModel):
    line_id: str
    owner: str
    process: str
    rate_units_per_day: float
    start_day: int
    end_day: int
    units: int
    utilisation: float


class PlanResult(BaseModel):
    """A stored plan as workflows see it (a ProductionPlan row validates into it)."""

    model_config = ConfigDict(from_attributes=True)

    plan_id: int = Field(validation_alias=AliasChoices("plan_id", "id"))
    revision: int
    quantity: int
    lines: list[LinePlan]
    daily: list[LineDay]
    completion_day: int
    due_day: int
    on_time: bool
    eta: datetime | None = None
    notes: list[str] = []
    solver_status: str = "greedy"
    gap: float | None = Field(default=None, description="Relative gap to the solver's bound")

    @field_validator("eta")
    @classmethod
    def _utc(cls, v: datetime | None) -> datetime | None:
        """In UTC (SQLite drops the zone of a stored timestamp: it is UTC)."""
        if v is None:
            return None
        return v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)


class LineSpec(BaseModel):
    """Extra lines to recruit: `count` lines of one process at a rate (units/day) > 0."""

    process: str = Field(min_length=1, max_length=64)
    rate_units_per_day: float = Field(gt=0, le=100_000)
    count: int = Field(default=1, ge=1, le=50)
    available_from_day: int = Field(default=0, ge=0, le=365)
    extra_cost: float = Field(default=0.0, ge=0, description="USD per line, paid once if used")
    ramp_days: int = Field(default=3, ge=0, le=60)
    owner: str = Field(default="what-if", max_length=200)


class Scenario(BaseModel):
    """One alternative: add lines, overtime hours/day, split the order in lots, exclude lines."""

    name: str = Field(min_length=1, max_length=64)
    add_lines: list[LineSpec] = Field(default_factory=list, max_length=20)
    overtime_hours_per_day: float | None = Field(default=None, ge=0, le=12)
    split_lots: int | None = Field(default=None, ge=1, le=150)
    exclude_lines: list[str] = Field(default_factory=list, max_length=200)
    max_lines: int | None = Field(default=None, ge=1)
    quantity: int | None = Field(default=None, gt=0, le=100_000_000)


MAX_SCENARIOS = 8


class WhatIfBody(BaseModel):
    """Scenarios to plan next to the baseline (the plan's own constraints), CP-SAT seconds each."""

    scenarios: list[Scenario] = Field(min_length=1, max_length=MAX_SCENARIOS)
    time_limit_s: float = Field(default=1.0, ge=0, le=10)


class ReservedCapacity(BaseModel):
    """Capacity held at one supplier for one process: what a plan's lines are made of."""

    supplier_code: str
    supplier_name: str
    process: str
    units_per_day: int
    lead_time_days: float


class WhatIfRequest(WhatIfBody):
    """The scenarios with what they are planned against: the stored plan and its reservations."""

    plan_id: int
    quantity: int
    due_day: int
    completion_day: int
    on_time: bool
    created_at: datetime = Field(description="Day 0 of the plan")
    constraints: PlanConstraints
    reserved: list[ReservedCapacity] = Field(min_length=1)
    workflow_id: str = ""  # whose own-line bookings do not block its scenarios
    cpu_task_queue: str = CPU_QUEUE


class DayUnits(BaseModel):
    day: int
    units: int


class ScenarioPlan(BaseModel):
    """One scenario planned: when it completes, what it costs, its lines and shipments."""

    scenario: str
    completion_day: int
    on_time: bool
    makespan_days: float
    lines_used: int
    extra_cost: float
    utilisation: float | None
    solver: str
    quantity: int
    completion_date: str = Field(description="Day 0 is the plan's creation")
    due_day: int
    gap: float | None
    shipments: list[DayUnits]
    lines: list[dict[str, Any]]
    notes: list[str]


class StoredOutcome(BaseModel):
    completion_day: int
    on_time: bool


class WhatIfResult(BaseModel):
    """The baseline (the plan's own constraints) first, then each scenario; nothing is stored."""

    plan_id: int
    quantity: int
    due_day: int
    stored: StoredOutcome
    scenarios: list[ScenarioPlan]


class PlanReview(BaseModel):
    """Update payload: the planner's decision."""

    plan_id: int
    approve: bool
    reason: str = ""
    reviewer: str = ""  # the user who decided (required: the validator refuses none)
    role: str = ""  # planner or admin
    constraints: PlanConstraints | None = None


# --------------------------------------------------------------------------- compliance


class ComplianceRequest(BaseModel):
    """Check the picked variant for the markets it ships to on the shipping date."""

    workflow_id: str
    trend_id: int
    variant_id: int
    markets: list[str]
    ship_date: date
    builds: dict[str, str] = Field(default_factory=dict)
    age_grade: str | None = None


class ComplianceResult(BaseModel):
    """The check's verdict: failing findings go back to the merchant with their fixes."""

    variant_id: int
    passed: bool
    age_grade: str
    age_reasons: list[str] = Field(default_factory=list)
    failures: list[str] = Field(default_factory=list)
    fixes: list[str] = Field(default_factory=list)
    markets: list[str] = Field(default_factory=list)


class LabReport(BaseModel):
    """Update payload: a lab report stored for one market (services.compliance.store_lab_report)."""

    trend_id: int
    market: str = Field(min_length=2, max_length=16)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    path: str = Field(min_length=1, max_length=500)
    uploaded_by: str = Field(default="merchant", max_length=64)


class ComplianceWaiver(BaseModel):
    """Update payload: a planner opens a market's gate without a report, saying why."""

    market: str = Field(min_length=2, max_length=16)
    reason: str = Field(default="", max_length=1000)
    reviewer: str = ""  # who waived (required: the validator refuses none)
    role: str = ""  # planner or admin


class ComplianceGateRecord(BaseModel):
    """A market's gate opened: by a lab report (sha256, path) or a waiver (reason)."""

    trend_id: int
    market: str
    kind: Literal["lab_report", "waiver"]
    by: str
    at: datetime
    reason: str = ""
    sha256: str | None = None
    path: str | None = None


# --------------------------------------------------------------------------- production


class SelectionRecord(BaseModel):
    trend_id: int
    variant_id: int
    auto: bool = False


class PlanReviewRecord(BaseModel):
    plan_id: int
    status: Literal["approved", "rejected", "escalated", "superseded"]
    reviewer: str
    reason: str = ""
    at: datetime


class RunRecord(BaseModel):
    trend_id: int
    workflow_id: str
    plan_id: int
    quantity: int
    produced: int = 0
    shipped: int = 0
    status: Literal["running", "completed", "cancelled"] = "running"
    at: datetime


class RunState(BaseModel):
    """What a production run has counted so far; a run that continues as new carries it on."""

    plan: PlanResult = Field(description="The plan the lines follow (an approved replan's)")
    produced_so_far: int = 0
    shipped_so_far: int = 0
    seen_reports: list[str] = Field(default=[], description="line:day of every counted report")
    produced_by_day: dict[int, int] = {}
    replans: int = 0
    proposed: PlanResult | None = Field(default=None, description="A replan awaiting the planner")
    next_revision: int | None = None
    last_checked_day: int = Field(default=-1, description="The last day compared with the plan")
    last_day: int = Field(default=0, description="The latest day reported")
    consignments: int = Field(default=0, description="Delivery legs booked so far")


class DeliveryOptions(BaseModel):
    """How a run books its batches' delivery legs: the SLA clock and grace."""

    seconds_per_day: float = Field(default=86_400.0, gt=0)
    sla_grace_days: int = Field(default=2, ge=0, le=60)


class ProductionRunInput(BaseModel):
    """A run as the pipeline starts it; `state` is set only when it continues as new."""

    trend_id: int
    workflow_id: str = Field(description="The pipeline's workflow id, which keys its rows")
    plan: PlanResult
    family: str
    sourcing: SourcingResult
    quantity: int
    shipment_batch_units: int
    slippage_threshold: float = 0.15
    plan_time_limit_s: float = 5.0
    cpu_task_queue: str = CPU_QUEUE
    state: RunState | None = None
    delivery: DeliveryOptions | None = Field(
        default=None, description="None: batches end at the factory gate (no delivery legs)"
    )


class ProgressReport(BaseModel):
    """Signal payload: units a line finished in one factory day."""

    line_id: str = Field(min_length=1, max_length=64)
    day: int = Field(ge=0, le=10_000)
    units: int = Field(ge=0, le=10_000_000)
    scrap: int = Field(default=0, ge=0)


class ProgressReports(BaseModel):
    """Signal payload: several lines' reports at once (a shift's worth from an MES)."""

    reports: list[ProgressReport] = Field(min_length=1, max_length=500)


class ProductionRunResult(BaseModel):
    produced: int
    shipped: int
    shipments: int
    replans: int
    last_day: int
    consignments: int = 0  # delivery legs booked (each a ConsignmentDelivery workflow)
    plan_id: int | None = Field(default=None, description="The plan the lines follow now")
    completion_day: int | None = None
    eta: datetime | None = None


class ConsignmentDone(BaseModel):
    """Signal payload: a delivery leg ended (delivered or lost), told to the idea's pipeline."""

    consignment_id: int
    status: str
    market: str = ""
    mode: str = ""
    units: int = 0


class MilestoneRecord(BaseModel):
    trend_id: int
    workflow_id: str
    name: MilestoneName
    at: datetime
    detail: str = ""


class StageUpdate(BaseModel):
    trend_id: int
    stage: Stage
    detail: str = ""


class NotificationRecord(BaseModel):
    trend_id: int
    kind: str
    message: str
    at: datetime


class ProgressRecord(BaseModel):
    trend_id: int
    workflow_id: str
    report: ProgressReport
    at: datetime
    produced_so_far: int = Field(
        description="Finished units the run counts after this report (its truth)"
    )


class ProgressBatch(BaseModel):
    """The new reports a run counted in one wake-up, recorded by one activity."""

    records: list[ProgressRecord] = Field(min_length=1)


class ShipmentRecord(BaseModel):
    trend_id: int
    workflow_id: str
    sequence: int
    units: int
    at: datetime


class DeliveryRequest(BaseModel):
    """One batch leaving the factory: choose and record its legs to the idea's destinations."""

    trend_id: int
    workflow_id: str
    batch_sequence: int = Field(ge=1)
    units: int = Field(gt=0)
    ready_date: date  # the day the batch leaves the factory (UTC)


class Reship(BaseModel):
    """Update payload: a planner re-ships a late or lost leg's units by a faster mode."""

    consignment_id: int
    reason: str = Field(default="", max_length=500)
    reviewer: str = ""  # who decided (required: the validator refuses none)
    role: str = ""  # planner or admin


class ReshipRequest(BaseModel):
    """Book the re-shipment of a late or lost leg: its units again, by the fastest faster mode."""

    trend_id: int
    consignment_id: int
    ready_date: date
    reason: str = ""


class ConsignmentPlan(BaseModel):
    """A recorded delivery leg: lane, dates, landed cost (USD) and why."""

    consignment_id: int
    market: str
    leg: int
    units: int
    mode: str
    lane_id: str
    planned_departure: date
    eta_latest: date
    deadline: date | None
    landed_usd: float
    status: str
    explanation: list[str] = Field(default_factory=list)


class DeliveryPlan(BaseModel):
    """The legs of one batch (none when the idea has no destination)."""

    consignments: list[ConsignmentPlan] = Field(default_factory=list)


CarrierKind = Literal[
    "picked_up", "departed", "arrived", "customs_cleared", "out_for_delivery", "delivered",
    "exception", "lost",
]  # fmt: skip


class CarrierEvent(BaseModel):
    """What a carrier says of a consignment; the same `event_id` again changes nothing."""

    event_id: str = Field(min_length=1, max_length=128)
    kind: CarrierKind
    at: datetime
    location: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=500)


class ConsignmentInput(BaseModel):
    """A booked leg to follow: its plan, the idea's pipeline, and the clock (s per day)."""

    consignment: ConsignmentPlan
    trend_id: int
    workflow_id: str  # the idea's pipeline
    booked_on: date  # the day the batch left the factory: day 0 of the SLA
    seconds_per_day: float = Field(default=86_400.0, gt=0)
    sla_grace_days: int = Field(default=2, ge=0, le=60)
    cpu_task_queue: str = CPU_QUEUE


class ConsignmentUpdate(BaseModel):
    """A status change of a consignment row (booked, in_transit, late, lost, delivered)."""

    consignment_id: int
    status: Literal["booked", "in_transit", "late", "lost", "delivered"]
    at: datetime
    event: CarrierEvent | None = None


class ConsignmentResult(BaseModel):
    """Where a consignment is: status, events absorbed, whether it was escalated."""

    consignment_id: int
    status: str
    events: int = 0
    escalated: bool = False
    delivered_at: datetime | None = None


class PipelineStatus(BaseModel):
    """What the `status` query returns."""

    trend_id: int
    stage: Stage
    milestones: dict[str, datetime]
    eta: datetime | None = None
    variant_count: int = 0
    selected_variant_id: int | None = None
    plan_id: int | None = None
    plan_revision: int = 0
    produced: int = 0
    shipped: int = 0
    escalated: bool = False
    last_error: str | None = None
    compliance_gates: dict[str, bool] = Field(
        default_factory=dict, description="Market -> its gate is open (lab report or waiver)"
    )
    compliance_failures: list[str] = Field(default_factory=list)


class PipelineResult(BaseModel):
    trend_id: int
    stage: Stage
    selected_variant_id: int | None = None
    plan_id: int | None = None
    produced: int = 0
    shipped: int = 0
    reason: str = ""


# --------------------------------------------------------------------------- trend watch


class TrendWatchInput(BaseModel):
    feed: str = Field(description="Path or URL of a JSONL/CSV feed of trend observations")
    threshold: float = 1.0
    merchant_id: str = FEED_MERCHANT
    config: PipelineConfig = PipelineConfig()


class NewIdea(BaseModel):
    """An idea the intake stored whose pipeline is to be started."""

    trend_id: int
    idea: IdeaInput


class FeedScan(BaseModel):
    """One pass over a feed: phrases scored, near-duplicates skipped, new ideas to start."""

    scored: int
    skipped_duplicates: int
    ideas: list[NewIdea] = []


class PipelineStarts(BaseModel):
    ideas: list[NewIdea]
    config: PipelineConfig = PipelineConfig()


class TrendWatchResult(BaseModel):
    scored: int
    started: list[int]
    skipped_duplicates: int


# --------------------------------------------------------------------------- portfolio replan


class PortfolioReplanRequest(BaseModel):
    """A planner asks for one proposal moving not-started lots of every idea by priority."""

    requested_by: str = Field(min_length=1, max_length=128)
    role: str = ""
    reason: str = Field(default="", max_length=2000)
    process: str | None = Field(default=None, max_length=64, description="Only its lines")
    review_timeout_s: float = Field(default=7 * 24 * 3600.0, gt=0)  # then it expires, unchanged
    cpu_task_queue: str = CPU_QUEUE
    replan_id: str = ""  # the workflow's id, set by the workflow


class BookedSpan(BaseModel):
    """Own-line time of one pipeline: [start_at, end_at) on a line (a booking, or a new one)."""

    line_id: str
    workflow_id: str
    trend_id: int
    revision: int = 0
    status: str = "held"
    start_at: datetime
    end_at: datetime
    booking_id: int | None = None


class IdeaReplan(BaseModel):
    """One idea in the proposal: priority and due date; completion and lateness before/after."""

    trend_id: int
    workflow_id: str
    plan_id: int | None = None
    priority: float
    due_at: datetime
    completion_before: datetime
    completion_after: datetime
    lateness_days_before: float
    lateness_days_after: float
    moved_lots: int


class PortfolioProposal(BaseModel):
    """The one decision: bookings replaced (as they were) by new ones; every affected idea."""

    replan_id: str
    created_at: datetime
    replaced: list[BookedSpan] = []
    bookings: list[BookedSpan] = []
    kept: int = Field(default=0, description="Bookings already running, left in place")
    ideas: list[IdeaReplan] = []


class PortfolioDecision(BaseModel):
    """Update payload: approve or reject the whole proposal."""

    approve: bool
    reason: str = Field(default="", max_length=2000)
    reviewer: str = ""
    role: str = ""


class PortfolioReplanResult(BaseModel):
    replan_id: str
    status: Literal[
        "proposing",
        "awaiting_review",
        "approved",
        "rejected",
        "expired",
        "nothing_to_move",
        "failed",
    ]
    proposal: PortfolioProposal | None = None
    reviewer: str | None = None
    reason: str = ""
    told: list[str] = Field(default=[], description="Pipelines told of their new plan")
    not_told: list[str] = Field(
        default=[], description="Pipelines that could not be told (finished, unknown): why"
    )


class PortfolioApply(BaseModel):
    """Move the bookings of an approved proposal."""

    proposal: PortfolioProposal
    reviewer: str
    reason: str = ""


class PlanAdopted(BaseModel):
    """Signal payload: a plan revision written for a pipeline outside it (an approved portfolio
    replan); the pipeline and its run follow it from now on."""

    trend_id: int
    workflow_id: str
    plan: PlanResult
    by: str = Field(description="What wrote it: the portfolio replan's id")
    run_id: str | None = Field(default=None, description="Its production run, when one runs")


class PortfolioApplied(BaseModel):
    """An approved proposal carried out: bookings written, each moved idea's new plan."""

    bookings: int
    plans: list[PlanAdopted] = []

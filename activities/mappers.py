"""Between the engines' results and the rows and contracts: one place for every conversion.

Rows become contracts through `model_validate(row, from_attributes=True)` (the shared fields are
defined once, in models.records); what remains here is where an engine speaks its own types.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from models.contracts import (
    PlanRequest,
    PlanResult,
    PrototypeRequest,
    PrototypeResult,
    SupplierAssignment,
    VariantSummary,
)
from models.tables import DesignVariant, ProductionPlan, Prototype, Supplier


def variant_summary(row: DesignVariant) -> VariantSummary:
    return VariantSummary.model_validate(row, from_attributes=True)


def prototype_result(row: Prototype) -> PrototypeResult:
    return PrototypeResult.model_validate(row, from_attributes=True)


def plan_result(row: ProductionPlan) -> PlanResult:
    return PlanResult.model_validate(row, from_attributes=True)


def variant_row(trend_id: int, v: Any, mesh_path: str, preview_path: str) -> DesignVariant:
    """A generated variant (engines.design) as a row; numpy numbers become plain ones."""
    return DesignVariant(
        trend_id=trend_id,
        rank=v.rank,
        family=v.family,
        name=v.name,
        description=v.description,
        params={k: float(x) for k, x in v.params.items()},
        score=float(v.score),
        unit_cost_usd=float(v.unit_cost_usd),
        volume_cm3=float(v.volume_cm3),
        dims_mm=[float(d) for d in v.dims_mm],
        processes=list(v.processes),
        printable=bool(v.printable),
        mesh_path=mesh_path,
        preview_path=preview_path,
        labels=list(getattr(v, "labels", [])),
        source=str(getattr(v, "source", "parametric")),
        findings=list(getattr(v, "findings", [])),
    )


def prototype_row(req: PrototypeRequest, report: Any) -> Prototype:
    """A print-prep report (engines.printprep) as the prototype row of its pipeline."""
    return Prototype.model_validate(
        report,
        from_attributes=True,
        update={
            "workflow_id": req.workflow_id,
            "trend_id": req.trend_id,
            "variant_id": req.variant_id,
            "dims_mm": list(report.dims_mm),
            "findings": list(report.findings),
            "repaired": list(report.repaired),
            "printer": req.printer,
            "plate_paths": list(report.plate_paths),
            "part_paths": list(report.part_paths),
            "health_before": dict(report.health_before),
            "health_after": dict(report.health_after),
        },
    )


def schedule_status(status: str) -> str:
    """The solver status as a plan stores it (16 characters): 'greedy (infeasible)', CP-SAT's
    reason for keeping the greedy plan, is stored as 'greedy' with the reason in the notes."""
    return status if len(status) <= 16 else status.split(" ", 1)[0][:16]


def plan_row(req: PlanRequest, schedule: Any, start: datetime) -> ProductionPlan:
    """A schedule (engines.scheduling, already shifted to the request's start day) as a plan row;
    its ETA counts from `start`, the date of the start day."""
    days_from_start = schedule.completion_day - req.start_day
    status = str(schedule.solver_status)
    return ProductionPlan(
        workflow_id=req.workflow_id,
        trend_id=req.trend_id,
        revision=req.revision,
        status=req.status,
        quantity=req.quantity,
        due_day=schedule.due_day,
        completion_day=schedule.completion_day,
        on_time=schedule.on_time,
        eta=start + timedelta(days=days_from_start + 1),
        lines=list(schedule.lines),
        daily=[
            {"line_id": line_id, "day": day, "units": units}
            for line_id, day, units in schedule.daily
        ],
        notes=list(schedule.notes)
        + ([f"solver: {status}"] if status != schedule_status(status) else []),
        constraints=req.constraints.model_dump(),
        gantt=schedule.stored_gantt(),
        solver_status=schedule_status(status),
        lower_bound=schedule.lower_bound,
        gap=schedule.gap,
    )


def supplier_record(sup: Supplier, capabilities: dict[str, tuple[int, float]]) -> Any:
    """A supplier row with the capacity it has left, as the matcher's record (engines.sourcing)."""
    from engines.sourcing import SupplierRecord

    fields = sup.model_dump(include=set(SupplierRecord.__dataclass_fields__))
    return SupplierRecord(**fields, capabilities=capabilities)


def assignment(a: Any, reservation_id: int | None) -> SupplierAssignment:
    """An engine assignment (engines.sourcing) with the reservation that holds it."""
    out = SupplierAssignment.model_validate(a, from_attributes=True)
    return out.model_copy(update={"reservation_id": reservation_id})

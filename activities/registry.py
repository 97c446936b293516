"""Every activity of every stage, grouped by the worker that runs it (models.names.ACTIVITY_QUEUE)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from temporalio.client import Client

from activities.bookkeeping import BookkeepingActivities
from activities.compliance import ComplianceActivities
from activities.delivery import DeliveryActivities
from activities.design import DesignActivities
from activities.planning import PlanningActivities
from activities.portfolio import PortfolioActivities
from activities.production import ProductionActivities
from activities.prototype import PrototypeActivities
from activities.sourcing import SourcingActivities
from activities.trend_watch import TrendWatchActivities
from models.names import ACTIVITY_QUEUE, Queue


def activities_by_queue(
    engine: Engine,
    files_dir: Path,
    client: Client,
    task_queue: str,
    road: Any = None,
    gpl_repair: bool = False,
    design_generators: Sequence[Any] = (),
) -> dict[Queue, list[Callable[..., Any]]]:
    """The activity functions per queue; each stage's method is named as its activity
    (`gpl_repair`: the prototype stage may use pymeshfix, the optional GPL extra;
    `design_generators`: engines.design.generators, empty = the parametric engine alone)."""
    stages = [
        BookkeepingActivities(engine),
        DesignActivities(engine, files_dir, design_generators),
        PrototypeActivities(engine, files_dir, gpl_repair),
        ComplianceActivities(engine),
        SourcingActivities(engine, road),
        PlanningActivities(engine),
        PortfolioActivities(engine),
        ProductionActivities(engine),
        DeliveryActivities(engine, files_dir),
        TrendWatchActivities(engine, client, task_queue),
    ]
    out: dict[Queue, list[Callable[..., Any]]] = {queue: [] for queue in Queue}
    for name, queue in ACTIVITY_QUEUE.items():
        owners = [stage for stage in stages if hasattr(stage, name)]
        if len(owners) != 1:
            raise LookupError(f"activity {name} is defined {len(owners)} times, not once")
        out[queue].append(getattr(owners[0], name))
    return out

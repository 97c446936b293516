"""The typed dependencies routes declare: the settings, a database session, the Temporal
client, the caller, and the records a caller may see (an idea, a plan, a run).

The record dependencies read in a session of their own and close it, so an async route that
then waits on Temporal holds no database connection; SessionDep is for the routes that only read.

"This idea exists and you may see it" is one check (`visible_idea`) with one answer: 404 "idea N
does not exist", for a missing idea and for another merchant's alike, so ids cannot be probed.
Which ideas a caller sees in lists and projections (`GET /ideas`, `/leadtimes`, the dashboard,
`/events`) is one rule too, `idea_scope`: a merchant their own, a machine key the merchants it
is bound to, everyone else all.
"""

# No `from __future__ import annotations` here: FastAPI reads the annotations of the
# dependencies idea_for makes at run time, and those name one of its local variables.
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.auth import Actor, actor, idea_reader, person, plan_reader, require
from api.auth.roles import (
    IDEA_READERS,
    factory,
    factory_reader,
    machine,
    merchant,
    page_plan_reader,
    page_planner,
    planner,
)
from api.settings import ApiSettings
from api.state import Temporal, app_engine, app_settings
from models.tables import ProductionPlan, ProductionRun, Trend


def get_session(engine: Annotated[Engine, Depends(app_engine)]) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


SettingsDep = Annotated[ApiSettings, Depends(app_settings)]
EngineDep = Annotated[Engine, Depends(app_engine)]
SessionDep = Annotated[Session, Depends(get_session)]
TemporalDep = Annotated[Temporal, Depends(Temporal)]  # `await temporal.client()` when needed

ActorDep = Annotated[Actor, Depends(actor)]  # anyone signed in
PersonDep = Annotated[Actor, Depends(person)]  # anyone signed in but machines (the pages)
IdeaReaderDep = Annotated[Actor, Depends(idea_reader)]
PlanReaderDep = Annotated[Actor, Depends(plan_reader)]
PagePlanReaderDep = Annotated[Actor, Depends(page_plan_reader)]
PagePlannerDep = Annotated[Actor, Depends(page_planner)]  # the pages that change things
MerchantDep = Annotated[Actor, Depends(merchant)]
PlannerDep = Annotated[Actor, Depends(planner)]
FactoryDep = Annotated[Actor, Depends(factory)]  # planners and the lines' MES
MachineDep = Annotated[Actor, Depends(machine)]
FactoryReaderDep = Annotated[Actor, Depends(factory_reader)]  # planners, viewers, the MES


def idea_scope(who: Actor) -> list[str] | None:
    """The merchant ids whose ideas `who` may see: a merchant their own, a machine key those it
    is bound to; None = every merchant's (planners, viewers, admins)."""
    if who.role == "merchant":
        return [who.user]
    if who.role == "machine":
        return list(who.merchant_ids)
    return None


def scoped_idea_ids(s: Session, who: Actor) -> list[int] | None:
    """The ids of the ideas `who` may see; None = all."""
    merchants = idea_scope(who)
    if merchants is None:
        return None
    q = select(Trend.id).where(col(Trend.merchant_id).in_(merchants))
    return [t for t in s.exec(q) if t is not None]


def visible_idea(s: Session, trend_id: int, who: Actor, missing: str = "") -> Trend:
    """The idea; 404 when it is missing or another merchant's (one answer for both)."""
    trend = s.get(Trend, trend_id)
    scope = idea_scope(who)
    if trend is None or (scope is not None and trend.merchant_id not in scope):
        raise HTTPException(404, missing or f"idea {trend_id} does not exist")
    return trend


def idea_for(*roles: str) -> Callable[..., Trend]:
    """A dependency: the path's idea, for callers in `roles` who may see it."""
    allowed = require(*roles)

    def dependency(
        trend_id: int, engine: EngineDep, who: Annotated[Actor, Depends(allowed)]
    ) -> Trend:
        with Session(engine) as s:
            return visible_idea(s, trend_id, who)

    return dependency


OwnedIdea = Annotated[Trend, Depends(idea_for(*IDEA_READERS))]
PickableIdea = Annotated[Trend, Depends(idea_for("merchant"))]
CancellableIdea = Annotated[Trend, Depends(idea_for("merchant"))]


def page_idea(trend_id: int, engine: EngineDep, who: PersonDep) -> Trend:
    """The idea of an idea page (any person; merchants their own)."""
    with Session(engine) as s:
        return visible_idea(s, trend_id, who)


PageIdea = Annotated[Trend, Depends(page_idea)]


def plan_or_404(engine: Engine, plan_id: int) -> ProductionPlan:
    with Session(engine) as s:
        plan = s.get(ProductionPlan, plan_id)
    if plan is None:
        raise HTTPException(404, f"plan {plan_id} does not exist")
    return plan


def readable_plan(plan_id: int, engine: EngineDep, who: PlanReaderDep) -> ProductionPlan:
    """The plan; 404 when missing or of another merchant's idea."""
    plan = plan_or_404(engine, plan_id)
    if who.role == "merchant":
        with Session(engine) as s:
            visible_idea(s, plan.trend_id, who, f"plan {plan_id} does not exist")
    return plan


ReadablePlan = Annotated[ProductionPlan, Depends(readable_plan)]


def readable_run(run_id: int, engine: EngineDep, who: PlanReaderDep) -> ProductionRun:
    """The run; 404 when missing or of another merchant's idea."""
    missing = f"production run {run_id} does not exist"
    with Session(engine) as s:
        run = s.get(ProductionRun, run_id)
        if run is None:
            raise HTTPException(404, missing)
        if who.role == "merchant":
            visible_idea(s, run.trend_id, who, missing)
    return run


ReadableRun = Annotated[ProductionRun, Depends(readable_run)]

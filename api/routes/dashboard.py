"""Dashboards: lead times per idea and stage, the health probe, the live event stream and the
Prometheus metrics."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio.service import RPCError

from api.auth import Actor
from api.deps import (
    ActorDep,
    EngineDep,
    SessionDep,
    SettingsDep,
    TemporalDep,
    idea_scope,
    scoped_idea_ids,
)
from api.leadtimes import LeadTimes, cached_leadtimes, compute_leadtimes
from api.live import ChangeFeed
from api.schemas import Health, QueueReadiness, Readiness
from services.temporal import live_pollers

router = APIRouter(tags=["dashboard"])


@router.get("/leadtimes", response_model=LeadTimes)
def leadtimes(who: ActorDep, engine: EngineDep) -> Any:
    """Trend-to-shipment lead time per idea and per stage (p50/p90), and the bottleneck stage,
    over the ideas the caller may see (as `GET /ideas`; a machine key: its merchants')."""
    with Session(engine) as s:
        ids = scoped_idea_ids(s, who)
    return cached_leadtimes(engine) if ids is None else compute_leadtimes(engine, ids)


@router.get("/healthz", response_model=Health)
def healthz(s: SessionDep) -> Any:
    """Liveness: the API answers and reaches its database (workers are /readyz's business)."""
    s.exec(select(1)).one()
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "a task queue has no worker"}},
)
async def readyz(settings: SettingsDep, temporal: TemporalDep) -> Any:
    """Readiness: every task queue has live pollers (Temporal's DescribeTaskQueue) -- the light
    queue for workflow and activity tasks, the CPU queue for activity tasks; 503 when one has
    none (its stage is stuck until a worker comes back) or Temporal does not answer."""
    wanted = (
        (settings.task_queue, "workflows and light activities", ("workflow", "activity")),
        (settings.pipeline.cpu_task_queue, "mesh and scheduling work", ("activity",)),
    )
    queues = []
    try:
        client = await temporal.client()
        for name, role, kinds in wanted:
            pollers = {k: await live_pollers(client, name, k) for k in kinds}
            ready = all(pollers.values())
            queues.append(QueueReadiness(queue=name, role=role, pollers=pollers, ready=ready))
    except (HTTPException, RPCError) as err:
        reason = err.detail if isinstance(err, HTTPException) else err.message
        body = Readiness(status=f"not ready: Temporal does not answer ({reason})", queues=queues)
        return JSONResponse(body.model_dump(), status_code=503)
    idle = [q.queue for q in queues if not q.ready]
    if idle:
        body = Readiness(status=f"not ready: no worker polls {', '.join(idle)}", queues=queues)
        return JSONResponse(body.model_dump(), status_code=503)
    return Readiness(status="ready", queues=queues)


def _own_ideas(engine: Engine, who: Actor) -> set[int]:
    with Session(engine) as s:
        return set(scoped_idea_ids(s, who) or [])


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "an event stream"}},
)
async def events(request: Request, who: ActorDep, engine: EngineDep) -> StreamingResponse:
    """Server-sent events: `change` with the ids of ideas whose state changed (a merchant hears
    of their own ideas only, a machine key of its merchants' ideas)."""
    feed: ChangeFeed = request.app.state.feed
    scoped = idea_scope(who) is not None
    mine = await run_in_threadpool(_own_ideas, engine, who) if scoped else None

    async def stream() -> AsyncIterator[str]:
        yield "retry: 2000\n: connected\n\n"
        async with feed.subscribe() as queue:
            while not await request.is_disconnected():
                try:
                    changed = await asyncio.wait_for(queue.get(), timeout=15)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if mine is not None:
                    mine.update(_own_ideas(engine, who))  # ideas submitted since the stream opened
                    changed = [i for i in changed if i in mine]
                if changed:
                    yield f"event: change\ndata: {json.dumps({'ideas': changed})}\n\n"

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text"}},
)
def metrics(request: Request) -> Response:
    """Prometheus text format: stage durations as histograms, ideas by stage, shipped units."""
    return Response(generate_latest(request.app.state.metrics), media_type=CONTENT_TYPE_LATEST)

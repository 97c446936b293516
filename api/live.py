"""What feeds the live pages and /metrics (routes in api.routes.dashboard).

One poller per app (ChangeFeed) reads a cheap fingerprint of every idea (stage, milestones, plans,
production, shipments) once a second while anybody listens, and tells each listener which
ideas changed; the pages then re-fetch just the fragments concerning those ideas. Metrics are
computed from the database at scrape time, so several API processes report the same numbers.
"""

import asyncio
import contextlib
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from typing import Any

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.utils import floatToGoString
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.leadtimes import cached_leadtimes
from models.tables import (
    Milestone,
    ProductionPlan,
    ProductionRun,
    ProgressEvent,
    Shipment,
    SupplierReservation,
    Trend,
)

HOUR_S, DAY_S = 3600, 86400
STAGE_BUCKETS_S: tuple[int, ...] = (1, 5, 15, 30, 60, 300, 900, HOUR_S, 4 * HOUR_S, 12 * HOUR_S)
STAGE_BUCKETS_S += (DAY_S, 2 * DAY_S, 4 * DAY_S, 7 * DAY_S, 14 * DAY_S, 30 * DAY_S)


def fingerprints(engine: Engine, trend_ids: list[int] | None = None) -> dict[int, tuple]:
    """Per idea: what a page shows of it, reduced to a comparable tuple."""
    out: dict[int, list[Any]] = defaultdict(list)
    with Session(engine) as s:
        for tid, stage, updated in s.exec(select(Trend.id, Trend.stage, Trend.updated_at)):
            out[tid] += [stage, str(updated)]  # type: ignore[index]
        for tid, n in s.exec(
            select(Milestone.trend_id, func.count()).group_by(col(Milestone.trend_id))
        ):
            out[tid].append(n)
        for tid, pid, status in s.exec(
            select(ProductionPlan.trend_id, ProductionPlan.id, ProductionPlan.status)
        ):
            out[tid] += [pid, status]
        for tid, produced, shipped in s.exec(
            select(ProductionRun.trend_id, ProductionRun.produced, ProductionRun.shipped)
        ):
            out[tid] += [produced, shipped]
        # the factory-day form offers the day after the last one reported, which can move
        # while the run's produced count does not (upstream lines' work is not product)
        for tid, n, last in s.exec(
            select(ProgressEvent.trend_id, func.count(), func.max(ProgressEvent.day)).group_by(
                col(ProgressEvent.trend_id)
            )
        ):
            out[tid] += [n, last]
    return {k: tuple(v) for k, v in out.items() if trend_ids is None or k in trend_ids}


class ChangeFeed:
    """Polls the fingerprints while someone listens and fans out the ids of changed ideas."""

    def __init__(self, db: Callable[[], Engine], every_s: float = 1.0) -> None:
        self._db, self._every_s = db, every_s
        self._queues: set[asyncio.Queue[list[int]]] = set()
        self._task: asyncio.Task[None] | None = None
        self._last: dict[int, tuple] = {}

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[list[int]]]:
        queue: asyncio.Queue[list[int]] = asyncio.Queue(maxsize=100)
        if not self._queues:
            self._last = await asyncio.to_thread(fingerprints, self._db())
        self._queues.add(queue)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._poll())
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    async def _poll(self) -> None:
        while self._queues:
            await asyncio.sleep(self._every_s)
            try:
                now = await asyncio.to_thread(fingerprints, self._db())
            except Exception:  # noqa: BLE001 — a database hiccup skips one tick, listeners stay
                continue
            changed = sorted(
                k for k in now.keys() | self._last.keys() if now.get(k) != self._last.get(k)
            )
            self._last = now
            if changed:
                for q in list(self._queues):
                    with contextlib.suppress(asyncio.QueueFull):
                        q.put_nowait(changed)


class DatabaseCollector:
    """Prometheus metrics read from the database at scrape time."""

    def __init__(self, db: Callable[[], Engine]) -> None:
        self._db = db

    def collect(self) -> Any:
        engine = self._db()
        lt = cached_leadtimes(engine)
        per_stage: dict[str, list[float]] = defaultdict(list)
        for idea in lt.ideas:
            for stage, seconds in idea.stages_s.items():
                per_stage[stage].append(seconds)
            if idea.total_s is not None:
                per_stage["total"].append(idea.total_s)
        hist = HistogramMetricFamily(
            "trendforge_stage_duration_seconds",
            "Time each idea spent in each pipeline stage (total = trend seen to delivered, or shipped)",
            labels=["stage"],
        )
        for stage, values in sorted(per_stage.items()):
            buckets = [
                (floatToGoString(b), float(sum(v <= b for v in values))) for b in STAGE_BUCKETS_S
            ]
            buckets.append(("+Inf", float(len(values))))
            hist.add_metric([stage], buckets, sum_value=float(sum(values)))
        yield hist
        ideas = GaugeMetricFamily("trendforge_ideas", "Ideas by current stage", labels=["stage"])
        with Session(engine) as s:
            for stage, n in s.exec(select(Trend.stage, func.count()).group_by(col(Trend.stage))):
                ideas.add_metric([stage], float(n))
            shipped = s.exec(select(func.coalesce(func.sum(Shipment.units), 0))).one()
            held = s.exec(
                select(func.coalesce(func.sum(SupplierReservation.units_per_day), 0)).where(
                    SupplierReservation.status == "held"
                )
            ).one()
            pending = s.exec(
                select(func.count()).where(
                    col(ProductionPlan.status).in_(["pending", "escalated", "proposed"])
                )
            ).one()
        yield ideas
        units = CounterMetricFamily("trendforge_units_shipped", "Units shipped, all ideas")
        units.add_metric([], float(shipped))
        yield units
        g = GaugeMetricFamily(
            "trendforge_reserved_units_per_day", "Supplier capacity currently held (units/day)"
        )
        g.add_metric([], float(held))
        yield g
        q = GaugeMetricFamily("trendforge_plans_awaiting_review", "Plans in the planner's queue")
        q.add_metric([], float(pending))
        yield q


# the methods the latency histogram names; any other is "other", and a path no route matches
# is "unmatched", so made-up methods and paths cannot grow /metrics
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class RequestTiming:
    """Pure ASGI middleware: request latency per route template into a Prometheus histogram
    (not BaseHTTPMiddleware, which wraps streams and exceptions in task groups)."""

    def __init__(self, app: ASGIApp, histogram: Histogram) -> None:
        self.app, self.histogram = app, histogram

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = [500]

        async def tracking(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"] if scope["method"] in KNOWN_METHODS else "other"
            if path not in ("/events", "/metrics"):
                self.histogram.labels(method, path, str(status[0])).observe(
                    time.perf_counter() - start
                )


def metrics_registry(db: Callable[[], Engine]) -> tuple[CollectorRegistry, Histogram]:
    """A registry with the database metrics and the API latency histogram it records into."""
    registry = CollectorRegistry()
    registry.register(DatabaseCollector(db))  # type: ignore[arg-type]
    latency = Histogram(
        "trendforge_http_request_duration_seconds",
        "API request latency by route template",
        ["method", "route", "status"],
        registry=registry,
    )
    return registry, latency

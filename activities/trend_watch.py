"""The trend-watch activity: read a feed, score virality, start pipelines for viral phrases."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from engines.trends import (
    BadSignal,
    Observation,
    is_near_duplicate,
    normalize_phrase,
    virality_score,
)
from models.contracts import IdeaInput, TrendWatchInput, TrendWatchResult
from models.db import session_scope
from models.intake import create_or_get_trend
from models.tables import Trend, TrendSignal
from workflows.names import Act
from workflows.starter import start_pipeline

MAX_FEED_BYTES = 20_000_000


def read_feed(feed: str) -> str:
    """The feed's text from a local path or an http(s) URL."""
    if feed.startswith(("http://", "https://")):
        resp = httpx.get(feed, timeout=30)
        resp.raise_for_status()
        return resp.text[:MAX_FEED_BYTES]
    path = Path(feed)
    if not path.is_file():
        raise BadSignal(f"trend feed {feed!r} does not exist")
    if path.stat().st_size > MAX_FEED_BYTES:
        raise BadSignal(f"trend feed {feed!r} is larger than {MAX_FEED_BYTES:,} bytes")
    return path.read_text(encoding="utf-8")


def parse_feed(text: str) -> list[dict]:
    """Entries {phrase, observations, target_size_mm?, expected_volume?} from JSONL or CSV.

    JSONL: one object per line with `phrase` and `observations` [{t_hours, views, likes, shares}].
    CSV: columns phrase,t_hours,views,likes,shares — one row per observation.
    """
    stripped = text.lstrip()
    if not stripped:
        return []
    if stripped.startswith("{"):
        entries = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise BadSignal(f"feed line {n} is not JSON: {err.msg}") from err
        return entries
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in csv.DictReader(io.StringIO(text)):
        if not row.get("phrase"):
            raise BadSignal("every CSV feed row needs a phrase")
        grouped[row["phrase"]].append(row)
    return [{"phrase": p, "observations": rows} for p, rows in grouped.items()]


def observations(entry: dict) -> list[Observation]:
    try:
        return [
            Observation(
                t_hours=float(o["t_hours"]),
                views=float(o.get("views", 0) or 0),
                likes=float(o.get("likes", 0) or 0),
                shares=float(o.get("shares", 0) or 0),
            )
            for o in entry.get("observations", [])
        ]
    except (KeyError, TypeError, ValueError) as err:
        raise BadSignal(f"malformed observation for {entry.get('phrase')!r}: {err}") from err


class TrendWatchActivities:
    def __init__(self, engine: Engine, client: Client, task_queue: str) -> None:
        self.engine = engine
        self.client = client
        self.task_queue = task_queue

    @activity.defn(name=Act.scan_trend_feed)
    async def scan_trend_feed(self, inp: TrendWatchInput) -> TrendWatchResult:
        try:
            entries = parse_feed(read_feed(inp.feed))
        except BadSignal as err:
            raise ApplicationError(str(err), type="BadSignal", non_retryable=True) from err
        with Session(self.engine) as s:
            recent = select(Trend.text).order_by(Trend.id.desc()).limit(2000)  # type: ignore[union-attr]
            seen = list(s.exec(recent))
        started: list[int] = []
        duplicates = 0
        scored = 0
        for entry in entries:
            phrase = " ".join(str(entry.get("phrase", "")).split())[:500]
            try:
                score = virality_score(observations(entry))
            except BadSignal as err:
                activity.logger.warning("trend-watch skips %r: %s", phrase, err)
                continue
            scored += 1
            with session_scope(self.engine) as s:
                s.add(
                    TrendSignal(
                        phrase=phrase,
                        normalized=normalize_phrase(phrase),
                        score=score,
                        source="trend-watch",
                    )
                )
            if score < inp.threshold or not phrase:
                continue
            if is_near_duplicate(phrase, seen):
                duplicates += 1
                continue
            idea = IdeaInput(
                text=phrase,
                merchant_id=inp.merchant_id,
                source="trend-watch",
                target_size_mm=entry.get("target_size_mm"),
                expected_volume=int(entry.get("expected_volume", 20_000)),
                due_in_days=int(entry.get("due_in_days", 21)),
            )
            trend, _ = create_or_get_trend(self.engine, idea)
            assert trend.id is not None
            await start_pipeline(self.client, trend.id, idea, inp.config, self.task_queue)
            seen.append(phrase)
            started.append(trend.id)
            activity.heartbeat(len(started))
        return TrendWatchResult(scored=scored, started=started, skipped_duplicates=duplicates)

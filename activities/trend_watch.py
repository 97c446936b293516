"""The trend-watch activities: read a feed and take in its viral phrases, then start their pipelines."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from engines.trends import BadSignal
from models.contracts import FeedScan, NewIdea, PipelineStarts, TrendWatchInput
from models.names import Act, Err
from services.intake import take_signal
from services.temporal import start_pipeline

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


def parse_feed(text: str) -> list[dict[str, Any]]:
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
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in csv.DictReader(io.StringIO(text)):
        if not row.get("phrase"):
            raise BadSignal("every CSV feed row needs a phrase")
        grouped[row["phrase"]].append(row)
    return [{"phrase": p, "observations": rows} for p, rows in grouped.items()]


class TrendWatchActivities:
    """Scanning is blocking work (HTTP, database): a sync activity in the worker's thread pool.
    Starting pipelines only awaits the Temporal client: an async activity."""

    def __init__(self, engine: Engine, client: Client, task_queue: str) -> None:
        self.engine = engine
        self.client = client
        self.task_queue = task_queue

    @activity.defn(name=Act.scan_trend_feed)
    def scan_trend_feed(self, inp: TrendWatchInput) -> FeedScan:
        try:
            entries = parse_feed(read_feed(inp.feed))
        except BadSignal as err:
            raise ApplicationError(str(err), type=Err.bad_signal, non_retryable=True) from err
        scan = FeedScan(scored=0, skipped_duplicates=0)
        for entry in entries:
            fields = {
                "merchant_id": inp.merchant_id,
                "source": "trend-watch",
                "target_size_mm": entry.get("target_size_mm"),
                "expected_volume": int(entry.get("expected_volume", 20_000)),
                "due_in_days": int(entry.get("due_in_days", 21)),
            }
            phrase = str(entry.get("phrase", ""))
            try:
                taken = take_signal(
                    self.engine,
                    phrase,
                    entry.get("observations", []),
                    inp.threshold,
                    fields,
                    signal_source="trend-watch",
                )
            except BadSignal as err:
                activity.logger.warning("trend-watch skips %r: %s", phrase, err)
                continue
            scan.scored += 1
            scan.skipped_duplicates += taken.verdict.duplicate
            if taken.idea is not None and taken.trend_id is not None:
                scan.ideas.append(NewIdea(trend_id=taken.trend_id, idea=taken.idea))
            activity.heartbeat(scan.scored)
        return scan

    @activity.defn(name=Act.start_pipelines)
    async def start_pipelines(self, starts: PipelineStarts) -> list[int]:
        """Start each new idea's pipeline (idempotent: a started one is found, not doubled)."""
        for new in starts.ideas:
            await start_pipeline(
                self.client, new.trend_id, new.idea, starts.config, self.task_queue
            )
        return [new.trend_id for new in starts.ideas]

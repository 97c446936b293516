"""The `trend-watch` Schedule reads the sample feed and starts pipelines for viral phrases only."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlmodel import Session, select

from models.contracts import Stage
from models.names import TREND_WATCH_SCHEDULE_ID, trend_workflow_id
from models.tables import Trend, TrendSignal
from tests.helpers.temporal import running_workers, wait_for_stage
from trendforge.demo import sample_feed
from trendforge.settings import Settings
from trendforge.temporal import ensure_trend_watch

pytestmark = pytest.mark.db


RENAMED = {
    "palm-sized straw sun hat": "tiny crochet bucket hat",
    "crying horse plush toy": "sleepy axolotl plush toy",
    "Crying horse plush toy!": "Sleepy axolotl plush toy!!",
    "plain grey mouse pad": "plain beige mouse pad",
}


def _feed(tmp_path) -> str:
    """The bundled sample feed with phrases no other test has used (ideas are deduplicated)."""
    lines = []
    for line in Path(sample_feed()).read_text().splitlines():
        entry = json.loads(line)
        entry["phrase"] = RENAMED[entry["phrase"]]
        lines.append(json.dumps(entry))
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


async def test_schedule_starts_viral_trends_once(dev_env, engine, tmp_path) -> None:
    client = dev_env.client
    feed = _feed(tmp_path)
    async with running_workers(client, engine, tmp_path) as (queue, config):
        settings = Settings(
            task_queue=queue, cpu_task_queue=config.cpu_task_queue, trend_watch_every_s=3600
        )
        await ensure_trend_watch(client, settings, feed, config)
        await ensure_trend_watch(client, settings, feed, config)  # idempotent
        schedule = client.get_schedule_handle(TREND_WATCH_SCHEDULE_ID)
        await schedule.trigger()
        trends: list[Trend] = []
        for _ in range(150):
            with Session(engine) as s:
                trends = list(s.exec(select(Trend).where(Trend.source == "trend-watch")))
            if len(trends) >= 2:
                break
            await asyncio.sleep(0.2)
        texts = sorted(t.text for t in trends)
        assert texts == ["sleepy axolotl plush toy", "tiny crochet bucket hat"]
        for t in trends:
            handle = client.get_workflow_handle(trend_workflow_id(t.id))
            await wait_for_stage(handle, Stage.awaiting_selection)
            await handle.cancel()
        with Session(engine) as s:
            scores = {sig.phrase: sig.score for sig in s.exec(select(TrendSignal))}
        assert scores["plain beige mouse pad"] < 1.0 < scores["sleepy axolotl plush toy"]
        await schedule.delete()

"""Waiting, over HTTP, for an idea to reach a pipeline stage."""

import asyncio
from typing import Any

import httpx


async def reach_stage(
    c: httpx.AsyncClient, headers: dict, idea_id: int, stage: str, timeout_s: float = 150
) -> dict[str, Any]:
    """GET /ideas/{id} until its stage is `stage` (its body); fails at once on failed or
    cancelled, and after `timeout_s` naming the stage it is stuck in."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout_s
    body: dict[str, Any] = {}
    while loop.time() < end:
        body = (await c.get(f"/ideas/{idea_id}", headers=headers)).json()
        if body["stage"] == stage:
            return body
        assert body["stage"] not in ("failed", "cancelled"), body
        await asyncio.sleep(0.2)
    raise AssertionError(f"idea {idea_id} never reached {stage}: {body.get('stage')}")

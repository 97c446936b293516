"""Trend signals from machines: a phrase with its engagement over time. A viral, new phrase
becomes an idea and its pipeline starts (the same intake as the trend-watch feed's)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.deps import EngineDep, MachineDep, SettingsDep, TemporalDep
from api.routes.ideas import within_quota
from api.schemas import SignalOut
from engines.trends import BadSignal
from models.names import FEED_MERCHANT
from services.intake import take_signal
from services.temporal import start_pipeline

router = APIRouter(tags=["signals"])


class ObservationIn(BaseModel):
    """Engagement counters of the phrase at one time (hours since any fixed origin)."""

    t_hours: float = Field(ge=-1e9, le=1e9)
    views: float = Field(default=0.0, ge=0, le=1e15)
    likes: float = Field(default=0.0, ge=0, le=1e15)
    shares: float = Field(default=0.0, ge=0, le=1e15)


class SignalBody(BaseModel):
    phrase: str = Field(min_length=1, max_length=500)
    observations: list[ObservationIn] = Field(min_length=2, max_length=10_000)
    merchant_id: str = Field(default=FEED_MERCHANT, pattern=r"^[A-Za-z0-9_.@-]+$", max_length=128)
    target_size_mm: float | None = Field(default=None, gt=0, le=2000)
    expected_volume: int = Field(default=20_000, gt=0, le=100_000_000)


@router.post("/signals", response_model=SignalOut, response_model_exclude_none=True)
async def signal(
    body: SignalBody,
    who: MachineDep,
    engine: EngineDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> Any:
    """A phrase with engagement over time; starts a pipeline when its virality crosses the
    threshold. A machine key posts for the merchant ids it is bound to only (403 otherwise)."""
    if who.role == "machine" and body.merchant_id not in who.merchant_ids:
        bound = ", ".join(who.merchant_ids) or "none"
        raise HTTPException(
            403,
            f"this API key may post signals for merchant ids {bound}, not '{body.merchant_id}'",
        )
    await within_quota(engine, settings, body.merchant_id)
    fields = {
        "merchant_id": body.merchant_id,
        "source": "signal",
        "target_size_mm": body.target_size_mm,
        "expected_volume": body.expected_volume,
    }
    try:
        taken = await run_in_threadpool(
            take_signal,
            engine,
            body.phrase,
            [o.model_dump() for o in body.observations],
            settings.virality_threshold,
            fields,
        )
    except BadSignal as err:
        raise HTTPException(422, str(err)) from err
    out = SignalOut(
        phrase=taken.phrase,
        score=round(taken.verdict.score, 4),
        viral=taken.verdict.viral,
        duplicate=True if taken.verdict.duplicate else None,
    )
    if taken.idea is not None and taken.trend_id is not None:
        client = await temporal.client()
        await start_pipeline(
            client, taken.trend_id, taken.idea, settings.pipeline, settings.task_queue
        )
        out.idea_id = taken.trend_id
    return out

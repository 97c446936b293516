"""Intake: one Trend row per (merchant, phrase), and trend signals scored and kept.

`POST /ideas`, `POST /signals` and the trend-watch activity all come through here; starting the
pipeline of a new idea is the caller's next step (services.temporal.start_pipeline).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from engines.trends import (
    BadSignal,
    Verdict,
    clean_phrase,
    judge_signal,
    normalize_phrase,
    observations_from,
)
from models.contracts import TERMINAL_STAGES, IdeaInput
from models.db import as_utc, session_scope
from models.names import trend_workflow_id
from models.tables import Trend, TrendSignal, utcnow
from services.destinations import resolved_destinations

RECENT_IDEAS = 2000  # a signal is compared with this many of the newest ideas


def dedup_key(idea: IdeaInput) -> str:
    """Same merchant + same words (case, spacing and order aside) = same idea."""
    words = " ".join(sorted(set(idea.text.lower().split())))
    return hashlib.sha256(f"{idea.merchant_id}\x00{words}".encode()).hexdigest()[:48]


def read_design_spec(idea: IdeaInput) -> dict[str, Any]:
    """What the idea's words ask for (engines.design reader) as JSON; DesignError (a ValueError
    whose message names what came close) when TrendForge cannot make it."""
    from engines.design.reader import read_spec

    return read_spec(idea.text, size_mm=idea.target_size_mm).to_json()


class SettingsRefused(ValueError):
    """Print settings that cannot apply to this idea; the message says why (a 422)."""


def check_print_settings(idea: IdeaInput, has_mesh: bool) -> None:
    """SettingsRefused when the idea's upload choice or print settings cannot apply."""
    from engines.printprep.profiles import PRINTERS

    if idea.printer is not None and idea.printer not in PRINTERS:
        known = ", ".join(sorted(PRINTERS))
        raise SettingsRefused(f"printer: unknown printer {idea.printer!r}; known: {known}")
    if idea.use_as == "design" and not has_mesh:
        raise SettingsRefused(
            "use_as=design makes your own model the design: upload it with POST /ideas/upload"
        )
    if idea.use_as != "design" and (idea.units != "auto" or idea.scale is not None):
        raise SettingsRefused(
            "units and scale apply to your own model (use_as=design); "
            "size generated designs with target_size_mm"
        )


def read_idea_spec(idea: IdeaInput) -> dict[str, Any] | None:
    """The design spec of the idea's words; None when the merchant sends only their own model
    and the words name no product we make (it is made as it is); DesignError otherwise."""
    try:
        return read_design_spec(idea)
    except ValueError as err:
        if idea.use_as == "design" and not idea.alternatives:
            return None
        if idea.use_as == "design":
            raise type(err)(
                f"{err} (to have only your own model made, send alternatives=false)"
            ) from err
        raise


QUOTA_WINDOW = timedelta(seconds=60)


@dataclass(frozen=True)
class Quota:
    """Per merchant: ideas not yet finished, and new ideas in any 60 seconds."""

    in_flight: int = 100
    per_minute: int = 30


class OverQuota(Exception):
    """A merchant over their quota; `reason` names it, `retry_after_s` when to try again."""

    def __init__(self, reason: str, retry_after_s: int) -> None:
        super().__init__(reason)
        self.reason, self.retry_after_s = reason, retry_after_s


def check_quota(engine: Engine, merchant_id: str, quota: Quota, key: str | None = None) -> None:
    """OverQuota when one more new idea would put the merchant over a quota; a repeat of an
    idea they already have (`key`, its dedup key) never counts."""
    with Session(engine) as s:
        if key is not None and s.exec(select(Trend.id).where(Trend.dedup_key == key)).first():
            return
        mine = select(func.count()).select_from(Trend).where(Trend.merchant_id == merchant_id)
        open_now = s.exec(
            mine.where(col(Trend.stage).not_in([str(st) for st in TERMINAL_STAGES]))
        ).one()
        if open_now >= quota.in_flight:
            raise OverQuota(
                f"merchant {merchant_id} has {open_now} ideas in flight and the quota is "
                f"{quota.in_flight}; wait for some to finish or cancel some",
                60,
            )
        since = utcnow() - QUOTA_WINDOW
        recent = list(
            s.exec(
                select(Trend.created_at)
                .where(Trend.merchant_id == merchant_id, col(Trend.created_at) >= since)
                .order_by(col(Trend.created_at))
            )
        )
    if len(recent) >= quota.per_minute:
        wait = QUOTA_WINDOW - (utcnow() - as_utc(recent[-quota.per_minute]))
        raise OverQuota(
            f"merchant {merchant_id} sent {len(recent)} new ideas in the last minute and the "
            f"quota is {quota.per_minute} a minute",
            max(1, math.ceil(wait.total_seconds())),
        )


def create_or_get_trend(
    engine: Engine,
    idea: IdeaInput,
    reference_mesh_path: str | None = None,
    design_spec: dict[str, Any] | None = None,
) -> tuple[Trend, bool]:
    """The Trend row for `idea` and whether this call created it (safe under concurrent calls).

    A repeat of an existing idea keeps the first submission's reference mesh and spec.
    """
    key = dedup_key(idea)
    with Session(engine, expire_on_commit=False) as session:
        existing = session.exec(select(Trend).where(Trend.dedup_key == key)).first()
        if existing is not None:
            return existing, False
        trend = Trend(
            dedup_key=key,
            reference_mesh_path=reference_mesh_path,
            design_spec=design_spec,
            destinations=[d.model_dump(mode="json") for d in resolved_destinations(idea)],
            **idea.model_dump(exclude={"destinations"}),
        )
        session.add(trend)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return session.exec(select(Trend).where(Trend.dedup_key == key)).one(), False
        session.refresh(trend)
        assert trend.id is not None
        trend.workflow_id = trend_workflow_id(trend.id)
        session.add(trend)
        session.commit()
        return trend, True


@dataclass(frozen=True)
class SignalTaken:
    """A scored signal: its cleaned phrase, the verdict, and the idea it made (new or not)."""

    phrase: str
    verdict: Verdict
    idea: IdeaInput | None = None
    trend_id: int | None = None


def take_signal(
    engine: Engine,
    phrase: str,
    observations: Iterable[Mapping[str, Any]],
    threshold: float,
    idea_fields: Mapping[str, Any],
    signal_source: str = "api",
) -> SignalTaken:
    """Score a phrase's engagement, keep the signal, and make the idea when it is viral and new.

    `idea_fields` are the IdeaInput fields besides the text (merchant_id, source, …);
    `signal_source` is kept with the signal (api, trend-watch). BadSignal
    (with its reason) when the observations cannot be scored; nothing is kept then.
    """
    text = clean_phrase(phrase)
    scored = observations_from(observations)
    try:  # a phrase that could never be an idea is refused before anything is kept
        idea = IdeaInput(text=text, **idea_fields)
    except ValidationError as err:
        reasons = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in err.errors())
        raise BadSignal(f"the phrase cannot be an idea: {reasons}") from err
    with Session(engine) as s:
        recent = s.exec(select(Trend.text).order_by(col(Trend.id).desc()).limit(RECENT_IDEAS))
        known = list(recent)
    verdict = judge_signal(text, scored, threshold, known)
    normalized = normalize_phrase(text)
    with session_scope(engine) as s:
        s.add(
            TrendSignal(
                phrase=text, normalized=normalized, score=verdict.score, source=signal_source
            )
        )
    if not verdict.starts_pipeline:
        return SignalTaken(text, verdict)
    trend, _ = create_or_get_trend(engine, idea)
    return SignalTaken(text, verdict, idea, trend.id)

"""Idea intake in the database: one Trend row per (merchant, phrase), created once."""

from __future__ import annotations

import hashlib

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from models.contracts import IdeaInput
from models.tables import Trend


def dedup_key(idea: IdeaInput) -> str:
    """Same merchant + same words (case, spacing and order aside) = same idea."""
    words = " ".join(sorted(set(idea.text.lower().split())))
    return hashlib.sha256(f"{idea.merchant_id}\x00{words}".encode()).hexdigest()[:48]


def create_or_get_trend(
    engine: Engine, idea: IdeaInput, reference_mesh_path: str | None = None
) -> tuple[Trend, bool]:
    """The Trend row for `idea` and whether this call created it (safe under concurrent calls).

    A repeat of an existing idea keeps the first submission's reference mesh.
    """
    key = dedup_key(idea)
    with Session(engine, expire_on_commit=False) as session:
        existing = session.exec(select(Trend).where(Trend.dedup_key == key)).first()
        if existing is not None:
            return existing, False
        trend = Trend(dedup_key=key, reference_mesh_path=reference_mesh_path, **idea.model_dump())
        session.add(trend)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return session.exec(select(Trend).where(Trend.dedup_key == key)).one(), False
        session.refresh(trend)
        assert trend.id is not None
        trend.workflow_id = f"trend-{trend.id}"
        session.add(trend)
        session.commit()
        return trend, True

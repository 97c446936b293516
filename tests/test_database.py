"""The schema: migrations equal the models, keys stop duplicates, the intake is idempotent."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from activities.common import insert_once
from models.contracts import IdeaInput
from models.tables import Milestone, Trend, utcnow
from services.intake import create_or_get_trend, dedup_key

pytestmark = pytest.mark.db


def test_migrations_match_the_models(engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == [], f"models changed without a migration: {diff}"


def test_same_idea_twice_is_one_row(engine) -> None:
    idea = IdeaInput(text="Viral  crying horse plush", merchant_id="m-dup")
    again = IdeaInput(text="viral crying HORSE plush", merchant_id="m-dup")
    other = IdeaInput(text="viral crying horse plush", merchant_id="m-other")
    assert dedup_key(idea) == dedup_key(again) != dedup_key(other)
    with ThreadPoolExecutor(4) as pool:
        results = list(
            pool.map(lambda i: create_or_get_trend(engine, i), [idea, again, idea, again])
        )
    ids = {t.id for t, _ in results}
    assert len(ids) == 1 and sum(created for _, created in results) == 1
    trend = results[0][0]
    assert trend.workflow_id is None or trend.workflow_id == f"trend-{trend.id}"


def test_milestones_are_written_once(engine) -> None:
    trend, _ = create_or_get_trend(engine, IdeaInput(text="keychain charm", merchant_id="m-ms"))
    at = utcnow()
    assert insert_once(engine, Milestone(trend_id=trend.id, name="trend_seen", at=at))
    assert not insert_once(engine, Milestone(trend_id=trend.id, name="trend_seen", at=at))
    with Session(engine) as s:
        rows = s.exec(select(Milestone).where(Milestone.trend_id == trend.id)).all()
        assert len(rows) == 1
        s.add(Trend(dedup_key=trend.dedup_key, text="x", merchant_id="m-ms"))
        with pytest.raises(IntegrityError):
            s.commit()

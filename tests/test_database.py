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


def test_variants_made_before_labels_read_as_empty_lists(tmp_path) -> None:
    """Upgrading a database that holds variants gives them empty labels and findings, so the
    API's answers (which require lists) still read them."""
    from sqlalchemy import text

    from api.schemas import VariantOut
    from models.db import make_engine
    from models.tables import DesignVariant
    from trendforge.dbmigrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "b4e8f2a61c07")  # the revision before labels
    old = make_engine(url)
    with old.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO trend (id, text, merchant_id, market, expected_volume, due_in_days,"
                " source, stage, detail, dedup_key, created_at, updated_at) VALUES (1, 'frog mug',"
                " 'm', 'global', 100, 21, 'merchant', 'received', '', 'k', '2026-01-01', "
                "'2026-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO designvariant (trend_id, rank, family, name, description, params,"
                " score, unit_cost_usd, volume_cm3, dims_mm, processes, printable, mesh_path,"
                " selected, created_at) VALUES (1, 1, 'cup', 'mug #1', '', '{}', 1.0, 2.0, 3.0,"
                " '[1, 2, 3]', '[]', 1, 'm.stl', 0, '2026-01-01')"
            )
        )
    old.dispose()
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as s:
        row = s.exec(select(DesignVariant)).one()
        out = VariantOut(**row.model_dump(), preview_url="p", mesh_url="m", model_url="g")
    engine.dispose()
    assert out.labels == [] and out.findings == [] and out.source == "parametric"
